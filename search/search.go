package search

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
)

// ErrBadQuery is wrapped by every error caused by the reader's input: an
// empty or over-long query, invalid UTF-8, a page or size out of range, a
// bad filter.
var ErrBadQuery = errors.New("bad query")

// Limits of a request.
const (
	MaxQueryRunes = 200
	MaxPage       = 1000
)

// Options configures a Searcher.
type Options struct {
	// Synonyms are the domain synonyms applied to queries.
	Synonyms []index.SynonymGroup
	// DefaultSize and MaxSize bound the hits per page (default 10 and 50).
	DefaultSize, MaxSize int
	// CacheSize is how many responses of each kind (search, suggest) are
	// kept for the index's lifetime; 0 keeps none.
	CacheSize int
	// Stats, when set, counts the cache's hits and misses (shared by the
	// searchers of successive generations); else the searcher keeps its own.
	Stats *CacheStats
	// Guides, when the caller holds the guides of the index, give
	// suggestions their titles without loading each hit's stored fields
	// (the whole guide, kept for highlights: 40 % of a suggestion). A hit
	// not among them (a guide of a newer index, during a swap) is read
	// from the index.
	Guides []*corpus.Metier
}

// Searcher runs readers' queries against an index (usually a bleve
// IndexAlias, so that a rebuilt index can be swapped in under it). It is
// safe for concurrent use.
type Searcher struct {
	idx      bleve.Index
	opts     Options
	analyzer *index.Analyzer
	plain    *index.Analyzer
	pairs    *index.Analyzer
	synonyms synonyms
	df       dfCache
	cache    *cache
	facets   facetTables
	guides   map[string]*corpus.Metier
	pages    *pages
	// byTitle re-ranks the first hits by the guides' titles; nil when
	// the searcher was not given the guides.
	byTitle *titleIndex
	// twoPassMin is the guides a query must be able to match for its
	// page to be highlighted apart (the constant; tests change it).
	twoPassMin int
}

// New returns a Searcher over idx.
func New(idx bleve.Index, opts Options) (*Searcher, error) {
	a, err := index.NewAnalyzer()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	p, err := index.NewPlainAnalyzer()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	pa, err := index.NewPairsAnalyzer()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if opts.DefaultSize <= 0 {
		opts.DefaultSize = 10
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = 50
	}
	if opts.Stats == nil {
		opts.Stats = &CacheStats{}
	}
	c, err := newCache(opts.CacheSize)
	if err != nil {
		return nil, fmt.Errorf("search: cache: %w", err)
	}
	pg, err := newPages(idx)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	s := &Searcher{idx: idx, opts: opts, analyzer: a, plain: p, pairs: pa, cache: c, pages: pg, twoPassMin: twoPassMin}
	s.synonyms = newSynonyms(s, opts.Synonyms)
	if len(opts.Guides) > 0 {
		s.guides = make(map[string]*corpus.Metier, len(opts.Guides))
		for _, m := range opts.Guides {
			s.guides[m.ID] = m
		}
		s.byTitle = newTitleIndex(s.guides, a.Terms)
	}
	return s, nil
}

// Filters narrow a search. Zero values do not filter.
type Filters struct {
	// SalaryMin keeps guides whose maximum salary reaches it (€/month).
	SalaryMin int `json:"salary_min,omitempty"`
	// SalaryMax keeps guides whose minimum salary is at most it.
	SalaryMax int `json:"salary_max,omitempty"`
	// StudyMax keeps guides whose study length is at most this many years.
	StudyMax float64 `json:"study_max,omitempty"`
	// Areas keeps guides employing in one of these areas (facet values).
	Areas []string `json:"area,omitempty"`
	// Criteria keeps guides tagged with all of these criteria ids.
	Criteria []string `json:"criteria,omitempty"`
}

// Request is one search.
type Request struct {
	Query   string
	Page    int // 1-based; 0 means 1
	Size    int // 0 means the default size
	Filters Filters
	Explain bool
}

// Hit is one guide found.
type Hit struct {
	ID            string              `json:"id"`
	Title         string              `json:"title"`
	TitleFeminine string              `json:"title_feminine"`
	Tagline       string              `json:"tagline"`
	Score         float64             `json:"score"`
	Highlights    map[string][]string `json:"highlights"`
	Explain       any                 `json:"explain,omitempty"`
}

// FacetValue is one value of a facet with the number of hits that have it.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Response is a page of hits, with the facets of all the hits.
type Response struct {
	Total  uint64                  `json:"total"`
	TookMS float64                 `json:"took_ms"`
	Page   int                     `json:"page"`
	Size   int                     `json:"size"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetValue `json:"facets"`
}

// validate checks a request and fills its defaults.
func (s *Searcher) validate(r *Request) error {
	if !utf8.ValidString(r.Query) {
		return fmt.Errorf("%w: the query is not valid UTF-8", ErrBadQuery)
	}
	r.Query = strings.TrimSpace(r.Query)
	if r.Query == "" {
		return fmt.Errorf("%w: the query is empty", ErrBadQuery)
	}
	if n := utf8.RuneCountInString(r.Query); n > MaxQueryRunes {
		return fmt.Errorf("%w: the query has %d characters, at most %d are allowed", ErrBadQuery, n, MaxQueryRunes)
	}
	if r.Page == 0 {
		r.Page = 1
	}
	if r.Page < 1 || r.Page > MaxPage {
		return fmt.Errorf("%w: page must be between 1 and %d", ErrBadQuery, MaxPage)
	}
	if r.Size == 0 {
		r.Size = s.opts.DefaultSize
	}
	if r.Size < 1 || r.Size > s.opts.MaxSize {
		return fmt.Errorf("%w: size must be between 1 and %d", ErrBadQuery, s.opts.MaxSize)
	}
	f := r.Filters
	if f.SalaryMin < 0 || f.SalaryMax < 0 || f.StudyMax < 0 {
		return fmt.Errorf("%w: filters cannot be negative", ErrBadQuery)
	}
	if f.SalaryMax > 0 && f.SalaryMin > f.SalaryMax {
		return fmt.Errorf("%w: salary_min is above salary_max", ErrBadQuery)
	}
	return nil
}

// Search runs a reader's query: every word must match (the last one as a
// prefix, long words within a typo or two), ranked by BM25 with titles
// weighing most, exact matches above prefixes above typos, and a bonus
// for words side by side.
func (s *Searcher) Search(ctx context.Context, r Request) (*Response, error) {
	start := time.Now()
	// A space after the last word says the word is complete.
	prefix := !strings.HasSuffix(r.Query, " ")
	if err := s.validate(&r); err != nil {
		return nil, err
	}
	key, cacheable := searchKey(r, prefix)
	if cacheable && s.cache != nil {
		res, ok := s.cache.search.Get(key)
		count(ok, &s.opts.Stats.SearchHits, &s.opts.Stats.SearchMisses)
		if ok {
			return copyResponse(res, float64(time.Since(start).Microseconds())/1000), nil
		}
	}
	ws := s.words(r.Query)
	if len(ws) == 0 && prefix {
		if w, ok := s.typedWord(r.Query); ok {
			ws = []word{w}
		}
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("%w: the query has only stop words", ErrBadQuery)
	}
	strict := s.fullQuery(r.Query, ws, prefix, false)
	res, fc, err := s.run(ctx, strict, r, ws)
	if err != nil {
		return nil, err
	}
	// A long query whose words are not all in any guide (a job title
	// worded otherwise) falls back to most of its words. Every page
	// decides alike (the strict total does not depend on the page), so
	// page 2 continues the page 1 a reader saw.
	if res.Total < minStrictHits && s.relaxes(ctx, strict, r, ws) {
		if rq := s.fullQuery(r.Query, ws, prefix, true); rq != nil {
			if relaxed, rfc, err := s.run(ctx, rq, r, ws); err == nil && relaxed.Total > res.Total {
				res, fc = relaxed, rfc
			}
		}
	}
	out := &Response{
		Total:  res.Total,
		Page:   r.Page,
		Size:   r.Size,
		Hits:   make([]Hit, 0, len(res.Hits)),
		Facets: facets(fc.terms(maxFacetTerms)),
	}
	for _, h := range res.Hits {
		hit := Hit{
			ID:            h.ID,
			Title:         str(h.Fields[index.FieldTitle]),
			TitleFeminine: str(h.Fields[index.FieldTitleFeminine]),
			Tagline:       str(h.Fields[index.FieldTagline]),
			Score:         h.Score,
			Highlights:    highlights(h.Fragments),
		}
		// A page read in two passes can miss a guide's stored fields when
		// a reindex swapped the index between them.
		if m, ok := s.guides[h.ID]; ok && h.Fields == nil {
			hit.Title, hit.TitleFeminine, hit.Tagline = m.Title, m.TitleFeminine, m.Tagline
		}
		if r.Explain && h.Expl != nil {
			hit.Explain = h.Expl
		}
		out.Hits = append(out.Hits, hit)
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	if cacheable && s.cache != nil {
		s.cache.search.Add(key, out)
		return copyResponse(out, out.TookMS), nil
	}
	return out, nil
}

// minStrictHits is the number of hits under which a query of two words
// or more is relaxed to most of its words.
const minStrictHits = 10

// relaxes reports whether a query whose strict match found fewer than
// minStrictHits guides under the request's filters falls back to most
// of its words: only when it does without the filters too. A filter
// narrows the results the reader saw (its facet count says how many),
// where deciding on the filtered count let a filter that brought a
// strict match under 10 widen it to most of the words (« vendeur
// conseil » 40 results, its facet « riasec_r » 6, ticked: 194).
func (s *Searcher) relaxes(ctx context.Context, strict *plan, r Request, ws []word) bool {
	if r.Filters.empty() {
		return true
	}
	r.Filters, r.Page, r.Size = Filters{}, 1, 1
	res, _, err := s.run(ctx, strict, r, ws)
	return err == nil && res.Total < minStrictHits
}

// empty reports whether no filter is set.
func (f Filters) empty() bool {
	return f.SalaryMin == 0 && f.SalaryMax == 0 && f.StudyMax == 0 && len(f.Areas) == 0 && len(f.Criteria) == 0
}

// plan is the query of a search: what a guide must match, the bonus of
// its words side by side, and whether the match may hold so many guides
// that the page is highlighted apart.
type plan struct {
	match query.Query
	pairs query.Query
	many  bool
}

// fullQuery is the query of the words with their synonym rewrites, or nil. The
// rewrites are left out when the words as typed will find plenty of
// guides on their own: they would rank below them anyway, at the cost of
// walking their posting lists.
func (s *Searcher) fullQuery(text string, ws []word, prefix, relaxed bool) *plan {
	tq := s.textQuery(ws, prefix, relaxed)
	if tq == nil {
		return nil
	}
	bound := s.mayMatch(ws, prefix, relaxed)
	p := &plan{match: tq, pairs: s.pairsQuery(text, ws), many: bound >= s.twoPassMin}
	if !relaxed && s.plenty(ws) {
		return p
	}
	variants := s.synonyms.variants(ws)
	if sq := s.synonymQuery(variants, prefix, relaxed); sq != nil {
		sq.(query.BoostableQuery).SetBoost(synonymBoost)
		p.match = bleve.NewDisjunctionQuery(tq, sq)
		for _, v := range variants {
			bound += s.mayMatch(v.words, prefix && v.keepsLast, relaxed)
		}
		p.many = bound >= s.twoPassMin
	}
	return p
}

// Two passes. Highlights need the positions of every word found, and
// bleve reads them for every guide a query matches (nearly all of 10,000
// for a common word): that was most of a search. A query whose words may
// match twoPassMin guides or more is run twice: first over every guide
// it matches, ranked, without positions (the page, the total and the
// facets come from there), then over the page's guides alone for their
// stored fields and highlights. Both passes rank alike: the second only
// fills in the page. Queries that match fewer guides take one pass.
const twoPassMin = 1000

// mayMatch bounds the guides a query's words can match: every word is
// required, so no more than the rarest word's (its commonest form's)
// guides. A word being typed may stand for longer words, and a relaxed
// query for any of its words: they are not bounded.
func (s *Searcher) mayMatch(ws []word, prefix, relaxed bool) int {
	df, docs, err := s.docFreq()
	if err != nil {
		return 0
	}
	if relaxed || len(ws) == 0 {
		return docs
	}
	bound := docs
	for i, w := range ws {
		if prefix && i == len(ws)-1 {
			continue
		}
		best := 0
		for _, t := range w.terms {
			best = max(best, df[t])
		}
		bound = min(bound, best)
	}
	return bound
}

// run executes a query with the request's filters, ranks its hits
// (re-ranked by titles when the searcher holds the guides), and counts
// the facets of all the guides it matches; its hits are the request's
// page, filled with their fields and highlights.
func (s *Searcher) run(ctx context.Context, p *plan, r Request, ws []word) (*bleve.SearchResult, *facetCounter, error) {
	fc := &facetCounter{tables: &s.facets}
	counting := context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, fc.handlerMaker(ctx))
	q := withBonus(withFilters(p.match, r.Filters), p.pairs)
	from := (r.Page - 1) * r.Size
	depth := from + r.Size
	if s.byTitle != nil {
		depth = max(depth, rerankDepth)
	}
	// One pass reads the positions of every match anyway: ask for them.
	req := bleve.NewSearchRequestOptions(q, depth, 0, r.Explain)
	req.IncludeLocations = !p.many
	res, err := s.idx.SearchInContext(counting, req)
	if err != nil {
		return nil, nil, fmt.Errorf("search: %w", err)
	}
	hits := res.Hits
	engine := make(map[string]*bsearch.DocumentMatch, len(hits))
	for _, h := range hits {
		engine[h.ID] = h
	}
	if s.byTitle != nil {
		rw := s.rankingTerms(ws, hits)
		cont := s.containedOf(rw)
		added, extras, err := s.addContained(ctx, p, r, res, engine, cont, fc)
		if err != nil {
			return nil, nil, err
		}
		res.Total += uint64(extras)
		hits = s.rerank(rw, hits, cont, added, engine)
	}
	if from >= len(hits) {
		res.Hits = nil
		return res, fc, nil
	}
	res.Hits = hits[from:min(len(hits), from+r.Size)]
	if err := s.fillPage(ctx, p, ws, res.Hits, engine); err != nil {
		return nil, nil, err
	}
	return res, fc, nil
}

// addContained returns the guides whose title the query contains that
// are not among the engine's first rerankDepth hits (added), and counts
// how many of them the query does not match at all (extras): those are
// counted in the facets here, and by the caller in the total. Filters
// still apply. A contained guide is added whether the engine ranks it
// 60th or 600th, so that every page re-ranks the same head (engine: every
// hit fetched by id, deeper on later pages).
func (s *Searcher) addContained(ctx context.Context, p *plan, r Request, res *bleve.SearchResult, engine map[string]*bsearch.DocumentMatch, cont map[string]int, fc *facetCounter) (added []string, extras int, err error) {
	head := make(map[string]bool, rerankDepth)
	for _, h := range res.Hits[:min(len(res.Hits), rerankDepth)] {
		head[h.ID] = true
	}
	var missing []string
	for id := range cont {
		if !head[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil, 0, nil
	}
	sort.Strings(missing)
	late := map[string]bool{}
	var unseen []string
	for _, id := range missing {
		if engine[id] != nil {
			late[id] = true // fetched past the head
		} else {
			unseen = append(unseen, id)
		}
	}
	if len(unseen) > 0 && res.Total > uint64(len(res.Hits)) {
		// Matches ranked past the hits asked for.
		q := bleve.NewConjunctionQuery(bleve.NewDocIDQuery(unseen), withFilters(p.match, r.Filters))
		lr, err := s.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, len(unseen), 0, false))
		if err != nil {
			return nil, 0, fmt.Errorf("search: %w", err)
		}
		for _, h := range lr.Hits {
			late[h.ID] = true
		}
	}
	var rest []string
	for _, id := range missing {
		if late[id] {
			added = append(added, id)
		} else {
			rest = append(rest, id)
		}
	}
	if len(rest) == 0 {
		return added, 0, nil
	}
	ec := &facetCounter{tables: &s.facets}
	counting := context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, ec.handlerMaker(ctx))
	er, err := s.idx.SearchInContext(counting, bleve.NewSearchRequestOptions(withFilters(bleve.NewDocIDQuery(rest), r.Filters), len(rest), 0, false))
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	for _, h := range er.Hits {
		added = append(added, h.ID)
	}
	fc.add(ec)
	return added, len(er.Hits), nil
}

// fillPage sets the page's fields and highlights. The engine's hits of
// a query run with positions are quoted from them; the others (a query
// run without positions, or a guide added for its title) are searched
// again, alone, with positions.
func (s *Searcher) fillPage(ctx context.Context, p *plan, ws []word, page bsearch.DocumentMatchCollection, engine map[string]*bsearch.DocumentMatch) error {
	var located, bare bsearch.DocumentMatchCollection
	titled := false
	for _, h := range page {
		switch {
		case engine[h.ID] != nil && !p.many:
			located = append(located, h)
		default:
			bare = append(bare, h)
			titled = titled || engine[h.ID] == nil
		}
	}
	if err := s.pages.fill(located); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if len(bare) == 0 {
		return nil
	}
	ids := make([]string, len(bare))
	for i, h := range bare {
		ids[i] = h.ID
	}
	// The highlights come from the words' matches alone, as in one pass:
	// filters and the pairs field hold no positions. A guide found by its
	// title alone is quoted for whichever words it holds.
	var mark query.Query = p.match
	if titled {
		mark = bleve.NewDisjunctionQuery(p.match, s.anyWord(ws))
	}
	hl, err := s.idx.SearchInContext(ctx, withLocations(bleve.NewConjunctionQuery(bleve.NewDocIDQuery(ids), mark), len(ids), 0, false))
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if err := s.pages.fill(hl.Hits); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	byID := make(map[string]*bsearch.DocumentMatch, len(hl.Hits))
	for _, h := range hl.Hits {
		byID[h.ID] = h
	}
	for _, h := range bare {
		if m := byID[h.ID]; m != nil {
			h.Fields, h.Fragments = m.Fields, m.Fragments
		} else if engine[h.ID] == nil {
			// It holds none of the words: its fields without highlights.
			if err := s.pages.fill(bsearch.DocumentMatchCollection{h}); err != nil {
				return fmt.Errorf("search: %w", err)
			}
		}
	}
	return nil
}

// anyWord matches a guide holding any of the words.
func (s *Searcher) anyWord(ws []word) query.Query {
	alts := make([]query.Query, len(ws))
	for i, w := range ws {
		alts[i] = s.wordQuery(w, false)
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// withLocations asks for a page of hits with the term locations of their
// matches, from which pages.fill quotes them.
func withLocations(q query.Query, size, from int, explain bool) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(q, size, from, explain)
	req.IncludeLocations = true
	return req
}

// withBonus adds an optional clause that raises the score of the guides
// it matches without narrowing them.
func withBonus(q, bonus query.Query) query.Query {
	if bonus == nil {
		return q
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(q)
	bq.AddShould(bonus)
	bq.SetMinShould(0)
	return bq
}

// withFilters adds the filters to q as required clauses.
func withFilters(q query.Query, f Filters) query.Query {
	var filters []query.Query
	if f.SalaryMin > 0 {
		v := float64(f.SalaryMin)
		filters = append(filters, numRange(index.FieldSalaryMax, &v, nil))
	}
	if f.SalaryMax > 0 {
		v := float64(f.SalaryMax)
		filters = append(filters, numRange(index.FieldSalaryMin, nil, &v))
	}
	if f.StudyMax > 0 {
		v := f.StudyMax
		filters = append(filters, numRange(index.FieldStudyYears, nil, &v))
	}
	if len(f.Areas) > 0 {
		var any []query.Query
		for _, a := range f.Areas {
			tq := bleve.NewTermQuery(a)
			tq.SetField(index.FieldArea)
			any = append(any, tq)
		}
		filters = append(filters, bleve.NewDisjunctionQuery(any...))
	}
	for _, c := range f.Criteria {
		tq := bleve.NewTermQuery(c)
		tq.SetField(index.FieldCriteria)
		filters = append(filters, tq)
	}
	if len(filters) == 0 {
		return q
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(q)
	for _, f := range filters {
		if b, ok := f.(query.BoostableQuery); ok {
			b.SetBoost(0) // filters do not change the ranking
		}
	}
	bq.AddMust(filters...)
	return bq
}

func numRange(field string, min, max *float64) query.Query {
	t := true
	q := bleve.NewNumericRangeInclusiveQuery(min, max, &t, &t)
	q.SetField(field)
	return q
}

// Facet names in a Response.
const (
	FacetArea     = index.FacetArea
	FacetCriteria = index.FacetCriteria
	FacetSalary   = index.FacetSalary
	FacetStudy    = index.FacetStudy
)

// maxFacetTerms bounds the "facet:value" terms counted for a response.
const maxFacetTerms = 200

// facetLimits bound the values shown per facet.
var facetLimits = map[string]int{FacetArea: 12, FacetCriteria: 20}

// facets splits the "facet:value" terms into facets: area and criteria
// most frequent first, salary and study in their natural order.
func facets(terms []FacetValue) map[string][]FacetValue {
	out := map[string][]FacetValue{FacetArea: {}, FacetCriteria: {}, FacetSalary: {}, FacetStudy: {}}
	for _, t := range terms {
		name, value, ok := strings.Cut(t.Value, ":")
		if !ok {
			continue
		}
		if lim, ok := facetLimits[name]; ok && len(out[name]) >= lim {
			continue
		}
		out[name] = append(out[name], FacetValue{Value: value, Count: t.Count})
	}
	for name, order := range map[string][]string{FacetSalary: index.SalaryBuckets(), FacetStudy: index.StudyBuckets()} {
		pos := map[string]int{}
		for i, v := range order {
			pos[v] = i
		}
		vals := out[name]
		sort.Slice(vals, func(i, j int) bool { return pos[vals[i].Value] < pos[vals[j].Value] })
	}
	return out
}

// highlights keeps the fragments that hold a <mark>.
func highlights(frags bsearch.FieldFragmentMap) map[string][]string {
	out := map[string][]string{}
	for field, fs := range frags {
		for _, f := range fs {
			if strings.Contains(f, "<mark>") {
				out[field] = append(out[field], f)
			}
		}
	}
	return out
}

func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		if len(t) > 0 {
			s, _ := t[0].(string)
			return s
		}
	}
	return ""
}
