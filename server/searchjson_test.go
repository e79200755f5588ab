package server

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/url"
	"testing"

	"github.com/metiers/metiers/search"
)

// TestSearchBodyJSON checks that the hand-written search answer is byte
// for byte what encoding/json writes, on the sample's answers (filters
// set and not) and on hostile strings; and that what it cannot write the
// same way is left to encoding/json.
func TestSearchBodyJSON(t *testing.T) {
	t.Parallel()
	_, e := newTestServer(t, "")
	g, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Release()
	s := New(e, Options{})
	labels := s.criterionLabels(g.Recommender)
	check := func(name string, b searchBody) {
		t.Helper()
		want, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, ok := appendSearchBody(nil, b)
		if !ok {
			t.Fatalf("%s: not written", name)
		}
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s: differs at byte %d:\n got %.200q\nwant %.200q", name, i, got[i:], want[i:])
		}
	}
	ctx := context.Background()
	cases := []struct {
		q       string
		filters url.Values
	}{
		{"infirmier", nil}, {"développeur web", nil}, {"tech", nil}, {"mutuele", nil},
		{"secretaire medicale", url.Values{"area": {"Bruxelles"}}},
		{"a", nil}, {"zzzzqqq", nil},
		{"infirmier", url.Values{"salary_min": {"3000"}, "study_max": {"3.9"}}},
	}
	for _, c := range cases {
		req := search.Request{Query: c.q, Filters: search.Filters{Areas: c.filters["area"]}}
		res, err := g.Searcher.Search(ctx, req)
		if err != nil {
			continue // a bad query: answered by the error path, not here
		}
		check(c.q, searchBody{res, facetGroups(res, labels, c.filters, nil)})
	}

	hostile := []string{
		"", "plain", `quote " and \ backslash`, "<mark>&amp;</mark> 'x'", "\b\f\n\r\t\x00\x01\x1f\x7f",
		"é à œ — « » \u2028 \u2029 \U0001F600", "bad \xff\xfe utf-8 \xc3", "\xe2\x80", "€" + string([]byte{0xed, 0xa0, 0x80}),
	}
	for _, h := range hostile {
		res := &search.Response{
			Total: 3, TookMS: 0.000000123, Page: 1, Size: 10,
			Hits: []search.Hit{
				{ID: h, Title: h, TitleFeminine: h, Tagline: h, Score: 1e21, Highlights: map[string][]string{h: {h, h}, "titles": nil, "z": {}}},
				{ID: "x", Score: -0.5, Highlights: nil},
			},
			Facets: map[string][]search.FacetValue{h: {{Value: h, Count: -1}}, "area": nil, "b": {}},
		}
		check(h, searchBody{res, []facetGroup{{Name: h, Label: h, Values: []facetOption{{Label: h, Count: 2, Key: h, Value: h, Selected: true}}}, {Name: "n"}}})
	}
	for _, f := range []float64{0, 1, -1, 1e-7, 123456789.123, 1e20, 1e21, 5e-324, math.MaxFloat64, 0.1 + 0.2} {
		check("float", searchBody{Response: &search.Response{TookMS: f, Hits: []search.Hit{{Score: -f}}}})
	}
	check("nil hits", searchBody{Response: &search.Response{}})

	for name, b := range map[string]searchBody{
		"explain": {Response: &search.Response{Hits: []search.Hit{{Explain: map[string]float64{"words": 1}}}}},
		"NaN":     {Response: &search.Response{TookMS: math.NaN()}},
		"Inf":     {Response: &search.Response{Hits: []search.Hit{{Score: math.Inf(1)}}}},
		"nil":     {},
	} {
		if _, ok := appendSearchBody(nil, b); ok {
			t.Errorf("%s: written by hand, want encoding/json", name)
		}
	}
}

// FuzzSearchBodyJSON checks the hand-written answer against
// encoding/json for any string in any of its string fields and any score.
func FuzzSearchBodyJSON(f *testing.F) {
	for _, s := range []string{"", "<mark>é</mark>", "\x00\u2028\xff", `"\`} {
		f.Add(s, 1.5)
	}
	f.Fuzz(func(t *testing.T, s string, score float64) {
		b := searchBody{
			Response: &search.Response{
				Total: 1, TookMS: score, Page: 1, Size: 1,
				Hits:   []search.Hit{{ID: s, Title: s, TitleFeminine: s, Tagline: s, Score: score, Highlights: map[string][]string{s: {s}, "text": {s, s}}}},
				Facets: map[string][]search.FacetValue{s: {{Value: s, Count: 1}}},
			},
			Filters: []facetGroup{{Name: s, Label: s, Values: []facetOption{{Label: s, Key: s, Value: s}}}},
		}
		want, err := json.Marshal(b)
		got, ok := appendSearchBody(nil, b)
		if err != nil {
			if ok {
				t.Fatalf("encoding/json refuses (%v), written by hand", err)
			}
			return
		}
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("ok %v\n got %q\nwant %q", ok, got, want)
		}
	})
}
