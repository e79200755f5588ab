package search

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
)

// benchQueries is a fixed mix: single word, multi-word, typo, prefix,
// acronym, elision, job titles of up to a dozen words.
var benchQueries = []string{
	"médecin", "secretaire medicale", "mutuele", "assis", "RIM", "l'INAMI", "incapacité de travail", "codeuse",
	"Technicien de prévention et lutte contre les sinistres", "Monteur calorifugeur sur tuyauteries",
	"Conductrice de travaux second œuvre du bâtiment et des travaux publics en région",
}

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
	out := map[string]*Searcher{"sample": newSample(b)}
	big, err := newSearcher(sampleAndGenerated(b, 1000, 1))
	if err != nil {
		b.Fatal(err)
	}
	out["1005"] = big
	if sharedData() != "" {
		out["onisep928"] = newONISEP(b)
	}
	return out
}

func BenchmarkSearch(b *testing.B) {
	for name, s := range benchSearchers(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			percentiles(b, func(i int) {
				s.Search(ctx, Request{Query: benchQueries[i%len(benchQueries)]})
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
// the searcher's guides, as a search box sends it: every prefix of two
// letters or more.
func typed(s *Searcher, n int) []string {
	var out []string
	for _, g := range s.lex.guides[:min(n, len(s.lex.guides))] {
		r := []rune(g.m.Title)
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
		qs := typed(s, 50)
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			percentiles(b, func(i int) {
				// Some prefixes are stop words only (« la »): a 400, not a failure.
				s.Search(ctx, Request{Query: qs[i%len(qs)]})
			})
		})
	}
}

// BenchmarkDerive derives the searcher of one guide of 1,005 changed:
// its entries out of the tables, its new text in, the rest shared.
func BenchmarkDerive(b *testing.B) {
	guides := sampleAndGenerated(b, 1000, 1)
	s, err := newSearcher(guides)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := *guides[i%len(guides)]
		m.Tagline += " révisé"
		if _, err := s.Derive(s.idx, []*corpus.Metier{&m}, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}
