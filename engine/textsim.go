package engine

import (
	"context"
	"sync"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// TextSimilarity adapts a search.Searcher to recommend.TextSimilarity,
// adding to each match the distinctive terms both guides share (for the
// « Thèmes communs » reason).
type TextSimilarity struct {
	s    *search.Searcher
	byID map[string]*corpus.Metier
	mu   sync.Mutex
	// terms caches each guide's distinctive terms.
	terms map[string][]string
}

// NewTextSimilarity returns the adapter over s for the given guides.
func NewTextSimilarity(s *search.Searcher, metiers []*corpus.Metier) *TextSimilarity {
	t := &TextSimilarity{s: s, byID: make(map[string]*corpus.Metier, len(metiers)), terms: map[string][]string{}}
	for _, m := range metiers {
		t.byID[m.ID] = m
	}
	return t
}

// sharedTerms is how many distinctive terms of each guide are compared.
const sharedTerms = 30

func (t *TextSimilarity) distinctive(m *corpus.Metier) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ts, ok := t.terms[m.ID]; ok {
		return ts
	}
	ts, err := t.s.Distinctive(m, sharedTerms)
	if err != nil {
		ts = nil
	}
	t.terms[m.ID] = ts
	return ts
}

// Similar returns the guides whose text is most like m's.
func (t *TextSimilarity) Similar(ctx context.Context, m *corpus.Metier, k int) ([]recommend.TextMatch, error) {
	ms, err := t.s.MoreLikeThis(ctx, m, k)
	if err != nil {
		return nil, err
	}
	mine := t.distinctive(m)
	out := make([]recommend.TextMatch, len(ms))
	for i, x := range ms {
		out[i] = recommend.TextMatch{ID: x.ID, Score: x.Score}
		if o := t.byID[x.ID]; o != nil {
			out[i].Terms = intersect(mine, t.distinctive(o))
		}
	}
	return out, nil
}

// Relevant returns the guides most relevant to a free text.
func (t *TextSimilarity) Relevant(ctx context.Context, text string, k int) ([]recommend.TextMatch, error) {
	ms, err := t.s.TextMatch(ctx, text, k)
	if err != nil {
		return nil, err
	}
	out := make([]recommend.TextMatch, len(ms))
	for i, x := range ms {
		out[i] = recommend.TextMatch{ID: x.ID, Score: x.Score}
	}
	return out, nil
}

// intersect keeps the terms of a also in b, in a's order.
func intersect(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if in[x] {
			out = append(out, x)
		}
	}
	return out
}
