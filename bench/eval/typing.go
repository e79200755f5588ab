package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// The typing measure: readers type titles of the corpus letter by
// letter, and the search box sends every keystroke from the third
// letter on. At each keystroke, title precision@5 is the share of the
// first five hits (of those returned) one of whose names matches what is
// typed (every word typed whole among the name's words, by its analysed
// term, and a word of the name starting with the word being typed), and
// typed-in-top-5 whether the guide being typed is among them.

// TypingFigures are the typing measure's figures.
type TypingFigures struct {
	Titles     int     `json:"titles"`
	Keystrokes int     `json:"keystrokes"`
	TitleP5    float64 `json:"title_precision_at_5"`
	TypedTop5  float64 `json:"typed_in_top_5"`
}

// typingTitles returns a deterministic sample of the guides to type:
// every sixth by id, starting at offset (0 for the reported sample, 3
// for tuning: the two never share a guide).
func typingTitles(guides []*corpus.Metier, offset int) []*corpus.Metier {
	sorted := append([]*corpus.Metier{}, guides...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	var out []*corpus.Metier
	for i := offset; i < len(sorted); i += 6 {
		out = append(out, sorted[i])
	}
	return out
}

// namer tells whether a guide's names match what is typed.
type namer struct {
	french, plain *index.Analyzer
	names         map[string][][2][]string // id → names → (plain words, terms)
}

func newNamer(guides []*corpus.Metier) (*namer, error) {
	fr, err := index.NewAnalyzer()
	if err != nil {
		return nil, err
	}
	pl, err := index.NewPlainAnalyzer()
	if err != nil {
		return nil, err
	}
	n := &namer{french: fr, plain: pl, names: map[string][][2][]string{}}
	for _, m := range guides {
		forms := append([]string{m.Title, m.TitleFeminine}, m.AltTitles...)
		forms = append(forms, m.Acronyms...)
		for _, f := range forms {
			if f == "" {
				continue
			}
			n.names[m.ID] = append(n.names[m.ID], [2][]string{pl.Terms(unElide(f)), fr.Terms(f)})
		}
	}
	return n, nil
}

// typedWords is what is typed, analysed: the terms of the words typed
// whole and the last word as typed, folded.
type typedWords struct {
	whole   []string
	partial string
}

func (n *namer) analyse(typed string) (typedWords, bool) {
	words := n.plain.Terms(unElide(typed))
	if len(words) == 0 {
		return typedWords{}, false
	}
	t := typedWords{partial: words[len(words)-1]}
	for _, w := range words[:len(words)-1] {
		if ts := n.french.Terms(w); len(ts) > 0 {
			t.whole = append(t.whole, ts[0]) // stop words say nothing
		}
	}
	return t, true
}

// matches reports whether one of the guide's names holds every whole
// word typed and a word starting with the word being typed.
func (n *namer) matches(id string, t typedWords) bool {
	for _, nm := range n.names[id] {
		ok := true
		for _, w := range t.whole {
			if !contains(nm[1], w) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for _, w := range nm[0] {
			if strings.HasPrefix(w, t.partial) {
				return true
			}
		}
	}
	return false
}

// unElide parts elided articles from their word (« d'intérieur » → « d
// intérieur »): a reader typing « architecte d » is on the way to it.
func unElide(s string) string { return strings.NewReplacer("'", " ", "’", " ").Replace(s) }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// typing types every title of sample, from the third letter on. Title
// precision@5 counts, of the first five hits, those whose names match
// what is typed, over as many as the corpus has (at most five): a
// keystroke that only one guide's names match is perfect when that
// guide comes first. Keystrokes no name matches (a title's stop word
// being typed) are left out of it.
func typing(ctx context.Context, s *search.Searcher, sample []*corpus.Metier, all []*corpus.Metier) TypingFigures {
	n, err := newNamer(all)
	if err != nil {
		return TypingFigures{}
	}
	f := TypingFigures{Titles: len(sample)}
	var p5, top5 float64
	judged := 0
	for _, m := range sample {
		r := []rune(m.Title)
		for k := 3; k <= len(r); k++ {
			q := string(r[:k])
			if strings.HasSuffix(q, " ") {
				continue // the space is sent with the next letter
			}
			t, ok := n.analyse(q)
			if !ok {
				continue
			}
			res, err := s.Search(ctx, search.Request{Query: q, Size: 5})
			if err != nil {
				continue // a stop word alone, refused
			}
			f.Keystrokes++
			found := false
			good := 0
			for _, h := range res.Hits {
				if n.matches(h.ID, t) {
					good++
				}
				found = found || h.ID == m.ID
			}
			if found {
				top5++
			} else if os.Getenv("TYPED_DEBUG") != "" {
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.Title)
				}
				fmt.Printf("  %q (%s) → %s\n", q, m.Title, strings.Join(got, " | "))
			}
			could := 0
			for _, g := range all {
				if could < 5 && n.matches(g.ID, t) {
					could++
				}
			}
			if could == 0 {
				continue
			}
			judged++
			p5 += float64(good) / float64(could)
			if os.Getenv("TYPING_DEBUG") != "" && good < could {
				var got []string
				for _, h := range res.Hits {
					got = append(got, fmt.Sprintf("%s(%v)", h.Title, n.matches(h.ID, t)))
				}
				fmt.Printf("  %q → %s\n", q, strings.Join(got, " | "))
			}
		}
	}
	if judged > 0 {
		f.TitleP5 = p5 / float64(judged)
	}
	if f.Keystrokes > 0 {
		f.TypedTop5 = top5 / float64(f.Keystrokes)
	}
	return f
}

func printTyping(f TypingFigures) {
	fmt.Println("Typing on ONISEP (every keystroke from 3 letters of a sample of titles)")
	fmt.Printf("%d titles, %d keystrokes: title precision@5 %.3f, typed guide in the top 5 %.3f\n", f.Titles, f.Keystrokes, f.TitleP5, f.TypedTop5)
}
