package search

import (
	"context"
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/metiers/metiers/index"
)

// TestTwoPassesMatchOne runs the same searches in two passes (every
// guide ranked without positions, then the page's guides for their
// fields and highlights) and in one: both must give the same page,
// scores, highlights, total and facets.
// Both with and without the guides (re-ranked by titles, or not).
func TestTwoPassesMatchOne(t *testing.T) {
	guides := sampleAndGenerated(t, 120, 3)
	idx, err := index.Build(context.Background(), guides, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	alias := bleve.NewIndexAlias(idx)
	for _, opts := range []Options{
		{Synonyms: index.DefaultSynonyms()},
		{Synonyms: index.DefaultSynonyms(), Guides: guides},
	} {
		exact, err := New(alias, opts)
		if err != nil {
			t.Fatal(err)
		}
		exact.twoPassMin = 1 << 30
		twice, err := New(alias, opts)
		if err != nil {
			t.Fatal(err)
		}
		twice.twoPassMin = 0
		twoPassesMatchOne(t, exact, twice)
	}
}

func twoPassesMatchOne(t *testing.T, exact, twice *Searcher) {
	t.Helper()
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

// TestPairsOverStopWords checks that the bonus of words side by side
// holds across the stop words between them, and only in their order.
func TestPairsOverStopWords(t *testing.T) {
	s := newSample(t)
	ctx := context.Background()
	for q, want := range map[string]uint64{
		"incapacité de travail": 2, // employé de mutuelle, médecin conseil
		"travail de incapacité": 0, // the same words, not as written
	} {
		pq := s.pairsQuery(q, s.words(q))
		res, err := s.idx.SearchInContext(ctx, bleve.NewSearchRequest(pq))
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != want {
			t.Errorf("pairs of %q match %d guides, want %d", q, res.Total, want)
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
				got, _, err := s.run(ctx, p, r, s.words(r.Query))
				if err != nil {
					t.Fatal(err)
				}
				req := bleve.NewSearchRequestOptions(withBonus(withFilters(p.match, r.Filters), p.pairs), r.Size, (r.Page-1)*r.Size, false)
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

// TestPagesOfRelaxedQuery reads the results page by page: the pages
// must join into the first page of their joint size, with the same
// total on each, also when the query is relaxed to most of its words
// (page 2 used to run the strict query, whose total and hits differ).
func TestPagesOfRelaxedQuery(t *testing.T) {
	s, err := newSearcher(sampleAndGenerated(t, 120, 5))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	relaxed := 0
	for _, q := range []string{
		"médecin comptable hôpital",
		"secrétaire médicale développeur",
		"infirmier",
		"soins à domicile en pédiatrie",
		"domicile pédiatrie",
		"codage des diagnostics",
	} {
		ws := s.words(q)
		strict, _, err := s.run(ctx, s.fullQuery(q, ws, true, false), Request{Query: q, Page: 1, Size: 1}, ws)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := s.Search(ctx, Request{Query: q, Size: 12})
		if err != nil {
			t.Fatal(err)
		}
		if strict.Total < minStrictHits && whole.Total > strict.Total {
			relaxed++
		}
		if whole.Total < 8 {
			t.Fatalf("%q: %d hits, too few to page", q, whole.Total)
		}
		var joined []string
		for page := 1; page <= 3; page++ {
			res, err := s.Search(ctx, Request{Query: q, Page: page, Size: 4})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != whole.Total {
				t.Errorf("%q page %d: total %d, page 1 of 12 says %d", q, page, res.Total, whole.Total)
			}
			for _, h := range res.Hits {
				joined = append(joined, h.ID)
			}
		}
		var want []string
		for _, h := range whole.Hits {
			want = append(want, h.ID)
		}
		if !reflect.DeepEqual(joined, want) {
			t.Errorf("%q: pages of 4 give\n%v\nwant the first 12\n%v", q, joined, want)
		}
	}
	if relaxed == 0 {
		t.Error("no query was relaxed: the test no longer covers the fallback")
	}
}
