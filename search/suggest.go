package search

import (
	"context"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/metiers/metiers/index"
)

// Suggestion is one guide proposed while the reader types.
type Suggestion struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	TitleFeminine string `json:"title_feminine"`
}

// MaxSuggestions bounds the size of a suggestion list.
const MaxSuggestions = 20

// Suggest proposes guides whose titles (masculine, feminine, other names
// or acronyms) have words starting with the words typed, in order of
// relevance; a word of 5 letters or more may carry a typo.
func (s *Searcher) Suggest(ctx context.Context, q string, size int) ([]Suggestion, error) {
	q, err := checkText(q)
	if err != nil {
		return nil, err
	}
	if size == 0 {
		size = 8
	}
	if size < 1 || size > MaxSuggestions {
		return nil, fmt.Errorf("%w: size must be between 1 and %d", ErrBadQuery, MaxSuggestions)
	}
	key := strconv.Itoa(size) + "\x00" + q
	if s.cache != nil {
		sug, ok := s.cache.suggest.Get(key)
		count(ok, &s.opts.Stats.SuggestHits, &s.opts.Stats.SuggestMisses)
		if ok {
			return sug, nil
		}
	}
	var must []query.Query
	for _, folded := range s.plain.Terms(q) {
		must = append(must, s.suggestWord(folded))
	}
	if len(must) == 0 {
		return []Suggestion{}, nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(must...), size, 0, false)
	// Equal scores are frequent among titles; bleve breaks their ties by
	// internal document order, which depends on how segments were built
	// and merged: break them by id, so that every replica of a corpus
	// suggests the same guides.
	req.SortBy([]string{"-_score", "_id"})
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	out := make([]Suggestion, 0, len(res.Hits))
	for _, h := range res.Hits {
		title, feminine, err := s.titles(h.ID)
		if err != nil {
			return nil, fmt.Errorf("suggest: %w", err)
		}
		out = append(out, Suggestion{ID: h.ID, Title: title, TitleFeminine: feminine})
	}
	if s.cache != nil {
		s.cache.suggest.Add(key, out)
	}
	return out, nil
}

// suggestWord matches one typed word: the start of a title word (edge
// n-grams), a whole title word, or, for longer words, a title word within
// the typos the word's length allows.
func (s *Searcher) suggestWord(folded string) query.Query {
	alts := []query.Query{}
	pq := bleve.NewTermQuery(folded)
	pq.SetField(index.FieldSuggest)
	alts = append(alts, pq)
	terms := s.analyzer.Terms(folded)
	fz := fuzziness(utf8.RuneCountInString(folded))
	if fz > 0 && s.begins(folded, terms) {
		fz = 0 // the start of a known word, not a typo
	}
	for _, f := range []string{index.FieldTitle, index.FieldTitleFeminine, index.FieldAcronyms, index.FieldAltTitles} {
		for _, t := range terms {
			tq := bleve.NewTermQuery(t)
			tq.SetField(f)
			tq.SetBoost(2)
			alts = append(alts, tq)
		}
	}
	// A typo is looked for once, in the field that holds every form of
	// the title: each fuzzy query builds an automaton and walks a
	// dictionary, the largest share of a suggestion's cost.
	if fz > 0 {
		for _, t := range terms {
			if s.lex.df(s.lex.term(t, false)) > 0 {
				continue
			}
			fq := bleve.NewFuzzyQuery(t)
			fq.SetField(index.FieldTitles)
			fq.SetFuzziness(fz)
			fq.SetBoost(0.3)
			alts = append(alts, fq)
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// begins reports whether a folded word (or one of its terms) is the
// start of a word of the guides.
func (s *Searcher) begins(folded string, terms []string) bool {
	if len(s.lex.prefixed(folded, 0)) > 0 {
		return true
	}
	for _, t := range terms {
		if len(s.lex.prefixed(t, 0)) > 0 {
			return true
		}
	}
	return false
}

// titles returns a guide's titles from the searcher's guides, or from
// the index's stored fields for a searcher without them.
func (s *Searcher) titles(id string) (title, feminine string, err error) {
	if ord, ok := s.lex.byID.get(id); ok {
		m := s.lex.guides[ord].m
		return m.Title, m.TitleFeminine, nil
	}
	doc, err := s.idx.Document(id)
	if err != nil {
		return "", "", fmt.Errorf("guide %s: %w", id, err)
	}
	if doc == nil {
		return "", "", fmt.Errorf("guide %s is not in the index", id)
	}
	doc.VisitFields(func(f bindex.Field) {
		switch f.Name() {
		case index.FieldTitle:
			title = string(f.Value())
		case index.FieldTitleFeminine:
			feminine = string(f.Value())
		}
	})
	return title, feminine, nil
}
