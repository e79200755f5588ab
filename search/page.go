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

// doc returns a guide's stored document, from the cache or the index;
// nil when the index no longer holds it.
func (p *pages) doc(id string) (bindex.Document, error) {
	if doc, ok := p.docs.Get(id); ok {
		return doc, nil
	}
	doc, err := p.idx.Document(id)
	if err != nil {
		return nil, fmt.Errorf("guide %s: %w", id, err)
	}
	if doc != nil {
		p.docs.Add(id, doc)
	}
	return doc, nil
}

// fill sets each hit's shown fields and the fragments of its matches,
// from the term locations the search kept.
func (p *pages) fill(hits bsearch.DocumentMatchCollection) error {
	for _, h := range hits {
		doc, err := p.doc(h.ID)
		if err != nil {
			return err
		}
		if doc == nil {
			continue // gone with an index swapped under the search
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
