package recommend_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
)

func firstSimilar(t *testing.T, r *recommend.Recommender, id string) string {
	t.Helper()
	s, err := r.Similar(id, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) == 0 {
		return ""
	}
	return s[0].ID
}

// TestApply adds, replaces and removes guides one at a time and checks
// the tables against a full build of the same corpus.
func TestApply(t *testing.T) {
	setup(t)
	ctx := context.Background()
	a, err := index.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	var rest []*corpus.Metier
	var cod *corpus.Metier
	for _, m := range sample {
		if m.ID == codeur {
			cod = m
		} else {
			rest = append(rest, m)
		}
	}
	build := func(ms []*corpus.Metier) (*recommend.Recommender, *recommend.TextVectors) {
		tv, err := recommend.NewTextVectors(ctx, ms, recommend.TextVectorOptions{Analyze: a.Terms})
		if err != nil {
			t.Fatal(err)
		}
		r, err := recommend.New(ctx, ms, recommend.Options{Text: textOnly{tv}, Analyze: a.Terms})
		if err != nil {
			t.Fatal(err)
		}
		return r, tv
	}
	r4, tv4 := build(rest)
	tv5, err := tv4.Apply(ctx, []*corpus.Metier{cod}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r5, err := r4.Apply(ctx, []*corpus.Metier{cod}, nil, textOnly{tv5})
	if err != nil {
		t.Fatal(err)
	}
	if r5.Len() != 5 || r4.Len() != 4 {
		t.Fatalf("sizes %d and %d, want 5 and the old 4", r5.Len(), r4.Len())
	}
	if got := firstSimilar(t, r5, codeur); got != tim {
		t.Errorf("the added codeur's first similar: %s, want %s", got, tim)
	}
	if got := firstSimilar(t, r5, tim); got != codeur {
		t.Errorf("the technicien's first similar after the codeur came: %s, want %s", got, codeur)
	}
	full, _ := build(sample)
	for _, m := range sample {
		a, _ := r5.Similar(m.ID, 4)
		b, _ := full.Similar(m.ID, 4)
		if len(a) != len(b) {
			t.Errorf("%s: applied %v, full build %v", m.ID, ids(a), ids(b))
		}
	}
	if _, err := r4.Similar(codeur, 1); err == nil {
		t.Error("the old recommender knows the codeur")
	}

	// Remove the technicien: no row lists it any more.
	tv6, err := tv5.Apply(ctx, nil, []string{tim})
	if err != nil {
		t.Fatal(err)
	}
	r6, err := r5.Apply(ctx, nil, []string{tim}, textOnly{tv6})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range sample {
		if m.ID == tim {
			if _, err := r6.Similar(tim, 1); err == nil {
				t.Error("the removed technicien still has a row")
			}
			continue
		}
		s, _ := r6.Similar(m.ID, 10)
		for _, x := range s {
			if x.ID == tim {
				t.Errorf("%s still lists the removed technicien", m.ID)
			}
		}
	}
	// Replace the codeur by a guide about gardens: its row changes.
	garden := *cod
	garden.Title, garden.Tagline = "Jardinier", "Il entretient les parcs et jardins en extérieur."
	garden.Missions = []string{"Tondre les pelouses", "Tailler les haies", "Planter des arbres"}
	tv7, _ := tv6.Apply(ctx, []*corpus.Metier{&garden}, nil)
	r7, err := r6.Apply(ctx, []*corpus.Metier{&garden}, nil, textOnly{tv7})
	if err != nil {
		t.Fatal(err)
	}
	if v, w := value(t, r7, codeur, "exterieur"), value(t, r6, codeur, "exterieur"); v <= w {
		t.Errorf("the replaced guide's exterieur: %g, before %g; want it higher", v, w)
	}
	if _, _, err := r7.NextQuestion(nil); err != nil {
		t.Error(err)
	}
	if _, err := r7.Apply(ctx, []*corpus.Metier{&garden}, []string{codeur}, nil); err == nil {
		t.Error("putting and removing one guide at once: no error")
	}
}

type textOnly struct{ *recommend.TextVectors }

func (textOnly) Relevant(context.Context, string, int) ([]recommend.TextMatch, error) {
	return nil, nil
}

func ids(s []recommend.Similar) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.ID
	}
	return out
}

// TestApplyONISEP adds one guide to the 927 others of ONISEP and compares
// every row with a full build of the 928: rarity is weighed over the 927
// of the build, so rows may differ a little, not more.
func TestApplyONISEP(t *testing.T) {
	res, err := importer.ONISEP(filepath.Join("..", "..", "shared", "data", "onisep-ideo"), importer.Options{NoLinks: true})
	if err != nil {
		t.Skipf("SKIP: no ONISEP corpus: %v", err)
	}
	ctx := context.Background()
	a, _ := index.NewAnalyzer()
	build := func(ms []*corpus.Metier) (*recommend.Recommender, *recommend.TextVectors) {
		tv, err := recommend.NewTextVectors(ctx, ms, recommend.TextVectorOptions{Analyze: a.Terms})
		if err != nil {
			t.Fatal(err)
		}
		r, err := recommend.New(ctx, ms, recommend.Options{Text: textOnly{tv}, Analyze: a.Terms})
		if err != nil {
			t.Fatal(err)
		}
		return r, tv
	}
	all := res.Metiers
	added := all[len(all)/2]
	rest := append(append([]*corpus.Metier{}, all[:len(all)/2]...), all[len(all)/2+1:]...)
	r, tv := build(rest)
	tv2, err := tv.Apply(ctx, []*corpus.Metier{added}, nil)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := r.Apply(ctx, []*corpus.Metier{added}, nil, textOnly{tv2})
	if err != nil {
		t.Fatal(err)
	}
	full, _ := build(all)
	var overlap float64
	for _, m := range all {
		x, _ := applied.Similar(m.ID, 5)
		y, _ := full.Similar(m.ID, 5)
		in := map[string]bool{}
		for _, s := range y {
			in[s.ID] = true
		}
		for _, s := range x {
			if in[s.ID] {
				overlap++
			}
		}
	}
	overlap /= float64(5 * len(all))
	t.Logf("overlap of the first five with a full build: %.3f", overlap)
	if overlap < 0.9 {
		t.Errorf("rows after Apply share %.3f of their first five with a full build, want ≥ 0.9", overlap)
	}
	x, _ := applied.Similar(added.ID, 5)
	y, _ := full.Similar(added.ID, 5)
	if ids(x)[0] != ids(y)[0] {
		t.Errorf("the added guide's row: %v, full build %v", ids(x), ids(y))
	}
}
