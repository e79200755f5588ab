package recommend_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
)

func textVectors(t *testing.T, ms []*corpus.Metier) *recommend.TextVectors {
	return textVectorsWith(t, ms, recommend.TextVectorOptions{})
}

func textVectorsWith(t *testing.T, ms []*corpus.Metier, opts recommend.TextVectorOptions) *recommend.TextVectors {
	t.Helper()
	a, err := index.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	opts.Analyze = a.Terms
	tv, err := recommend.NewTextVectors(context.Background(), ms, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tv
}

func TestTextVectorsOnSample(t *testing.T) {
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	tv := textVectors(t, c.Metiers)
	got, err := tv.Similar(context.Background(), c.ByID(codeur), 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0].ID != tim || got[0].Score != 1 || got[1].Score > 0.9 {
		t.Fatalf("codeur: got %+v, want the 4 others, the TIM first and ahead", got)
	}
	for _, g := range got {
		if g.ID == codeur || g.Score <= 0 || g.Score > 1 {
			t.Errorf("bad match %+v", g)
		}
	}
	// The terms that make the codeur and the TIM alike, as the guides
	// write them: coding of medical stays is what both do.
	found := map[string]bool{}
	for _, term := range got[0].Terms {
		found[term] = true
	}
	if !found["codage"] && !found["codification"] && !found["séjours"] {
		t.Errorf("shared terms %v: want the coding vocabulary", got[0].Terms)
	}
	if _, err := tv.Similar(context.Background(), &corpus.Metier{ID: "nope"}, 3); !errors.Is(err, recommend.ErrUnknownMetier) {
		t.Errorf("unknown guide: err %v, want ErrUnknownMetier", err)
	}
	dup := []*corpus.Metier{c.Metiers[0], c.Metiers[0]}
	a, _ := index.NewAnalyzer()
	if _, err := recommend.NewTextVectors(context.Background(), dup, recommend.TextVectorOptions{Analyze: a.Terms}); err == nil {
		t.Error("duplicate ids: no error")
	}
}

// TestTextVectorsFindONISEPLinks measures, on the real ONISEP corpus
// imported without its links, how many of the experts' « métiers
// associés » the text vectors put in a guide's first ten.
func TestTextVectorsFindONISEPLinks(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "onisep-ideo")
	with, err := importer.ONISEP(dir, importer.Options{})
	if err != nil {
		t.Skipf("no ONISEP corpus: %v", err)
	}
	without, err := importer.ONISEP(dir, importer.Options{NoLinks: true})
	if err != nil {
		t.Fatal(err)
	}
	recallOf := func(tv *recommend.TextVectors) float64 {
		var recall float64
		n := 0
		for _, m := range with.Metiers {
			if len(m.Similar) == 0 {
				continue
			}
			got, err := tv.Similar(context.Background(), m, 10)
			if err != nil {
				t.Fatal(err)
			}
			top := map[string]bool{}
			for _, g := range got {
				top[g.ID] = true
			}
			hit := 0
			for _, id := range m.Similar {
				if top[id] {
					hit++
				}
			}
			recall += float64(hit) / float64(len(m.Similar))
			n++
		}
		return recall / float64(n)
	}
	exact := recallOf(textVectors(t, without.Metiers))
	// The same with the terms of over half the guides left out of the
	// sums, as on corpora of 2,000 guides or more.
	approx := recallOf(textVectorsWith(t, without.Metiers, recommend.TextVectorOptions{CommonTermsFrom: 100}))
	t.Logf("ONISEP métiers associés found by text vectors: recall@10 %.3f, common terms left out %.3f", exact, approx)
	// Plain TF-IDF cosine finds 0.734 (the peer); we must not do worse.
	for _, r := range []float64{exact, approx} {
		if r < 0.734 {
			t.Errorf("recall@10 %.3f, want at least the plain TF-IDF peer's 0.734", r)
		}
	}
	if approx < exact-0.01 {
		t.Errorf("leaving common terms out costs %.3f of recall@10 (%.3f → %.3f)", exact-approx, exact, approx)
	}
}
