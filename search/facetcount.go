package search

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/metiers/metiers/index"
)

// Facets are counted here, not by bleve. bleve's terms facet decodes the
// facet field's doc values of every matching guide and counts its terms
// in a map of strings: on 10,000 guides where a word is in nearly all of
// them, that was 45 % of a search. The facet terms of a guide never
// change once it is indexed, so each index snapshot gets, once, a table
// of every guide's facet terms by internal document number, and a hit
// costs a few array increments. Taking the facet request off bleve's
// collector also lets it skip loading doc values for every hit.

// facetTable holds the facet terms of every document of one index
// snapshot: the terms of document d are terms[ids[off[d]:off[d+1]]].
type facetTable struct {
	reader bindex.IndexReader // the snapshot it was built from
	terms  []string
	off    []int32
	ids    []uint16
}

// facetTables keeps the table of the snapshot searched last: a snapshot
// changes only when the index is swapped or its segments merged.
type facetTables struct {
	mu   sync.Mutex
	last *facetTable
}

// get returns the table of reader, building it when the snapshot is new.
func (f *facetTables) get(ctx context.Context, reader bindex.IndexReader) (*facetTable, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last != nil && f.last.reader == reader {
		return f.last, nil
	}
	t, err := buildFacetTable(ctx, reader)
	if err != nil {
		return nil, err
	}
	f.last = t
	return t, nil
}

// buildFacetTable walks the postings of every term of the facets field.
func buildFacetTable(ctx context.Context, reader bindex.IndexReader) (*facetTable, error) {
	dict, err := reader.FieldDict(index.FieldFacets)
	if err != nil {
		return nil, fmt.Errorf("search: facet terms: %w", err)
	}
	var terms []string
	for {
		e, err := dict.Next()
		if err != nil {
			dict.Close()
			return nil, fmt.Errorf("search: facet terms: %w", err)
		}
		if e == nil {
			break
		}
		terms = append(terms, e.Term)
	}
	dict.Close()
	if len(terms) > 1<<16 {
		return nil, fmt.Errorf("search: %d facet terms, at most %d", len(terms), 1<<16)
	}
	type pair struct {
		doc  uint64
		term uint16
	}
	var pairs []pair
	var maxDoc uint64
	for k, term := range terms {
		tfr, err := reader.TermFieldReader(ctx, []byte(term), index.FieldFacets, false, false, false)
		if err != nil {
			return nil, fmt.Errorf("search: facet %q: %w", term, err)
		}
		tfd := &bindex.TermFieldDoc{}
		for {
			tfd, err = tfr.Next(tfd.Reset())
			if err != nil {
				tfr.Close()
				return nil, fmt.Errorf("search: facet %q: %w", term, err)
			}
			if tfd == nil {
				break
			}
			d := tfd.ID.Value()
			maxDoc = max(maxDoc, d)
			pairs = append(pairs, pair{d, uint16(k)})
		}
		tfr.Close()
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].doc != pairs[j].doc {
			return pairs[i].doc < pairs[j].doc
		}
		return pairs[i].term < pairs[j].term
	})
	t := &facetTable{reader: reader, terms: terms, ids: make([]uint16, len(pairs))}
	if len(pairs) > 0 {
		t.off = make([]int32, maxDoc+2)
	}
	for i, p := range pairs {
		t.ids[i] = p.term
		t.off[p.doc+1] = int32(i + 1)
	}
	// Documents without facet terms start where the one before ends.
	for d := 1; d < len(t.off); d++ {
		t.off[d] = max(t.off[d], t.off[d-1])
	}
	return t, nil
}

// facetCounter counts the facet terms of the hits of one search.
type facetCounter struct {
	tables *facetTables
	table  *facetTable
	counts []int
}

// handlerMaker wraps bleve's top-N hit handler: each hit's facet terms
// are counted before bleve keeps or drops it.
func (c *facetCounter) handlerMaker(ctx context.Context) bsearch.MakeDocumentMatchHandler {
	return func(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
		t, err := c.tables.get(ctx, sctx.IndexReader)
		if err != nil {
			return nil, false, err
		}
		c.table, c.counts = t, make([]int, len(t.terms))
		next, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
		if err != nil {
			return nil, false, err
		}
		return func(d *bsearch.DocumentMatch) error {
			if d != nil {
				if doc := d.IndexInternalID.Value(); doc+1 < uint64(len(t.off)) {
					for _, k := range t.ids[t.off[doc]:t.off[doc+1]] {
						c.counts[k]++
					}
				}
			}
			return next(d)
		}, loadID, nil
	}
}

// terms returns the counted terms, most frequent first (then in term
// order, as bleve's terms facet sorts them), at most size.
func (c *facetCounter) terms(size int) []FacetValue {
	if c.table == nil {
		return nil
	}
	var out []FacetValue
	for k, n := range c.counts {
		if n > 0 {
			out = append(out, FacetValue{Value: c.table.terms[k], Count: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	if len(out) > size {
		out = out[:size]
	}
	return out
}

// add adds the counts of another counter, of the same search's guides.
func (c *facetCounter) add(o *facetCounter) {
	if o.table == nil {
		return
	}
	if c.table == nil {
		c.table, c.counts = o.table, slices.Clone(o.counts)
		return
	}
	if c.table == o.table {
		for k, n := range o.counts {
			c.counts[k] += n
		}
		return
	}
	// A reindex swapped the snapshot between the two searches: match
	// the terms by name, dropping those the first table lacks.
	pos := make(map[string]int, len(c.table.terms))
	for k, t := range c.table.terms {
		pos[t] = k
	}
	for k, n := range o.counts {
		if i, ok := pos[o.table.terms[k]]; ok {
			c.counts[i] += n
		}
	}
}
