package recommend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/recommend"
)

// TestQuizTiesGoToTheTypical: guides that meet the answers equally are
// ordered by how alike they are to the best-fitting guides as a whole,
// not by id; each match names its own strong criteria beside the wishes.
func TestQuizTiesGoToTheTypical(t *testing.T) {
	guide := func(id string, c map[string]float64) *corpus.Metier {
		return &corpus.Metier{ID: id, Title: id, Criteria: c}
	}
	outdoorHands := map[string]float64{"exterieur": 1, "riasec_r": 1, "riasec_a": 0, "physique": 1, "travail_bureau": 0, "contact_humain": 0.2}
	ms := []*corpus.Metier{
		// Outdoors too, but an artist's desk job otherwise: first by id.
		guide("a-atypique", map[string]float64{"exterieur": 1, "riasec_r": 0, "riasec_a": 1, "physique": 0, "travail_bureau": 1, "contact_humain": 0.9}),
		guide("b-typique", outdoorHands),
		guide("c-typique", outdoorHands),
		guide("d-typique", outdoorHands),
		guide("e-bureau", map[string]float64{"exterieur": 0, "riasec_r": 0, "riasec_a": 0.5, "physique": 0, "travail_bureau": 1, "contact_humain": 0.5}),
		guide("f-bureau", map[string]float64{"exterieur": 0, "riasec_r": 0.2, "riasec_a": 0, "physique": 0.2, "travail_bureau": 1, "contact_humain": 0.8}),
	}
	r, err := recommend.New(context.Background(), ms, recommend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Match(context.Background(), recommend.MatchRequest{Answers: answer(t, r, map[string]int{"exterieur": 5}), Size: 4})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range res.Matches {
		ids = append(ids, m.ID)
	}
	if len(ids) != 4 || ids[3] != "a-atypique" {
		t.Fatalf("got %v, want the three typical guides, then a-atypique", ids)
	}
	if res.Matches[0].Compatibility != res.Matches[3].Compatibility {
		t.Fatalf("the four should tie: %+v", res.Matches)
	}
	label := map[string]string{}
	for _, c := range r.Taxonomy().Criteria {
		label[c.ID] = c.Label
	}
	for _, m := range res.Matches {
		var also string
		for _, s := range m.Reasons {
			if a, ok := strings.CutPrefix(s, "Ce métier, c'est aussi : "); ok {
				also = a
			}
		}
		if also == "" || strings.Contains(also, label["exterieur"]) {
			t.Errorf("%s: reasons %q: want its own strong criteria, not the answered one", m.ID, m.Reasons)
		}
		want := label["physique"]
		if m.ID == "a-atypique" {
			want = label["travail_bureau"]
		}
		if !strings.Contains(also, want) {
			t.Errorf("%s: « aussi » %q lacks %q", m.ID, also, want)
		}
	}
}

// TestQuizYesToTwoSpecialities: « yes » to two specialities is met by a
// guide filed under either; « yes » to two interests asks for both.
func TestQuizYesToTwoSpecialities(t *testing.T) {
	guide := func(id string, domains, interests []string) *corpus.Metier {
		return &corpus.Metier{ID: id, Title: id, Domains: domains, Interests: interests}
	}
	ms := []*corpus.Metier{
		guide("reseaux", []string{"informatique/réseaux"}, []string{"J'aime la nature"}),
		guide("logiciel", []string{"informatique/logiciel"}, []string{"J'aime les animaux"}),
		guide("les-deux", []string{"informatique/réseaux", "informatique/logiciel"}, []string{"J'aime la nature", "J'aime les animaux"}),
		guide("eleveur", []string{"agriculture/élevage"}, []string{"J'aime bouger"}),
		guide("vendeur", []string{"commerce/vente"}, []string{"J'aime bouger"}),
	}
	r, err := recommend.New(context.Background(), ms, recommend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byLabel := map[string]string{}
	for _, c := range r.Taxonomy().Criteria {
		byLabel[c.Label] = c.ID
	}
	compat := func(labels ...string) map[string]int {
		t.Helper()
		want := map[string]int{}
		for _, l := range labels {
			id, ok := byLabel[l]
			if !ok {
				t.Fatalf("no criterion labelled %q in %v", l, byLabel)
			}
			want[id] = 5
		}
		res, err := r.Match(context.Background(), recommend.MatchRequest{Answers: answer(t, r, want), Size: 5})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, m := range res.Matches {
			out[m.ID] = m.Compatibility
			if m.ID == "reseaux" {
				for _, u := range m.Unmatched {
					if u == "Logiciel" {
						t.Errorf("reseaux: « Ne correspond pas : Logiciel » though it meets « Réseaux »")
					}
				}
			}
		}
		return out
	}
	sp := compat("Réseaux", "Logiciel")
	if sp["reseaux"] != sp["les-deux"] || sp["logiciel"] != sp["les-deux"] || sp["eleveur"] >= sp["reseaux"] {
		t.Errorf("yes to two specialities: got %v, want reseaux = logiciel = les-deux > eleveur", sp)
	}
	in := compat("J'aime la nature", "J'aime les animaux")
	if in["reseaux"] >= in["les-deux"] {
		t.Errorf("yes to two interests: got %v, want les-deux above reseaux", in)
	}
}
