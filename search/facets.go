package search

import (
	"cmp"
	"slices"
	"sort"
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

// countFacets counts the facet terms of the candidates ("facet:value",
// as the facets field indexes them), most frequent first, then in term
// order, at most maxFacetTerms: by facet value id, in the request's
// scratch.
func countFacets(l *lexicon, sc *scratch, cands []candidate) []FacetValue {
	var seen []uint32
	for i := range cands {
		for _, f := range cands[i].g.facets {
			if sc.facets[f] == 0 {
				seen = append(seen, f)
			}
			sc.facets[f]++
		}
	}
	out := make([]FacetValue, len(seen))
	for i, f := range seen {
		out[i] = FacetValue{Value: l.facetNames[f], Count: int(sc.facets[f])}
		sc.facets[f] = 0
	}
	slices.SortFunc(out, func(a, b FacetValue) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return strings.Compare(a.Value, b.Value)
	})
	if len(out) > maxFacetTerms {
		out = out[:maxFacetTerms]
	}
	return out
}

// facets splits the "facet:value" terms into facets: area and criteria
// most frequent first, salary and study in their natural order.
func facets(terms []FacetValue) map[string][]FacetValue {
	out := map[string][]FacetValue{FacetArea: {}, FacetCriteria: {}, FacetSalary: {}, FacetStudy: {}}
	for _, t := range terms {
		name, value, ok := strings.Cut(t.Value, ":")
		if !ok {
			continue
		}
		if lim, ok := facetLimits[name]; ok && len(out[name]) >= lim {
			continue
		}
		out[name] = append(out[name], FacetValue{Value: value, Count: t.Count})
	}
	for name, order := range map[string][]string{FacetSalary: index.SalaryBuckets(), FacetStudy: index.StudyBuckets()} {
		pos := map[string]int{}
		for i, v := range order {
			pos[v] = i
		}
		vals := out[name]
		sort.Slice(vals, func(i, j int) bool { return pos[vals[i].Value] < pos[vals[j].Value] })
	}
	return out
}
