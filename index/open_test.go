package index

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/metiers/metiers/corpus"
)

// TestOpenInUse opens an index that another handle holds, as a one-shot
// command beside a server does: Open gives up with ErrInUse instead of
// waiting for ever on the bolt lock.
func TestOpenInUse(t *testing.T) {
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "idx")
	idx, err := Build(context.Background(), c.Metiers, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	other, err := Open(dir)
	if other != nil {
		other.Close()
	}
	idx.Close()
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("Open of a held index: %v, want ErrInUse", err)
	}
	again, err := Open(dir)
	if err != nil {
		t.Fatalf("Open once released: %v", err)
	}
	if n, err := again.DocCount(); err != nil || n != uint64(len(c.Metiers)) {
		t.Errorf("reopened index holds %d guides (%v), want %d", n, err, len(c.Metiers))
	}
	again.Close()
}
