package recommend_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// textSim is the engine's text similarity: TF-IDF vectors guide to guide,
// the search index for free text.
type textSim struct {
	*recommend.TextVectors
	s *search.Searcher
}

func (t textSim) Relevant(ctx context.Context, text string, k int) ([]recommend.TextMatch, error) {
	ms, err := t.s.TextMatch(ctx, text, k)
	out := make([]recommend.TextMatch, len(ms))
	for i, m := range ms {
		out[i] = recommend.TextMatch{ID: m.ID, Score: m.Score, Terms: m.Terms}
	}
	return out, err
}

var (
	once     sync.Once
	sample   []*corpus.Metier
	blended  *recommend.Recommender
	onlyCr   *recommend.Recommender
	setupErr error
)

// setup builds, once, recommenders over the sample corpus with the real
// French analyzer: one blending text similarity, one on criteria only.
func setup(t testing.TB) {
	t.Helper()
	once.Do(func() {
		c, err := corpus.Load(corpus.Sample())
		if err != nil {
			setupErr = err
			return
		}
		sample = c.Metiers
		a, err := index.NewAnalyzer()
		if err != nil {
			setupErr = err
			return
		}
		idx, err := index.Build(context.Background(), sample, index.Options{})
		if err != nil {
			setupErr = err
			return
		}
		s, err := search.New(bleve.NewIndexAlias(idx), search.Options{})
		if err != nil {
			setupErr = err
			return
		}
		tv, err := recommend.NewTextVectors(context.Background(), sample, recommend.TextVectorOptions{Analyze: a.Terms})
		if err != nil {
			setupErr = err
			return
		}
		blended, setupErr = recommend.New(context.Background(), sample, recommend.Options{Text: textSim{tv, s}, Analyze: a.Terms})
		if setupErr != nil {
			return
		}
		onlyCr, setupErr = recommend.New(context.Background(), sample, recommend.Options{
			Analyze: a.Terms, Weights: &recommend.Weights{Criteria: 1},
		})
	})
	if setupErr != nil {
		t.Fatal(setupErr)
	}
}

const (
	codeur    = "codeur-medical"
	tim       = "technicien-de-l-information-medicale"
	assistant = "assistant-administratif-medical"
	medecin   = "medecin-conseil-mutuelle-assurance"
	employe   = "employe-de-mutuelle"
)

func value(t *testing.T, r *recommend.Recommender, id, criterion string) float64 {
	t.Helper()
	vs, err := r.Vector(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.ID == criterion {
			return v.Value
		}
	}
	t.Fatalf("no criterion %s", criterion)
	return 0
}

func TestCodeurAndTIMAreEachOthersMostSimilar(t *testing.T) {
	setup(t)
	for name, r := range map[string]*recommend.Recommender{"blend": blended, "criteria only": onlyCr} {
		for _, pair := range [][2]string{{codeur, tim}, {tim, codeur}} {
			got, err := r.Similar(pair[0], 4)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 4 || got[0].ID != pair[1] {
				t.Errorf("%s: Similar(%s) = %+v, want %s first", name, pair[0], got, pair[1])
			}
			if len(got[0].Reasons) == 0 || !strings.HasPrefix(got[0].Reasons[0], "Critères communs : ") {
				t.Errorf("%s: reasons %q", name, got[0].Reasons)
			}
		}
	}
}

func TestMutuelleAndMedecinShareAssurance(t *testing.T) {
	setup(t)
	for _, id := range []string{employe, medecin} {
		tags, err := blended.Tags(id)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, tg := range tags {
			if tg.ID == "secteur_assurance" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: tags %+v lack secteur_assurance", id, tags)
		}
	}
	if v := value(t, blended, codeur, "secteur_assurance"); v >= 0.5 {
		t.Errorf("codeur secteur_assurance = %g, want below the tag threshold", v)
	}
}

func TestMedecinHasTheLongestStudies(t *testing.T) {
	setup(t)
	best := value(t, blended, medecin, "etudes")
	for _, id := range []string{codeur, tim, assistant, employe} {
		if v := value(t, blended, id, "etudes"); v >= best {
			t.Errorf("%s etudes %g ≥ médecin conseil's %g", id, v, best)
		}
	}
	if s := value(t, blended, medecin, "salaire"); s <= value(t, blended, tim, "salaire") {
		t.Errorf("médecin salaire %g not above the technicien's", s)
	}
}

func TestContactCues(t *testing.T) {
	setup(t)
	// "Pas de contact direct avec la souffrance des patients" must not
	// make the codeur a people's job.
	if c, a := value(t, blended, codeur, "contact_humain"), value(t, blended, assistant, "contact_humain"); c >= a || a < 0.5 {
		t.Errorf("contact_humain: codeur %g, assistant %g; want the assistant ≥ 0.5 and above", c, a)
	}
	if v := value(t, blended, employe, "contact_humain"); v < 0.5 {
		t.Errorf("employé contact_humain %g, want ≥ 0.5 (« Le contact avec le public est constant »)", v)
	}
}

func TestQuizPeoplePersonWhoHatesScreens(t *testing.T) {
	setup(t)
	got, err := blended.Match(context.Background(), recommend.MatchRequest{
		Answers: map[string]int{"q1": 5, "q2": 5, "q3": 1, "q4": 2},
		Size:    5,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("got %d matches", len(got))
	}
	if got[0].ID == codeur || got[0].ID == tim {
		t.Errorf("a reader who loves the public and hates screens got %s first: %+v", got[0].ID, got)
	}
	if got[len(got)-1].ID != codeur && got[len(got)-1].ID != tim {
		t.Errorf("want the codeur or the technicien last, got %+v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Compatibility > got[i-1].Compatibility {
			t.Errorf("matches not in order: %+v", got)
		}
	}
	if len(got[0].Reasons) == 0 || !strings.HasPrefix(got[0].Reasons[0], "Correspond à vos réponses : ") {
		t.Errorf("reasons %q", got[0].Reasons)
	}
}

func TestQuizNeutralAndConstraints(t *testing.T) {
	setup(t)
	ctx := context.Background()
	neutral, err := blended.Match(ctx, recommend.MatchRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range neutral {
		if m.Compatibility != 50 {
			t.Errorf("no answers: %s at %d%%, want a neutral 50%%", m.ID, m.Compatibility)
		}
	}
	all3 := map[string]int{}
	for _, q := range blended.Quiz().Questions {
		all3[q.ID] = 3
	}
	mid, _ := blended.Match(ctx, recommend.MatchRequest{Answers: all3})
	if mid[0].Compatibility != 50 {
		t.Errorf("all « Ni oui ni non »: got %d%%, want 50%%", mid[0].Compatibility)
	}
	short, _ := blended.Match(ctx, recommend.MatchRequest{Answers: map[string]int{"q9": 5}, Constraints: recommend.Constraints{MaxStudyYears: 3}})
	for _, m := range short {
		if m.ID == medecin || m.ID == tim {
			t.Errorf("max 3 years of study kept %s", m.ID)
		}
	}
	rich, _ := blended.Match(ctx, recommend.MatchRequest{Constraints: recommend.Constraints{MinSalary: 5000}})
	if len(rich) != 1 || rich[0].ID != medecin {
		t.Errorf("min salary 5000: got %+v", rich)
	}
	lux, _ := blended.Match(ctx, recommend.MatchRequest{Constraints: recommend.Constraints{Area: "luxembourg"}})
	for _, m := range lux {
		if m.ID == codeur || m.ID == medecin {
			t.Errorf("area Luxembourg kept %s", m.ID)
		}
	}
	text, _ := blended.Match(ctx, recommend.MatchRequest{Text: "je veux coder des diagnostics pour le RCM", Size: 2})
	if text[0].ID != codeur && text[0].ID != tim {
		t.Errorf("free text about coding: got %+v", text)
	}
}

func TestQuizBadAnswers(t *testing.T) {
	setup(t)
	for _, a := range []map[string]int{{"q1": 0}, {"q1": 6}, {"nope": 3}} {
		if _, err := blended.Match(context.Background(), recommend.MatchRequest{Answers: a}); !errors.Is(err, recommend.ErrBadAnswers) {
			t.Errorf("answers %v: got %v, want ErrBadAnswers", a, err)
		}
	}
	if _, err := blended.Match(context.Background(), recommend.MatchRequest{Size: 1000}); !errors.Is(err, recommend.ErrBadAnswers) {
		t.Errorf("size 1000: got %v", err)
	}
	if _, err := blended.Similar("nope", 3); !errors.Is(err, recommend.ErrUnknownMetier) {
		t.Errorf("unknown id: got %v", err)
	}
	if q := blended.Quiz(); len(q.Questions) < 15 || len(q.Questions) > 30 || len(q.Scale) != 5 || q.Scale[0].Label != "Pas du tout" || q.Scale[4].Label != "Tout à fait" {
		t.Errorf("quiz: %d questions, scale %+v", len(q.Questions), q.Scale)
	}
}

func TestMetierQuiz(t *testing.T) {
	setup(t)
	q, err := blended.MetierQuiz(tim)
	if err != nil {
		t.Fatal(err)
	}
	if q.Generated || len(q.Questions) != 6 || !strings.HasPrefix(q.Questions[0].Text, "Aimes-tu résoudre des énigmes") {
		t.Errorf("technicien quiz: %+v", q)
	}
	if len(q.Questions[0].Criteria) == 0 {
		t.Errorf("the first question maps to no criterion")
	}
	gen, err := blended.MetierQuiz(codeur)
	if err != nil {
		t.Fatal(err)
	}
	if !gen.Generated || len(gen.Questions) < 3 {
		t.Errorf("codeur (no auto-évaluation) quiz: %+v", gen)
	}
	// (1 + 1 + 0.75 + 0 + 1 + 1) / 6 = 79 %
	res, err := blended.ScoreMetierQuiz(tim, map[string]int{"a1": 5, "a2": 5, "a3": 4, "a4": 1, "a5": 5, "a6": 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Compatibility != 79 || len(res.Helped) != 5 || len(res.Hurt) != 1 || res.Hurt[0].ID != "a4" {
		t.Errorf("got %+v", res)
	}
	if _, err := blended.ScoreMetierQuiz(tim, map[string]int{"a9": 5}); !errors.Is(err, recommend.ErrBadAnswers) {
		t.Errorf("unknown question: got %v", err)
	}
}

func TestExplicitCriteriaOverrideAndSaturation(t *testing.T) {
	setup(t)
	var base *corpus.Metier
	for _, m := range sample {
		if m.ID == assistant {
			base = m
		}
	}
	over := *base
	over.ID = "override"
	over.Criteria = map[string]float64{"riasec_a": 1, "contact_humain": 0}
	long := *base
	long.ID = "doubled"
	long.Missions = append(append([]string{}, base.Missions...), base.Missions...)
	long.Pros = append(append([]string{}, base.Pros...), base.Pros...)
	a, _ := index.NewAnalyzer()
	r, err := recommend.New(context.Background(), []*corpus.Metier{base, &over, &long}, recommend.Options{Analyze: a.Terms})
	if err != nil {
		t.Fatal(err)
	}
	if v := value(t, r, "override", "riasec_a"); v != 1 {
		t.Errorf("explicit riasec_a: got %g, want 1", v)
	}
	if v := value(t, r, "override", "contact_humain"); v != 0 {
		t.Errorf("explicit contact_humain: got %g, want 0", v)
	}
	for _, c := range []string{"contact_humain", "riasec_s", "secteur_sante"} {
		b, l := value(t, r, assistant, c), value(t, r, "doubled", c)
		if l-b > 0.15 {
			t.Errorf("%s: doubling the missions moved %g to %g", c, b, l)
		}
	}
}

func TestCriteriaBrowsing(t *testing.T) {
	setup(t)
	infos := blended.Criteria()
	if len(infos) != 24 {
		t.Errorf("got %d criteria, want the 24 of the taxonomy", len(infos))
	}
	_, items, err := blended.ByCriterion("secteur_assurance", 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, it := range items {
		ids[it.ID] = true
	}
	if !ids[employe] || !ids[medecin] {
		t.Errorf("secteur_assurance guides: %+v", items)
	}
	if _, _, err := blended.ByCriterion("nope", 3); !errors.Is(err, recommend.ErrUnknownCriterion) {
		t.Errorf("got %v", err)
	}
}

// TestMetierQuizWithoutQuestions: a guide with no auto-évaluation and no
// criterion strong enough to ask about has an empty list of questions
// (not null), and scores neutral (50), not 0 % « not at all compatible ».
func TestMetierQuizWithoutQuestions(t *testing.T) {
	bare := &corpus.Metier{ID: "y", Title: "Y"}
	r, err := recommend.New(context.Background(), append(append([]*corpus.Metier{}, sample...), bare), recommend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.MetierQuiz("y")
	if err != nil {
		t.Fatal(err)
	}
	if q.Questions == nil || len(q.Questions) != 0 {
		t.Fatalf("questions of a bare guide: %#v, want an empty list", q.Questions)
	}
	res, err := r.ScoreMetierQuiz("y", map[string]int{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Compatibility != 50 {
		t.Errorf("compatibility %d, want 50", res.Compatibility)
	}
}
