package search

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/metiers/metiers/index"
)

// A page's highlights come from one bleve search: the page's guides by
// id, matched by the terms the query found, with their term locations;
// bleve's own highlighter then marks the stored text of each guide, read
// from a small cache of stored documents (a guide's stored text is
// decoded once, not on every search).

// docCacheSize bounds the stored documents a searcher keeps (a guide's
// stored fields are a few to a few tens of kilobytes).
const docCacheSize = 512

// maxHighlightTerms bounds the terms a page's highlight search asks for.
const maxHighlightTerms = 64

// maxHighlightPrefixes bounds the words a word being typed stands for in
// the highlight search.
const maxHighlightPrefixes = 8

// highlightFields are the fields whose matches a hit quotes.
var highlightFields = []string{index.FieldTitles, index.FieldTagline, index.FieldMissions, index.FieldText}

// pages loads and highlights the hits of a page.
type pages struct {
	idx  bleve.Index
	hl   highlight.Highlighter
	docs *lru.Cache[string, bindex.Document]
}

func newPages(idx bleve.Index) (*pages, error) {
	hl, err := bleve.Config.Cache.HighlighterNamed(index.HighlightStyle)
	if err != nil {
		return nil, fmt.Errorf("highlighter: %w", err)
	}
	docs, err := lru.New[string, bindex.Document](docCacheSize)
	if err != nil {
		return nil, err
	}
	return &pages{idx: idx, hl: hl, docs: docs}, nil
}

// doc returns a guide's stored document, from the cache or the index.
func (p *pages) doc(id string) (bindex.Document, error) {
	if doc, ok := p.docs.Get(id); ok {
		return doc, nil
	}
	doc, err := p.idx.Document(id)
	if err != nil {
		return nil, fmt.Errorf("guide %s: %w", id, err)
	}
	if doc == nil {
		return nil, fmt.Errorf("guide %s is not in the index", id)
	}
	p.docs.Add(id, doc)
	return doc, nil
}

// highlightTerms returns the terms the query found, for the page's
// highlights: every slot's terms and its synonym forms'.
func (s *Searcher) highlightTerms(r *request) []string {
	seen := map[uint32]bool{}
	var out []string
	add := func(t uint32) {
		if !seen[t] && len(out) < maxHighlightTerms {
			seen[t] = true
			out = append(out, s.lex.terms[t])
		}
	}
	for _, sl := range r.slots {
		prefixes := 0
		for _, a := range sl.alts {
			// A word begun stands for many: its names' words and
			// the commonest of the text are enough to quote.
			if a.kind == kindPrefix {
				if prefixes == maxHighlightPrefixes {
					continue
				}
				prefixes++
			}
			add(a.term)
		}
	}
	for _, g := range r.groups {
		for _, f := range g.forms {
			for _, t := range f {
				if s.lex.df(t) > 0 {
					add(t)
				}
			}
		}
	}
	return out
}

// highlight fills the hits' highlights with one bleve search.
func (s *Searcher) highlight(ctx context.Context, hits []Hit, terms []string) error {
	for i := range hits {
		hits[i].Highlights = map[string][]string{}
	}
	if len(hits) == 0 || len(terms) == 0 {
		return nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	var alts []query.Query
	for _, f := range highlightFields {
		for _, t := range terms {
			tq := bleve.NewTermQuery(t)
			tq.SetField(f)
			alts = append(alts, tq)
		}
	}
	q := bleve.NewConjunctionQuery(bleve.NewDocIDQuery(ids), bleve.NewDisjunctionQuery(alts...))
	req := bleve.NewSearchRequestOptions(q, len(ids), 0, false)
	req.IncludeLocations = true
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("search: highlights: %w", err)
	}
	byID := make(map[string]*bsearch.DocumentMatch, len(res.Hits))
	for _, h := range res.Hits {
		byID[h.ID] = h
	}
	for i := range hits {
		h := byID[hits[i].ID]
		if h == nil {
			continue
		}
		doc, err := s.pages.doc(h.ID)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		for _, f := range highlightFields {
			s.pages.hl.BestFragmentsInField(h, doc, f, 1)
		}
		hits[i].Highlights = marked(h.Fragments)
	}
	return nil
}

// marked keeps the fragments that hold a <mark>.
func marked(frags bsearch.FieldFragmentMap) map[string][]string {
	out := map[string][]string{}
	for field, fs := range frags {
		for _, f := range fs {
			if len(f) > 0 && containsMark(f) {
				out[field] = append(out[field], f)
			}
		}
	}
	return out
}

func containsMark(s string) bool {
	for i := 0; i+6 <= len(s); i++ {
		if s[i:i+6] == "<mark>" {
			return true
		}
	}
	return false
}
