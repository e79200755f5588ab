package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
	"github.com/metiers/metiers/search"
)

// BenchmarkPut publishes guides one at a time into a served corpus of
// generated guides (as `metiers gen --n N` writes them) and measures each
// PUT until the guide is served and found by a search for a word only
// it carries: p50, p99 and max over the updates, half of them new guides,
// half replacing one. Sizes from the environment (the build of 10,000
// guides alone takes about a minute):
//
//	METIERS_BENCH_GUIDES=10000 METIERS_BENCH_UPDATES=100 go test -run '^$' -bench Put -benchtime 1x -timeout 2h ./engine
func BenchmarkPut(b *testing.B) {
	guides := envInt("METIERS_BENCH_GUIDES", 1000)
	updates := envInt("METIERS_BENCH_UPDATES", 20)
	dir := b.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	base, _ := corpus.Load(corpus.Sample())
	ms, err := corpusgen.Generate(base.Metiers, guides, 1)
	if err != nil {
		b.Fatal(err)
	}
	if err := corpusgen.WriteDir(corpusDir, ms, false); err != nil {
		b.Fatal(err)
	}
	opts := options(corpusDir, filepath.Join(dir, "index"))
	if os.Getenv("ENGINE_LOG") != "" {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil)) // the stages of each change
	}
	e, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	built := time.Now()
	if err := e.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d guides built in %s", guides, time.Since(built).Round(time.Millisecond))
	ctx := context.Background()
	for range b.N {
		var took []time.Duration
		incremental := 0
		for i := range updates {
			word := fmt.Sprintf("zorglub%dx", i)
			id := fmt.Sprintf("nouveau-metier-%d", i)
			if i%2 == 1 {
				id = ms[(i*37)%len(ms)].ID
			}
			body := fmt.Sprintf(`{"title": "Métier publié %d", "tagline": "Une fiche qui parle de %s", "missions": ["Publier des fiches"]}`, i, word)
			start := time.Now()
			p, err := e.Put(ctx, id, []byte(body))
			if err != nil {
				b.Fatal(err)
			}
			g, err := e.Acquire()
			if err != nil {
				b.Fatal(err)
			}
			res, err := g.Searcher.Search(ctx, search.Request{Query: word})
			g.Release()
			if err != nil || len(res.Hits) == 0 || res.Hits[0].ID != id {
				b.Fatalf("update %d: %s not found by %q after the PUT (%v)", i, id, word, err)
			}
			took = append(took, time.Since(start))
			if p.Applied == "incremental" {
				incremental++
			}
		}
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		q := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
		b.ReportMetric(q(0.5), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
		b.ReportMetric(q(1), "max-ms")
		b.ReportMetric(float64(incremental), "incremental")
		b.ReportMetric(float64(len(took)), "updates")
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
