package search

import (
	"cmp"
	"slices"
	"strings"

	"github.com/metiers/metiers/index"
)

// Facet names in a Response.
const (
	FacetArea     = index.FacetArea
	FacetCriteria = index.FacetCriteria
	FacetSalary   = index.FacetSalary
	FacetStudy    = index.FacetStudy
)

// maxFacetTerms bounds the "facet:value" terms counted for a response.
const maxFacetTerms = 200

// facetLimits bound the values shown per facet.
var facetLimits = map[string]int{FacetArea: 12, FacetCriteria: 20}

// limits are facetLimits by index in facetOrder (0: no limit).
var limits = func() (l [len(facetOrder)]int) {
	for k, name := range facetOrder {
		l[k] = facetLimits[name]
	}
	return l
}()

// facetOrder lists the facets of a Response.
var facetOrder = [...]string{FacetArea, FacetCriteria, FacetSalary, FacetStudy}

// facetTable describes a lexicon's facet values (by id) for counting
// them: built once per lexicon, so that a request compares and splits
// numbers, not "facet:value" strings.
type facetTable struct {
	// rank is the place of each "facet:value" term in term order.
	rank []uint32
	// facet is its facet's index in facetOrder, -1 for none; value the
	// part after "facet:", pos its place among its facet's buckets
	// (salary and study, whose values have a natural order).
	facet []int8
	value []string
	pos   []int
}

// newFacetTable describes the facet values names (lexicon.facetNames).
func newFacetTable(names []string) facetTable {
	t := facetTable{rank: make([]uint32, len(names)), facet: make([]int8, len(names)), value: make([]string, len(names)), pos: make([]int, len(names))}
	byName := make([]uint32, len(names))
	for i := range byName {
		byName[i] = uint32(i)
	}
	slices.SortFunc(byName, func(a, b uint32) int { return strings.Compare(names[a], names[b]) })
	for r, id := range byName {
		t.rank[id] = uint32(r)
	}
	buckets := map[string][]string{FacetSalary: index.SalaryBuckets(), FacetStudy: index.StudyBuckets()}
	for id, n := range names {
		t.facet[id] = -1
		name, value, ok := strings.Cut(n, ":")
		if !ok {
			continue
		}
		if k := slices.Index(facetOrder[:], name); k >= 0 {
			t.facet[id] = int8(k)
		}
		t.value[id] = value
		t.pos[id] = max(0, slices.Index(buckets[name], value))
	}
	return t
}

// countFacets counts the facet values of the candidates and splits them
// into facets: as bleve's terms facet over the "facet:value" terms would
// give them (most frequent first, then in term order, at most
// maxFacetTerms), then area and criteria most frequent first (at most
// facetLimits), salary and study in their natural order. Counted by
// facet value id, in the request's scratch; a test checks the result
// against bleve's facet split the plain way (facets).
func countFacets(l *lexicon, sc *scratch, cands []candidate) map[string][]FacetValue {
	tab := &l.facetTab
	seen := sc.seenFacets[:0]
	for i := range cands {
		for _, f := range cands[i].g.facets {
			if sc.facets[f] == 0 {
				seen = append(seen, f)
			}
			sc.facets[f]++
		}
	}
	counts := sc.facets
	slices.SortFunc(seen, func(a, b uint32) int {
		if counts[a] != counts[b] {
			return cmp.Compare(counts[b], counts[a])
		}
		return cmp.Compare(tab.rank[a], tab.rank[b])
	})
	kept := seen[:min(len(seen), maxFacetTerms)]
	// Each facet's values, in place: the ids kept are moved to the
	// front, facet by facet, then sorted where the facet has an order.
	var n [len(facetOrder)]int
	for _, f := range kept {
		if k := tab.facet[f]; k >= 0 && (limits[k] == 0 || n[k] < limits[k]) {
			n[k]++
		}
	}
	total := 0
	var off [len(facetOrder)]int
	for k := range n {
		off[k] = total
		total += n[k]
	}
	ids := sc.facetIDs[:0]
	ids = slices.Grow(ids, total)[:total]
	var filled [len(facetOrder)]int
	for _, f := range kept {
		if k := tab.facet[f]; k >= 0 && filled[k] < n[k] {
			ids[off[k]+filled[k]] = f
			filled[k]++
		}
	}
	all := make([]FacetValue, total)
	out := make(map[string][]FacetValue, len(facetOrder))
	for k, name := range facetOrder {
		mine := ids[off[k] : off[k]+n[k]]
		if name == FacetSalary || name == FacetStudy {
			slices.SortStableFunc(mine, func(a, b uint32) int { return cmp.Compare(tab.pos[a], tab.pos[b]) })
		}
		vals := all[off[k] : off[k]+n[k] : off[k]+n[k]]
		for i, f := range mine {
			vals[i] = FacetValue{Value: tab.value[f], Count: int(counts[f])}
		}
		out[name] = vals
	}
	for _, f := range seen {
		counts[f] = 0
	}
	sc.seenFacets, sc.facetIDs = seen[:0], ids[:0]
	return out
}
