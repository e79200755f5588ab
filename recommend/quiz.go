package recommend

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ScaleOption is one answer of the 5-point scale.
type ScaleOption struct {
	Value int    `yaml:"value" json:"value"`
	Label string `yaml:"label" json:"label"`
}

// Question is a quiz question and the criteria its answer speaks for.
type Question struct {
	ID       string             `yaml:"id" json:"id"`
	Text     string             `yaml:"text" json:"text"`
	Criteria map[string]float64 `yaml:"criteria" json:"criteria,omitempty"`
}

// Constraint describes an optional filter of the general quiz.
type Constraint struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Type  string `json:"type"` // "number" or "text"
	Unit  string `json:"unit,omitempty"`
}

// Quiz is a questionnaire on the 5-point scale.
type Quiz struct {
	Title       string        `yaml:"title" json:"title"`
	Scale       []ScaleOption `yaml:"scale" json:"scale"`
	Questions   []Question    `yaml:"questions" json:"questions"`
	Constraints []Constraint  `yaml:"-" json:"constraints,omitempty"`
}

func parseQuiz(data []byte, t *Taxonomy) (*Quiz, error) {
	var q Quiz
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&q); err != nil {
		return nil, err
	}
	idx := t.index()
	seen := map[string]bool{}
	for _, qu := range q.Questions {
		if qu.ID == "" || qu.Text == "" || seen[qu.ID] {
			return nil, fmt.Errorf("question %q: id and text required, ids unique", qu.ID)
		}
		seen[qu.ID] = true
		for c := range qu.Criteria {
			if _, ok := idx[c]; !ok {
				return nil, fmt.Errorf("question %s: unknown criterion %q", qu.ID, c)
			}
		}
	}
	if len(q.Scale) != 5 {
		return nil, fmt.Errorf("the scale must have 5 answers, got %d", len(q.Scale))
	}
	q.Constraints = []Constraint{
		{ID: "max_study_years", Label: "Durée d'études maximale", Type: "number", Unit: "ans"},
		{ID: "min_salary", Label: "Salaire brut mensuel minimum", Type: "number", Unit: "€"},
		{ID: "area", Label: "Zone d'emploi", Type: "text"},
	}
	return &q, nil
}

// Quiz returns the general quiz.
func (r *Recommender) Quiz() *Quiz { return r.quiz }

// Constraints narrow the quiz's matches. Zero values do not filter.
type Constraints struct {
	MaxStudyYears float64 `json:"max_study_years,omitempty"`
	MinSalary     int     `json:"min_salary,omitempty"`
	Area          string  `json:"area,omitempty"`
}

// MatchRequest is a reader's quiz: answers by question id (1–5), an
// optional free text, constraints and the number of matches wanted.
type MatchRequest struct {
	Answers     map[string]int `json:"answers"`
	Text        string         `json:"text,omitempty"`
	Constraints Constraints    `json:"constraints"`
	Size        int            `json:"size,omitempty"`
}

// Match is a guide ranked for a reader, with a compatibility in percent
// and French reasons.
type Match struct {
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	Compatibility int      `json:"compatibility"`
	Reasons       []string `json:"reasons"`
}

// MaxMatches bounds the matches of one request.
const MaxMatches = 100

// textWeight is the share of free-text relevance in a quiz match.
const textWeight = 0.3

// profile turns answers into the reader's preference per criterion, in
// [-1,1], and its importance (how strongly and how often it was asked).
// Answer 3 ("Ni oui ni non") or no answer says nothing.
func (r *Recommender) profile(answers map[string]int, questions []Question) (pref, imp []float64, err error) {
	byID := map[string]Question{}
	for _, q := range questions {
		byID[q.ID] = q
	}
	idx := r.tax.index()
	n := len(r.tax.Criteria)
	sum, weight := make([]float64, n), make([]float64, n)
	imp = make([]float64, n)
	var bad []string
	for id, a := range answers {
		q, ok := byID[id]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("unknown question %q", id))
			continue
		case a < 1 || a > 5:
			bad = append(bad, fmt.Sprintf("answer to %s is %d, want 1 to 5", id, a))
			continue
		}
		s := float64(a-3) / 2
		for c, w := range q.Criteria {
			k := idx[c]
			sum[k] += s * w
			weight[k] += math.Abs(w)
			imp[k] += math.Abs(s * w)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		// The first few and a count: a body of 60,000 unknown answers
		// must not be listed back whole.
		const shown = 5
		if len(bad) > shown {
			bad = append(bad[:shown], fmt.Sprintf("and %d more", len(bad)-shown))
		}
		return nil, nil, fmt.Errorf("%w: %s", ErrBadAnswers, strings.Join(bad, "; "))
	}
	pref = make([]float64, n)
	for k := range pref {
		if weight[k] > 0 {
			pref[k] = sum[k] / weight[k]
		}
	}
	return pref, imp, nil
}

// fitScore is fit's score alone, without the allocations of its reasons:
// it runs for every guide of the corpus.
func fitScore(v Vector, pref, imp []float64) float64 {
	var num, den float64
	for c := range pref {
		if imp[c] == 0 {
			continue
		}
		num += imp[c] * (0.5 + pref[c]*(v[c]-0.5))
		den += imp[c]
	}
	if den == 0 {
		return 0.5
	}
	return num / den
}

// fit scores a guide's scaled vector against a profile: 0.5 is neutral,
// 1 when every wish is met to the full, 0 when all are contradicted.
func fit(v Vector, pref, imp []float64) (float64, []int, []int) {
	var num, den float64
	type contrib struct {
		c int
		x float64
	}
	var cs []contrib
	for c := range pref {
		if imp[c] == 0 {
			continue
		}
		x := pref[c] * (v[c] - 0.5) // in [-0.5, 0.5]
		num += imp[c] * (0.5 + x)
		den += imp[c]
		cs = append(cs, contrib{c, imp[c] * x})
	}
	if den == 0 {
		return 0.5, nil, nil
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].x > cs[b].x })
	var good, bad []int
	for _, c := range cs {
		if c.x > 0.02 && len(good) < 3 {
			good = append(good, c.c)
		}
	}
	for k := len(cs) - 1; k >= 0 && len(bad) < 2; k-- {
		if cs[k].x < -0.02 {
			bad = append(bad, cs[k].c)
		}
	}
	return num / den, good, bad
}

// Match ranks every guide for a reader's answers: agreement of the guide's
// criteria with the reader's wishes, blended with the relevance of the
// free text when given, after the constraints.
func (r *Recommender) Match(ctx context.Context, req MatchRequest) ([]Match, error) {
	if req.Size == 0 {
		req.Size = 10
	}
	if req.Size < 1 || req.Size > MaxMatches {
		return nil, fmt.Errorf("%w: size must be between 1 and %d", ErrBadAnswers, MaxMatches)
	}
	if req.Constraints.MaxStudyYears < 0 || req.Constraints.MinSalary < 0 {
		return nil, fmt.Errorf("%w: constraints cannot be negative", ErrBadAnswers)
	}
	pref, imp, err := r.profile(req.Answers, r.quiz.Questions)
	if err != nil {
		return nil, err
	}
	text := map[string]float64{}
	if strings.TrimSpace(req.Text) != "" && r.text != nil {
		ms, err := r.text.Relevant(ctx, req.Text, 50)
		if err != nil {
			return nil, fmt.Errorf("recommend: free text: %w", err)
		}
		for _, m := range ms {
			text[m.ID] = m.Score
		}
	}
	area := fold(req.Constraints.Area)
	type scored struct {
		i     int
		score float64
	}
	fits := func(yield func(scored) bool) {
		for i, m := range r.metiers {
			c := req.Constraints
			if c.MaxStudyYears > 0 && m.StudyYears > c.MaxStudyYears {
				continue
			}
			if c.MinSalary > 0 && max(m.Salary.Max, m.Salary.SeniorMax) < c.MinSalary {
				continue
			}
			if area != "" && !anyContains(m.EmploymentAreas, area) {
				continue
			}
			s := fitScore(r.scaled[i], pref, imp)
			if len(text) > 0 {
				s = (1-textWeight)*s + textWeight*text[m.ID]
			}
			if !yield(scored{i, s}) {
				return
			}
		}
	}
	// The best few, not a sort of every guide.
	all := topK(fits, req.Size, func(a, b scored) bool {
		if a.score != b.score {
			return a.score > b.score
		}
		return r.metiers[a.i].ID < r.metiers[b.i].ID
	})
	out := make([]Match, 0, len(all))
	for _, s := range all {
		m := r.metiers[s.i]
		_, good, bad := fit(r.scaled[s.i], pref, imp) // reasons for the few shown only
		out = append(out, Match{
			ID: m.ID, Title: m.Title,
			Compatibility: int(math.Round(100 * s.score)),
			Reasons:       r.matchReasons(good, bad, pref, text[m.ID]),
		})
	}
	return out, nil
}

func (r *Recommender) matchReasons(good, bad []int, pref []float64, text float64) []string {
	// A criterion the reader wants little of reads « peu de … ».
	label := func(cs []int) string {
		ls := make([]string, len(cs))
		for k, c := range cs {
			ls[k] = r.tax.Criteria[c].Label
			if pref[c] < 0 {
				ls[k] = "peu de « " + ls[k] + " »"
			}
		}
		return strings.Join(ls, ", ")
	}
	var out []string
	if len(good) > 0 {
		out = append(out, "Correspond à vos réponses : "+label(good))
	}
	if len(bad) > 0 {
		out = append(out, "Moins en accord avec vos réponses : "+label(bad))
	}
	if text >= 0.3 {
		out = append(out, "Proche de ce que vous avez écrit")
	}
	if len(out) == 0 {
		out = append(out, "Répondez à plus de questions pour affiner le résultat")
	}
	return out
}

func fold(s string) string { return strings.Join(FoldAnalyzer(s), " ") }

func anyContains(list []string, folded string) bool {
	for _, s := range list {
		if strings.Contains(fold(s), folded) {
			return true
		}
	}
	return false
}
