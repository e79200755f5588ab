package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/recommend"
)

// guideView is the content of a guide page.
type guideView struct {
	M               *corpus.Metier
	ID, SourceID    string
	Title, Feminine string
	AltTitles       []string
	Salary          *salaryView
	Glance          []glanceItem
	Tags            []recommend.CriterionValue
	Similar         []recommend.Similar
	Quiz            *recommend.MetierQuiz
	QuestionCount   int
	Answers         map[string]int
	Result          *recommend.MetierQuizResult
	Credit          *sourceCredit
}

// glanceItem is one figure of « En bref ».
type glanceItem struct{ Label, Value, Note string }

// maxTags is how many criteria a guide page shows as tags.
const maxTags = 8

// similarShown is how many « Métiers similaires » a guide page lists.
const similarShown = 5

// guideOf finds the guide of the :id parameter or answers the 404 (410
// when it was removed) page.
func (s *Server) guideOf(c *gin.Context) (*engine.Generation, *corpus.Metier, bool) {
	g, ok := s.pageGeneration(c)
	if !ok {
		return nil, nil, false
	}
	id := c.Param("id")
	m := g.Metier(id)
	if m == nil {
		if g.Removed(id) {
			s.failPage(c, fmt.Errorf("%w: guide %q was removed", errGone, id))
		} else {
			s.failPage(c, fmt.Errorf("%w: guide %q", errNotFound, id))
		}
		return nil, nil, false
	}
	return g, m, true
}

func (s *Server) newGuideView(g *engine.Generation, m *corpus.Metier) (*guideView, error) {
	v := &guideView{M: m, ID: m.ID, SourceID: m.SourceID, Title: display(m.Title), Feminine: m.TitleFeminine, Salary: newSalaryView(m.Salary), Credit: credit(m), Answers: map[string]int{}}
	if v.Feminine == m.Title {
		v.Feminine = ""
	}
	for _, t := range m.AltTitles {
		if t != m.Title && t != m.TitleFeminine {
			v.AltTitles = append(v.AltTitles, t)
		}
	}
	if y := years(m.StudyYears); y != "" {
		v.Glance = append(v.Glance, glanceItem{"Études", y, "après le secondaire"})
	}
	f := m.Figures
	for _, it := range []glanceItem{
		{"Durée de formation", f.TrainingDuration, ""}, {"Professionnels actifs", f.Professionals, ""}, {"Croissance", f.Growth, ""},
		{"Taux d’insertion", f.InsertionRate, ""}, {"Âge moyen", f.AverageAgeText, ""}, {"Proportion de femmes", f.WomenText, ""},
	} {
		if it.Value != "" {
			v.Glance = append(v.Glance, it)
		}
	}
	tags, err := g.Recommender.Tags(m.ID)
	if err != nil {
		return nil, err
	}
	v.Tags = tags[:min(len(tags), maxTags)]
	sim, err := g.Recommender.Similar(m.ID, similarShown)
	if err != nil {
		return nil, err
	}
	// A copy: the recommender's table is shared by every reader.
	v.Similar = append([]recommend.Similar(nil), sim...)
	for i := range v.Similar {
		v.Similar[i].Title = display(v.Similar[i].Title)
	}
	if v.Quiz, err = g.Recommender.MetierQuiz(m.ID); err != nil {
		return nil, err
	}
	v.QuestionCount = len(v.Quiz.Questions)
	return v, nil
}

func (s *Server) guidePage(c *gin.Context) {
	g, m, ok := s.guideOf(c)
	if !ok {
		return
	}
	v, err := s.newGuideView(g, m)
	if err != nil {
		s.failPage(c, err)
		return
	}
	pd := s.guidePageData(c, v)
	pd.ETag = true
	s.render(c, http.StatusOK, pd)
}

func (s *Server) guidePageData(c *gin.Context, v *guideView) *pageData {
	canonical := s.link("/metiers/" + url.PathEscape(v.ID))
	title := v.Title
	if v.Feminine != "" {
		title += ", " + v.Feminine
	}
	desc := v.M.Tagline
	if desc == "" {
		desc = v.M.Introduction
	}
	return &pageData{
		Page:        "guide",
		Title:       title + nbsp + ": fiche métier",
		Description: truncate(desc, 158),
		Canonical:   canonical,
		OGType:      "article",
		JSONLD:      occupation(v, canonical),
		Data:        v,
		Partials:    []string{"compat"},
	}
}

// compatPage scores the guide's own quiz from a plain GET form: the
// guide page with the reader's result in it.
func (s *Server) compatPage(c *gin.Context) {
	g, m, ok := s.guideOf(c)
	if !ok {
		return
	}
	v, err := s.newGuideView(g, m)
	if err != nil {
		s.failPage(c, err)
		return
	}
	q := c.Request.URL.Query()
	for _, qu := range v.Quiz.Questions {
		if n, err := strconv.Atoi(q.Get(qu.ID)); err == nil && n >= 1 && n <= 5 {
			v.Answers[qu.ID] = n
		}
	}
	if v.Result, err = g.Recommender.ScoreMetierQuiz(m.ID, v.Answers); err != nil {
		s.failPage(c, err)
		return
	}
	pd := s.guidePageData(c, v)
	pd.Robots = "noindex"
	pd.Title = "Votre compatibilité : " + v.Title
	s.render(c, http.StatusOK, pd)
}

// criterionView is the content of a criterion page.
type criterionView struct {
	recommend.Criterion
	Total     int
	CountText string
	Items     []recommend.ByCriterionItem
	From      int
	Pager     pager
	Others    []recommend.CriterionInfo
}

// criterionPageSize is how many guides a criterion page lists.
const criterionPageSize = 50

func (s *Server) criterionPage(c *gin.Context) {
	g, ok := s.pageGeneration(c)
	if !ok {
		return
	}
	cr, all, err := g.Recommender.ByCriterion(c.Param("id"), 0)
	if err != nil {
		s.failPage(c, err)
		return
	}
	page := pageParam(c.Request.URL.Query())
	last := max(1, (len(all)+criterionPageSize-1)/criterionPageSize)
	if page > last {
		s.failPage(c, fmt.Errorf("%w: page %d of %d", errNotFound, page, last))
		return
	}
	from := (page - 1) * criterionPageSize
	v := &criterionView{Criterion: *cr, Total: len(all), From: from + 1, Items: all[from:min(from+criterionPageSize, len(all))]}
	for i := range v.Items {
		v.Items[i].Title = display(v.Items[i].Title)
	}
	v.CountText = plural(v.Total, "métier porte ce critère", "métiers portent ce critère")
	base := "/criteres/" + url.PathEscape(cr.ID)
	v.Pager = newPager(page, last, func(p int) string {
		if p == 1 {
			return base
		}
		return base + "?page=" + strconv.Itoa(p)
	})
	for _, o := range g.Recommender.Criteria() {
		if o.ID != cr.ID && o.Metiers > 0 {
			v.Others = append(v.Others, o)
		}
	}
	canonical := s.link(base)
	if page > 1 {
		canonical += "?page=" + strconv.Itoa(page)
	}
	title := cr.Label + nbsp + ": les métiers"
	if page > 1 {
		title += fmt.Sprintf(" (page %d)", page)
	}
	desc := cr.Description
	if desc == "" {
		desc = "Les métiers qui ont le critère « " + cr.Label + " »."
	}
	s.render(c, http.StatusOK, &pageData{
		Page: "criterion", Title: title, Description: truncate(desc+" "+v.CountText+".", 158),
		Canonical: canonical, JSONLD: itemList(s.link, cr.Label, v.Items, from), Data: v, ETag: true,
	})
}

// pager is the paging of a list: links to the previous and next pages.
type pager struct {
	Current, Last int
	Prev, Next    string
}

func newPager(page, last int, href func(int) string) pager {
	p := pager{Current: page, Last: last}
	if page > 1 {
		p.Prev = href(page - 1)
	}
	if page < last {
		p.Next = href(page + 1)
	}
	return p
}

// pageParam reads a page number from a reader's address: anything but a
// whole number from 1 on is page 1 (a page forgives what an API refuses).
func pageParam(q url.Values) int {
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}
