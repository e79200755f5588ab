package search

import (
	"cmp"
	"hash/maphash"
	"slices"
	"sort"
	"unicode/utf8"
)

// Typos are corrected against the vocabulary of the guides with a
// deletion index in the manner of SymSpell: every word is stored under
// each string obtained by deleting up to maxEdits letters from its first
// prefixLen letters, and a query word looks up its own deletions. Two
// words within a Damerau distance d share a deletion of at most d
// letters, so candidates are found with a few map lookups instead of a
// walk of the vocabulary, and each is checked with the true distance.
// A word of 5 to 8 letters may carry one typo, of 9 or more two, as
// Meilisearch counts them.

const (
	// prefixLen bounds the letters whose deletions are indexed:
	// SymSpell's prefix trick, which keeps the index linear in the
	// vocabulary while a typo past the prefix still meets the word
	// through the prefix's deletions of zero letters.
	prefixLen = 7
	// maxCorrections bounds the corrections a word expands to.
	maxCorrections = 3
)

// fuzziness returns the typos allowed for a word of n letters: none
// under 5 letters, 1 from 5, 2 from 9.
func fuzziness(n int) int {
	switch {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// deletions is the deletion index of a vocabulary: a sorted slice of
// (hash of a deletion, word id), 16 bytes an entry (ONISEP's vocabulary
// of some 25,000 words: about 450,000 entries), plus a map for the words
// added once it is sealed (Searcher.Apply).
type deletions struct {
	seed   maphash.Seed
	base   []deletion
	sealed bool
	extra  map[uint64][]uint32
}

type deletion struct {
	hash uint64
	id   uint32
}

func newDeletions() *deletions {
	return &deletions{seed: maphash.MakeSeed(), extra: map[uint64][]uint32{}}
}

// reach is how many deletions of a word are indexed: a query word of 9
// letters or more may be 2 edits from a word of 7 or more.
func reach(n int) int {
	if n >= 7 {
		return 2
	}
	return 1
}

// add indexes a word of the vocabulary.
func (x *deletions) add(w string, id uint32) {
	for _, e := range edits(w, reach(utf8.RuneCountInString(w))) {
		h := maphash.String(x.seed, e)
		if x.sealed {
			// Clipped: the lists may be shared with the index this one
			// derives from.
			x.extra[h] = append(slices.Clip(x.extra[h]), id)
		} else {
			x.base = append(x.base, deletion{h, id})
		}
	}
}

// derive returns an index sharing x's sealed entries, to which words
// can be added without changing x.
func (x *deletions) derive() *deletions {
	return &deletions{seed: x.seed, base: x.base, sealed: x.sealed, extra: cloneMap(x.extra)}
}

// seal sorts the entries added so far: lookups read them only once
// sealed, and words added later go to the map.
func (x *deletions) seal() {
	slices.SortFunc(x.base, func(a, b deletion) int { return cmp.Compare(a.hash, b.hash) })
	x.sealed = true
}

// candidates returns the ids of the words sharing a deletion of up to d
// letters with w.
func (x *deletions) candidates(w string, d int) []uint32 {
	var out []uint32
	keep := func(id uint32) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, e := range edits(w, d) {
		h := maphash.String(x.seed, e)
		i, _ := slices.BinarySearchFunc(x.base, h, func(a deletion, h uint64) int { return cmp.Compare(a.hash, h) })
		for ; i < len(x.base) && x.base[i].hash == h; i++ {
			keep(x.base[i].id)
		}
		for _, id := range x.extra[h] {
			keep(id)
		}
	}
	return out
}

// damerau returns the optimal string alignment distance of a and b
// (insertions, deletions, substitutions and transpositions of adjacent
// letters), or max+1 once it exceeds max.
func damerau(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			low = min(low, v)
		}
		if low > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// corrections returns the words of the vocabulary within the typos w's
// length allows, closest first, then the commonest, at most
// maxCorrections; none for a word the vocabulary holds.
func (l *lexicon) corrections(w string) []uint32 {
	if _, ok := l.wordID.get(w); ok {
		return nil
	}
	rw := []rune(w)
	d := fuzziness(len(rw))
	if d == 0 {
		return nil
	}
	type cand struct {
		id   uint32
		dist int
		df   int
	}
	var found []cand
	for _, id := range l.deletions.candidates(w, d) {
		e := &l.words[id]
		if e.df == 0 || e.term == noTerm {
			continue
		}
		if dist := damerau(rw, []rune(e.text), d); dist <= d {
			found = append(found, cand{id, dist, int(e.df)})
		}
	}
	if len(found) == 0 {
		return nil
	}
	best := found[0].dist
	for _, c := range found {
		best = min(best, c.dist)
	}
	var out []cand
	for _, c := range found {
		if c.dist == best {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].df != out[j].df {
			return out[i].df > out[j].df
		}
		return l.words[out[i].id].text < l.words[out[j].id].text
	})
	ids := make([]uint32, 0, maxCorrections)
	for _, c := range out[:min(len(out), maxCorrections)] {
		ids = append(ids, c.id)
	}
	return ids
}

// edits returns the deletions of up to d letters of the first prefixLen
// letters of w (w's prefix itself included).
func edits(w string, d int) []string {
	r := []rune(w)
	if len(r) > prefixLen {
		r = r[:prefixLen]
	}
	out := []string{string(r)}
	seen := map[string]bool{out[0]: true}
	frontier := [][]rune{r}
	for step := 0; step < d; step++ {
		var next [][]rune
		for _, f := range frontier {
			for i := range f {
				del := append(append(make([]rune, 0, len(f)-1), f[:i]...), f[i+1:]...)
				s := string(del)
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
					next = append(next, del)
				}
			}
		}
		frontier = next
	}
	return out
}

// split returns the two words of the vocabulary a word no guide holds is
// made of, run together (a space or a hyphen left out: « carreleurfaiencier »),
// each of minSplit letters or more and informative; of several ways,
// the one whose rarer word is the commonest.
// minSplit is the shortest word a split may give: shorter ones cut
// real words into pieces (« roughman » → « rough man », « laqueuse » →
// « laque use »).
const minSplit = 5

func (l *lexicon) split(w string) (a, b uint32, ok bool) {
	r := []rune(w)
	best := int32(0)
	for i := minSplit; i+minSplit <= len(r); i++ {
		x, okx := l.wordID.get(string(r[:i]))
		y, oky := l.wordID.get(string(r[i:]))
		if !okx || !oky {
			continue
		}
		ex, ey := &l.words[x], &l.words[y]
		if ex.term == noTerm || ey.term == noTerm || ex.df == 0 || ey.df == 0 {
			continue
		}
		if d := min(ex.df, ey.df); d > best {
			a, b, ok, best = x, y, true, d
		}
	}
	return a, b, ok
}

// stemCorrections returns the terms of the vocabulary within the typos
// its length allows of the term of a word no correction was found for,
// closest first, then the commonest, at most maxCorrections: the guides
// may write only other forms of the word (« cérélier » → « cereli »,
// one letter from « cereali », the guides' « céréalière »). Candidates
// are the words sharing a deletion with the term, compared by their own
// terms.
func (l *lexicon) stemCorrections(t string) []uint32 {
	rt := []rune(t)
	d := fuzziness(len(rt))
	if d == 0 {
		return nil
	}
	type cand struct {
		term uint32
		dist int
		df   int
	}
	var found []cand
	for _, id := range l.deletions.candidates(t, d) {
		e := &l.words[id]
		if e.df == 0 || e.term == noTerm || slices.ContainsFunc(found, func(c cand) bool { return c.term == e.term }) {
			continue
		}
		if dist := damerau(rt, []rune(l.terms[e.term]), d); dist <= d {
			found = append(found, cand{e.term, dist, l.df(e.term)})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].dist != found[j].dist {
			return found[i].dist < found[j].dist
		}
		if found[i].df != found[j].df {
			return found[i].df > found[j].df
		}
		return l.terms[found[i].term] < l.terms[found[j].term]
	})
	out := make([]uint32, 0, maxCorrections)
	for _, c := range found[:min(len(found), maxCorrections)] {
		if c.dist == found[0].dist {
			out = append(out, c.term)
		}
	}
	return out
}
