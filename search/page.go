package search

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	bindex "github.com/blevesearch/bleve_index_api"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/metiers/metiers/index"
)

// A page's stored fields and highlights are filled here, not by bleve.
// bleve loads and decodes each hit's whole stored guide on every search
// (its text is stored for highlights): on the sample that was a quarter of
// a search. The page's documents are kept in a small cache, per index
// generation, and bleve's own highlighter marks them, so the fragments
// are the ones bleve would give.

// docCacheSize bounds the stored documents a searcher keeps (a guide's
// stored fields are a few to a few tens of kilobytes).
const docCacheSize = 512

// shownFields are the stored fields a hit shows; highlightFields those
// whose matches it quotes.
var (
	shownFields     = []string{index.FieldTitle, index.FieldTitleFeminine, index.FieldTagline}
	highlightFields = []string{index.FieldTitles, index.FieldTagline, index.FieldMissions, index.FieldText}
)

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

// fill sets each hit's shown fields and the fragments of its matches,
// from the term locations the search kept.
func (p *pages) fill(hits bsearch.DocumentMatchCollection) error {
	for _, h := range hits {
		doc, ok := p.docs.Get(h.ID)
		if !ok {
			var err error
			if doc, err = p.idx.Document(h.ID); err != nil {
				return fmt.Errorf("guide %s: %w", h.ID, err)
			}
			if doc == nil {
				// Gone with an index swapped under the search.
				continue
			}
			p.docs.Add(h.ID, doc)
		}
		doc.VisitFields(func(f bindex.Field) {
			for _, name := range shownFields {
				if f.Name() == name {
					if tf, ok := f.(bindex.TextField); ok {
						h.AddFieldValue(name, tf.Text())
					}
				}
			}
		})
		for _, f := range highlightFields {
			p.hl.BestFragmentsInField(h, doc, f, 1)
		}
	}
	return nil
}
