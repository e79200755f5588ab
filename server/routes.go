package server

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

func (s *Server) routes() http.Handler {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(s.recovery(), requestID(), s.logRequests(), s.metrics.observe(), jsonErrorBodies(), s.methods(), s.cors(), s.limits(), releaseGeneration())

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", s.metrics.handler())

	api := r.Group("/api")
	api.GET("/search", s.search)
	api.GET("/suggest", s.suggest)
	api.GET("/metiers", s.listMetiers)
	api.GET("/metiers/:id", s.getMetier)
	api.GET("/metiers/:id/similar", s.similar)
	api.GET("/metiers/:id/criteria", s.metierCriteria)
	api.GET("/metiers/:id/quiz", s.metierQuiz)
	api.POST("/metiers/:id/quiz", s.scoreMetierQuiz)
	api.GET("/quiz", s.quiz)
	api.POST("/quiz/next", s.quizNext)
	api.POST("/quiz/match", s.quizMatch)
	api.GET("/criteria", s.criteria)
	api.GET("/criteria/:id/metiers", s.criterionMetiers)
	api.POST("/events", s.event)

	admin := r.Group("/admin", s.adminAuth())
	admin.POST("/reindex", s.startReindex)
	admin.GET("/reindex", s.reindexStatus)
	admin.GET("/insights", s.insightsReport)
	admin.PUT("/metiers/:id", s.putMetier)
	admin.DELETE("/metiers/:id", s.deleteMetier)

	api.GET("/widget/:id", s.widgetData)

	s.mountWeb(r)
	r.NoRoute(s.noRoute)
	r.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, gin.H{"error": "method not allowed"})
	})
	return r
}

// generationKey is where a request keeps the generation it acquired.
const generationKey = "metiers.generation"

// generationHeader names, on every answer read from a generation, that
// generation's content digest: replicas on the same corpus answer with
// the same one, so a client or a test behind a load balancer can tell
// which content it read.
const generationHeader = "X-Metiers-Generation"

// generation returns the generation this request works on, acquired on
// its first call and released by releaseGeneration once the response is
// written, or answers 503 when none is loaded yet. Every handler reads
// guides, searcher and recommender of that one generation, whatever
// reindex happens meanwhile.
func (s *Server) generation(c *gin.Context) (*engine.Generation, bool) {
	return s.acquire(c, s.fail)
}

// acquire is generation with its own answer to a failure (JSON for the
// API, a page for the reader's pages).
func (s *Server) acquire(c *gin.Context, fail func(*gin.Context, error)) (*engine.Generation, bool) {
	if v, ok := c.Get(generationKey); ok {
		return v.(*engine.Generation), true
	}
	g, err := s.engine.Acquire()
	if err != nil {
		fail(c, err)
		return nil, false
	}
	c.Set(generationKey, g)
	c.Header(generationHeader, g.Name)
	return g, true
}

// releaseGeneration releases the generation a request acquired, if any.
func releaseGeneration() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v, ok := c.Get(generationKey); ok {
				v.(*engine.Generation).Release()
			}
		}()
		c.Next()
	}
}

// readyz answers 503 with the build's progress until a generation
// serves, then 200 with what serves; both say which build failed, if the
// last did (what serves then predates the corpus).
func (s *Server) readyz(c *gin.Context) {
	st := s.engine.Status()
	g, err := s.engine.Acquire()
	if err != nil {
		body := gin.H{"status": "loading"}
		if p := st.Building; p != nil {
			body["stage"], body["done"], body["total"] = p.Stage, p.Done, p.Total
		}
		if st.Failure != nil {
			body["failed_build"] = st.Failure
		}
		c.JSON(http.StatusServiceUnavailable, body)
		return
	}
	defer g.Release()
	c.Header(generationHeader, g.Name)
	body := gin.H{"status": "ready", "guides": len(g.Corpus.Metiers), "built": g.Built, "reused": g.Reused, "stale": g.Stale, "generation": g.Name, "dir": filepath.Base(g.Dir)}
	if st.Failure != nil {
		body["failed_build"] = st.Failure
	}
	if st.Building != nil {
		body["building"] = st.Building
	}
	c.JSON(http.StatusOK, body)
}

// Bounds of a request's parameters, on top of the query string's own
// (maxQueryBytes): each parameter once, except the repeatable filters,
// and each value short. Every value may become part of a cache key, so
// none may be large.
const (
	// maxFilterValues bounds the values of one repeatable filter (area,
	// criteria): a reader ticks a few facets; the taxonomy has 24
	// criteria, Belgium a dozen provinces and regions.
	maxFilterValues = 32
	// maxValueBytes bounds one value; an area or criterion id is under 60
	// bytes on every corpus, a number under 20.
	maxValueBytes = 200
	// maxQBytes bounds q in bytes: search counts its characters (at most
	// search.MaxQueryRunes), four bytes at most each.
	maxQBytes = 4 * search.MaxQueryRunes
)

// maxExplainHits bounds the hits of a search with explain=true.
const maxExplainHits = 10

// repeatable reports whether a parameter may be given more than once.
func repeatable(name string) bool { return name == "area" || name == "criteria" }

// query reads the query string, rejecting parameters not in allowed, a
// parameter given twice (but the repeatable filters, at most
// maxFilterValues times), values over their bound and values that are
// not valid UTF-8.
func query(c *gin.Context, allowed ...string) (url.Values, error) {
	if err := checkQuery(c.Request.URL.RawQuery); err != nil {
		return nil, err
	}
	q, _ := url.ParseQuery(c.Request.URL.RawQuery)
	for k, vs := range q {
		if !utf8.ValidString(k) {
			return nil, fmt.Errorf("%w: a parameter name is not valid UTF-8", errBadRequest)
		}
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("%w: unknown filter or parameter %q", errBadRequest, clip(k, 64))
		}
		switch {
		case repeatable(k) && len(vs) > maxFilterValues:
			return nil, fmt.Errorf("%w: %s is given %d times, at most %d are allowed", errBadRequest, k, len(vs), maxFilterValues)
		case !repeatable(k) && len(vs) > 1:
			return nil, fmt.Errorf("%w: %s is given %d times, once at most", errBadRequest, k, len(vs))
		}
		limit := maxValueBytes
		if k == "q" {
			limit = maxQBytes
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, fmt.Errorf("%w: %s is not valid UTF-8", errBadRequest, k)
			}
			if len(v) > limit {
				return nil, fmt.Errorf("%w: %s is %d bytes long, at most %d are allowed", errBadRequest, k, len(v), limit)
			}
		}
	}
	return q, nil
}

// noParams refuses any query parameter, for the routes that take none,
// and reports whether the request may go on.
func (s *Server) noParams(c *gin.Context) bool {
	if _, err := query(c); err != nil {
		s.fail(c, err)
		return false
	}
	return true
}

// intParam reads an optional whole number.
func intParam(q url.Values, name string) (int, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%w: %s must be a whole number, got %q", errBadRequest, name, v)
	}
	return n, nil
}

// sizeParam reads the optional "size" parameter: def when absent, else a
// whole number from 1 to max.
func sizeParam(q url.Values, def, max int) (int, error) {
	if !q.Has("size") {
		return def, nil
	}
	n, err := intParam(q, "size")
	if err != nil {
		return 0, err
	}
	if n < 1 || n > max {
		return 0, fmt.Errorf("%w: size must be between 1 and %d", errBadRequest, max)
	}
	return n, nil
}

func (s *Server) search(c *gin.Context) {
	q, err := query(c, "q", "page", "size", "salary_min", "salary_max", "study_max", "area", "criteria", "explain")
	if err != nil {
		s.fail(c, err)
		return
	}
	req := search.Request{Query: q.Get("q"), Filters: search.Filters{Areas: q["area"], Criteria: q["criteria"]}}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &req.Page}, {"size", &req.Size}, {"salary_min", &req.Filters.SalaryMin}, {"salary_max", &req.Filters.SalaryMax}} {
		if *p.dst, err = intParam(q, p.name); err != nil {
			s.fail(c, err)
			return
		}
		if q.Has(p.name) && (p.name == "page" || p.name == "size") && *p.dst == 0 {
			s.fail(c, fmt.Errorf("%w: %s must be at least 1", errBadRequest, p.name))
			return
		}
	}
	if v := q.Get("study_max"); v != "" {
		if req.Filters.StudyMax, err = strconv.ParseFloat(v, 64); err != nil || req.Filters.StudyMax != req.Filters.StudyMax {
			s.fail(c, fmt.Errorf("%w: study_max must be a number of years, got %q", errBadRequest, v))
			return
		}
	}
	if v := q.Get("explain"); v != "" {
		if req.Explain, err = strconv.ParseBool(v); err != nil {
			s.fail(c, fmt.Errorf("%w: explain must be true or false", errBadRequest))
			return
		}
	}
	if req.Explain {
		// An explanation is a tree per hit of every word's score in every
		// field: 160 kB for 10 hits of a 12-word query on ONISEP, 630 kB
		// for 50, and never cached. Explained pages are kept short.
		if req.Size > maxExplainHits {
			s.fail(c, fmt.Errorf("%w: explain=true shows at most %d hits; ask size=%d or less", errBadRequest, maxExplainHits, maxExplainHits))
			return
		}
		if req.Size == 0 {
			req.Size = maxExplainHits
		}
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	res, err := g.Searcher.Search(c.Request.Context(), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.recordSearch(req, res)
	// The facets again as filters (parameter and value with each count),
	// as the search page shows them.
	filters := url.Values{}
	for _, k := range filterKeys {
		if vs := q[k]; len(vs) > 0 {
			filters[k] = vs
		}
	}
	body := searchBody{res, facetGroups(res, s.criterionLabels(g.Recommender), filters, nil)}
	buf := jsonBufs.Get().(*[]byte)
	defer jsonBufs.Put(buf)
	out, ok := appendSearchBody((*buf)[:0], body)
	if !ok {
		c.JSON(http.StatusOK, body)
		return
	}
	*buf = out
	c.Data(http.StatusOK, "application/json; charset=utf-8", out)
}

func (s *Server) suggest(c *gin.Context) {
	q, err := query(c, "q", "size")
	if err != nil {
		s.fail(c, err)
		return
	}
	size, err := sizeParam(q, 8, search.MaxSuggestions)
	if err != nil {
		s.fail(c, err)
		return
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	sug, err := g.Searcher.Suggest(c.Request.Context(), q.Get("q"), size)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.recordSuggestions(sug)
	c.JSON(http.StatusOK, gin.H{"suggestions": sug})
}

// MetierSummary is one line of the guide list.
type MetierSummary struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	TitleFeminine string `json:"title_feminine"`
	SourceID      string `json:"source_id"`
}

func (s *Server) listMetiers(c *gin.Context) {
	q, err := query(c, "page", "size")
	if err != nil {
		s.fail(c, err)
		return
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	all := g.Corpus.Metiers
	page, err1 := intParam(q, "page")
	size, err2 := intParam(q, "size")
	if err1 != nil || err2 != nil {
		s.fail(c, fmt.Errorf("%w: page and size must be whole numbers", errBadRequest))
		return
	}
	list := all
	if q.Has("page") || q.Has("size") {
		if !q.Has("page") {
			page = 1
		}
		if !q.Has("size") {
			size = 50
		}
		// Bounded as a search's pages are, so that (page-1)·size cannot
		// overflow (page 2^63-1 used to panic).
		if page < 1 || page > search.MaxPage || size < 1 || size > 1000 {
			s.fail(c, fmt.Errorf("%w: page must be between 1 and %d and size between 1 and 1000", errBadRequest, search.MaxPage))
			return
		}
		from := min((page-1)*size, len(all))
		list = all[from:min(from+size, len(all))]
	}
	out := make([]MetierSummary, len(list))
	for i, m := range list {
		out[i] = MetierSummary{ID: m.ID, Title: m.Title, TitleFeminine: m.TitleFeminine, SourceID: m.SourceID}
	}
	c.JSON(http.StatusOK, gin.H{"total": len(all), "metiers": out})
}

// metier finds the guide of the :id parameter or answers 404.
func (s *Server) metier(c *gin.Context) (*engine.Generation, string, bool) {
	g, ok := s.generation(c)
	if !ok {
		return nil, "", false
	}
	id := c.Param("id")
	if g.Metier(id) == nil {
		s.fail(c, fmt.Errorf("%w: %q", recommend.ErrUnknownMetier, id))
		return nil, "", false
	}
	return g, id, true
}

func (s *Server) getMetier(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	g, id, ok := s.metier(c)
	if !ok {
		return
	}
	links, err := g.Recommender.Links(id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, metierResponse{Metier: g.Metier(id), Rome: links})
}

// metierResponse is a guide as the API shows it: its fields, and the
// ROME sheets the engine links it to (given by the source or suggested).
type metierResponse struct {
	*corpus.Metier
	Rome []recommend.Link `json:"rome"`
}

// metierCriteria answers a guide's criterion vector and its tags (the
// « Critères du métier »).
func (s *Server) metierCriteria(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	g, id, ok := s.metier(c)
	if !ok {
		return
	}
	vector, err := g.Recommender.Vector(id)
	if err != nil {
		s.fail(c, err)
		return
	}
	tags, _ := g.Recommender.Tags(id)
	if tags == nil {
		tags = []recommend.CriterionValue{}
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "tags": tags, "vector": vector})
}

func (s *Server) similar(c *gin.Context) {
	q, err := query(c, "size")
	if err != nil {
		s.fail(c, err)
		return
	}
	size, err := sizeParam(q, 5, 50)
	if err != nil {
		s.fail(c, err)
		return
	}
	g, id, ok := s.metier(c)
	if !ok {
		return
	}
	sim, err := g.Recommender.Similar(id, size)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "similar": sim})
}

func (s *Server) quiz(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, g.Recommender.Quiz())
}

// decode reads a JSON body strictly: unknown fields and trailing data are
// errors, as is a body that is not valid UTF-8. The body is read whole
// first (readBody), so that a body cut short is told apart from
// malformed JSON.
func decode(c *gin.Context, dst any) error {
	data, err := readBody(c)
	if err != nil {
		return err
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: the body is not valid UTF-8", errBadRequest)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%w: malformed JSON body: %v", errBadRequest, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: malformed JSON body: trailing data", errBadRequest)
	}
	return nil
}

// readBody reads a request's body whole (it is bounded by
// http.max_body_bytes): a body over the limit is a 413, a body cut short
// or unreadable a 400 that says so, never the connection's own error
// ("read tcp 127.0.0.1:8080->…: i/o timeout"), and an empty body a 400.
func readBody(c *gin.Context) ([]byte, error) {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		return nil, fmt.Errorf("%w: a JSON body is required", errBadRequest)
	}
	data, err := io.ReadAll(c.Request.Body)
	switch {
	case err != nil && status(err) == http.StatusRequestEntityTooLarge:
		return nil, err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("%w: the body ended before the %d bytes its Content-Length announced", errBadRequest, c.Request.ContentLength)
	case err != nil:
		return nil, fmt.Errorf("%w: the request body could not be read", errBadRequest)
	case len(bytes.TrimSpace(data)) == 0:
		return nil, fmt.Errorf("%w: a JSON body is required", errBadRequest)
	}
	return data, nil
}

// Bounds of quiz answers: a quiz has a few dozen questions, whose ids
// are short; a body of 60,000 answers is refused at once, not checked
// one by one and listed back.
const (
	maxAnswers       = 200
	maxAnswerIDBytes = 64
)

// checkAnswers bounds the answers of a quiz body.
func checkAnswers(answers map[string]int) error {
	if len(answers) > maxAnswers {
		return fmt.Errorf("%w: %d answers, at most %d are allowed", errBadRequest, len(answers), maxAnswers)
	}
	for id := range answers {
		if len(id) > maxAnswerIDBytes {
			return fmt.Errorf("%w: the question id %q… is over %d bytes", errBadRequest, clip(id, 32), maxAnswerIDBytes)
		}
	}
	return nil
}

func (s *Server) quizMatch(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	var req recommend.MatchRequest
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := checkAnswers(req.Answers); err != nil {
		s.fail(c, err)
		return
	}
	if !utf8.ValidString(req.Text) || !utf8.ValidString(req.Constraints.Area) || len(req.Text) > 2000 {
		s.fail(c, fmt.Errorf("%w: text must be valid UTF-8, at most 2000 bytes", errBadRequest))
		return
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	res, err := g.Recommender.Match(c.Request.Context(), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// quizNext answers the adaptive quiz's next question for the answers so
// far, and whether the first matches are settled.
func (s *Server) quizNext(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	var req struct {
		Answers map[string]int `json:"answers"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := checkAnswers(req.Answers); err != nil {
		s.fail(c, err)
		return
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	q, settled, err := g.Recommender.NextQuestion(req.Answers)
	if err != nil {
		s.fail(c, err)
		return
	}
	answered := 0
	for _, a := range req.Answers {
		if a != 3 {
			answered++
		}
	}
	remaining := max(0, recommend.MaxAdaptiveQuestions-len(req.Answers))
	if q == nil {
		remaining = 0
	}
	c.JSON(http.StatusOK, gin.H{"question": q, "answered": answered, "settled": settled, "remaining": remaining})
}

func (s *Server) metierQuiz(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	g, id, ok := s.metier(c)
	if !ok {
		return
	}
	q, err := g.Recommender.MetierQuiz(id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (s *Server) scoreMetierQuiz(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	var req struct {
		Answers map[string]int `json:"answers"`
	}
	if err := decode(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := checkAnswers(req.Answers); err != nil {
		s.fail(c, err)
		return
	}
	g, id, ok := s.metier(c)
	if !ok {
		return
	}
	res, err := g.Recommender.ScoreMetierQuiz(id, req.Answers)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) criteria(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, gin.H{"criteria": g.Recommender.Criteria()})
}

func (s *Server) criterionMetiers(c *gin.Context) {
	q, err := query(c, "size")
	if err != nil {
		s.fail(c, err)
		return
	}
	size, err := sizeParam(q, 100, 1000)
	if err != nil {
		s.fail(c, err)
		return
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	cr, items, err := g.Recommender.ByCriterion(c.Param("id"), size)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"criterion": cr, "metiers": items})
}

// adminAuth lets through requests bearing the admin token; without a
// configured token the admin routes do not exist.
func (s *Server) adminAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.opts.AdminToken == "" {
			s.fail(c, fmt.Errorf("%w: admin routes are disabled (no admin token configured)", errNotFound))
			return
		}
		// The scheme is case-insensitive (RFC 9110 §11.1): "bearer x"
		// and "BEARER x" are the same credentials as "Bearer x".
		scheme, token, _ := strings.Cut(strings.TrimSpace(c.GetHeader("Authorization")), " ")
		token = strings.TrimSpace(token)
		ok := strings.EqualFold(scheme, "Bearer")
		if !ok {
			// A browser opening an admin page sends the token as the
			// password of HTTP Basic (any user name).
			_, token, ok = c.Request.BasicAuth()
		}
		if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.opts.AdminToken)) != 1 {
			if wantsHTML(c) {
				c.Header("WWW-Authenticate", `Basic realm="metiers admin", charset="UTF-8"`)
			} else {
				c.Header("WWW-Authenticate", `Bearer realm="metiers admin"`)
			}
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "missing or wrong admin token"})
			return
		}
		c.Next()
	}
}

func (s *Server) startReindex(c *gin.Context) {
	job, err := s.engine.Reindex(c.Request.Context(), s.metrics.reindexDone)
	if err != nil {
		c.AbortWithStatusJSON(status(err), gin.H{"error": err.Error(), "job": job})
		return
	}
	c.JSON(http.StatusAccepted, job)
}

func (s *Server) reindexStatus(c *gin.Context) {
	q, err := query(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if q.Has("id") {
		id, err := strconv.Atoi(q.Get("id"))
		if err != nil || id < 1 {
			s.fail(c, fmt.Errorf("%w: id must be a job number", errBadRequest))
			return
		}
		job, ok := s.engine.JobByID(id)
		if !ok {
			s.fail(c, fmt.Errorf("%w: reindex job %d is not known (never started, or one of many since)", errNotFound, id))
			return
		}
		c.JSON(http.StatusOK, job)
		return
	}
	job, ok := s.engine.LastJob()
	if !ok {
		c.JSON(http.StatusOK, gin.H{"state": "none"})
		return
	}
	c.JSON(http.StatusOK, job)
}
