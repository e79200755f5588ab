package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
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
	// Guides are the guides of the index: Search ranks them from tables
	// derived from them (Warm), and suggestions take their titles from
	// them. A searcher without guides answers TextMatch only.
	Guides []*corpus.Metier
	// Tags gives each guide's criteria tags, as the index was given them
	// (index.Options.Tags), for the criteria filter and facet.
	Tags index.Tagger
	// Ranking is the ranking's stages and weights; nil means
	// DefaultRanking.
	Ranking Ranking
}

// Searcher runs readers' queries against one generation's guides and
// their bleve index. It is safe for concurrent use.
type Searcher struct {
	idx      bleve.Index
	opts     Options
	analyzer *index.Analyzer
	plain    *index.Analyzer
	ranking  Ranking
	df       dfCache
	cache    *cache
	pages    *pages

	// mu guards the lexicon and synonyms against Apply.
	mu       *sync.RWMutex
	lex      *lexicon
	synonyms [][][]uint32
}

// New returns a Searcher over idx, the index of opts.Guides, with its
// tables built.
func New(idx bleve.Index, opts Options) (*Searcher, error) {
	a, err := index.NewAnalyzer()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	p, err := index.NewPlainAnalyzer()
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
	ranking := opts.Ranking
	if ranking == nil {
		ranking = DefaultRanking()
	}
	if err := ranking.Validate(); err != nil {
		return nil, fmt.Errorf("search: ranking: %w", err)
	}
	c, err := newCache(opts.CacheSize)
	if err != nil {
		return nil, fmt.Errorf("search: cache: %w", err)
	}
	pg, err := newPages(idx)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	s := &Searcher{idx: idx, opts: opts, analyzer: a, plain: p, ranking: ranking, cache: c, pages: pg, mu: &sync.RWMutex{}}
	s.lex = newLexicon(a, p, opts.Tags)
	for _, m := range opts.Guides {
		s.lex.add(m)
	}
	s.lex.seal()
	s.synonyms = newSynonyms(s.lex, opts.Synonyms)
	return s, nil
}

// Uncached returns a searcher sharing s's tables and index without its
// response cache or counts: for probes that are not readers' queries.
func (s *Searcher) Uncached() *Searcher {
	return &Searcher{idx: s.idx, opts: Options{DefaultSize: s.opts.DefaultSize, MaxSize: s.opts.MaxSize, Stats: &CacheStats{}},
		analyzer: s.analyzer, plain: s.plain, ranking: s.ranking, pages: s.pages, lex: s.lex, synonyms: s.synonyms, mu: s.mu}
}

// Apply is the hook of one guide's update: the guides of put are
// (re)indexed in the searcher's tables and the ids of remove taken out,
// and the response cache is emptied. The caller updates the bleve index
// itself (index.Put, index.Delete) before calling it, so that the page's
// highlights read the new text.
func (s *Searcher) Apply(put []*corpus.Metier, remove []string) {
	s.mu.Lock()
	for _, id := range remove {
		if ord, ok := s.lex.byID[id]; ok {
			s.lex.remove(ord)
		}
	}
	for _, m := range put {
		s.lex.add(m)
	}
	s.mu.Unlock()
	for _, m := range put {
		s.pages.docs.Remove(m.ID)
	}
	for _, id := range remove {
		s.pages.docs.Remove(id)
	}
	if s.cache != nil {
		s.cache.search.Purge()
		s.cache.suggest.Purge()
	}
}

// Search runs a reader's query through the pipeline: parse into slots,
// gather the candidates once, count the facets, rank them by the
// stages, and fill the page's hits (one bleve search, for highlights).
func (s *Searcher) Search(ctx context.Context, req Request) (*Response, error) {
	start := time.Now()
	r := &request{Request: req, prefix: !strings.HasSuffix(req.Query, " ")}
	if err := s.validate(&r.Request); err != nil {
		return nil, err
	}
	key, cacheable := searchKey(r.Request, r.prefix)
	if cacheable && s.cache != nil {
		res, ok := s.cache.search.Get(key)
		count(ok, &s.opts.Stats.SearchHits, &s.opts.Stats.SearchMisses)
		if ok {
			return copyResponse(res, float64(time.Since(start).Microseconds())/1000), nil
		}
	}
	s.mu.RLock()
	if !s.parse(r) {
		s.mu.RUnlock()
		return nil, fmt.Errorf("%w: the query has only stop words", ErrBadQuery)
	}
	s.gather(r)
	facetTerms := countFacets(r.cands)
	s.rank(r)
	from := (r.Page - 1) * r.Size
	var page []*candidate
	if from < len(r.cands) {
		page = r.cands[from:min(len(r.cands), from+r.Size)]
	}
	terms := s.highlightTerms(r)
	s.mu.RUnlock()

	out := &Response{
		Total:  uint64(len(r.cands)),
		Page:   r.Page,
		Size:   r.Size,
		Hits:   make([]Hit, 0, len(page)),
		Facets: facets(facetTerms),
	}
	for _, c := range page {
		m := c.g.m
		hit := Hit{ID: m.ID, Title: m.Title, TitleFeminine: m.TitleFeminine, Tagline: m.Tagline, Score: c.score}
		if r.Explain {
			hit.Explain = s.explain(c)
		}
		out.Hits = append(out.Hits, hit)
	}
	if err := s.highlight(ctx, out.Hits, terms); err != nil {
		return nil, err
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	if cacheable && s.cache != nil {
		s.cache.search.Add(key, out)
		return copyResponse(out, out.TookMS), nil
	}
	return out, nil
}

// WithRanking returns a searcher sharing s's tables and index that ranks
// with other stages or weights, without a response cache: for tuning the
// weights and comparing rankings on the same tables.
func (s *Searcher) WithRanking(r Ranking) (*Searcher, error) {
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("search: ranking: %w", err)
	}
	c := s.Uncached()
	c.ranking = slices.Clone(r)
	return c, nil
}

// Ranking returns the stages and weights the searcher ranks with.
func (s *Searcher) Ranking() Ranking { return slices.Clone(s.ranking) }
