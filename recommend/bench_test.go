package recommend_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/rome"
)

// bigRecommender builds a criteria-only recommender over the sample plus
// n generated guides (the text blend needs the index; its cost is measured
// by the engine's build).
func bigRecommender(b *testing.B, n int) (*recommend.Recommender, []*corpus.Metier) {
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		b.Fatal(err)
	}
	gen, err := corpusgen.Generate(c.Metiers, n, 1)
	if err != nil {
		b.Fatal(err)
	}
	all := append(append([]*corpus.Metier{}, c.Metiers...), gen...)
	a, err := index.NewAnalyzer()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	r, err := recommend.New(context.Background(), all, recommend.Options{Analyze: a.Terms})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d guides: vectors and similar tables in %s", len(all), time.Since(start).Round(time.Millisecond))
	return r, all
}

func latencies(b *testing.B, f func(i int)) {
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
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds())/1000, "p99-µs")
}

func BenchmarkSimilar1000(b *testing.B) {
	r, all := bigRecommender(b, 1000)
	latencies(b, func(i int) {
		if _, err := r.Similar(all[i%len(all)].ID, 5); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkMatch1000(b *testing.B) {
	r, _ := bigRecommender(b, 1000)
	req := recommend.MatchRequest{Answers: map[string]int{"q_contact_humain": 5, "q_riasec_s": 4, "q_teletravail": 1, "q_etudes": 2, "q_riasec_i": 5}, Size: 10}
	ctx := context.Background()
	latencies(b, func(int) {
		if _, err := r.Match(ctx, req); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkTextVectors measures building the TF-IDF model and every
// guide's text neighbours of the sample plus 1,000 and 10,000 generated
// guides.
func BenchmarkTextVectors(b *testing.B) {
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		b.Fatal(err)
	}
	a, err := index.NewAnalyzer()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1000, 10000} {
		gen, err := corpusgen.Generate(c.Metiers, n, 1)
		if err != nil {
			b.Fatal(err)
		}
		all := append(append([]*corpus.Metier{}, c.Metiers...), gen...)
		b.Run(fmt.Sprint(len(all)), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := recommend.NewTextVectors(context.Background(), all, recommend.TextVectorOptions{Analyze: a.Terms}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// genONISEP is n guides recombined from ONISEP's (the sample's when
// ../shared/data is absent), with the referential when it is there.
func genONISEP(b *testing.B, n int) ([]*corpus.Metier, *rome.Matcher, recommend.Analyzer) {
	a, err := index.NewAnalyzer()
	if err != nil {
		b.Fatal(err)
	}
	base, err := corpus.Load(corpus.Sample())
	if err != nil {
		b.Fatal(err)
	}
	ms := base.Metiers
	var m *rome.Matcher
	if res, err := importer.ONISEP("../../shared/data/onisep-ideo", importer.Options{}); err == nil {
		ms = res.Metiers
		if ref, err := rome.Load("../../shared/data/rome4"); err == nil {
			m = rome.NewMatcher(ref, a.Terms, rome.MatchOptions{})
		}
	} else {
		b.Logf("SKIP the real corpora (%v): guides recombined from the sample", err)
	}
	gen, err := corpusgen.Generate(ms, n, 1)
	if err != nil {
		b.Fatal(err)
	}
	return gen, m, a.Terms
}

// BenchmarkBuild10000 derives the vectors and the blended tables of
// 10,000 generated guides (ONISEP recombined, with the referential).
func BenchmarkBuild10000(b *testing.B) {
	gen, m, an := genONISEP(b, 10000)
	ctx := context.Background()
	for b.Loop() {
		tv, err := recommend.NewTextVectors(ctx, gen, recommend.TextVectorOptions{Analyze: an})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := recommend.New(ctx, gen, recommend.Options{Text: textOnly{tv}, Analyze: an, Rome: m}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApply10000 changes one guide of 10,000 (issue 19's budget:
// 200 ms): its text vector, links, criteria and row, and the rows it
// enters or leaves.
func BenchmarkApply10000(b *testing.B) {
	gen, m, an := genONISEP(b, 10000)
	ctx := context.Background()
	tv, err := recommend.NewTextVectors(ctx, gen, recommend.TextVectorOptions{Analyze: an})
	if err != nil {
		b.Fatal(err)
	}
	r, err := recommend.New(ctx, gen, recommend.Options{Text: textOnly{tv}, Analyze: an, Rome: m})
	if err != nil {
		b.Fatal(err)
	}
	latencies(b, func(i int) {
		g := *gen[i%len(gen)]
		g.Missions = append([]string{fmt.Sprintf("Une mission nouvelle %d", i)}, g.Missions...)
		t2, err := tv.Apply(ctx, []*corpus.Metier{&g}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Apply(ctx, []*corpus.Metier{&g}, nil, textOnly{t2}); err != nil {
			b.Fatal(err)
		}
	})
}
