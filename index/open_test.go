package index

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/metiers/metiers/corpus"
)

// TestOpenReadOnly builds an index on disk and opens it again while
// Build's handle is still open, as a one-shot command beside a server
// does: both read it at once (a built index is sealed read-only). A
// process that holds it for writing makes Open give up with ErrInUse
// instead of waiting for ever on the bolt lock.
func TestOpenReadOnly(t *testing.T) {
	t.Parallel()
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "idx")
	idx, err := Build(context.Background(), c.Metiers, Options{Dir: dir, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	other, err := Open(dir)
	if err != nil {
		idx.Close()
		t.Fatalf("Open beside Build's handle: %v", err)
	}
	for name, h := range map[string]bleve.Index{"built": idx, "opened": other} {
		if n, err := h.DocCount(); err != nil || n != uint64(len(c.Metiers)) {
			t.Errorf("%s index holds %d guides (%v), want %d", name, n, err, len(c.Metiers))
		}
		if segs := h.StatsMap()["index"].(map[string]any)["num_root_filesegments"]; segs != uint64(1) {
			t.Errorf("%s index has %v segments, want 1 (merged before it is sealed)", name, segs)
		}
	}
	idx.Close()
	other.Close()

	writer, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if held, err := Open(dir); !errors.Is(err, ErrInUse) {
		if held != nil {
			held.Close()
		}
		t.Fatalf("Open of an index held for writing: %v, want ErrInUse", err)
	}
}
