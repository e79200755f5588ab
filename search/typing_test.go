package search

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/metiers/metiers/corpus"
)

var (
	likeOnce     sync.Once
	likeSearcher *Searcher
	likeErr      error
)

// newONISEPLike returns, once per test binary, a searcher over the
// onisep-like suite's guides.
func newONISEPLike(t testing.TB) *Searcher {
	t.Helper()
	likeOnce.Do(func() {
		c, err := corpus.LoadDir(filepath.Join("testdata", "onisep-like", "corpus"))
		if err != nil {
			likeErr = err
			return
		}
		likeSearcher, likeErr = newSearcher(c.Metiers)
	})
	if likeErr != nil {
		t.Fatal(likeErr)
	}
	return likeSearcher
}

// TestNameStages checks the values of the stages read from the names,
// for one guide, while a title is typed: each word of a name serves
// one word typed (the word being typed must begin another one than
// the words typed whole took), synonyms rank below the reader's own
// words, head is how much of the query a name begins with, and a long
// word shares its first letters with a name's word of the same field.
func TestNameStages(t *testing.T) {
	t.Parallel()
	s := newONISEPLike(t)
	for _, tc := range []struct {
		q, id, stage string
		want         float64
	}{
		{"technicien f", "technicien-frigoriste", StageTyping, 1},
		// « technicien » begins with « t », but it is the word typed whole.
		{"technicien t", "technicien-frigoriste", StageTyping, 0},
		{"technicien de m", "technicien-maintenance", StageTyping, 1},
		// « de » is the stop word typed, not the start of another word.
		{"technicien de l", "technicien-maintenance", StageTyping, 0},
		{"technicien de l", "technicien-laboratoire", StageTyping, 1},
		{"technicienne en f", "technicien-frigoriste", StageTyping, 1},
		{"infirmière ", "infirmier", StageTyping, 1},
		{"infirmier en s", "infirmier", StageTyping, otherName},
		{"docteur g", "medecin-generaliste", StageTyping, synonymName},
		{"technicien de m", "technicien-maintenance", StageHead, 1},
		{"technicien f", "technicien-maintenance", StageHead, 0.5},
		{"conductrice de travaux second œuvre", "conducteur-travaux", StageHead, 0.6},
		{"manager de r", "chef-rayon", StageHead, 1},
		{"rayon", "chef-rayon", StageHead, 0},
		// A long word typed whole that begins a name's word otherwise
		// than by its stem: half the title's words, at nearWeight.
		{"frigorifique ", "technicien-frigoriste", StageName, nearWeight * 0.5},
	} {
		res, err := s.Search(context.Background(), Request{Query: tc.q, Size: 50, Explain: true})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		got := -1.0
		for _, h := range res.Hits {
			if h.ID != tc.id {
				continue
			}
			for _, st := range h.Explain.(*Explanation).Stages {
				if st.Stage == tc.stage {
					got = st.Value
				}
			}
		}
		if got < 0 && tc.want == 0 {
			got = 0 // not found at all
		}
		if got != tc.want {
			t.Errorf("%q: %s of %s is %g, want %g", tc.q, tc.stage, tc.id, got, tc.want)
		}
	}
}
