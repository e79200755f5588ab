package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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
	if !utf8.ValidString(q) {
		return nil, fmt.Errorf("%w: the query is not valid UTF-8", ErrBadQuery)
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, fmt.Errorf("%w: the query is empty", ErrBadQuery)
	}
	if n := utf8.RuneCountInString(q); n > MaxQueryRunes {
		return nil, fmt.Errorf("%w: the query has %d characters, at most %d are allowed", ErrBadQuery, n, MaxQueryRunes)
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
	for _, raw := range index.SplitWords(q) {
		for _, part := range strings.Split(raw, "-") {
			folded := strings.Join(s.plain.Terms(part), "")
			if folded == "" {
				continue
			}
			must = append(must, s.suggestWord(folded))
		}
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
	if s.guides == nil {
		req.Fields = []string{index.FieldTitle, index.FieldTitleFeminine}
	}
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	out := make([]Suggestion, 0, len(res.Hits))
	for _, h := range res.Hits {
		sug := Suggestion{ID: h.ID, Title: str(h.Fields[index.FieldTitle]), TitleFeminine: str(h.Fields[index.FieldTitleFeminine])}
		if s.guides != nil {
			if sug.Title, sug.TitleFeminine, err = s.titles(h.ID); err != nil {
				// Gone with an index swapped under the search: a
				// suggestion without a title would say nothing.
				continue
			}
		}
		out = append(out, sug)
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
	if fz > 0 && (s.knownPrefix(folded) || s.knownPrefixOfTerms(word{raw: folded, terms: terms})) {
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
			if s.known(t) {
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

// titles returns a guide's titles from the guides the searcher was given,
// or from the index's stored fields when it is not among them.
func (s *Searcher) titles(id string) (title, feminine string, err error) {
	if m, ok := s.guides[id]; ok {
		return m.Title, m.TitleFeminine, nil
	}
	doc, err := s.pages.doc(id)
	if err != nil {
		return "", "", err
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
