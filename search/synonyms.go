package search

import (
	"strings"

	"github.com/metiers/metiers/index"
)

// synonymForm is one form of a synonym group as analyzed words.
type synonymForm struct {
	words []word
	terms []string // the words' terms, flattened
}

// synonyms rewrites queries with the domain's equivalent forms.
type synonyms struct {
	groups [][]synonymForm
	terms  map[string]bool // the terms of every form of the groups
}

// variant is a query rewritten with another form of a synonym group.
type variant struct {
	words     []word
	keepsLast bool // the rewrite leaves the query's last word in place
}

// maxVariants bounds the rewrites of one query.
const maxVariants = 8

func newSynonyms(s *Searcher, groups []index.SynonymGroup) synonyms {
	out := synonyms{terms: map[string]bool{}}
	for _, g := range groups {
		var forms []synonymForm
		for _, f := range g {
			ws := s.words(f)
			if len(ws) == 0 {
				continue
			}
			var terms []string
			for _, w := range ws {
				terms = append(terms, w.terms...)
			}
			forms = append(forms, synonymForm{words: ws, terms: terms})
		}
		if len(forms) > 1 {
			out.groups = append(out.groups, forms)
			for _, f := range forms {
				for _, t := range f.terms {
					out.terms[t] = true
				}
			}
		}
	}
	return out
}

// variants returns the query rewritten with every other form of each
// group one of whose forms it contains, word for word.
func (sy synonyms) variants(ws []word) []variant {
	var out []variant
	for _, g := range sy.groups {
		for fi, f := range g {
			start := findWords(ws, f.words)
			if start < 0 {
				continue
			}
			end := start + len(f.words)
			for oi, other := range g {
				if oi == fi {
					continue
				}
				v := make([]word, 0, len(ws)-len(f.words)+len(other.words))
				v = append(v, ws[:start]...)
				v = append(v, other.words...)
				v = append(v, ws[end:]...)
				out = append(out, variant{words: v, keepsLast: end < len(ws)})
				if len(out) >= maxVariants {
					return out
				}
			}
			break // one matching form per group is enough
		}
	}
	return out
}

// findWords returns where the words of form start in ws, comparing their
// analyzed terms, or -1.
func findWords(ws, form []word) int {
	for i := 0; i+len(form) <= len(ws); i++ {
		ok := true
		for j := range form {
			if strings.Join(ws[i+j].terms, " ") != strings.Join(form[j].terms, " ") {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

// hasAll reports whether every term is a term of some synonym form.
func (sy synonyms) hasAll(terms []string) bool {
	for _, t := range terms {
		if !sy.terms[t] {
			return false
		}
	}
	return len(terms) > 0
}
