package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/metiers/metiers/search"
)

// spoil makes every guide file of dir unparsable.
func spoil(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if err := os.WriteFile(filepath.Join(dir, en.Name()), []byte("pas une fiche"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStartFallsBackToLastGood restarts on a corpus that no longer
// builds: the last good generation serves every guide it was built
// with, Status says which build failed and why, and the next reindex
// that succeeds clears it. Start used to fail, and serve to exit.
func TestStartFallsBackToLastGood(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 2)
	first := start(t, options(corpusDir, indexDir))
	good := readCurrent(indexDir)
	first.Close()

	spoil(t, corpusDir)
	e := start(t, options(corpusDir, indexDir))
	g := current(t, e)
	if g.Dir != good || !g.Stale || len(g.Corpus.Metiers) != 7 {
		t.Fatalf("serving %s (stale %v, %d guides), want the last good %s with its 7 guides", g.Dir, g.Stale, len(g.Corpus.Metiers), good)
	}
	if g.Metier(g.Corpus.Metiers[0].ID) == nil {
		t.Error("the stored guides are not indexed by id")
	}
	res, err := searchIn(e, search.Request{Query: "variante"})
	if err != nil || res.Total != 2 {
		t.Errorf("search on the last good generation: %v, %v; want its 2 variants", res, err)
	}
	st := e.Status()
	if !st.Ready || st.Failure == nil || st.Failure.During != "start" || !strings.Contains(st.Failure.Error, "no guide could be loaded") {
		t.Errorf("status %+v (failure %+v), want the failed start build and its cause", st, st.Failure)
	}
	if readCurrent(indexDir) != good {
		t.Error("the failed build moved CURRENT")
	}

	writeCorpus(t, corpusDir, 3)
	if _, err := e.ReindexNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := e.Status(); st.Failure != nil || st.Building != nil {
		t.Errorf("status after a good reindex: %+v, want no failure and no build", st)
	}
	if g := current(t, e); g.Stale || len(g.Corpus.Metiers) != 8 {
		t.Errorf("after the reindex: stale %v, %d guides; want a fresh generation of 8", g.Stale, len(g.Corpus.Metiers))
	}

	// Without any good generation on disk, a failed build fails Start.
	spoil(t, corpusDir)
	none, _ := New(options(corpusDir, t.TempDir()))
	if err := none.Start(context.Background()); err == nil || !errors.Is(err, ErrNoGuides) {
		t.Errorf("Start with nothing to fall back on: %v, want ErrNoGuides", err)
	}
}

// TestStatusReportsProgress watches a build from its progress callback:
// Status says the stage under way until the first generation serves.
func TestStatusReportsProgress(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeCorpus(t, dir, 3)
	opts := options(dir, "")
	var mu sync.Mutex
	var e *Engine
	seen := map[string]Progress{}
	opts.Progress = func(stage string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		st := e.Status()
		if st.Ready || st.Building == nil {
			t.Errorf("status during %s: %+v, want not ready and building", stage, st)
			return
		}
		seen[st.Building.Stage] = *st.Building
	}
	e, _ = New(opts)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, stage := range []string{StageParsed, StageIndexed, StageVerified, StageRecommendations} {
		if p, ok := seen[stage]; !ok || p.Total == 0 || p.Done != p.Total {
			t.Errorf("stage %s: %+v (seen %v), want reported to its end", stage, p, ok)
		}
	}
	if seen[StageIndexed].Total != 8 {
		t.Errorf("indexed %+v, want 8 guides", seen[StageIndexed])
	}
	if st := e.Status(); !st.Ready || st.Building != nil || st.Failure != nil {
		t.Errorf("status once started: %+v", st)
	}
}

// TestReadOnly is a one-shot command beside a server on the same index:
// it reads the server's generation while the server holds it, and when
// the corpus changed it builds in memory; it never writes a generation
// nor moves CURRENT, and refuses to reindex.
func TestReadOnly(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 1)
	server := start(t, options(corpusDir, indexDir))
	served := readCurrent(indexDir)

	ro := options(corpusDir, indexDir)
	ro.ReadOnly = true
	cli := start(t, ro)
	g := current(t, cli)
	if g.Dir != served || !g.Reused {
		t.Errorf("read-only beside a server: %s (reused %v), want the served %s", g.Dir, g.Reused, served)
	}
	if res, err := searchIn(cli, search.Request{Query: "codeuse"}); err != nil || res.Total == 0 {
		t.Errorf("read-only search: %v, %v", res, err)
	}
	if _, err := cli.ReindexNow(context.Background()); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only reindex: %v, want ErrReadOnly", err)
	}
	cli.Close()

	writeCorpus(t, corpusDir, 2)
	before, _ := filepath.Glob(filepath.Join(indexDir, "gen-*"))
	changed := start(t, ro)
	if g := current(t, changed); g.Dir != "" || len(g.Corpus.Metiers) != 7 {
		t.Errorf("read-only on a changed corpus: dir %q, %d guides; want 7 in memory", g.Dir, len(g.Corpus.Metiers))
	}
	after, _ := filepath.Glob(filepath.Join(indexDir, "gen-*"))
	if readCurrent(indexDir) != served || len(after) != len(before) {
		t.Errorf("a read-only start wrote to the index: CURRENT %s, generations %v → %v", readCurrent(indexDir), before, after)
	}
	if _, err := searchIn(server, search.Request{Query: "codeuse"}); err != nil {
		t.Errorf("the server after the read-only commands: %v", err)
	}
}

// TestReindexCleansPartial runs the CLI's offline reindex (no Start)
// after a killed one: the partial generation it left is removed before
// the new build, even one that fails (killed runs' leftovers would
// otherwise fill the disk that the next build needs).
func TestReindexCleansPartial(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 0)
	spoil(t, corpusDir)
	half := filepath.Join(indexDir, "gen-1")
	os.MkdirAll(filepath.Join(half, "index"), 0o755)
	os.WriteFile(filepath.Join(half, lockFile), nil, 0o644)
	e, _ := New(options(corpusDir, indexDir))
	defer e.Close()
	if _, err := e.ReindexNow(context.Background()); !errors.Is(err, ErrNoGuides) {
		t.Fatalf("reindex of a spoilt corpus: %v, want ErrNoGuides", err)
	}
	if _, err := os.Stat(half); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the partial generation survived a reindex: %v", err)
	}
}
