// Command scale measures how the engine's cost grows with the corpus: for
// the sample, generated corpora of the given sizes and the real corpora
// under ../shared/data (when present), it builds an index on disk in a
// child process and reports build time, guides/s, index size, peak RSS
// while building and RSS while serving, and in-process p50/p99 of search,
// suggest, similar lookup and quiz match. It prints a table and writes
// bench/results/scale.json.
//
//	go run ./bench/scale [-sizes 1000,10000] [-data ../shared/data]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// Row is what one corpus measured.
type Row struct {
	Corpus       string  `json:"corpus"`
	Guides       int     `json:"guides"`
	BuildSeconds float64 `json:"build_seconds"`
	GuidesPerSec float64 `json:"guides_per_second"`
	IndexMB      float64 `json:"index_mb"`
	PeakRSSMB    float64 `json:"peak_rss_mb"`
	ServingRSSMB float64 `json:"serving_rss_mb"`
	SearchP50ms  float64 `json:"search_p50_ms"`
	SearchP99ms  float64 `json:"search_p99_ms"`
	SuggestP50ms float64 `json:"suggest_p50_ms"`
	SuggestP99ms float64 `json:"suggest_p99_ms"`
	SimilarP50us float64 `json:"similar_p50_us"`
	SimilarP99us float64 `json:"similar_p99_us"`
	QuizP50ms    float64 `json:"quiz_p50_ms"`
	QuizP99ms    float64 `json:"quiz_p99_ms"`
}

func main() {
	one := flag.String("one", "", "internal: measure this corpus directory (\"\" = sample) in this process")
	name := flag.String("name", "", "internal: the corpus's name")
	sizes := flag.String("sizes", "1000", "generated corpus sizes, comma-separated")
	data := flag.String("data", filepath.Join("..", "shared", "data"), "directory of the real corpora")
	out := flag.String("json", filepath.Join("bench", "results", "scale.json"), "JSON output")
	flag.Parse()
	if *one != "" || *name != "" {
		row, err := measure(*name, *one)
		if err != nil {
			fmt.Fprintln(os.Stderr, "scale:", err)
			os.Exit(1)
		}
		json.NewEncoder(os.Stdout).Encode(row)
		return
	}
	if err := run(*sizes, *data, *out); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func run(sizes, data, out string) error {
	tmp, err := os.MkdirTemp("", "metiers-scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	type job struct{ name, dir string }
	jobs := []job{{"sample (5)", ""}}
	base, err := corpus.Load(corpus.Sample())
	if err != nil {
		return err
	}
	var ns []int
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bad size %q", s)
		}
		ns = append(ns, n)
		dir := filepath.Join(tmp, "gen"+s)
		ms, err := corpusgen.Generate(base.Metiers, n, 1)
		if err != nil {
			return err
		}
		if err := corpusgen.WriteDir(dir, ms, false); err != nil {
			return err
		}
		jobs = append(jobs, job{fmt.Sprintf("gen. sample (%d)", n), dir})
	}
	for _, r := range []struct {
		name string
		imp  func(string, importer.Options) (*importer.Result, error)
		sub  string
	}{{"ONISEP", importer.ONISEP, "onisep-ideo"}, {"ROME", importer.ROME, "rome4"}} {
		res, err := r.imp(filepath.Join(data, r.sub), importer.Options{})
		if err != nil {
			fmt.Printf("(%s skipped: %v)\n", r.name, err)
			continue
		}
		dir := filepath.Join(tmp, r.sub)
		if err := importer.WriteDir(dir, res.Metiers); err != nil {
			return err
		}
		jobs = append(jobs, job{fmt.Sprintf("%s (%d)", r.name, len(res.Metiers)), dir})
		if r.name != "ONISEP" {
			continue
		}
		// The same sizes recombined from ONISEP's 928 guides: a vocabulary
		// as varied as a real site's, where the sample's five guides put
		// every word in most generated guides (the worst case).
		for _, n := range ns {
			ms, err := corpusgen.Generate(res.Metiers, n, 1)
			if err != nil {
				return err
			}
			gdir := filepath.Join(tmp, fmt.Sprintf("onisep-gen%d", n))
			if err := corpusgen.WriteDir(gdir, ms, false); err != nil {
				return err
			}
			jobs = append(jobs, job{fmt.Sprintf("gen. ONISEP (%d)", n), gdir})
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var rows []Row
	fmt.Printf("%-20s %7s %8s %9s %8s %9s %10s %15s %15s %15s %15s\n", "corpus", "guides", "build s", "guides/s", "index MB", "peak RSS", "serve RSS", "search p50/p99", "suggest p50/99", "similar µs", "quiz p50/p99")
	for _, j := range jobs {
		cmd := exec.Command(self, "-one", j.dir, "-name", j.name)
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", j.name, err)
		}
		var row Row
		if err := json.Unmarshal(stdout.Bytes(), &row); err != nil {
			return fmt.Errorf("%s: %w", j.name, err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			row.PeakRSSMB = float64(ru.Maxrss) / 1024 // KiB on Linux
		}
		rows = append(rows, row)
		fmt.Printf("%-20s %7d %8.1f %9.0f %8.1f %9.0f %10.0f %7.2f/%-7.2f %7.2f/%-7.2f %7.2f/%-7.2f %7.2f/%-7.2f\n",
			row.Corpus, row.Guides, row.BuildSeconds, row.GuidesPerSec, row.IndexMB, row.PeakRSSMB, row.ServingRSSMB,
			row.SearchP50ms, row.SearchP99ms, row.SuggestP50ms, row.SuggestP99ms, row.SimilarP50us, row.SimilarP99us, row.QuizP50ms, row.QuizP99ms)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(rows, "", "  ")
	return os.WriteFile(out, b, 0o644)
}

// measure builds and queries one corpus in this process.
func measure(name, dir string) (Row, error) {
	ctx := context.Background()
	row := Row{Corpus: name}
	idxDir, err := os.MkdirTemp("", "metiers-scale-index-")
	if err != nil {
		return row, err
	}
	defer os.RemoveAll(idxDir)
	syn := index.DefaultSynonyms()
	e, err := engine.New(engine.Options{CorpusDir: dir, IndexDir: idxDir, Synonyms: syn, Search: search.Options{Synonyms: syn}})
	if err != nil {
		return row, err
	}
	defer e.Close()
	start := time.Now()
	if err := e.Start(ctx); err != nil {
		return row, err
	}
	row.BuildSeconds = time.Since(start).Seconds()
	g, err := e.Acquire()
	if err != nil {
		return row, err
	}
	defer g.Release()
	row.Guides = len(g.Corpus.Metiers)
	row.GuidesPerSec = float64(row.Guides) / row.BuildSeconds
	row.IndexMB = float64(dirSize(g.Dir)) / (1 << 20)

	s := g.Searcher
	queries := []string{"médecin", "secretaire medicale", "mutuele", "assis", "RIM", "l'INAMI", "incapacité de travail", "codeuse"}
	prefixes := []string{"as", "assis", "tec", "tecnicien", "méd", "employ", "codeu", "mutu"}
	n := 400
	row.SearchP50ms, row.SearchP99ms = pct(n, func(i int) {
		s.Search(ctx, search.Request{Query: queries[i%len(queries)]})
	}, time.Millisecond)
	row.SuggestP50ms, row.SuggestP99ms = pct(n, func(i int) { s.Suggest(ctx, prefixes[i%len(prefixes)], 8) }, time.Millisecond)
	row.SimilarP50us, row.SimilarP99us = pct(20000, func(i int) {
		g.Recommender.Similar(g.Corpus.Metiers[i%len(g.Corpus.Metiers)].ID, 5)
	}, time.Microsecond)
	req := recommend.MatchRequest{Answers: map[string]int{"q_contact_humain": 5, "q_riasec_s": 4, "q_teletravail": 1, "q_etudes": 2, "q_riasec_i": 5}, Size: 10}
	row.QuizP50ms, row.QuizP99ms = pct(n, func(int) { g.Recommender.Match(ctx, req) }, time.Millisecond)
	runtime.GC()
	row.ServingRSSMB = rssMB()
	return row, nil
}

func pct(n int, f func(int), unit time.Duration) (float64, float64) {
	d := make([]time.Duration, n)
	for i := range d {
		t := time.Now()
		f(i)
		d[i] = time.Since(t)
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return float64(d[n/2]) / float64(unit), float64(d[n*99/100]) / float64(unit)
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// rssMB reads the resident set size of this process.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				kb, _ := strconv.Atoi(f[1])
				return float64(kb) / 1024
			}
		}
	}
	return 0
}
