package engine

import (
	"context"

	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// TextSimilarity joins the two halves of recommend.TextSimilarity: guide
// to guide from the TF-IDF vectors computed at build time, free text to
// guides from the search index (BM25, the analyzer, the synonyms).
type TextSimilarity struct {
	*recommend.TextVectors
	s *search.Searcher
}

// NewTextSimilarity returns the text similarity of a generation.
func NewTextSimilarity(v *recommend.TextVectors, s *search.Searcher) *TextSimilarity {
	return &TextSimilarity{TextVectors: v, s: s}
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
