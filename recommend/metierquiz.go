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
	// Generated is true when the guide has no auto-évaluation and the
	// questions come from its strongest criteria.
	Generated bool       `json:"generated"`
	Questions []Question `json:"questions"`
}

// generatedQuestions is how many questions a guide without its own
// auto-évaluation gets.
const generatedQuestions = 6

// MetierQuiz returns a guide's auto-évaluation questions, each mapped to
// the criteria its words speak of; a guide without them gets questions
// from its strongest criteria.
func (r *Recommender) MetierQuiz(id string) (*MetierQuiz, error) {
	i, err := r.lookup(id)
	if err != nil {
		return nil, err
	}
	m := r.metiers[i]
	q := &MetierQuiz{ID: m.ID, Title: m.Title, Scale: r.quiz.Scale, Questions: []Question{}}
	for k, text := range m.SelfAssessment {
		q.Questions = append(q.Questions, Question{ID: fmt.Sprintf("a%d", k+1), Text: text, Criteria: r.questionCriteria(text)})
	}
	if len(q.Questions) > 0 {
		return q, nil
	}
	q.Generated = true
	order := make([]int, len(r.tax.Criteria))
	for c := range order {
		order[c] = c
	}
	v := r.scaled[i]
	sort.SliceStable(order, func(a, b int) bool {
		return v[order[a]]*r.tax.Criteria[order[a]].Weight > v[order[b]]*r.tax.Criteria[order[b]].Weight
	})
	for _, c := range order {
		cr := r.tax.Criteria[c]
		if cr.Question == "" || r.vectors[i][c] < 0.2 {
			continue
		}
		q.Questions = append(q.Questions, Question{ID: "c_" + cr.ID, Text: cr.Question, Criteria: map[string]float64{cr.ID: 1}})
		if len(q.Questions) == generatedQuestions {
			break
		}
	}
	return q, nil
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

// MetierQuizResult is a reader's compatibility with one guide.
type MetierQuizResult struct {
	ID            string         `json:"id"`
	Title         string         `json:"title"`
	Compatibility int            `json:"compatibility"`
	Answered      int            `json:"answered"`
	Helped        []AnswerEffect `json:"helped"`
	Hurt          []AnswerEffect `json:"hurt"`
}

// ScoreMetierQuiz scores answers to a guide's own quiz. Its questions are
// asked so that "Tout à fait" means the guide fits, so compatibility is
// the mean answer on a 0–100 scale; unanswered questions count as neutral.
func (r *Recommender) ScoreMetierQuiz(id string, answers map[string]int) (*MetierQuizResult, error) {
	q, err := r.MetierQuiz(id)
	if err != nil {
		return nil, err
	}
	byID := map[string]Question{}
	for _, qu := range q.Questions {
		byID[qu.ID] = qu
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
	var sum float64
	for _, qu := range q.Questions {
		a, ok := answers[qu.ID]
		if !ok {
			sum += 0.5
			continue
		}
		res.Answered++
		sum += float64(a-1) / 4
		e := AnswerEffect{ID: qu.ID, Text: qu.Text, Answer: a}
		switch {
		case a >= 4:
			res.Helped = append(res.Helped, e)
		case a <= 2:
			res.Hurt = append(res.Hurt, e)
		}
	}
	// A guide with no question to ask says nothing either way: neutral,
	// as an unanswered question is (not 0 %, « not at all compatible »).
	res.Compatibility = 50
	if len(q.Questions) > 0 {
		res.Compatibility = int(math.Round(100 * sum / float64(len(q.Questions))))
	}
	return res, nil
}
