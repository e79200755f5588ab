package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"syscall"
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
// half replacing one, and the CPU time the process spent meanwhile (its
// cores are shared with other jobs here, the wall time is not only its
// own). Then it settles (settle.go), timed, and checks what the issue
// promises: the generation applied on its own answers every search as a
// rebuild of the same files does, and once settled every answer (search,
// suggestions, « similaires », quiz) is the rebuild's. Sizes from the
// environment (the build of 10,000 guides alone takes about a minute on a
// quiet machine, and the check builds them again):
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
	opts.Settle = -1 // settled below, timed
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
		var took, cpu []time.Duration
		incremental := 0
		for i := range updates {
			word := fmt.Sprintf("zorglub%dx", i)
			id := fmt.Sprintf("nouveau-metier-%d", i)
			if i%2 == 1 {
				id = ms[(i*37)%len(ms)].ID
			}
			body := fmt.Sprintf(`{"title": "Métier publié %d", "tagline": "Une fiche qui parle de %s", "missions": ["Publier des fiches"]}`, i, word)
			start, cpu0 := time.Now(), cpuTime()
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
			took, cpu = append(took, time.Since(start)), append(cpu, cpuTime()-cpu0)
			if p.Applied == "incremental" {
				incremental++
			}
		}
		q := func(ds []time.Duration, p float64) float64 {
			sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
			return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
		}
		b.ReportMetric(q(took, 0.5), "p50-ms")
		b.ReportMetric(q(took, 0.99), "p99-ms")
		b.ReportMetric(q(took, 1), "max-ms")
		b.ReportMetric(q(cpu, 0.5), "cpu-p50-ms")
		b.ReportMetric(q(cpu, 0.99), "cpu-p99-ms")
		b.ReportMetric(float64(incremental), "incremental")
		b.ReportMetric(float64(len(took)), "updates")
	}
	b.StopTimer()
	e.background.Wait()
	_, inc := collect(b, e)
	settled := time.Now()
	if err := e.settle(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(settled).Seconds(), "settle-s")
	_, set := collect(b, e)
	rebuilt := filepath.Join(dir, "rebuilt")
	fresh, err := New(options(corpusDir, rebuilt))
	if err != nil {
		b.Fatal(err)
	}
	defer fresh.Close()
	if err := fresh.Start(ctx); err != nil {
		b.Fatal(err)
	}
	_, full := collect(b, fresh)
	if !reflect.DeepEqual(inc.searchAnswers(), full.searchAnswers()) {
		b.Error("applied on its own, the searches differ from a rebuild's:")
		diff(b, inc.searchAnswers(), full.searchAnswers())
	}
	if !reflect.DeepEqual(set, full) {
		b.Error("settled, the answers differ from a rebuild's:")
		diff(b, set, full)
	}
	b.Logf("after %d updates: searches identical to a rebuild's before the settle; everything identical once settled (%d « similaires » rows, %d searches, %d quizzes compared)",
		updates, len(full.Similar), len(full.Searches), len(full.Quiz))
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
