package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/metiers/metiers/recommend"
)

// The quiz works as plain GET forms: each step carries the answers so far
// (question id = 1…5, or 0 for a question passed) in the order given, so
// that a step is an address (back, reload and bookmarks work, with or
// without JavaScript) and the server picks the next question from them.

// quizAnswer is one step of a reader's quiz.
type quizAnswer struct {
	ID    string
	Value int // 1…5, 0 when passed
}

// quizView is the content of the quiz page: a question, the last
// precisions, or the results.
type quizView struct {
	Mode     string // "step", "extras" or "results"
	Title    string
	Total    int
	Number   int
	Answered int
	Settled  bool
	Question *recommend.Question
	Scale    []recommend.ScaleOption
	// Previous is the answer already given to Question (0 for none).
	Previous int
	Missing  bool
	Hidden   []hiddenField
	// URL is the address of this step; Back the one before it.
	URL, Back                       string
	Text, MaxStudy, MinSalary, Area string
	Matches                         []recommend.Match
	// Notes are the recommender's words to the reader (no answer yet, a
	// constraint the corpus cannot apply or that excludes every guide).
	Notes []string
}

type hiddenField struct{ Name, Value string }

// quizAnswers reads the answers of a quiz address, in their order; a
// later value for the same question replaces an earlier one. Parameters
// that are not questions, and values out of range, are left out.
func quizAnswers(raw string, quiz *recommend.Quiz) []quizAnswer {
	known := map[string]bool{}
	for _, q := range quiz.Questions {
		known[q.ID] = true
	}
	var out []quizAnswer
	for _, part := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || !known[k] {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 5 {
			continue
		}
		for i, a := range out {
			if a.ID == k {
				out = append(out[:i], out[i+1:]...)
				break
			}
		}
		out = append(out, quizAnswer{k, n})
	}
	return out
}

// answerMap is what the recommender reads: a question passed says
// nothing, as « Ni oui ni non » does.
func answerMap(as []quizAnswer) map[string]int {
	m := make(map[string]int, len(as))
	for _, a := range as {
		if a.Value == 0 {
			m[a.ID] = 3
		} else {
			m[a.ID] = a.Value
		}
	}
	return m
}

func encodeAnswers(as []quizAnswer) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = url.QueryEscape(a.ID) + "=" + strconv.Itoa(a.Value)
	}
	return strings.Join(parts, "&")
}

// nextQuestion is the question to ask after the given answers, nil when
// none is left, and whether the top matches are settled: the adaptive
// quiz's choice (the question that best splits the guides still in
// contention).
func nextQuestion(r *recommend.Recommender, answers map[string]int) (*recommend.Question, bool) {
	q, settled, err := r.NextQuestion(answers)
	if err != nil {
		return nil, true
	}
	return q, settled
}

// quizLength is the number of questions the quiz means to ask.
func quizLength(quiz *recommend.Quiz) int { return min(quiz.MaxQuestions, len(quiz.Questions)) }

func (s *Server) quizPage(c *gin.Context) {
	g, ok := s.pageGeneration(c)
	if !ok {
		return
	}
	quiz := g.Recommender.Quiz()
	q := c.Request.URL.Query()
	answers := quizAnswers(c.Request.URL.RawQuery, quiz)
	v := &quizView{Title: quiz.Title, Total: quizLength(quiz), Scale: quiz.Scale}
	// The question just shown: passed, or submitted without an answer.
	if shown := q.Get("question"); shown != "" {
		given := false
		for i, a := range answers {
			if a.ID == shown {
				given = true
				if q.Get("passer") != "" {
					answers[i].Value = 0
				}
			}
		}
		if !given && q.Get("passer") != "" {
			for _, qu := range quiz.Questions {
				if qu.ID == shown {
					answers = append(answers, quizAnswer{shown, 0})
				}
			}
		}
		if !given && q.Get("passer") == "" {
			for i := range quiz.Questions {
				if quiz.Questions[i].ID == shown {
					qu := quiz.Questions[i]
					v.Question, v.Missing = &qu, true
				}
			}
		}
	}
	for _, a := range answers {
		if a.Value > 0 {
			v.Answered++
		}
	}
	if v.Question == nil {
		v.Question, v.Settled = nextQuestion(g.Recommender, answerMap(answers))
	}
	for _, a := range answers {
		v.Hidden = append(v.Hidden, hiddenField{a.ID, strconv.Itoa(a.Value)})
	}
	v.URL = "/quiz"
	if len(answers) > 0 {
		v.URL += "?" + encodeAnswers(answers)
		v.Back = "/quiz"
		if len(answers) > 1 {
			v.Back += "?" + encodeAnswers(answers[:len(answers)-1])
		}
	}
	pd := &pageData{Page: "quiz", Nav: "quiz", Data: v, Partials: []string{"quiz"}, Canonical: s.link("/quiz")}
	if v.Question != nil {
		v.Mode = "step"
		v.Number = len(answers) + 1
		if v.Missing {
			v.Number = len(answers) + 1
		}
		pd.Title = "Quiz d’orientation"
		if len(answers) > 0 {
			pd.Title = fmt.Sprintf("Quiz d’orientation, question %d", v.Number)
			pd.Robots = "noindex"
		}
		pd.Description = "Répondez à quelques questions : le quiz classe les métiers selon ce qui vous plaît et vous dit pourquoi."
	} else {
		v.Mode = "extras"
		pd.Title = "Quiz d’orientation, dernières précisions"
		pd.Robots = "noindex"
	}
	s.render(c, http.StatusOK, pd)
}

// quizResults ranks the guides for a reader's answers and precisions.
func (s *Server) quizResults(c *gin.Context) {
	g, ok := s.pageGeneration(c)
	if !ok {
		return
	}
	quiz := g.Recommender.Quiz()
	q := c.Request.URL.Query()
	answers := quizAnswers(c.Request.URL.RawQuery, quiz)
	v := &quizView{Mode: "results", Title: quiz.Title, Total: quizLength(quiz)}
	req := recommend.MatchRequest{Answers: map[string]int{}, Size: 10}
	for _, a := range answers {
		if a.Value > 0 {
			req.Answers[a.ID] = a.Value
			v.Answered++
		}
	}
	v.Text = strings.TrimSpace(q.Get("text"))
	if len(v.Text) > 2000 {
		v.Text = v.Text[:2000]
	}
	req.Text = v.Text
	if n, err := strconv.ParseFloat(q.Get("max_study_years"), 64); err == nil && n > 0 && n < 100 {
		req.Constraints.MaxStudyYears = n
		v.MaxStudy = q.Get("max_study_years")
	}
	if n, err := strconv.Atoi(q.Get("min_salary")); err == nil && n > 0 {
		req.Constraints.MinSalary = n
		v.MinSalary = q.Get("min_salary")
	}
	v.Area = strings.TrimSpace(q.Get("area"))
	req.Constraints.Area = v.Area
	res, err := g.Recommender.Match(c.Request.Context(), req)
	if err != nil {
		s.failPage(c, err)
		return
	}
	ms := res.Matches
	for i := range ms {
		ms[i].Title = display(ms[i].Title)
	}
	v.Matches, v.Notes = ms, res.Notes
	v.Back = "/quiz"
	if len(answers) > 0 {
		v.Back += "?" + encodeAnswers(answers)
	}
	s.render(c, http.StatusOK, &pageData{Page: "quiz", Nav: "quiz", Title: "Vos métiers compatibles", Robots: "noindex", Data: v, Partials: []string{"quiz"}, Canonical: s.link("/quiz")})
}
