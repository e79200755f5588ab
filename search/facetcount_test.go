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
		res, fc, err := s.run(ctx, p, r)
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

// TestTwoPassesMatchOne runs the same searches in two passes (every
// guide ranked without positions, then the page's guides for their
// fields and highlights) and in one: both must give the same page,
// scores, highlights, total and facets.
func TestTwoPassesMatchOne(t *testing.T) {
	idx, err := index.Build(context.Background(), sampleAndGenerated(t, 120, 3), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	alias := bleve.NewIndexAlias(idx)
	exact, err := New(alias, Options{Synonyms: index.DefaultSynonyms()})
	if err != nil {
		t.Fatal(err)
	}
	exact.twoPassMin = 1 << 30
	twice, err := New(alias, Options{Synonyms: index.DefaultSynonyms()})
	if err != nil {
		t.Fatal(err)
	}
	twice.twoPassMin = 0
	ctx := context.Background()
	for _, r := range []Request{
		{Query: "médecin"},
		{Query: "secretaire medicale"},
		{Query: "incapacité de travail"},
		{Query: "l'INAMI"},
		{Query: "codage des diagnostics", Page: 2, Size: 5},
		{Query: "mutuelle", Filters: Filters{StudyMax: 4}},
		{Query: "gestion dossiers patients hôpital"},
	} {
		want, err := exact.Search(ctx, r)
		if err != nil {
			t.Fatalf("%q: %v", r.Query, err)
		}
		got, err := twice.Search(ctx, r)
		if err != nil {
			t.Fatalf("%q: %v", r.Query, err)
		}
		if len(want.Hits) == 0 {
			t.Fatalf("%q: no hit", r.Query)
		}
		got.TookMS, want.TookMS = 0, 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: two passes differ from one\n got %+v\nwant %+v", r.Query, got, want)
		}
	}
}

// TestPhraseOverStopWords checks that the bonus of words side by side
// holds across the stop words between them, and only in their order.
func TestPhraseOverStopWords(t *testing.T) {
	s := newSample(t)
	ctx := context.Background()
	for q, want := range map[string]uint64{
		"incapacité de travail": 2, // employé de mutuelle, médecin conseil
		"travail de incapacité": 0, // the same words, not as written
	} {
		pq := s.phraseQuery(q, s.words(q))
		res, err := s.idx.SearchInContext(ctx, bleve.NewSearchRequest(pq))
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != want {
			t.Errorf("phrase %q matches %d guides, want %d", q, res.Total, want)
		}
	}
}

// TestSuggestTitlesFromGuides checks that suggestions take the same
// titles from the guides the caller holds as from the index, including
// a guide left out of them (read from the index then).
func TestSuggestTitlesFromGuides(t *testing.T) {
	c, alias := sampleIndex(t)
	stored, err := New(alias, Options{})
	if err != nil {
		t.Fatal(err)
	}
	held, err := New(alias, Options{Guides: c.Metiers[1:]})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seen := map[string]bool{}
	for _, q := range []string{"as", "tec", "méd", "codeu", "employ", "mutu", "RIM", "a"} {
		want, err := stored.Suggest(ctx, q, 8)
		if err != nil {
			t.Fatal(err)
		}
		got, err := held.Suggest(ctx, q, 8)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %+v, want %+v", q, got, want)
		}
		for _, s := range got {
			if s.Title == "" {
				t.Errorf("%q: %s has no title", q, s.ID)
			}
			seen[s.ID] = true
		}
	}
	if !seen[c.Metiers[0].ID] {
		t.Errorf("the guide left out (%s) was never suggested: the fallback is untested", c.Metiers[0].ID)
	}
}

// TestWarmBuildsFacetTable checks that warming a searcher builds the
// facet table its first search then uses, rather than that search.
func TestWarmBuildsFacetTable(t *testing.T) {
	_, alias := sampleIndex(t)
	s, err := New(alias, Options{})
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
	if _, err := s.Search(context.Background(), Request{Query: "médecin"}); err != nil {
		t.Fatal(err)
	}
	if s.facets.last != warmed {
		t.Error("the first search built the facet table again")
	}
}

// TestPagesMatchBleveHighlights checks that the fields and highlights
// filled from cached documents are those bleve gives when it loads and
// highlights the hits itself, in one pass and in two.
func TestPagesMatchBleveHighlights(t *testing.T) {
	idx, err := index.Build(context.Background(), sampleAndGenerated(t, 60, 5), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(bleve.NewIndexAlias(idx), Options{Synonyms: index.DefaultSynonyms()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, twoPass := range []bool{false, true} {
		s.twoPassMin = 1 << 30
		if twoPass {
			s.twoPassMin = 0
		}
		for _, r := range []Request{
			{Query: "médecin"},
			{Query: "secretaire medicale"},
			{Query: "incapacité de travail", Page: 2, Size: 4},
			{Query: "mutuele"},
			{Query: "l'INAMI", Filters: Filters{StudyMax: 4}},
		} {
			if err := s.validate(&r); err != nil {
				t.Fatal(err)
			}
			// Twice: from the index, then from the cached documents.
			for round := 0; round < 2; round++ {
				p := s.fullQuery(r.Query, s.words(r.Query), true, false)
				got, _, err := s.run(ctx, p, r)
				if err != nil {
					t.Fatal(err)
				}
				req := bleve.NewSearchRequestOptions(withBonus(withFilters(p.match, r.Filters), p.phrase), r.Size, (r.Page-1)*r.Size, false)
				req.Fields = shownFields
				req.Highlight = bleve.NewHighlightWithStyle(index.HighlightStyle)
				req.Highlight.Fields = highlightFields
				want, err := s.idx.SearchInContext(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Hits) == 0 || len(got.Hits) != len(want.Hits) {
					t.Fatalf("%q: %d hits, bleve %d", r.Query, len(got.Hits), len(want.Hits))
				}
				for i := range want.Hits {
					g, w := got.Hits[i], want.Hits[i]
					if g.ID != w.ID || !reflect.DeepEqual(g.Fields, w.Fields) || !reflect.DeepEqual(g.Fragments, w.Fragments) {
						t.Errorf("%q (two passes %v, round %d), hit %d:\n got %s %v %v\nwant %s %v %v", r.Query, twoPass, round, i, g.ID, g.Fields, g.Fragments, w.ID, w.Fields, w.Fragments)
					}
				}
			}
		}
	}
}
