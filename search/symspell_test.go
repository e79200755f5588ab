package search

import (
	"context"
	"slices"
	"testing"
)

// TestTypoForms checks the typos that a deletion of one letter of the
// word alone does not correct: two words run together, and words no
// guide writes as typed but in another form.
func TestTypoForms(t *testing.T) {
	t.Parallel()
	s := newONISEPLike(t)
	l := s.lex
	for _, tc := range []struct {
		w    string
		a, b string // "" when the word must not be split
	}{
		{"technicienfrigoriste", "technicien", "frigoriste"},
		{"monteusecalorifugeuse", "monteuse", "calorifugeuse"},
		{"plombier", "", ""},    // a word of the guides
		{"plombierxyz", "", ""}, // « xyz » is no word
		{"chefrayon", "", ""},   // « chef » is too short to be split off
	} {
		a, b, ok := l.split(tc.w)
		got := [2]string{}
		if ok {
			got = [2]string{l.words[a].text, l.words[b].text}
		}
		if got != [2]string{tc.a, tc.b} {
			t.Errorf("split(%q) = %q, want %q", tc.w, got, [2]string{tc.a, tc.b})
		}
	}
	for _, tc := range []struct {
		w    string
		want bool
	}{
		{"plombiers", true},     // plural of a word written
		{"techniciennes", true}, // plural of a feminine written
		{"coiffeurs", true},     // plural
		{"technicienxe", false}, // a typo
		{"vétérinaie", false},   // a typo
	} {
		if got := l.writtenOtherwise(foldWord(t, s, tc.w)); got != tc.want {
			t.Errorf("writtenOtherwise(%q) = %v, want %v", tc.w, got, tc.want)
		}
	}
	// The words run together are searched as the two words.
	res, err := s.Search(context.Background(), Request{Query: "technicienfrigoriste "})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].ID != "technicien-frigoriste" {
		t.Errorf("« technicienfrigoriste »: got %v, want technicien-frigoriste first", hitIDs(res))
	}
}

// foldWord folds one word as a query's words are.
func foldWord(t *testing.T, s *Searcher, w string) string {
	t.Helper()
	ws := s.lex.plain.Terms(w)
	if len(ws) != 1 {
		t.Fatalf("%q folds to %q", w, ws)
	}
	return ws[0]
}

func hitIDs(res *Response) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return slices.Clip(out)
}
