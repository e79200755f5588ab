package search

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
)

// A relevance suite, shaped like bleve's golden search suites:
// testdata/<suite>/corpus holds the guides (the sample suite uses the
// embedded sample) and testdata/<suite>/searches.json the searches, each
// with the guides that must come first, in order, and how many guides it
// finds.
type suiteSearch struct {
	Q     string   `json:"q"`
	IDs   []string `json:"ids"`
	Total *uint64  `json:"total"`
	Why   string   `json:"why"`
}

func TestSuites(t *testing.T) {
	for _, suite := range []string{"sample", "onisep-like"} {
		t.Run(suite, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join("testdata", suite, "searches.json"))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Searches []suiteSearch `json:"searches"`
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			var c *corpus.Corpus
			if suite == "sample" {
				c, err = corpus.Load(corpus.Sample())
			} else {
				c, err = corpus.LoadDir(filepath.Join("testdata", suite, "corpus"))
			}
			if err != nil || len(c.Errors) > 0 {
				t.Fatalf("corpus: %v %v", err, c.Errors)
			}
			idx, err := index.Build(context.Background(), c.Metiers, index.Options{})
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(idx, Options{Synonyms: index.DefaultSynonyms(), Guides: c.Metiers})
			if err != nil {
				t.Fatal(err)
			}
			var rr float64
			for _, sc := range doc.Searches {
				res, err := s.Search(context.Background(), Request{Query: sc.Q, Size: 10})
				if err != nil {
					t.Errorf("%q: %v", sc.Q, err)
					continue
				}
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.ID)
				}
				if len(got) < len(sc.IDs) || !slices.Equal(got[:len(sc.IDs)], sc.IDs) {
					t.Errorf("%q (%s): got %v, want %v first", sc.Q, sc.Why, got, sc.IDs)
				}
				if sc.Total != nil && res.Total != *sc.Total {
					t.Errorf("%q (%s): %d guides found, want %d: %v", sc.Q, sc.Why, res.Total, *sc.Total, got)
				}
				if len(sc.IDs) > 0 {
					if i := slices.Index(got, sc.IDs[0]); i >= 0 {
						rr += 1 / float64(i+1)
					}
				}
			}
			t.Logf("%s: %d searches, MRR of the first expected guide %.3f", suite, len(doc.Searches), rr/float64(len(doc.Searches)))
		})
	}
}
