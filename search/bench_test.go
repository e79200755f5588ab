package search

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/index"
)

// benchQueries is a fixed mix: single word, multi-word, typo, prefix,
// acronym, elision.
var benchQueries = []string{"médecin", "secretaire medicale", "mutuele", "assis", "RIM", "l'INAMI", "incapacité de travail", "codeuse"}

var suggestQueries = []string{"as", "assis", "tec", "tecnicien", "méd", "employ", "codeu", "mutu"}

// percentiles runs f b.N times and reports p50 and p99 latencies.
func percentiles(b *testing.B, f func(i int)) {
	d := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		f(i)
		d = append(d, time.Since(t))
	}
	b.StopTimer()
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), "p99-µs")
}

func benchSearchers(b *testing.B) map[string]*Searcher {
	big, err := newSearcher(sampleAndGenerated(b, 1000, 1))
	if err != nil {
		b.Fatal(err)
	}
	out := map[string]*Searcher{"sample": newSample(b), "1005": big}
	// The real ONISEP corpus, when ../shared/data has it.
	if res, err := importer.ONISEP(filepath.Join("..", "..", "shared", "data", "onisep-ideo"), importer.Options{}); err == nil {
		if s, err := newSearcher(res.Metiers); err == nil {
			out["onisep928"] = s
		}
	}
	if res, err := importer.ROME(filepath.Join("..", "..", "shared", "data", "rome4"), importer.Options{}); err == nil {
		if s, err := newSearcher(res.Metiers); err == nil {
			out["rome1584"] = s
		}
	}
	return out
}

func BenchmarkSearch(b *testing.B) {
	for name, s := range benchSearchers(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			percentiles(b, func(i int) {
				if _, err := s.Search(ctx, Request{Query: benchQueries[i%len(benchQueries)]}); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

func BenchmarkSuggest(b *testing.B) {
	for name, s := range benchSearchers(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			percentiles(b, func(i int) {
				if _, err := s.Suggest(ctx, suggestQueries[i%len(suggestQueries)], 8); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// typed returns what readers type on their way to the first n titles of
// the searcher's index, as a search box sends it: every prefix of two
// letters or more, word by word.
func typed(b *testing.B, s *Searcher, n int) []string {
	res, err := s.idx.Search(bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), n, 0, false))
	if err != nil {
		b.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		doc, err := s.idx.Document(h.ID)
		if err != nil || doc == nil {
			b.Fatalf("document %s: %v", h.ID, err)
		}
		var title string
		doc.VisitFields(func(f bindex.Field) {
			if f.Name() == index.FieldTitle {
				title = string(f.Value())
			}
		})
		r := []rune(title)
		for k := 2; k <= len(r); k++ {
			if q := strings.TrimSpace(string(r[:k])); len([]rune(q)) == k {
				out = append(out, q)
			}
		}
	}
	return out
}

// BenchmarkSearchTyping runs, uncached, the queries a search box sends
// while readers type the titles of (up to) 50 guides.
func BenchmarkSearchTyping(b *testing.B) {
	for name, s := range benchSearchers(b) {
		qs := typed(b, s, 50)
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			percentiles(b, func(i int) {
				// Some prefixes are stop words only (« la »): a 400, not a failure.
				s.Search(ctx, Request{Query: qs[i%len(qs)]})
			})
		})
	}
}
