package search

import (
	"context"
	"reflect"
	"testing"

	"github.com/metiers/metiers/index"
)

// TestCacheAnswersAsTheIndex checks that a cached searcher answers every
// query of the relevance suite (as typed, and as a complete word with a
// trailing space), with filters and pages, exactly as an uncached one,
// the first time and the second.
func TestCacheAnswersAsTheIndex(t *testing.T) {
	plain := newSample(t)
	c, idx := sampleIndex(t)
	cached, err := New(idx, Options{Synonyms: index.DefaultSynonyms(), CacheSize: 64, Guides: c.Metiers})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var reqs []Request
	for _, rc := range loadRelevance(t) {
		reqs = append(reqs, Request{Query: rc.Q}, Request{Query: rc.Q + " "})
	}
	reqs = append(reqs,
		Request{Query: "médical", Size: 2, Page: 2},
		Request{Query: "médical", Filters: Filters{StudyMax: 3}},
		Request{Query: "médical", Filters: Filters{Areas: []string{"Liège"}}},
		// Values that spelt another request's key with the separators
		// of a first version: each pair must be answered apart.
		Request{Query: "mutuelle", Filters: Filters{Areas: []string{"Flandre\x00Luxembourg"}}},
		Request{Query: "mutuelle", Filters: Filters{Areas: []string{"Flandre", "Luxembourg"}}},
		Request{Query: "médical", Filters: Filters{Areas: []string{"Flandre", "Luxembourg"}}},
		Request{Query: "médical", Filters: Filters{Areas: []string{"Flandre\x00Luxembourg"}}},
		Request{Query: "médical", Filters: Filters{Areas: []string{"secteur_sante"}}},
		Request{Query: "médical", Filters: Filters{Criteria: []string{"secteur_sante"}}},
	)
	ids := func(r *Response) []string {
		var out []string
		for _, h := range r.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	for round := 0; round < 2; round++ {
		for _, r := range reqs {
			want, err := plain.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cached.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids(got), ids(want)) || got.Total != want.Total || !reflect.DeepEqual(got.Facets, want.Facets) {
				t.Errorf("round %d, %+v: cached %v (%d), want %v (%d)", round, r, ids(got), got.Total, ids(want), want.Total)
			}
			// A caller changing its response does not change the cache's.
			got.Total = 12345
			got.Hits = nil
		}
	}
	if n := cached.cache.search.Len(); n == 0 || n > 64 {
		t.Errorf("cache holds %d responses, want 1 to 64", n)
	}
	for _, q := range []string{"as", "tec", "codeu"} {
		want, _ := plain.Suggest(ctx, q, 5)
		for round := 0; round < 2; round++ {
			got, err := cached.Suggest(ctx, q, 5)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("suggest %q round %d: %v %v, want %v", q, round, got, err, want)
			}
		}
	}
}
