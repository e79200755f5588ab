package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// writeCorpus copies the sample guides into a directory, plus n JSON
// guides made from them with new ids.
func writeCorpus(t *testing.T, dir string, n int) {
	t.Helper()
	files, _ := fs.Glob(corpus.Sample(), "*.txt")
	for _, f := range files {
		data, _ := fs.ReadFile(corpus.Sample(), f)
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := corpus.Load(corpus.Sample())
	for i := 0; i < n; i++ {
		m := *c.Metiers[i%len(c.Metiers)]
		m.ID = ""
		m.Title = fmt.Sprintf("%s variante %d", m.Title, i)
		m.Source = ""
		b, _ := json.Marshal(m)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("extra-%03d.json", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func options(corpusDir, indexDir string) Options {
	syn := index.DefaultSynonyms()
	return Options{CorpusDir: corpusDir, IndexDir: indexDir, Generations: 2, Synonyms: syn, Search: search.Options{Synonyms: syn}}
}

func start(t *testing.T, opts Options) *Engine {
	if os.Getenv("ENGINE_LOG") != "" {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	t.Helper()
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// current returns the generation e serves. Its reference is released at
// once: the tests read its fields, which stay readable once closed.
func current(t *testing.T, e *Engine) *Generation {
	t.Helper()
	g, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	g.Release()
	return g
}

// searchIn runs one search on the generation e serves.
func searchIn(e *Engine, r search.Request) (*search.Response, error) {
	g, err := e.Acquire()
	if err != nil {
		return nil, err
	}
	defer g.Release()
	return g.Searcher.Search(context.Background(), r)
}

func guides(t *testing.T, e *Engine) int {
	return len(current(t, e).Corpus.Metiers)
}

func TestGenerationsOnDisk(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 3)
	e := start(t, options(corpusDir, indexDir))
	if n := guides(t, e); n != 8 {
		t.Fatalf("got %d guides, want 8", n)
	}
	first := readCurrent(indexDir)
	if first == "" {
		t.Fatal("no CURRENT after the first build")
	}
	// Reindex three times: CURRENT moves, at most 2 generations are kept.
	for i := 0; i < 3; i++ {
		if _, err := e.ReindexNow(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if cur := readCurrent(indexDir); cur == first || cur == "" {
		t.Errorf("CURRENT did not move: %s", cur)
	}
	gens, _ := filepath.Glob(filepath.Join(indexDir, "gen-*"))
	if len(gens) != 2 {
		t.Errorf("got %d generations on disk, want 2: %v", len(gens), gens)
	}
	res, err := searchIn(e, search.Request{Query: "codeuse"})
	if err != nil || res.Total == 0 {
		t.Fatalf("search after reindexes: %v %v", res, err)
	}
}

func TestFastRestartAndCorpusChange(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 2)
	e := start(t, options(corpusDir, indexDir))
	built := readCurrent(indexDir)
	e.Close()

	again := start(t, options(corpusDir, indexDir))
	g := current(t, again)
	if !g.Reused || g.Dir != built {
		t.Errorf("restart with the same corpus: reused=%v dir=%s, want the existing %s", g.Reused, g.Dir, built)
	}
	again.Close()

	// An edited guide means a rebuild.
	writeCorpus(t, corpusDir, 3)
	changed := start(t, options(corpusDir, indexDir))
	g = current(t, changed)
	if g.Reused || guides(t, changed) != 8 {
		t.Errorf("restart after a corpus change: reused=%v guides=%d", g.Reused, guides(t, changed))
	}
	changed.Close()

	// --rebuild ignores a matching index.
	opts := options(corpusDir, indexDir)
	opts.Rebuild = true
	forced := start(t, opts)
	if g := current(t, forced); g.Reused {
		t.Error("--rebuild reused the index")
	}
}

// TestCrashLeavesLastGoodIndex simulates a crash in the middle of a
// reindex: a half-built generation (locked by its dead builder, no
// meta.json) and a torn CURRENT.tmp are left behind. The next start
// serves the last good generation and removes the partial one at once
// (it used to stay until the next good reindex: 13 of them, 250 MB).
func TestCrashLeavesLastGoodIndex(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 1)
	e := start(t, options(corpusDir, indexDir))
	good := readCurrent(indexDir)
	e.Close()
	half := filepath.Join(indexDir, "gen-9999999999999999999")
	os.MkdirAll(filepath.Join(half, "index"), 0o755)
	os.WriteFile(filepath.Join(half, lockFile), nil, 0o644)
	os.WriteFile(filepath.Join(half, "index", "garbage"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(indexDir, "CURRENT.tmp"), []byte("gen-99"), 0o644)
	// A generation being created by another process right now (no lock
	// file yet) is left alone.
	creating := filepath.Join(indexDir, "gen-9999999999999999998")
	os.Mkdir(creating, 0o755)

	after := start(t, options(corpusDir, indexDir))
	g := current(t, after)
	if g.Dir != good || !g.Reused {
		t.Errorf("after a crash: serving %s (reused %v), want the last good %s", g.Dir, g.Reused, good)
	}
	if _, err := os.Stat(half); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the half-built generation was not removed at start: %v", err)
	}
	if _, err := os.Stat(creating); err != nil {
		t.Errorf("a generation being created was removed: %v", err)
	}
}

func TestFailedReindexKeepsServing(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 0)
	e := start(t, options(corpusDir, indexDir))
	good := readCurrent(indexDir)

	// Every file bad: the rebuild fails, the old index keeps serving.
	entries, _ := os.ReadDir(corpusDir)
	for _, en := range entries {
		os.WriteFile(filepath.Join(corpusDir, en.Name()), []byte("pas une fiche"), 0o644)
	}
	job, err := e.ReindexNow(context.Background())
	if err == nil || job.State != "failed" || !strings.Contains(job.Error, "no guide could be loaded") || len(job.Skipped) != 5 {
		t.Errorf("got %+v, %v; want a failed job naming the 5 bad files", job, err)
	}
	if readCurrent(indexDir) != good || guides(t, e) != 5 {
		t.Errorf("the failed reindex replaced the index")
	}
	res, err := searchIn(e, search.Request{Query: "médecin"})
	if err != nil || res.Total == 0 {
		t.Errorf("search after a failed reindex: %v", err)
	}

	// Strict mode: one bad file fails the build.
	writeCorpus(t, corpusDir, 0)
	os.WriteFile(filepath.Join(corpusDir, "bad.json"), []byte("{"), 0o644)
	opts := options(corpusDir, indexDir)
	opts.Strict = true
	strict, _ := New(opts)
	if _, err := strict.ReindexNow(context.Background()); err == nil || !strings.Contains(err.Error(), "strict") {
		t.Errorf("strict reindex with a bad file: got %v", err)
	}

	// A missing corpus directory fails too.
	opts = options(filepath.Join(corpusDir, "nope"), indexDir)
	missing, _ := New(opts)
	if _, err := missing.ReindexNow(context.Background()); err == nil {
		t.Error("reindex of a missing corpus succeeded")
	}
	if readCurrent(indexDir) != good {
		t.Error("a failed reindex moved CURRENT")
	}
}

// TestStopWordTitleBuilds indexes a valid guide titled with stop words
// only, sorted first: the build used to fail its check, which searched
// the first guide by its title (« the query has only stop words »).
func TestStopWordTitleBuilds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeCorpus(t, dir, 0)
	if err := os.WriteFile(filepath.Join(dir, "0.json"), []byte(`{"title": "De la"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	e := start(t, options(dir, filepath.Join(t.TempDir(), "index")))
	g := current(t, e)
	if n := guides(t, e); n != 6 {
		t.Fatalf("%d guides, want the 5 samples and « De la »", n)
	}
	if g.Corpus.Metiers[0].Title != "De la" {
		t.Errorf("first guide %q: the test no longer probes it first", g.Corpus.Metiers[0].Title)
	}
}

// TestJobByID runs more reindexes than the engine remembers: each of the
// last keptJobs is found by its id after others have started (a remote
// reindex polls for its own), older ones are forgotten.
func TestJobByID(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeCorpus(t, dir, 0)
	e := start(t, options(dir, ""))
	ctx := context.Background()
	if _, ok := e.JobByID(1); ok {
		t.Fatal("job 1 known before any reindex")
	}
	runs := keptJobs + 2
	for i := 1; i <= runs; i++ {
		j, err := e.ReindexNow(ctx)
		if err != nil || j.ID != i {
			t.Fatalf("reindex %d: job %d, %v", i, j.ID, err)
		}
	}
	for id := 1; id <= runs; id++ {
		j, ok := e.JobByID(id)
		if want := id > runs-keptJobs; ok != want {
			t.Errorf("job %d known: %v, want %v", id, ok, want)
		} else if ok && (j.ID != id || j.State != "succeeded") {
			t.Errorf("job %d: %+v", id, j)
		}
	}
}

// TestReaderKeepsItsGeneration holds a generation across two reindexes,
// as a slow request does: it keeps searching its own index, guides and
// recommender until it releases them, and only then is that generation
// closed.
func TestReaderKeepsItsGeneration(t *testing.T) {
	t.Parallel()
	e := start(t, options("", ""))
	held, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := e.ReindexNow(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if now := current(t, e); now == held {
		t.Fatal("two reindexes later the engine still serves the held generation")
	}
	res, err := held.Searcher.Search(context.Background(), search.Request{Query: "médecin"})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("a held generation no longer searches: %v, %v", res, err)
	}
	if held.Metier(res.Hits[0].ID) == nil {
		t.Errorf("hit %s is not a guide of the held generation", res.Hits[0].ID)
	}
	if _, err := held.Recommender.Similar(res.Hits[0].ID, 3); err != nil {
		t.Errorf("the held generation's recommender: %v", err)
	}
	held.Release()
	if _, err := held.Index.DocCount(); err == nil {
		t.Error("the replaced generation is still open after its last reader released it")
	}
	if _, err := searchIn(e, search.Request{Query: "médecin"}); err != nil {
		t.Errorf("the served generation after the release: %v", err)
	}
	e.Close()
	if _, err := e.Acquire(); !errors.Is(err, ErrNotReady) {
		t.Errorf("Acquire after Close: %v, want ErrNotReady", err)
	}
}

func searchRequest(q string) search.Request { return search.Request{Query: q} }
