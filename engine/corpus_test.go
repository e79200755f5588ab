package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOddCorpusFiles reindexes a corpus holding an editor's lock file, a
// backup, a dangling link and a FIFO: the reindex succeeds with every
// guide, the dangling link and the FIFO are reported by name, the editor
// files are not, and they do not change the fingerprint (a restart
// reuses the generation). Any of them used to fail the reindex, and the
// FIFO to hang it for ever.
func TestOddCorpusFiles(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	writeCorpus(t, corpusDir, 2)
	e := start(t, options(corpusDir, indexDir))
	built := readCurrent(indexDir)
	e.Close()

	os.Symlink("user@host.42:1700000000", filepath.Join(corpusDir, ".#extra-000.json"))
	os.WriteFile(filepath.Join(corpusDir, "extra-000.json~"), []byte("{"), 0o644)
	again := start(t, options(corpusDir, indexDir))
	if g := current(t, again); g.Dir != built || !g.Reused {
		t.Errorf("an editor's lock and backup changed the fingerprint: serving %s (reused %v), want %s", g.Dir, g.Reused, built)
	}

	os.Symlink(filepath.Join(corpusDir, "deleted.json"), filepath.Join(corpusDir, "dangling.json"))
	if err := syscall.Mkfifo(filepath.Join(corpusDir, "pipe.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	job, err := again.ReindexNow(context.Background())
	if err != nil {
		t.Fatalf("reindex with odd files: %v", err)
	}
	if job.Guides != 7 || len(job.Skipped) != 2 {
		t.Fatalf("got %d guides, skipped %v; want 7 guides, the link and the FIFO skipped", job.Guides, job.Skipped)
	}
	for i, name := range []string{"dangling.json", "pipe.json"} {
		if s := job.Skipped[i].Error; !strings.Contains(s, filepath.Join(corpusDir, name)) {
			t.Errorf("skipped %q, want %s named", s, name)
		}
	}
}

// TestBuildStopsOnCancel interrupts a reindex while it indexes, as
// SIGTERM or Ctrl-C does: it fails with the context's error, leaves no
// partial generation and does not move CURRENT.
func TestBuildStopsOnCancel(t *testing.T) {
	t.Parallel()
	for _, stage := range []string{StageParsed, StageIndexed, StageVerified} {
		t.Run(stage, func(t *testing.T) {
			corpusDir, indexDir := t.TempDir(), t.TempDir()
			writeCorpus(t, corpusDir, 3)
			opts := options(corpusDir, indexDir)
			e := start(t, opts)
			good := readCurrent(indexDir)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opts.Progress = func(s string, done, total int) {
				if s == stage {
					cancel()
				}
			}
			e.opts.Progress = opts.Progress
			_, err := e.ReindexNow(ctx)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled reindex: %v, want context.Canceled", err)
			}
			gens, _ := filepath.Glob(filepath.Join(indexDir, "gen-*"))
			if readCurrent(indexDir) != good || len(gens) != 1 {
				t.Errorf("after the cancelled reindex: CURRENT %s, generations %v; want %s alone", readCurrent(indexDir), gens, good)
			}
			if _, err := searchIn(e, searchRequest("codeuse")); err != nil {
				t.Errorf("the served generation after the cancelled reindex: %v", err)
			}
		})
	}
}
