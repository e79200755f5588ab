package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
// their bleve index. It is safe for concurrent use, and never changes:
// a generation with a guide changed derives a new one (Derive).
type Searcher struct {
	idx      bleve.Index
	opts     Options
	analyzer *index.Analyzer
	plain    *index.Analyzer
	ranking  Ranking
	df       *dfCache
	cache    *cache
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
	s := &Searcher{idx: idx, opts: opts, analyzer: a, plain: p, ranking: ranking, df: &dfCache{}, cache: c}
	s.lex = newLexicon(a, p, opts.Tags)
	s.lex.build(opts.Guides)
	s.synonyms = newSynonyms(s.lex, opts.Synonyms)
	// The searcher reads its own tables from now on, not the list.
	s.opts.Guides = nil
	return s, nil
}

// Derive returns the searcher of a generation that differs from s's by a
// few guides: bound to idx (that generation's index, with those guides
// already put and removed), its tables those of s with the guides of
// put (re)indexed and the ids of remove taken out, every table the
// change leaves alone shared with s; its response cache starts empty.
// s is not changed and keeps serving its own generation. tags gives
// the criteria tags of the guides of put, as idx was given them (the
// new generation's recommender knows the new guides; nil keeps s's
// Options.Tags).
func (s *Searcher) Derive(idx bleve.Index, put []*corpus.Metier, remove []string, tags index.Tagger) (*Searcher, error) {
	c, err := newCache(s.opts.CacheSize)
	if err != nil {
		return nil, fmt.Errorf("search: cache: %w", err)
	}
	opts := s.opts
	if tags != nil {
		opts.Tags = tags
	}
	return &Searcher{idx: idx, opts: opts, analyzer: s.analyzer, plain: s.plain, ranking: s.ranking, df: &dfCache{}, cache: c,
		lex: s.lex.derive(put, remove, opts.Tags), synonyms: s.synonyms}, nil
}

// Uncached returns a searcher sharing s's tables and index without its
// response cache or counts: for probes that are not readers' queries.
func (s *Searcher) Uncached() *Searcher {
	return &Searcher{idx: s.idx, opts: Options{DefaultSize: s.opts.DefaultSize, MaxSize: s.opts.MaxSize, Stats: &CacheStats{}},
		analyzer: s.analyzer, plain: s.plain, ranking: s.ranking, df: s.df, lex: s.lex, synonyms: s.synonyms}
}

// Search runs a reader's query through the pipeline: parse into slots,
// gather the candidates once, count the facets, rank them by the
// stages (as far as the page), and fill the page's hits and highlights.
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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.sc = getScratch(s.lex)
	defer r.sc.release()
	if !s.parse(r) {
		return nil, fmt.Errorf("%w: the query has only stop words", ErrBadQuery)
	}
	r.markTerms()
	s.gather(r)
	facetCounts := countFacets(s.lex, r.sc, r.cands)
	from := (r.Page - 1) * r.Size
	s.rank(r, from+r.Size)
	var page []candidate
	if from < len(r.cands) {
		page = r.cands[from:min(len(r.cands), from+r.Size)]
	}
	r.markHighlightTerms(s.lex)

	out := &Response{
		Total:  uint64(len(r.cands)),
		Page:   r.Page,
		Size:   r.Size,
		Hits:   make([]Hit, 0, len(page)),
		Facets: facetCounts,
	}
	for i := range page {
		c := &page[i]
		m := c.g.m
		hit := Hit{ID: m.ID, Title: m.Title, TitleFeminine: m.TitleFeminine, Tagline: m.Tagline, Score: c.score}
		if r.Explain {
			hit.Explain = s.explain(c)
		}
		out.Hits = append(out.Hits, hit)
	}
	s.highlight(r, out.Hits, page)
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
