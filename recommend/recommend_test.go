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
			if len(got[0].Reasons) == 0 {
				t.Errorf("%s: no reasons", name)
			}
		}
	}
}

// TestSimilarReasonsSayNoFiller: the words a reason names are the
// guides' own, never « aussi », « chaque », « toute » or « etc ».
func TestSimilarReasonsSayNoFiller(t *testing.T) {
	setup(t)
	for _, m := range sample {
		got, err := blended.Similar(m.ID, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got {
			for _, r := range s.Reasons {
				words, ok := strings.CutPrefix(r, "Thèmes communs : ")
				if !ok {
					continue
				}
				for _, w := range strings.Split(words, ", ") {
					switch w {
					case "aussi", "chaque", "toute", "tout", "etc", "plus", "très", "notamment":
						t.Errorf("%s → %s: filler word %q in %q", m.ID, s.ID, w, r)
					}
				}
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

// answer builds answers by criterion id, for the questions the quiz has.
func answer(t *testing.T, r *recommend.Recommender, byCriterion map[string]int) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, q := range r.Quiz().Questions {
		for c := range q.Criteria {
			if a, ok := byCriterion[c]; ok {
				out[q.ID] = a
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("the quiz asks about none of %v", byCriterion)
	}
	return out
}

func TestQuizPeoplePersonWhoHatesScreens(t *testing.T) {
	setup(t)
	res, err := blended.Match(context.Background(), recommend.MatchRequest{
		Answers: answer(t, blended, map[string]int{"contact_humain": 5, "riasec_s": 5, "travail_bureau": 1, "riasec_i": 2}),
		Size:    5,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Matches
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
	if len(got[0].Reasons) == 0 || !strings.HasPrefix(got[0].Reasons[0], "Correspond à vos réponses : ") || len(got[0].Matched) == 0 {
		t.Errorf("reasons %q, matched %q", got[0].Reasons, got[0].Matched)
	}
	if len(got[4].Unmatched) == 0 {
		t.Errorf("the last match meets every wish? %+v", got[4])
	}
}

func TestQuizNoAnswerNoRanking(t *testing.T) {
	setup(t)
	ctx := context.Background()
	all3 := map[string]int{}
	for _, q := range blended.Quiz().Questions {
		all3[q.ID] = 3
	}
	for name, req := range map[string]recommend.MatchRequest{
		"no answer":             {},
		"all « Ni oui ni non »": {Answers: all3},
	} {
		res, err := blended.Match(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Matches) != 0 || res.Answered != 0 || len(res.Notes) == 0 {
			t.Errorf("%s: got %d matches, %d answered, notes %q; want none, 0 and a note", name, len(res.Matches), res.Answered, res.Notes)
		}
	}
}

func TestQuizConstraints(t *testing.T) {
	setup(t)
	ctx := context.Background()
	some := answer(t, blended, map[string]int{"riasec_s": 4})
	short, _ := blended.Match(ctx, recommend.MatchRequest{Answers: some, Constraints: recommend.Constraints{MaxStudyYears: 3}})
	if len(short.Matches) == 0 {
		t.Fatal("max 3 years of study kept nothing")
	}
	for _, m := range short.Matches {
		if m.ID == medecin || m.ID == tim {
			t.Errorf("max 3 years of study kept %s", m.ID)
		}
	}
	rich, _ := blended.Match(ctx, recommend.MatchRequest{Answers: some, Constraints: recommend.Constraints{MinSalary: 5000}})
	if len(rich.Matches) != 1 || rich.Matches[0].ID != medecin {
		t.Errorf("min salary 5000: got %+v", rich.Matches)
	}
	lux, _ := blended.Match(ctx, recommend.MatchRequest{Answers: some, Constraints: recommend.Constraints{Area: "luxembourg"}})
	for _, m := range lux.Matches {
		if m.ID == codeur || m.ID == medecin {
			t.Errorf("area Luxembourg kept %s", m.ID)
		}
	}
	none, _ := blended.Match(ctx, recommend.MatchRequest{Answers: some, Constraints: recommend.Constraints{Area: "Tombouctou"}})
	if len(none.Matches) != 0 || len(none.Notes) == 0 || !strings.Contains(strings.Join(none.Notes, " "), "Tombouctou") {
		t.Errorf("an area no guide names: got %+v, want no match and a note naming it", none)
	}
	text, _ := blended.Match(ctx, recommend.MatchRequest{Text: "je veux coder des diagnostics pour le RCM", Size: 2})
	if len(text.Matches) == 0 || (text.Matches[0].ID != codeur && text.Matches[0].ID != tim) {
		t.Errorf("free text about coding: got %+v", text.Matches)
	}
	var areas *recommend.Constraint
	for _, c := range blended.Quiz().Constraints {
		if c.ID == "area" {
			areas = &c
		}
	}
	if areas == nil || len(areas.Options) == 0 {
		t.Errorf("the sample names zones: want an area constraint with options, got %+v", blended.Quiz().Constraints)
	}
}

func TestQuizBadAnswers(t *testing.T) {
	setup(t)
	q := blended.Quiz().Questions[0].ID
	for _, a := range []map[string]int{{q: 0}, {q: 6}, {"nope": 3}} {
		if _, err := blended.Match(context.Background(), recommend.MatchRequest{Answers: a}); !errors.Is(err, recommend.ErrBadAnswers) {
			t.Errorf("answers %v: got %v, want ErrBadAnswers", a, err)
		}
		if _, _, err := blended.NextQuestion(a); !errors.Is(err, recommend.ErrBadAnswers) {
			t.Errorf("next question after %v: got %v, want ErrBadAnswers", a, err)
		}
	}
	if _, err := blended.Match(context.Background(), recommend.MatchRequest{Size: 1000}); !errors.Is(err, recommend.ErrBadAnswers) {
		t.Errorf("size 1000: got %v", err)
	}
	if _, err := blended.Similar("nope", 3); !errors.Is(err, recommend.ErrUnknownMetier) {
		t.Errorf("unknown id: got %v", err)
	}
	if q := blended.Quiz(); len(q.Questions) < 10 || len(q.Scale) != 5 || q.Scale[0].Label != "Pas du tout" || q.Scale[4].Label != "Tout à fait" {
		t.Errorf("quiz: %d questions, scale %+v", len(q.Questions), q.Scale)
	}
}

// TestNextQuestion: the adaptive quiz asks each question once, each
// answer changes what it asks next, and it ends.
func TestNextQuestion(t *testing.T) {
	setup(t)
	answers := map[string]int{}
	seen := map[string]bool{}
	for step := 0; ; step++ {
		q, _, err := blended.NextQuestion(answers)
		if err != nil {
			t.Fatal(err)
		}
		if q == nil {
			break
		}
		if seen[q.ID] {
			t.Fatalf("step %d: %s asked twice", step, q.ID)
		}
		if len(q.Criteria) == 0 || q.Text == "" {
			t.Fatalf("step %d: question %+v", step, q)
		}
		seen[q.ID] = true
		a, err := blended.IdealAnswer(codeur, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		answers[q.ID] = a
		if step > len(blended.Quiz().Questions) {
			t.Fatal("the quiz does not end")
		}
	}
	if len(seen) < 3 {
		t.Errorf("only %d questions asked", len(seen))
	}
	res, err := blended.Match(context.Background(), recommend.MatchRequest{Answers: answers, Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matches[0].ID != codeur {
		t.Errorf("answering as the codeur's ideal candidate gives %s first", res.Matches[0].ID)
	}
	first, _, _ := blended.NextQuestion(nil)
	yes, _, _ := blended.NextQuestion(map[string]int{first.ID: 5})
	no, _, _ := blended.NextQuestion(map[string]int{first.ID: 1})
	if yes == nil || no == nil || yes.ID == first.ID || no.ID == first.ID {
		t.Errorf("after %s: %+v and %+v", first.ID, yes, no)
	}
}

func TestMetierQuiz(t *testing.T) {
	setup(t)
	q, err := blended.MetierQuiz(tim)
	if err != nil {
		t.Fatal(err)
	}
	if q.Generated || q.Source != recommend.SourceAutoEvaluation || len(q.Questions) < 7 || !strings.HasPrefix(q.Questions[0].Text, "Aimes-tu résoudre des énigmes") {
		t.Errorf("technicien quiz: its own six questions and its weakest criteria, got %+v", q)
	}
	if len(q.Questions[0].Criteria) == 0 {
		t.Errorf("the first question maps to no criterion")
	}
	gen, err := blended.MetierQuiz(codeur)
	if err != nil {
		t.Fatal(err)
	}
	if !gen.Generated || gen.Source != recommend.SourceCriteria || len(gen.Questions) < 3 {
		t.Errorf("codeur (no auto-évaluation) quiz: %+v", gen)
	}
	for _, qz := range []*recommend.MetierQuiz{q, gen} {
		yes := map[string]int{}
		for _, qu := range qz.Questions {
			yes[qu.ID] = 5
		}
		res, err := blended.ScoreMetierQuiz(qz.ID, yes)
		if err != nil {
			t.Fatal(err)
		}
		if res.Compatibility == nil || *res.Compatibility >= 95 || len(res.Hurt) == 0 {
			t.Errorf("%s: « Tout à fait » to everything gives %v, hurt %v; want below 95 %%", qz.ID, res.Compatibility, res.Hurt)
		}
		none, err := blended.ScoreMetierQuiz(qz.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if none.Compatibility != nil || none.Answered != 0 {
			t.Errorf("%s: nothing answered gives %v", qz.ID, *none.Compatibility)
		}
	}
	// Its ideal candidate: « Tout à fait » to its own questions, its
	// own value to the others.
	ideal := map[string]int{}
	for k, qu := range q.Questions {
		ideal[qu.ID] = 5
		if k >= 6 {
			ideal[qu.ID] = 1
		}
	}
	res, err := blended.ScoreMetierQuiz(tim, ideal)
	if err != nil {
		t.Fatal(err)
	}
	if res.Compatibility == nil || *res.Compatibility < 90 || len(res.Hurt) != 0 {
		t.Errorf("its ideal candidate: got %v, hurt %v", res.Compatibility, res.Hurt)
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
	// The sample carries no domain: the taxonomy is the configured one,
	// text-only criteria included.
	if got, want := len(infos), len(recommend.DefaultTaxonomy().Criteria); got != want {
		t.Errorf("got %d criteria, want the %d of the taxonomy", got, want)
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
// (not null), and no score (not 0 % « not at all compatible », nor 50).
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
	if res.Compatibility != nil {
		t.Errorf("compatibility %d, want none", *res.Compatibility)
	}
}
