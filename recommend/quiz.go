package recommend

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"math"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/metiers/metiers/corpus"
)

//go:embed quiz.yaml
var defaultQuiz []byte

// ScaleOption is one answer of the 5-point scale.
type ScaleOption struct {
	Value int    `yaml:"value" json:"value"`
	Label string `yaml:"label" json:"label"`
}

// Question is a quiz statement and the criteria an answer speaks for
// (positive weight) or against (negative): « Tout à fait » asks for a
// guide high on them, « Pas du tout » for one low on them, « Ni oui ni
// non » says nothing.
type Question struct {
	ID       string             `json:"id"`
	Text     string             `json:"text"`
	Group    string             `json:"group,omitempty"`
	Criteria map[string]float64 `json:"criteria,omitempty"`
	// crit and weight are Criteria by criterion index, sorted.
	crit   []int
	weight []float64
	// terms are the statement's analysed words (to skip a question
	// that says what an answered one said).
	terms []string
}

// Constraint describes an optional filter of the general quiz.
type Constraint struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Type  string `json:"type"` // "number" or "choice"
	Unit  string `json:"unit,omitempty"`
	// Options are the values a choice can take (the zones the guides
	// name).
	Options []string `json:"options,omitempty"`
}

// Quiz is a questionnaire on the 5-point scale.
type Quiz struct {
	Title       string        `yaml:"title" json:"title"`
	Scale       []ScaleOption `yaml:"scale" json:"scale"`
	Questions   []Question    `yaml:"-" json:"questions"`
	Constraints []Constraint  `yaml:"-" json:"constraints"`
	// MaxQuestions is how many questions the adaptive quiz means to ask
	// at most before the matches settle (the reader may go on).
	MaxQuestions int `yaml:"-" json:"max_questions"`
	// all holds a question for every criterion with a statement, byID
	// their positions: an answer to a question this corpus does not ask
	// (its criterion tells no guide apart) is still understood.
	all  []Question
	byID map[string]int
}

// MaxAdaptiveQuestions is the length the adaptive quiz aims at.
const MaxAdaptiveQuestions = 15

// groupNames are the quiz's headings for the static criteria's groups.
var groupNames = map[string]string{
	"interets":   "Ce que j'aime faire",
	"niveau":     "Études et salaire",
	"conditions": "Conditions de travail",
	"secteurs":   "Domaines",
}

// buildQuiz makes the general quiz from the corpus's taxonomy: one
// statement per criterion that tells at least two guides from the rest.
func (r *Recommender) buildQuiz() *Quiz {
	var q Quiz
	dec := yaml.NewDecoder(bytes.NewReader(defaultQuiz))
	dec.KnownFields(true)
	if err := dec.Decode(&q); err != nil || len(q.Scale) != 5 {
		panic(fmt.Sprintf("recommend: embedded quiz.yaml: %v", err)) // tested
	}
	q.MaxQuestions = MaxAdaptiveQuestions
	q.byID = map[string]int{}
	fams := map[string]string{}
	for _, f := range r.tax.Families {
		fams[f.ID] = f.Label
	}
	r.stats = r.criterionStats()
	for c, cr := range r.tax.Criteria {
		if cr.Question == "" {
			continue
		}
		group := groupNames[cr.Group]
		if cr.Family != "" {
			group = fams[cr.Family]
		}
		qu := Question{ID: "q_" + cr.ID, Text: cr.Question, Group: group, Criteria: map[string]float64{cr.ID: 1},
			crit: []int{c}, weight: []float64{1}, terms: distinctTerms(r.analyze(cr.Question))}
		q.byID[qu.ID] = len(q.all)
		q.all = append(q.all, qu)
		if r.stats[c].splits() {
			q.Questions = append(q.Questions, qu)
		}
	}
	q.Constraints = r.constraints()
	return &q
}

// criterionStat describes a criterion over the corpus: how many guides
// say something of it, how many have it, and the expected misfit of each
// target answer (for weighing an answer by how much it tells guides
// apart).
type criterionStat struct {
	known, high int
	mean, sd    float64
	// misfit[k] is the mean |v - t| over the guides, t = targets[k].
	misfit [5]float64
}

// targets are the values the five answers ask for.
var targets = [5]float64{0, 0.25, 0.5, 0.75, 1}

// splits reports whether a criterion tells some guides from the others.
func (s criterionStat) splits() bool {
	return s.high >= 1 && s.known-s.high >= 1 && s.sd > 0.05
}

func (r *Recommender) criterionStats() []criterionStat {
	out := make([]criterionStat, len(r.tax.Criteria))
	for c := range r.tax.Criteria {
		s := &out[c]
		var sum, sq float64
		for _, v := range r.vectors {
			x := v[c]
			if !known(x) {
				continue
			}
			s.known++
			if x >= 0.5 {
				s.high++
			}
			sum += x
			sq += x * x
			for k, t := range targets {
				s.misfit[k] += math.Abs(x - t)
			}
		}
		if s.known > 0 {
			n := float64(s.known)
			s.mean = sum / n
			s.sd = math.Sqrt(math.Max(0, sq/n-s.mean*s.mean))
			for k := range s.misfit {
				s.misfit[k] /= n
			}
		}
	}
	return out
}

// constraints lists the filters the corpus can apply: study length
// always, a minimum salary when guides give salaries, a zone when they
// name zones (with the zones as options).
func (r *Recommender) constraints() []Constraint {
	out := []Constraint{{ID: "max_study_years", Label: "Durée d'études maximale après le secondaire", Type: "number", Unit: "ans"}}
	salaries := 0
	zones := map[string]int{}
	shown := map[string]string{} // a zone's first spelling, by its folded form
	for _, m := range r.metiers {
		if maxSalary(m) > 0 {
			salaries++
		}
		seen := map[string]bool{}
		for _, z := range m.EmploymentAreas {
			// « Province de Liège (CHU, cliniques) » offers « Province
			// de Liège »: a zone matches every guide naming it.
			if i := strings.Index(z, " ("); i > 0 {
				z = z[:i]
			}
			z = strings.TrimSpace(z)
			f := fold(z)
			if f == "" || seen[f] {
				continue
			}
			seen[f] = true
			if _, ok := shown[f]; !ok {
				shown[f] = z
			}
			zones[shown[f]]++
		}
	}
	if salaries > 0 {
		out = append(out, Constraint{ID: "min_salary", Label: "Salaire brut mensuel minimum", Type: "number", Unit: "€"})
	}
	if len(zones) > 0 {
		opts := make([]string, 0, len(zones))
		for z := range zones {
			opts = append(opts, z)
		}
		sort.Slice(opts, func(a, b int) bool {
			if zones[opts[a]] != zones[opts[b]] {
				return zones[opts[a]] > zones[opts[b]]
			}
			return opts[a] < opts[b]
		})
		if len(opts) > 50 {
			opts = opts[:50]
		}
		out = append(out, Constraint{ID: "area", Label: "Zone d'emploi", Type: "choice", Options: opts})
	}
	return out
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
// and French reasons: what matched the reader's answers and what did not.
type Match struct {
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	Compatibility int      `json:"compatibility"`
	Reasons       []string `json:"reasons"`
	Matched       []string `json:"matched"`
	Unmatched     []string `json:"unmatched"`
}

// MatchResult is the quiz's answer: the matches, how many answers spoke,
// and notes for the reader (no answer yet, a constraint that cannot
// apply or that excludes every guide).
type MatchResult struct {
	Matches  []Match  `json:"matches"`
	Answered int      `json:"answered"`
	Notes    []string `json:"notes"`
}

// MaxMatches bounds the matches of one request.
const MaxMatches = 100

// textWeight is the share of free-text relevance in a quiz match.
const textWeight = 0.3

// profile is a reader's answers turned into a wish per criterion: the
// value asked for and how much the answer tells guides apart.
type profile struct {
	crit   []int
	target []float64
	imp    []float64
	// answered counts the answers that speak (not « Ni oui ni non »).
	answered int
	// alts are the wishes (indices into crit) that are alternatives:
	// « yes » to two labels or more of one family (two sub-domains) is
	// met by a guide that carries any of them (quizorder.go); inAlt
	// marks them.
	alts  [][]int
	inAlt []bool
}

// profile turns answers into the reader's wishes. « Ni oui ni non » and
// no answer say nothing; « Plutôt » counts half of « Tout à fait » or
// « Pas du tout ». An answer weighs by how many guides it tells apart:
// the corpus's mean misfit to the value it asks for (a « no » to a label
// few guides carry weighs little, a « yes » much).
func (r *Recommender) profile(answers map[string]int) (profile, error) {
	var bad []string
	type wish struct{ sum, imp float64 }
	wishes := map[int]*wish{}
	n := 0
	for id, a := range answers {
		qi, ok := r.quiz.byID[id]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("unknown question %q", id))
			continue
		case a < 1 || a > 5:
			bad = append(bad, fmt.Sprintf("answer to %s is %d, want 1 to 5", id, a))
			continue
		case a == 3:
			continue
		}
		n++
		q := r.quiz.all[qi]
		strength := math.Abs(float64(a-3)) / 2
		for k, c := range q.crit {
			w := q.weight[k]
			ti := a - 1
			if w < 0 {
				ti = 4 - ti
			}
			imp := strength * math.Abs(w) * r.stats[c].misfit[ti]
			if imp == 0 {
				continue
			}
			x := wishes[c]
			if x == nil {
				x = &wish{}
				wishes[c] = x
			}
			x.sum += imp * targets[ti]
			x.imp += imp
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
		return profile{}, fmt.Errorf("%w: %s", ErrBadAnswers, strings.Join(bad, "; "))
	}
	p := profile{answered: n}
	for c := range wishes {
		p.crit = append(p.crit, c)
	}
	sort.Ints(p.crit)
	for _, c := range p.crit {
		p.target = append(p.target, wishes[c].sum/wishes[c].imp)
		p.imp = append(p.imp, wishes[c].imp)
	}
	r.alternatives(&p)
	return p, nil
}

// fit is how well a guide's vector meets a profile, in [0,1]: the
// weighted mean of 1 - |value - target|; a criterion the guide says
// nothing about counts as the corpus's mean misfit.
func (r *Recommender) fit(v Vector, p profile) float64 {
	var num, den float64
	one := func(k int) float64 {
		c := p.crit[k]
		if x := v[c]; known(x) {
			return 1 - math.Abs(x-p.target[k])
		}
		return 1 - r.meanMisfit(c, p.target[k])
	}
	for k := range p.crit {
		if p.inAlt != nil && p.inAlt[k] {
			continue
		}
		num += p.imp[k] * one(k)
		den += p.imp[k]
	}
	// Alternatives count as one wish as heavy as all of them, met as
	// well as the best of them is.
	for _, ks := range p.alts {
		var w, best float64
		for _, k := range ks {
			w += p.imp[k]
			best = math.Max(best, one(k))
		}
		num += w * best
		den += w
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// meanMisfit interpolates the corpus's mean misfit to a target.
func (r *Recommender) meanMisfit(c int, t float64) float64 {
	k := int(math.Round(t * 4))
	return r.stats[c].misfit[max(0, min(4, k))]
}

// contribution is one criterion's part in a match: positive when the
// guide meets the wish better than the corpus does on average.
type contribution struct {
	c int
	x float64
	// low is true when the reader asked for little of it.
	low bool
}

func (r *Recommender) contributions(v Vector, p profile) []contribution {
	// A missed alternative is no misfit when another one is met.
	metAlt := map[int]bool{}
	for g, ks := range p.alts {
		for _, k := range ks {
			if x := v[p.crit[k]]; known(x) && x >= 0.5 {
				metAlt[g] = true
			}
		}
	}
	altOf := map[int]int{}
	for g, ks := range p.alts {
		for _, k := range ks {
			altOf[k] = g
		}
	}
	out := make([]contribution, 0, len(p.crit))
	for k, c := range p.crit {
		if !known(v[c]) {
			continue
		}
		chance := r.meanMisfit(c, p.target[k])
		x := p.imp[k] * (chance - math.Abs(v[c]-p.target[k]))
		if g, ok := altOf[k]; ok && metAlt[g] && x < 0 {
			continue
		}
		out = append(out, contribution{c, x, p.target[k] < 0.5})
	}
	return out
}

// Match ranks every guide for a reader's answers: the fit of the guide's
// criteria to the reader's wishes, blended with the relevance of the
// free text when given, after the constraints. Without an answer or a
// text it ranks nothing and says so.
func (r *Recommender) Match(ctx context.Context, req MatchRequest) (*MatchResult, error) {
	if req.Size == 0 {
		req.Size = 10
	}
	if req.Size < 1 || req.Size > MaxMatches {
		return nil, fmt.Errorf("%w: size must be between 1 and %d", ErrBadAnswers, MaxMatches)
	}
	if req.Constraints.MaxStudyYears < 0 || req.Constraints.MinSalary < 0 {
		return nil, fmt.Errorf("%w: constraints cannot be negative", ErrBadAnswers)
	}
	p, err := r.profile(req.Answers)
	if err != nil {
		return nil, err
	}
	res := &MatchResult{Matches: []Match{}, Answered: p.answered, Notes: []string{}}
	hasText := strings.TrimSpace(req.Text) != "" && r.text != nil
	if p.answered == 0 && !hasText {
		res.Notes = append(res.Notes, "Répondez à au moins une question (autre que « Ni oui ni non ») pour voir les métiers qui vous correspondent.")
		return res, nil
	}
	text := map[string]float64{}
	if hasText {
		ms, err := r.text.Relevant(ctx, req.Text, 50)
		if err != nil {
			return nil, fmt.Errorf("recommend: free text: %w", err)
		}
		for _, m := range ms {
			text[m.ID] = m.Score
		}
	}
	keep, notes := r.filter(req.Constraints)
	res.Notes = append(res.Notes, notes...)
	scores := make([]float64, len(r.metiers))
	for i := range r.metiers {
		if !keep(i) {
			continue
		}
		switch {
		case p.answered == 0:
			scores[i] = text[r.metiers[i].ID]
		case hasText:
			scores[i] = (1-textWeight)*r.fit(r.vectors[i], p) + textWeight*text[r.metiers[i].ID]
		default:
			scores[i] = r.fit(r.vectors[i], p)
		}
	}
	typical := r.typicality(scores, keep)
	kept := func(yield func(int) bool) {
		for i := range r.metiers {
			if keep(i) && !yield(i) {
				return
			}
		}
	}
	// The best few, not a sort of every guide; equal fits by typicality
	// (quizorder.go).
	top := topK(kept, req.Size, func(a, b int) bool {
		if scores[a] != scores[b] {
			return scores[a] > scores[b]
		}
		if typical[a] != typical[b] {
			return typical[a] > typical[b]
		}
		return r.metiers[a].ID < r.metiers[b].ID
	})
	type scored struct {
		i     int
		score float64
	}
	all := make([]scored, len(top))
	for k, i := range top {
		all[k] = scored{i, scores[i]}
	}
	if len(all) == 0 {
		res.Notes = append(res.Notes, "Aucun métier ne respecte toutes vos contraintes : assouplissez-en une pour voir des résultats.")
		return res, nil
	}
	idx := make([]int, len(all))
	for k, s := range all {
		idx[k] = s.i
	}
	reasons := r.matchReasons(idx, p, text)
	for k, s := range all {
		m := r.metiers[s.i]
		mt := reasons[k]
		mt.ID, mt.Title = m.ID, m.Title
		mt.Compatibility = int(math.Round(100 * s.score))
		res.Matches = append(res.Matches, mt)
	}
	return res, nil
}

// filter returns which guides the constraints keep, and notes on the
// constraints the corpus cannot apply.
func (r *Recommender) filter(c Constraints) (func(int) bool, []string) {
	var notes []string
	minSalary := c.MinSalary
	if minSalary > 0 {
		any := false
		for _, m := range r.metiers {
			any = any || maxSalary(m) > 0
		}
		if !any {
			notes = append(notes, "Aucun métier de ce corpus n'indique de salaire : le salaire minimum n'est pas pris en compte.")
			minSalary = 0
		}
	}
	area := fold(c.Area)
	if area != "" {
		any, match := false, false
		for _, m := range r.metiers {
			any = any || len(m.EmploymentAreas) > 0
			match = match || anyContains(m.EmploymentAreas, area)
		}
		switch {
		case !any:
			notes = append(notes, fmt.Sprintf("Aucun métier de ce corpus n'indique de zone d'emploi : la zone « %s » n'est pas prise en compte.", strings.TrimSpace(c.Area)))
			area = ""
		case !match:
			notes = append(notes, fmt.Sprintf("Aucun métier n'indique la zone d'emploi « %s ».", strings.TrimSpace(c.Area)))
		}
	}
	if c.MaxStudyYears > 0 {
		n := 0
		for _, m := range r.metiers {
			if m.StudyYears <= c.MaxStudyYears {
				n++
			}
		}
		if n == 0 {
			notes = append(notes, fmt.Sprintf("Aucun métier ne demande %g an(s) d'études ou moins.", c.MaxStudyYears))
		}
	}
	return func(i int) bool {
		m := r.metiers[i]
		if c.MaxStudyYears > 0 && m.StudyYears > c.MaxStudyYears {
			return false
		}
		if minSalary > 0 && maxSalary(m) < minSalary {
			return false
		}
		if area != "" && !anyContains(m.EmploymentAreas, area) {
			return false
		}
		return true
	}, notes
}

// maxSalary is the highest monthly salary a guide gives, 0 when none.
func maxSalary(m *corpus.Metier) int {
	s := m.Salary
	return max(s.Min, s.Max, s.JuniorMin, s.JuniorMax, s.SeniorMin, s.SeniorMax)
}

// matchReasons says, for each shown match, which of the reader's wishes
// it meets and which it does not. A wish every shown match meets says
// less than one only this match meets, so each match's own strengths
// come first and the reasons differ from one match to the next.
func (r *Recommender) matchReasons(idx []int, p profile, text map[string]float64) []Match {
	contribs := make([][]contribution, len(idx))
	meets := map[int]int{}
	for k, i := range idx {
		contribs[k] = r.contributions(r.vectors[i], p)
		for _, c := range contribs[k] {
			if c.x > 0 {
				meets[c.c]++
			}
		}
	}
	out := make([]Match, len(idx))
	for k, i := range idx {
		cs := contribs[k]
		own := func(c contribution) float64 {
			return c.x * (1 - 0.7*float64(meets[c.c]-1)/float64(len(idx)))
		}
		sort.SliceStable(cs, func(a, b int) bool { return own(cs[a]) > own(cs[b]) })
		var good, bad []string
		for _, c := range cs {
			if c.x > 0 && len(good) < 3 {
				good = append(good, r.wishLabel(c))
			}
		}
		sort.SliceStable(cs, func(a, b int) bool { return cs[a].x < cs[b].x })
		for _, c := range cs {
			if c.x < 0 && len(bad) < 2 {
				bad = append(bad, r.wishLabel(c))
			}
		}
		m := Match{Matched: good, Unmatched: bad, Reasons: []string{}}
		if m.Matched == nil {
			m.Matched = []string{}
		}
		if m.Unmatched == nil {
			m.Unmatched = []string{}
		}
		if len(good) > 0 {
			m.Reasons = append(m.Reasons, "Correspond à vos réponses : "+strings.Join(good, " ; "))
		}
		if len(bad) > 0 {
			m.Reasons = append(m.Reasons, "Ne correspond pas : "+strings.Join(bad, " ; "))
		}
		if text[r.metiers[i].ID] >= 0.3 {
			m.Reasons = append(m.Reasons, "Proche de ce que vous avez écrit")
		}
		if also := r.also(i, p); len(also) > 0 {
			m.Reasons = append(m.Reasons, "Ce métier, c'est aussi : "+strings.Join(also, " ; "))
		}
		out[k] = m
	}
	return out
}

// wishLabel names a wish: the criterion's label, or « peu de … » when the
// reader asked for little of it.
func (r *Recommender) wishLabel(c contribution) string {
	cr := r.tax.Criteria[c.c]
	if c.low {
		if cr.Family != "" {
			return "pas « " + cr.Label + " »"
		}
		return "peu de « " + cr.Label + " »"
	}
	return cr.Label
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

// distinctTerms returns the distinct terms, sorted.
func distinctTerms(ts []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}
