package search

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/metiers/metiers/importer"
)

var (
	onisepOnce     sync.Once
	onisepSearcher *Searcher
	onisepErr      error
)

// newONISEP returns a searcher over the real ONISEP corpus, or skips the
// test when ../shared/data does not hold it.
func newONISEP(t *testing.T) *Searcher {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "data", "onisep-ideo")
	onisepOnce.Do(func() {
		res, err := importer.ONISEP(dir, importer.Options{})
		if err != nil {
			onisepErr = err
			return
		}
		onisepSearcher, onisepErr = newSearcher(res.Metiers)
	})
	if onisepErr != nil {
		t.Skipf("no ONISEP corpus: %v", onisepErr)
	}
	return onisepSearcher
}

// TestTyposTheStemmerCutsElsewhere checks misspelt words whose stem is
// further from the right word's stem than the words are from each other
// (« chaneur » → « chaneu », « chanteur » → « chant »): they are
// corrected against the words as written.
func TestTyposTheStemmerCutsElsewhere(t *testing.T) {
	s := newONISEP(t)
	for _, c := range []struct{ q, title string }{
		{"chaneur lyrique", "chanteur"},
		{"dansuse", "danseur"},
		{"aide jardiière", "paysagiste"}, // ONISEP says « ouvrier paysagiste »
		{"photoraphe", "photographe"},
		{"carrleur", "carreleur"},
	} {
		res, err := s.Search(context.Background(), Request{Query: c.q + " ", Size: 3})
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		var got []string
		found := false
		for _, h := range res.Hits {
			got = append(got, h.Title)
			found = found || strings.Contains(h.Title, c.title)
		}
		if !found {
			t.Errorf("%q: top 3 %q, want a « %s »", c.q, got, c.title)
		}
	}
}
