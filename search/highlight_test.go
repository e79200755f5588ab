package search

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/highlight"
	simplefrag "github.com/blevesearch/bleve/v2/search/highlight/fragmenter/simple"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/metiers/metiers/index"
)

// TestHighlightsAsBleve checks the searcher's own highlights against
// bleve's: for every request of the pipeline suite, the page's guides are
// searched in bleve for the terms the highlights mark, with their term
// locations, and highlighted by bleve's « html » highlighter from their
// stored fields. Every field bleve quotes is quoted, and each fragment is
// bleve's, or, where two fragments hold as many of the query's terms
// (bleve then picks by its heap's order), one holding as many.
func TestHighlightsAsBleve(t *testing.T) {
	t.Parallel()
	s, idx := newGenerated(t)
	hl, err := bleve.Config.Cache.HighlighterNamed(index.HighlightStyle)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fragments, same := 0, 0
	for _, req := range pipelineRequests(t) {
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 {
			continue
		}
		terms := highlightTermsOf(t, s, req)
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		var alts []query.Query
		for _, f := range highlightFields {
			for _, term := range terms {
				tq := bleve.NewTermQuery(term)
				tq.SetField(f)
				alts = append(alts, tq)
			}
		}
		breq := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(bleve.NewDocIDQuery(ids), bleve.NewDisjunctionQuery(alts...)), len(ids), 0, false)
		breq.IncludeLocations = true
		bres, err := idx.inner().SearchInContext(ctx, breq)
		if err != nil {
			t.Fatal(err)
		}
		for _, bh := range bres.Hits {
			doc, err := idx.inner().Document(bh.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			for _, f := range highlightFields {
				if fr := hl.BestFragmentsInField(bh, doc, f, 1); len(fr) > 0 && strings.Contains(fr[0], "<mark>") {
					want[f] = fr[0]
				}
			}
			var got map[string][]string
			for _, h := range res.Hits {
				if h.ID == bh.ID {
					got = h.Highlights
				}
			}
			for _, f := range highlightFields {
				w, g := want[f], ""
				if len(got[f]) > 0 {
					g = got[f][0]
				}
				if w == "" || g == "" {
					if w != g {
						t.Errorf("%q %s %s:\n got %q\nwant %q", req.Query, bh.ID, f, g, w)
					}
					continue
				}
				fragments++
				if g == w {
					same++
					continue
				}
				if gn, wn := s.markedTerms(g), s.markedTerms(w); gn != wn {
					t.Errorf("%q %s %s: %d terms marked, bleve's fragment %d:\n got %q\nwant %q", req.Query, bh.ID, f, gn, wn, g, w)
				}
			}
		}
	}
	if fragments < 500 || same < fragments*9/10 {
		t.Errorf("%d fragments compared, %d the same as bleve's", fragments, same)
	}
	t.Logf("%d fragments compared, %d the same as bleve's", fragments, same)
}

// highlightTermsOf returns the terms a request's highlights mark.
func highlightTermsOf(t *testing.T, s *Searcher, req Request) []string {
	r := &request{Request: req, prefix: !strings.HasSuffix(req.Query, " "), sc: getScratch(s.lex)}
	defer r.sc.release()
	if err := s.validate(&r.Request); err != nil {
		t.Fatal(err)
	}
	if !s.parse(r) {
		return nil
	}
	r.markTerms()
	r.markHighlightTerms(s.lex)
	var out []string
	for _, term := range r.sc.touched {
		if r.sc.terms[term]&termHighlight != 0 {
			out = append(out, s.lex.terms[term])
		}
	}
	return out
}

var markRE = regexp.MustCompile(`<mark>(.*?)</mark>`)

// markedTerms is the number of distinct terms a fragment marks.
func (s *Searcher) markedTerms(frag string) int {
	var terms []string
	for _, m := range markRE.FindAllStringSubmatch(frag, -1) {
		for _, term := range s.analyzer.Terms(m[1]) {
			if !slices.Contains(terms, term) {
				terms = append(terms, term)
			}
		}
	}
	return len(terms)
}

// TestFragments cuts fragments of texts whose matches sit at the start,
// the end, near each other and far apart, in accented text: each is the
// fragment bleve's simple fragmenter cuts for the same matches, with the
// same score.
func TestFragments(t *testing.T) {
	long := strings.Repeat("Le médecin conseil évalue l'incapacité de travail. ", 12)
	for _, c := range []struct {
		text  string
		words []string
	}{
		{"Médecin conseil", []string{"Médecin"}},
		{long, []string{"incapacité", "travail"}},
		{long + "Il rédige un rapport sur l'invalidité.", []string{"invalidité", "rapport"}},
		{"Codeuse médicale : elle code les diagnostics & les actes « médicaux ». " + long, []string{"Codeuse", "médicaux", "diagnostics"}},
	} {
		var locs []location
		tlm := map[string][]highlight.TermLocation{}
		for ti, w := range c.words {
			for i := 0; ; {
				j := strings.Index(c.text[i:], w)
				if j < 0 {
					break
				}
				start := i + j
				locs = append(locs, location{start: start, end: start + len(w), term: uint8(ti)})
				tlm[w] = append(tlm[w], highlight.TermLocation{Term: w, Start: start, End: start + len(w)})
				i = start + len(w)
			}
		}
		slices.SortFunc(locs, func(a, b location) int { return a.start - b.start })
		got := bestFragment(c.text, 0, len(c.text), locs)
		// bleve's fragmenter, over the same locations.
		var ordered highlight.TermLocations
		for _, ls := range tlm {
			for i := range ls {
				ordered = append(ordered, &ls[i])
			}
		}
		slices.SortFunc(ordered, func(a, b *highlight.TermLocation) int { return a.Start - b.Start })
		frags := bleveFragmenter().Fragment([]byte(c.text), ordered)
		bestScore := 0
		for _, f := range frags {
			n := 0
			for _, ls := range tlm {
				for _, l := range ls {
					if l.Start >= f.Start && l.End <= f.End {
						n++
						break
					}
				}
			}
			bestScore = max(bestScore, n)
			if f.Start == got.start && f.End == got.end && n != got.score {
				t.Errorf("%q: fragment [%d, %d) scores %d, bleve's %d", c.words, f.Start, f.End, got.score, n)
			}
		}
		if got.score != bestScore {
			t.Errorf("%q: best score %d, bleve's %d", c.words, got.score, bestScore)
		}
		found := slices.ContainsFunc(frags, func(f *highlight.Fragment) bool { return f.Start == got.start && f.End == got.end })
		if !found {
			t.Errorf("%q: fragment [%d, %d) is none of bleve's", c.words, got.start, got.end)
		}
	}
}

// bleveFragmenter is the fragmenter of bleve's « html » highlighter.
func bleveFragmenter() highlight.Fragmenter { return simplefrag.NewFragmenter(fragmentSize) }
