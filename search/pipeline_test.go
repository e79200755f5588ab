package search

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
)

var (
	genOnce     sync.Once
	genIdx      *countingIndex
	genSearcher *Searcher
	genGuides   []*corpus.Metier
	genErr      error
)

// newGenerated returns, once per test binary, a searcher over the
// sample and 300 guides generated from it, its index counting searches.
func newGenerated(t testing.TB) (*Searcher, *countingIndex) {
	t.Helper()
	genOnce.Do(func() {
		genGuides = sampleAndGenerated(t, 300, 7)
		idx, err := index.Build(context.Background(), genGuides, index.Options{})
		if err != nil {
			genErr = err
			return
		}
		genIdx = &countingIndex{bleveIndex: idx}
		genSearcher, genErr = New(genIdx, Options{Synonyms: index.DefaultSynonyms(), Guides: genGuides})
	})
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genSearcher, genIdx
}

// pipelineRequests are requests of every kind: words, typing, typos,
// synonyms, relaxed job titles, filters, pages, explain.
func pipelineRequests(t *testing.T) []Request {
	var out []Request
	for _, rc := range loadRelevance(t) {
		out = append(out, Request{Query: rc.Q}, Request{Query: rc.Q + " ", Explain: true})
	}
	return append(out,
		Request{Query: "médecin comptable hôpital"},
		Request{Query: "secrétaire médicale développeur", Page: 2, Size: 3},
		Request{Query: "soins à domicile en pédiatrie", Explain: true},
		Request{Query: "technicienne supérieure de l'information médicale en milieu hospitalier", Explain: true},
		Request{Query: "mutuelle", Filters: Filters{StudyMax: 4}},
		Request{Query: "santé", Filters: Filters{SalaryMin: 3000, Areas: []string{"Bruxelles-Capitale", "Liège"}}},
		Request{Query: "médical", Filters: Filters{Criteria: []string{"secteur_sante"}}},
		Request{Query: "m"},
		Request{Query: "te"},
		Request{Query: strings.Repeat("gestion des dossiers médicaux ", 6)},
	)
}

// TestAtMostTwoSearches counts the bleve searches of each request: the
// candidates come from the searcher's tables, so a search runs one
// (the page's highlights), a suggestion one.
func TestAtMostTwoSearches(t *testing.T) {
	s, idx := newGenerated(t)
	ctx := context.Background()
	for _, r := range pipelineRequests(t) {
		before := idx.searches.Load()
		if _, err := s.Search(ctx, r); err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		if n := idx.searches.Load() - before; n > 2 {
			t.Errorf("%q: %d bleve searches, want at most 2", r.Query, n)
		}
	}
	for _, q := range []string{"as", "tecnicien", "méd", "codeu", "assistante adm"} {
		before := idx.searches.Load()
		if _, err := s.Suggest(ctx, q, 8); err != nil {
			t.Fatal(err)
		}
		if n := idx.searches.Load() - before; n != 1 {
			t.Errorf("suggest %q: %d bleve searches, want 1", q, n)
		}
	}
}

// TestExplainSumsToScore checks, over every request of the suite and
// every hit of its page, that the stages' contributions sum to the
// hit's score, that each is its value times its weight, and that every
// value is in [0, 1].
func TestExplainSumsToScore(t *testing.T) {
	s, _ := newGenerated(t)
	ctx := context.Background()
	hits := 0
	for _, r := range pipelineRequests(t) {
		r.Explain = true
		res, err := s.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			e, ok := h.Explain.(*Explanation)
			if !ok {
				t.Fatalf("%q: explain is %T", r.Query, h.Explain)
			}
			if len(e.Stages) != len(s.ranking) {
				t.Fatalf("%q: %d stages explained, the ranking has %d", r.Query, len(e.Stages), len(s.ranking))
			}
			sum := 0.0
			for i, st := range e.Stages {
				if st.Stage != s.ranking[i].Name || st.Weight != s.ranking[i].Weight || st.Score != st.Value*st.Weight {
					t.Errorf("%q %s: stage %+v, ranking %+v", r.Query, h.ID, st, s.ranking[i])
				}
				if st.Value < 0 || st.Value > 1 {
					t.Errorf("%q %s: %s = %g, outside [0, 1]", r.Query, h.ID, st.Stage, st.Value)
				}
				sum += st.Score
			}
			if sum != h.Score || e.Score != h.Score {
				t.Errorf("%q %s: stages sum to %g (explained %g), hit scores %g", r.Query, h.ID, sum, e.Score, h.Score)
			}
			hits++
		}
	}
	if hits < 500 {
		t.Errorf("only %d hits explained", hits)
	}
}

// TestFoldedScoresEqual checks that a query without its accents, in
// capitals or in lower case scores exactly as the query as written:
// accents are folded before the feminine forms are mapped and before
// stemming, on the guides and on the queries alike.
func TestFoldedScoresEqual(t *testing.T) {
	s, _ := newGenerated(t)
	ctx := context.Background()
	for _, q := range []string{
		"médecin", "secrétaire médicale", "infirmière à domicile", "codeuse médicale", "employée de mutualité",
		"technicienne de l'information médicale", "hôpital", "Assistante administrative médicale", "rémunération",
	} {
		want, err := s.Search(ctx, Request{Query: q, Size: 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{fold(q), strings.ToLower(fold(q)), strings.ToUpper(q)} {
			got, err := s.Search(ctx, Request{Query: v, Size: 20})
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != want.Total || !reflect.DeepEqual(scores(got), scores(want)) {
				t.Errorf("%q scores %v (%d)\n%q scores %v (%d)", v, scores(got), got.Total, q, scores(want), want.Total)
			}
		}
	}
}

func fold(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "à", "a", "â", "a", "ô", "o", "î", "i", "ï", "i", "û", "u", "ç", "c", "É", "E").Replace(s)
}

func scores(r *Response) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID+"="+strconv.FormatFloat(h.Score, 'g', -1, 64))
	}
	return out
}

// TestPagesJoin reads results page by page: the pages join into the
// first page of their joint size, with the same total on each, also
// for relaxed queries and past the first pages.
func TestPagesJoin(t *testing.T) {
	s, _ := newGenerated(t)
	ctx := context.Background()
	relaxed := 0
	for _, q := range []string{"médecin comptable hôpital", "secrétaire médicale développeur", "infirmier", "soins à domicile en pédiatrie", "codage des diagnostics", "médecin"} {
		whole, err := s.Search(ctx, Request{Query: q, Size: 48})
		if err != nil {
			t.Fatal(err)
		}
		if whole.Total < 8 {
			t.Fatalf("%q: %d hits, too few to page", q, whole.Total)
		}
		r := &request{Request: Request{Query: q}, prefix: true, sc: getScratch(s.lex)}
		s.parse(r)
		r.markTerms()
		s.gather(r)
		if r.relaxed {
			relaxed++
		}
		r.sc.release()
		var joined []string
		for page := 1; page <= 12; page++ {
			res, err := s.Search(ctx, Request{Query: q, Page: page, Size: 4})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != whole.Total {
				t.Errorf("%q page %d: total %d, page 1 of 48 says %d", q, page, res.Total, whole.Total)
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
			t.Errorf("%q: pages of 4 give\n%v\nwant the first 48\n%v", q, joined, want)
		}
	}
	if relaxed == 0 {
		t.Error("no query was relaxed: the test no longer covers most of the words")
	}
}

// TestMatchesBleve checks the searcher's own tables against bleve: for
// queries of whole words with no synonym nor typo, the guides found,
// and the facets counted over them, are those of a bleve query asking
// for every word's term in the whole text, with the same filters.
func TestMatchesBleve(t *testing.T) {
	s, idx := newGenerated(t)
	ctx := context.Background()
	for _, r := range []Request{
		{Query: "médecin "},
		{Query: "gestion dossiers "},
		{Query: "codage diagnostics "},
		{Query: "patient ", Filters: Filters{StudyMax: 3}},
		{Query: "santé ", Filters: Filters{SalaryMin: 3000, Areas: []string{"Bruxelles-Capitale", "Liège"}}},
		{Query: "analyse ", Filters: Filters{SalaryMax: 3500}},
	} {
		got, err := s.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if r.Filters.empty() {
			// The same words again, filtered by their first criterion.
			if cs := got.Facets[FacetCriteria]; len(cs) > 0 {
				defer func(r Request) {
					r.Filters.Criteria = []string{cs[0].Value}
					checkBleve(t, s, idx, r)
				}(r)
			}
		}
		checkBleve(t, s, idx, r)
	}
}

func checkBleve(t *testing.T, s *Searcher, idx *countingIndex, r Request) {
	t.Helper()
	ctx := context.Background()
	{
		got, err := s.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		var must []query.Query
		for _, term := range s.analyzer.Terms(r.Query) {
			tq := bleve.NewTermQuery(term)
			tq.SetField(index.FieldText)
			must = append(must, tq)
		}
		must = append(must, bleveFilters(r.Filters)...)
		req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(must...), 0, 0, false)
		req.AddFacet("all", bleve.NewFacetRequest(index.FieldFacets, maxFacetTerms))
		want, err := idx.inner().SearchInContext(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != want.Total || got.Total == 0 {
			t.Errorf("%q %+v: total %d, bleve %d", r.Query, r.Filters, got.Total, want.Total)
		}
		var wantTerms []FacetValue
		for _, tf := range want.Facets["all"].Terms.Terms() {
			wantTerms = append(wantTerms, FacetValue{Value: tf.Term, Count: tf.Count})
		}
		if !reflect.DeepEqual(got.Facets, facets(wantTerms)) {
			t.Errorf("%q: facets\n got %v\nwant %v", r.Query, got.Facets, facets(wantTerms))
		}
	}
}

// bleveFilters are the filters as bleve queries over the indexed fields.
func bleveFilters(f Filters) []query.Query {
	num := func(field string, lo, hi *float64) query.Query {
		t := true
		q := bleve.NewNumericRangeInclusiveQuery(lo, hi, &t, &t)
		q.SetField(field)
		return q
	}
	var out []query.Query
	if f.SalaryMin > 0 {
		v := float64(f.SalaryMin)
		out = append(out, num(index.FieldSalaryMax, &v, nil))
	}
	if f.SalaryMax > 0 {
		v := float64(f.SalaryMax)
		out = append(out, num(index.FieldSalaryMin, nil, &v))
	}
	if f.StudyMax > 0 {
		v := f.StudyMax
		out = append(out, num(index.FieldStudyYears, nil, &v))
	}
	if len(f.Areas) > 0 {
		var any []query.Query
		for _, a := range f.Areas {
			tq := bleve.NewTermQuery(a)
			tq.SetField(index.FieldArea)
			any = append(any, tq)
		}
		out = append(out, bleve.NewDisjunctionQuery(any...))
	}
	for _, c := range f.Criteria {
		tq := bleve.NewTermQuery(c)
		tq.SetField(index.FieldCriteria)
		out = append(out, tq)
	}
	return out
}

// TestBoundedWork feeds the longest queries allowed: the words searched,
// the terms a word stands for and the corrections stay within bounds.
func TestBoundedWork(t *testing.T) {
	s, _ := newGenerated(t)
	for _, q := range []string{
		strings.Repeat("technicien ", 18),
		strings.Repeat("a b c d e f g h i j k l m n o p q r s t u v w x y z ", 3),
		strings.Repeat("médecinn secretaire ", 10),
		"p",
		strings.Repeat("zzzzzzzzzq ", 18),
	} {
		q = strings.TrimSpace(q)
		if len([]rune(q)) > MaxQueryRunes {
			q = string([]rune(q)[:MaxQueryRunes])
		}
		r := &request{Request: Request{Query: q}, prefix: true, sc: getScratch(s.lex)}
		s.parse(r)
		r.sc.release()
		if len(r.slots) > maxSlots {
			t.Errorf("%q: %d words searched, at most %d", q, len(r.slots), maxSlots)
		}
		for _, sl := range r.slots {
			prefixes, typos := 0, 0
			for _, a := range sl.alts {
				switch a.kind {
				case kindPrefix:
					prefixes++
				case kindTypo:
					typos++
				}
			}
			if prefixes > maxPrefixWords+1 || typos > maxCorrections {
				t.Errorf("%q, %q: %d prefixes, %d corrections", q, sl.raw, prefixes, typos)
			}
		}
		if _, err := s.Search(context.Background(), Request{Query: q}); err != nil && !strings.Contains(err.Error(), "bad query") {
			t.Errorf("%q: %v", q, err)
		}
	}
}

// TestDerive adds, changes and removes guides by deriving searchers:
// each change is searchable, or not, in the derived searcher at once,
// with the other guides unchanged, and the searcher derived from is
// left as it was.
func TestDerive(t *testing.T) {
	t.Parallel()
	c, idx := sampleIndex(t)
	s, err := New(idx, Options{Synonyms: index.DefaultSynonyms(), Guides: c.Metiers, CacheSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ids := func(s *Searcher, q string) []string {
		res, err := s.Search(ctx, Request{Query: q})
		if err != nil {
			return nil
		}
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	before := ids(s, "médecin")
	if got := ids(s, "vétérinaire"); len(got) != 0 {
		t.Fatalf("vétérinaire before the update: %v", got)
	}
	vet := &corpus.Metier{ID: "veterinaire", Title: "Vétérinaire", TitleFeminine: "Vétérinaire",
		Tagline: "Soigne les animaux de compagnie et d'élevage.", Missions: []string{"Examiner et soigner les animaux malades."}}
	s1, err := s.Derive(idx, []*corpus.Metier{vet}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(s1, "vétérinaire"); !reflect.DeepEqual(got, []string{"veterinaire"}) {
		t.Errorf("vétérinaire after the update: %v", got)
	}
	if got := ids(s, "vétérinaire"); len(got) != 0 {
		t.Errorf("the searcher derived from finds the new guide: %v", got)
	}
	if got := ids(s1, "vété"); len(got) == 0 || got[0] != "veterinaire" {
		t.Errorf("typing vété: %v", got)
	}
	if got := ids(s1, "vetérinare"); len(got) == 0 || got[0] != "veterinaire" {
		t.Errorf("a typo of a word added since: %v", got)
	}
	if got := ids(s, "vetérinare"); slices.Contains(got, "veterinaire") {
		t.Errorf("the searcher derived from corrects to the new guide: %v", got)
	}
	res, err := s1.Search(ctx, Request{Query: "animaux malades"})
	if err != nil || len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Highlights[index.FieldMissions][0], "<mark>animaux</mark> <mark>malades</mark>") {
		t.Errorf("no highlight of the new guide: %+v %v", res, err)
	}
	// A change of text, derived from the derived searcher.
	vet2 := *vet
	vet2.Tagline = "Soigne les chevaux."
	s2, err := s1.Derive(idx, []*corpus.Metier{&vet2}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(s2, "chevaux"); !reflect.DeepEqual(got, []string{"veterinaire"}) {
		t.Errorf("chevaux after the change: %v", got)
	}
	if got := ids(s2, "compagnie élevage "); slices.Contains(got, "veterinaire") {
		t.Errorf("the old text still matches: %v", got)
	}
	if got := ids(s1, "compagnie élevage "); !slices.Contains(got, "veterinaire") {
		t.Errorf("the searcher derived from lost its text: %v", got)
	}
	// Two searchers derived from one share nothing they write.
	other := &corpus.Metier{ID: "palefrenier", Title: "Palefrenier", Tagline: "Soigne les chevaux à l'écurie."}
	s3, err := s1.Derive(idx, []*corpus.Metier{other}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(s3, "chevaux"); !reflect.DeepEqual(got, []string{"palefrenier"}) {
		t.Errorf("chevaux in a sibling: %v", got)
	}
	if got := ids(s2, "chevaux"); !reflect.DeepEqual(got, []string{"veterinaire"}) {
		t.Errorf("chevaux after a sibling's change: %v", got)
	}
	s4, err := s2.Derive(idx, nil, []string{vet.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(s4, "vétérinaire"); len(got) != 0 {
		t.Errorf("vétérinaire after its removal: %v", got)
	}
	if got := ids(s2, "vétérinaire"); !reflect.DeepEqual(got, []string{"veterinaire"}) {
		t.Errorf("the searcher derived from lost the guide: %v", got)
	}
	for _, x := range []*Searcher{s, s1, s2, s3, s4} {
		if got := ids(x, "médecin"); !reflect.DeepEqual(got, before) {
			t.Errorf("médecin changed: %v, was %v", got, before)
		}
	}
}

// facets splits the "facet:value" terms into facets, the plain way
// (countFacets's reference): area and criteria
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
