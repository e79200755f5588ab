package search

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/metiers/metiers/index"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
)

// sampleAndGenerated returns the sample guides and n guides generated
// from them.
func sampleAndGenerated(t testing.TB, n int, seed int64) []*corpus.Metier {
	t.Helper()
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	gen, err := corpusgen.Generate(c.Metiers, n, seed)
	if err != nil {
		t.Fatal(err)
	}
	return append(append([]*corpus.Metier{}, c.Metiers...), gen...)
}

// sampleIndex builds a new index of the sample guides.
func sampleIndex(t testing.TB) (*corpus.Corpus, bleve.Index) {
	t.Helper()
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	idx, err := index.Build(context.Background(), c.Metiers, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c, idx
}

// countingIndex counts the searches run on an index.
type countingIndex struct {
	bleveIndex
	searches atomic.Int64
}

// bleveIndex names the embedded index (whose Index method would
// otherwise clash with the field's name).
type bleveIndex = bleve.Index

// inner returns the index counted.
func (c *countingIndex) inner() bleve.Index { return c.bleveIndex }

func (c *countingIndex) Search(req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	c.searches.Add(1)
	return c.bleveIndex.Search(req)
}

func (c *countingIndex) SearchInContext(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	c.searches.Add(1)
	return c.bleveIndex.SearchInContext(ctx, req)
}
