package recommend

import (
	"fmt"
	"math"
	"sort"
)

// MetierQuiz is a guide's own compatibility quiz.
type MetierQuiz struct {
	ID    string        `json:"id"`
	Title string        `json:"title"`
	Scale []ScaleOption `json:"scale"`
	// Source is "auto-evaluation" when the questions are the guide's own
	// (with a few of its weakest criteria added), "criteria" when they
	// come from the criteria that set the guide apart.
	Source string `json:"source"`
	// Generated is true when the guide has no auto-évaluation.
	Generated bool       `json:"generated"`
	Questions []Question `json:"questions"`
	// ideal is the value each question's ideal candidate answers, in
	// [0,1] (1 = « Tout à fait »).
	ideal []float64
}

// Sources of a guide's quiz.
const (
	SourceAutoEvaluation = "auto-evaluation"
	SourceCriteria       = "criteria"
)

// How many questions a guide's quiz takes from its criteria: its
// strongest (those that set it apart from the corpus) and its weakest
// (what most guides have and it has not).
const (
	strongestQuestions = 4
	weakestQuestions   = 2
)

// MetierQuiz returns a guide's quiz: its auto-évaluation questions, each
// mapped to the criteria its words speak of, and questions on its
// weakest criteria (so that agreeing with everything is not a perfect
// match); a guide without an auto-évaluation gets questions on what
// distinguishes it, strongest and weakest criteria.
func (r *Recommender) MetierQuiz(id string) (*MetierQuiz, error) {
	i, err := r.lookup(id)
	if err != nil {
		return nil, err
	}
	m := r.metiers[i]
	q := &MetierQuiz{ID: m.ID, Title: m.Title, Scale: r.quiz.Scale, Questions: []Question{}, Source: SourceAutoEvaluation}
	for k, text := range m.SelfAssessment {
		q.Questions = append(q.Questions, Question{ID: fmt.Sprintf("a%d", k+1), Text: text, Criteria: r.questionCriteria(text)})
		q.ideal = append(q.ideal, 1)
	}
	strongest, weakest := r.distinguishing(i)
	if len(q.Questions) == 0 {
		q.Source, q.Generated = SourceCriteria, true
		for _, c := range strongest {
			q.add(r, i, c)
		}
	}
	// What it lacks says something only beside what it is.
	if len(q.Questions) > 0 {
		for _, c := range weakest {
			q.add(r, i, c)
		}
	}
	return q, nil
}

// add asks about criterion c, the guide's value being the ideal answer.
func (q *MetierQuiz) add(r *Recommender, i, c int) {
	cr := r.tax.Criteria[c]
	q.Questions = append(q.Questions, Question{ID: "q_" + cr.ID, Text: cr.Question, Criteria: map[string]float64{cr.ID: 1}})
	q.ideal = append(q.ideal, r.vectors[i][c])
}

// distinguishing returns the criteria that set guide i apart: the
// strongest (its value far above the corpus's, at most two labels among
// them) and the weakest (far below, among the criteria many guides have).
func (r *Recommender) distinguishing(i int) (strongest, weakest []int) {
	v := r.vectors[i]
	type z struct {
		c int
		z float64
	}
	var zs []z
	for c, cr := range r.tax.Criteria {
		st := r.stats[c]
		if cr.Question == "" || !known(v[c]) || st.sd == 0 || !st.splits() {
			continue
		}
		zs = append(zs, z{c, (v[c] - st.mean) / st.sd})
	}
	sort.SliceStable(zs, func(a, b int) bool { return zs[a].z > zs[b].z })
	labels := 0
	for _, x := range zs {
		if len(strongest) == strongestQuestions || x.z <= 0.5 {
			break
		}
		if v[x.c] < 0.5 {
			continue
		}
		if r.tax.Criteria[x.c].Family != "" {
			if labels == 2 {
				continue
			}
			labels++
		}
		strongest = append(strongest, x.c)
	}
	for k := len(zs) - 1; k >= 0 && len(weakest) < weakestQuestions; k-- {
		x := zs[k]
		if x.z >= -0.5 {
			break
		}
		// Lacking a rare label says little; lacking what many have does.
		if r.tax.Criteria[x.c].Family != "" || v[x.c] > 0.3 {
			continue
		}
		weakest = append(weakest, x.c)
	}
	return strongest, weakest
}

// questionCriteria maps a question to the criteria whose cues it uses.
func (r *Recommender) questionCriteria(text string) map[string]float64 {
	terms := r.cm.analyze(text)
	out := map[string]float64{}
	for c, cr := range r.tax.Criteria {
		for k, cue := range cr.Cues {
			if cue.Weight > 0 && count(terms, r.cm.phrases[c][k]) > 0 {
				out[cr.ID] = 1
			}
		}
	}
	return out
}

// AnswerEffect is one answer that raised or lowered a compatibility.
type AnswerEffect struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Answer int    `json:"answer"`
}

// MetierQuizResult is a reader's compatibility with one guide; nil
// Compatibility when no question is answered.
type MetierQuizResult struct {
	ID            string         `json:"id"`
	Title         string         `json:"title"`
	Compatibility *int           `json:"compatibility"`
	Answered      int            `json:"answered"`
	Helped        []AnswerEffect `json:"helped"`
	Hurt          []AnswerEffect `json:"hurt"`
}

// ScoreMetierQuiz scores answers to a guide's own quiz. Each question has
// the answer the guide's ideal candidate gives (« Tout à fait » to its
// auto-évaluation, its own value on a criterion); the compatibility is
// how close the reader's answers are to those, weighted by how decided
// the ideal answer is, over the questions answered. Agreeing with
// everything misses the questions on the guide's weakest criteria; no
// answer gives no score.
func (r *Recommender) ScoreMetierQuiz(id string, answers map[string]int) (*MetierQuizResult, error) {
	q, err := r.MetierQuiz(id)
	if err != nil {
		return nil, err
	}
	byID := map[string]int{}
	for k, qu := range q.Questions {
		byID[qu.ID] = k
	}
	for qid, a := range answers {
		if _, ok := byID[qid]; !ok {
			return nil, fmt.Errorf("%w: unknown question %q", ErrBadAnswers, qid)
		}
		if a < 1 || a > 5 {
			return nil, fmt.Errorf("%w: answer to %s is %d, want 1 to 5", ErrBadAnswers, qid, a)
		}
	}
	res := &MetierQuizResult{ID: q.ID, Title: q.Title, Helped: []AnswerEffect{}, Hurt: []AnswerEffect{}}
	var num, den float64
	for k, qu := range q.Questions {
		a, ok := answers[qu.ID]
		if !ok {
			continue
		}
		res.Answered++
		ideal := q.ideal[k]
		if !known(ideal) {
			ideal = 0.5
		}
		fit := 1 - math.Abs(float64(a-1)/4-ideal)
		w := 0.5 + math.Abs(ideal-0.5)
		num += w * fit
		den += w
		e := AnswerEffect{ID: qu.ID, Text: qu.Text, Answer: a}
		switch {
		case fit >= 0.75:
			res.Helped = append(res.Helped, e)
		case fit <= 0.5:
			res.Hurt = append(res.Hurt, e)
		}
	}
	if den > 0 {
		c := int(math.Round(100 * num / den))
		res.Compatibility = &c
	}
	return res, nil
}
