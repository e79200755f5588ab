package search

import (
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
// order, at most maxFacetTerms.
func countFacets(cands []*candidate) []FacetValue {
	counts := map[string]int{}
	for _, c := range cands {
		for _, f := range c.g.facets {
			counts[f]++
		}
	}
	out := make([]FacetValue, 0, len(counts))
	for v, n := range counts {
		out = append(out, FacetValue{Value: v, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
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
