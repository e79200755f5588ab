package recommend_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
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
