package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofrs/flock"

	"github.com/metiers/metiers/search"
)

// TestPruneSparesGenerationsInUse runs two engines on one index
// directory, as a server and `metiers reindex` beside it would: the
// second one's reindexes must not delete the generation the first one
// serves, nor a build under way.
func TestPruneSparesGenerationsInUse(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 0)
	server := start(t, options(corpusDir, indexDir))
	served := readCurrent(indexDir)

	opts := options(corpusDir, indexDir)
	opts.Generations = 1
	// As `metiers reindex` does: build without opening the served one
	// (bleve holds its own lock on an open index).
	cli, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := cli.ReindexNow(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(served); err != nil {
		t.Fatalf("the generation another engine serves was pruned: %v", err)
	}
	res, err := searchIn(server, search.Request{Query: "médecin"})
	if err != nil || res.Total == 0 || len(res.Hits) == 0 || res.Hits[0].Title == "" {
		t.Fatalf("the first engine no longer searches its generation: %v", err)
	}

	// A build under way in another process: no meta.json yet, but held.
	building := filepath.Join(indexDir, "gen-9999999999999999999")
	if err := os.MkdirAll(filepath.Join(building, indexSub), 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := holdGeneration(building)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ReindexNow(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(building); err != nil {
		t.Fatalf("a build under way was pruned: %v", err)
	}

	// Once released, both go at the next prune.
	lock.Unlock()
	server.Close()
	if _, err := cli.ReindexNow(ctx); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{building, served} {
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was not pruned once released: %v", filepath.Base(dir), err)
		}
	}
	// A generation being removed (locked exclusively) cannot be taken.
	dir := t.TempDir()
	x := flock.New(filepath.Join(dir, lockFile))
	if ok, err := x.TryLock(); !ok || err != nil {
		t.Fatalf("exclusive lock: %v %v", ok, err)
	}
	if _, err := holdGeneration(dir); err == nil {
		t.Error("held a generation that is being removed")
	}
	x.Unlock()
	if l, err := holdGeneration(dir); err != nil {
		t.Errorf("hold a released generation: %v", err)
	} else {
		l.Unlock()
	}
}
