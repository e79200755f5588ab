package search

import (
	"context"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
	"github.com/metiers/metiers/index"
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

// sampleIndex builds a new index of the sample guides, behind an alias.
func sampleIndex(t testing.TB) (*corpus.Corpus, bleve.IndexAlias) {
	t.Helper()
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	idx, err := index.Build(context.Background(), c.Metiers, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c, bleve.NewIndexAlias(idx)
}

// TestFacetCountsMatchBleve checks the facet counts of the hit handler
// against bleve's own terms facet over the same query, on the sample and
// 300 generated guides, with and without filters.
func TestFacetCountsMatchBleve(t *testing.T) {
	s, err := newSearcher(sampleAndGenerated(t, 300, 7))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cases := []Request{
		{Query: "médecin"},
		{Query: "secretaire medicale"},
		{Query: "mutuele"},
		{Query: "assis"},
		{Query: "RIM", Filters: Filters{StudyMax: 3}},
		{Query: "santé", Filters: Filters{SalaryMin: 3000, Areas: []string{"Bruxelles", "Liège"}}},
		{Query: "incapacité de travail", Page: 2, Size: 5},
	}
	for _, r := range cases {
		if err := s.validate(&r); err != nil {
			t.Fatal(err)
		}
		p := s.fullQuery(r.Query, s.words(r.Query), true, false)
		res, fc, err := s.run(ctx, p, r, s.words(r.Query))
		if err != nil {
			t.Fatalf("%q: %v", r.Query, err)
		}
		req := bleve.NewSearchRequestOptions(withFilters(p.match, r.Filters), r.Size, (r.Page-1)*r.Size, false)
		req.AddFacet("all", bleve.NewFacetRequest(index.FieldFacets, maxFacetTerms))
		want, err := s.idx.SearchInContext(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != want.Total || res.Total == 0 {
			t.Errorf("%q: total %d, bleve %d", r.Query, res.Total, want.Total)
		}
		var wantTerms []FacetValue
		for _, tf := range want.Facets["all"].Terms.Terms() {
			wantTerms = append(wantTerms, FacetValue{Value: tf.Term, Count: tf.Count})
		}
		got := fc.terms(maxFacetTerms)
		if len(got) == 0 || !reflect.DeepEqual(got, wantTerms) {
			t.Errorf("%q: facet terms\n got %v\nwant %v", r.Query, got, wantTerms)
		}
		if !reflect.DeepEqual(facets(got), facets(wantTerms)) {
			t.Errorf("%q: facets differ", r.Query)
		}
	}
}

// TestWarmBuildsFacetTable checks that warming a searcher builds the
// facet table its first search then uses, rather than that search, and
// hashes every guide's terms for the re-ranking.
func TestWarmBuildsFacetTable(t *testing.T) {
	c, alias := sampleIndex(t)
	s, err := New(alias, Options{Guides: c.Metiers})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Warm(alias); err != nil {
		t.Fatal(err)
	}
	warmed := s.facets.last
	if warmed == nil || len(warmed.terms) == 0 {
		t.Fatal("Warm built no facet table")
	}
	for _, m := range c.Metiers {
		if _, ok := s.byTitle.terms.Load(m.ID); !ok {
			t.Errorf("Warm left %s's terms to its first search", m.ID)
		}
	}
	if _, err := s.Search(context.Background(), Request{Query: "médecin"}); err != nil {
		t.Fatal(err)
	}
	if s.facets.last != warmed {
		t.Error("the first search built the facet table again")
	}
}

// TestFacetCountIsFilteredTotal ticks every criteria and area facet of
// queries near the relaxing threshold: the filtered total must be the
// count the facet showed. The fallback to most of the words used to be
// decided on the filtered count, so ticking a facet of 6 could show 194.
func TestFacetCountIsFilteredTotal(t *testing.T) {
	s := newONISEP(t)
	ctx := context.Background()
	checked := 0
	for _, q := range []string{"vendeur conseil", "animateur nature", "assistant de direction", "technicien laboratoire", "Directeur technique en actuariat"} {
		res, err := s.Search(ctx, Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{FacetCriteria, FacetArea} {
			for _, fv := range res.Facets[name] {
				f := Filters{Criteria: []string{fv.Value}}
				if name == FacetArea {
					f = Filters{Areas: []string{fv.Value}}
				}
				got, err := s.Search(ctx, Request{Query: q, Filters: f})
				if err != nil {
					t.Fatal(err)
				}
				checked++
				if got.Total != uint64(fv.Count) {
					t.Errorf("%q, %s %s: facet count %d, filtered total %d", q, name, fv.Value, fv.Count, got.Total)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d facet values checked", checked)
	}
}
