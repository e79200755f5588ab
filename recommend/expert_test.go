package recommend_test

import (
	"context"
	"testing"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/rome"
)

// TestContextsTheSheetDoesNotList: a linked ROME sheet that lists a work
// context sets it; one that does not list it leaves it to the guide's
// own text, as a sheet lists a few of its contexts, not all.
func TestContextsTheSheetDoesNotList(t *testing.T) {
	ref, err := rome.Load("../rome/testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	a, err := index.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	outdoors := "Il travaille en plein air, dehors par tous les temps, sous les intempéries."
	ms := []*corpus.Metier{
		// A1501 (auxiliaire vétérinaire) lists no « En extérieur ».
		{ID: "soigneur-dehors", Title: "Soigneur", RomeCodes: []string{"A1501"}, Conditions: outdoors},
		{ID: "soigneur", Title: "Soigneur", RomeCodes: []string{"A1501"}, Conditions: "Il travaille en clinique."},
		// A1502 (maréchal-ferrant) lists it.
		{ID: "marechal", Title: "Maréchal-ferrant", RomeCodes: []string{"A1502"}, Conditions: "Il travaille à la forge."},
	}
	r, err := recommend.New(context.Background(), ms, recommend.Options{Analyze: a.Terms, Rome: rome.NewMatcher(ref, a.Terms, rome.MatchOptions{}), VectorsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id       string
		low, top float64
	}{{"soigneur-dehors", 0.5, 1}, {"soigneur", 0, 0}, {"marechal", 1, 1}} {
		if v := value(t, r, c.id, "exterieur"); v < c.low || v > c.top {
			t.Errorf("%s: exterieur %g, want %g to %g", c.id, v, c.low, c.top)
		}
	}
}
