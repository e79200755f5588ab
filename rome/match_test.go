package rome_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/rome"
)

func analyzer(t testing.TB) rome.Analyzer {
	t.Helper()
	an, err := index.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	return an.Terms
}

func TestSuggest(t *testing.T) {
	r, err := rome.Load("testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	m := rome.NewMatcher(r, analyzer(t), rome.MatchOptions{})
	for _, c := range []struct {
		name string
		q    rome.Query
		want string // "" = nothing confident
	}{
		{"appellation, other gender", rome.Query{Titles: []string{"Conductrice de tracteur"}}, "A1101"},
		{"title and text", rome.Query{Titles: []string{"infirmier"}, Text: "Il dispense des soins infirmiers à l'hôpital."}, "J1506"},
		{"title word and text", rome.Query{Titles: []string{"Artisan boulanger"}, Text: "Il pétrit la pâte, façonne et cuit le pain et les viennoiseries."}, "D1102"},
		{"feminine title", rome.Query{Titles: []string{"développeuse informatique"}}, "M1805"},
		{"unrelated", rome.Query{Titles: []string{"Astronaute"}, Text: "Voyage dans l'espace."}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := m.Suggest(c.q)
			switch {
			case c.want == "" && len(got) > 0:
				t.Errorf("got %v, want nothing", got)
			case c.want != "" && (len(got) == 0 || got[0].Code != c.want):
				t.Errorf("got %v, want %s first", got, c.want)
			}
			for _, s := range got {
				if s.Score < 0.3 || s.Score > 1 {
					t.Errorf("score %v out of [0.3, 1]", s.Score)
				}
			}
		})
	}
}

// TestSuggestONISEP links the real ONISEP guides to the real ROME by
// their titles and text, and checks the first suggestion against the
// codes ONISEP's export gives (a ROME v3 code: the suggested sheet or
// the v3 sheet it was split from). docs/relevance.md has the figures.
func TestSuggestONISEP(t *testing.T) {
	data := filepath.Join("..", "..", "shared", "data")
	r, err := rome.Load(filepath.Join(data, "rome4"))
	if err != nil {
		t.Skipf("SKIP: no ROME referential under %s: %v", data, err)
	}
	f, err := os.Open(filepath.Join(data, "onisep-ideo", "onisep_fiches_metiers.jsonl"))
	if err != nil {
		t.Skipf("SKIP: no ONISEP export under %s: %v", data, err)
	}
	defer f.Close()
	m := rome.NewMatcher(r, analyzer(t), rome.MatchOptions{})
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	n, ok := 0, 0
	for sc.Scan() {
		var g struct {
			Title    string   `json:"libelle_masculin"`
			Synonyms []string `json:"synonymes"`
			Hook     string   `json:"accroche"`
			Codes    []string `json:"codes_rome_v3"`
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatal(err)
		}
		if len(g.Codes) == 0 {
			continue
		}
		n++
		got := m.Suggest(rome.Query{Titles: append([]string{g.Title}, g.Synonyms...), Text: g.Hook})
		if len(got) == 0 {
			continue
		}
		s := r.Sheet(got[0].Code)
		for _, c := range g.Codes {
			if c == s.Code || c == s.Parent {
				ok++
				break
			}
		}
	}
	if n < 800 {
		t.Fatalf("only %d ONISEP guides with codes", n)
	}
	if acc := float64(ok) / float64(n); acc < 0.7 {
		t.Errorf("first suggestion right for %.3f of %d guides, want ≥ 0.7", acc, n)
	}
}
