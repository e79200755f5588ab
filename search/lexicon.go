package search

import (
	"cmp"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
)

// The lexicon holds every table a search reads, derived from the guides
// of one generation when its searcher is made: the vocabulary (words as
// written, folded, each with its analysed term), each term's postings
// over the guides' whole text and over their descriptions, each guide's
// names, word pairs, facet values, filter values and the places of its
// terms in its text (for highlights), and the deletion index that
// corrects typos. Terms, words and facet values are interned as small
// integers, so that a request reads slices indexed by them, not maps.
// Nothing in it depends on bleve's internal document numbers.
//
// A lexicon is never changed once built: a generation with one guide
// changed gets a new lexicon (derive) that shares every table the
// change leaves alone with the old one, which keeps serving its own
// generation's readers.

// noTerm is the term of a word the analysis drops (a stop word).
const noTerm = ^uint32(0)

// posting is one guide holding a term tf times.
type posting struct {
	ord uint32
	tf  uint16
}

// wordEntry is a word as written (lowercased, elisions cut, accents
// folded) with its analysed term and the number of guides holding it.
type wordEntry struct {
	text  string
	term  uint32 // noTerm for a stop word
	df    int32
	title bool // some guide has it in a name
}

// nameWord is one word of a name as typed (elided articles are words of
// their own: « d » begins « d'intérieur »), with its term (noTerm for a
// stop word).
type nameWord struct {
	word, term uint32
}

// name is one name of a guide (title, feminine title, other name,
// acronym).
type name struct {
	words []nameWord
	// terms are the words' terms, stop words left out.
	terms []uint32
	// other is set for another name than the title and its feminine.
	other bool
}

// unElide parts elided articles from their word (« d'intérieur » → « d
// intérieur »), so that a word being typed meets them.
func unElide(s string) string { return elisions.Replace(s) }

var elisions = strings.NewReplacer("'", " ", "’", " ")

// token is one informative word of a guide's whole text: its term and
// its bytes in the text (the guide's TextParts joined by newlines),
// start<<8 | length (lengths over 255 bytes are cut at 255 and found
// again when marked).
type token struct {
	term uint32
	span uint32
}

func (t token) start() int { return int(t.span >> 8) }
func (t token) size() int  { return int(t.span & 0xff) }

// maxTokenStart bounds the text whose words are placed (16 MiB).
const maxTokenStart = 1<<24 - 1

// guide is what a search reads of one guide.
type guide struct {
	m      *corpus.Metier
	names  []name
	length int      // terms in the whole text
	pairs  []uint32 // hashes of consecutive terms, sorted
	// describedLen is the number of terms of the tagline and missions.
	describedLen int
	// facets are the ids of its facet values (lexicon.facetNames).
	facets   []uint32
	areas    []string
	criteria []string
	// tokens are its text's terms in order, with their places.
	tokens []token
	// text is its whole text (index.TextParts joined by newlines, as
	// the whole-text field holds it), starts where each part begins:
	// highlights are cut from them (ONISEP: 5.2 MB for 928 guides).
	text   string
	starts []uint32
}

// nameRef is one name of one guide.
type nameRef struct {
	ord  uint32
	name uint16
}

type lexicon struct {
	analyzer *index.Analyzer
	plain    *index.Analyzer
	tags     index.Tagger

	termID layered[uint32]
	terms  []string
	// post are each term's postings over the whole text, dpost over the
	// tagline and missions, both in ordinal order.
	post  [][]posting
	dpost [][]posting
	// termNames lists the names holding each term, wordNames those
	// holding each word: the names a query's words can be in.
	termNames [][]nameRef
	wordNames [][]nameRef

	wordID layered[uint32]
	words  []wordEntry
	// sorted lists the word ids in the order of their text, for
	// prefixes; rank is each word's place in it.
	sorted []uint32
	rank   []uint32

	guides  []*guide // by ordinal; nil once removed
	byID    layered[uint32]
	live    int
	lengths int // sum of the live guides' lengths

	facetID    layered[uint32]
	facetNames []string
	facetTab   facetTable
	// norm and dnorm are each guide's BM25 length factors (lengthNorm)
	// over its whole text and its description, by ordinal.
	norm, dnorm []float64

	deletions *deletions
	// shared is set while a derived lexicon is being changed: its lists
	// are still its parent's, and are copied before being written.
	shared bool
}

func newLexicon(analyzer, plain *index.Analyzer, tags index.Tagger) *lexicon {
	return &lexicon{
		analyzer: analyzer, plain: plain, tags: tags,
		termID: newLayered[uint32](), wordID: newLayered[uint32](),
		byID: newLayered[uint32](), facetID: newLayered[uint32](),
		deletions: newDeletions(),
	}
}

// build indexes the guides of a new generation.
func (l *lexicon) build(guides []*corpus.Metier) {
	for _, m := range guides {
		l.add(m)
	}
	slices.SortFunc(l.sorted, func(a, b uint32) int { return cmp.Compare(l.words[a].text, l.words[b].text) })
	l.ranks()
	l.facetTab = newFacetTable(l.facetNames)
	l.lengthNorms()
	l.deletions.seal()
}

// lengthNorms computes each guide's BM25 length factors, over its whole
// text and over its description, once the guides (and so the mean
// length) are settled: a search reads them by ordinal instead of
// dereferencing every posting's guide.
func (l *lexicon) lengthNorms() {
	avg := l.avgLength()
	l.norm = make([]float64, len(l.guides))
	l.dnorm = make([]float64, len(l.guides))
	for ord, g := range l.guides {
		if g != nil {
			l.norm[ord] = lengthNorm(g.length, avg)
			l.dnorm[ord] = lengthNorm(g.describedLen, describedAvg)
		}
	}
}

// ranks recomputes each word's place in sorted.
func (l *lexicon) ranks() {
	l.rank = make([]uint32, len(l.words))
	for i, id := range l.sorted {
		l.rank[id] = uint32(i)
	}
}

// derive returns a lexicon with the guides of put (re)indexed and the
// ids of remove taken out (the guides of put tagged by tags), sharing
// with l every table they leave alone; l is not changed.
func (l *lexicon) derive(put []*corpus.Metier, remove []string, tags index.Tagger) *lexicon {
	n := *l
	n.tags = tags
	// Slices are cut to their length, so that appending to n never
	// writes into l's arrays; the tables the change writes are copied.
	n.terms = slices.Clip(l.terms)
	n.post = slices.Clone(l.post)
	n.dpost = slices.Clone(l.dpost)
	n.termNames = slices.Clone(l.termNames)
	n.wordNames = slices.Clone(l.wordNames)
	n.words = slices.Clone(l.words)
	n.guides = slices.Clone(l.guides)
	n.facetNames = slices.Clip(l.facetNames)
	n.byID = l.byID.derive()
	n.termID = l.termID.derive()
	n.wordID = l.wordID.derive()
	n.facetID = l.facetID.derive()
	n.sorted = slices.Clip(l.sorted)
	n.deletions = l.deletions.derive()
	n.shared = true
	for _, id := range remove {
		if ord, ok := n.byID.get(id); ok {
			n.remove(ord)
		}
	}
	before := len(n.words)
	for _, m := range put {
		if ord, ok := n.byID.get(m.ID); ok {
			n.remove(ord)
		}
		n.add(m)
	}
	n.shared = false
	if len(n.words) > before {
		// New words join the sorted vocabulary in their place.
		added := slices.Clone(n.sorted[before:])
		slices.SortFunc(added, func(a, b uint32) int { return cmp.Compare(n.words[a].text, n.words[b].text) })
		old := l.sorted
		merged := make([]uint32, 0, len(old)+len(added))
		i, j := 0, 0
		for i < len(old) || j < len(added) {
			if j == len(added) || (i < len(old) && n.words[old[i]].text < n.words[added[j]].text) {
				merged = append(merged, old[i])
				i++
			} else {
				merged = append(merged, added[j])
				j++
			}
		}
		n.sorted = merged
		n.ranks()
	}
	if len(n.facetNames) > len(l.facetNames) {
		n.facetTab = newFacetTable(n.facetNames)
	}
	n.lengthNorms()
	return &n
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// term returns the id of a term, adding it when add is set; noTerm when
// it is unknown.
func (l *lexicon) term(t string, add bool) uint32 {
	if id, ok := l.termID.get(t); ok {
		return id
	}
	if !add {
		return noTerm
	}
	id := uint32(len(l.terms))
	l.termID.set(t, id)
	l.terms = append(l.terms, t)
	l.post = append(l.post, nil)
	l.dpost = append(l.dpost, nil)
	l.termNames = append(l.termNames, nil)
	return id
}

// analyzeWord returns the term of one folded word ("" for a stop word),
// as the French analyzer gives it in any text.
func (l *lexicon) analyzeWord(w string) string {
	ts := l.analyzer.Terms(w)
	if len(ts) == 0 {
		return ""
	}
	return ts[0]
}

// word returns the id of a folded word, adding it to the vocabulary
// (with its term) when add is set; ok is false for an unknown word.
func (l *lexicon) word(w string, add bool) (uint32, bool) {
	if id, ok := l.wordID.get(w); ok {
		return id, true
	}
	if !add {
		return 0, false
	}
	term := noTerm
	if t := l.analyzeWord(w); t != "" {
		term = l.term(t, true)
	}
	id := uint32(len(l.words))
	l.wordID.set(w, id)
	l.words = append(l.words, wordEntry{text: w, term: term})
	l.wordNames = append(l.wordNames, nil)
	l.sorted = append(l.sorted, id)
	l.deletions.add(w, id)
	return id, true
}

// facet returns the id of a facet value, adding it.
func (l *lexicon) facet(v string) uint32 {
	if id, ok := l.facetID.get(v); ok {
		return id
	}
	id := uint32(len(l.facetNames))
	l.facetID.set(v, id)
	l.facetNames = append(l.facetNames, v)
	return id
}

// pairHash is the hash of two consecutive terms.
func pairHash(a, b uint32) uint32 {
	h := fnv.New32a()
	var buf [8]byte
	for i := 0; i < 4; i++ {
		buf[i] = byte(a >> (8 * i))
		buf[4+i] = byte(b >> (8 * i))
	}
	h.Write(buf[:])
	return h.Sum32()
}

// add indexes one guide under a new ordinal.
func (l *lexicon) add(m *corpus.Metier) {
	ord := uint32(len(l.guides))
	g := &guide{m: m, areas: index.Areas(m.EmploymentAreas), criteria: index.Criteria(m, l.tags)}
	for _, f := range index.Facets(m, l.tags) {
		g.facets = append(g.facets, l.facet(f))
	}
	tf := map[uint32]int{}
	dtf := map[uint32]int{}
	seenWords := map[uint32]bool{}
	parts := index.TextParts(m)
	// The tagline and the missions describe the guide (TextParts puts
	// the tagline third and the missions after the other names).
	firstMission := 3 + len(m.AltTitles) + len(m.Acronyms)
	offset := 0
	g.text = strings.Join(parts, "\n")
	g.starts = make([]uint32, len(parts))
	for pi, part := range parts {
		g.starts[pi] = uint32(offset)
		described := pi == 2 || (pi >= firstMission && pi < firstMission+len(m.Missions))
		prev := noTerm
		for _, tk := range l.plain.Tokens(part) {
			wid, _ := l.word(tk.Term, true)
			if !seenWords[wid] {
				seenWords[wid] = true
				l.words[wid].df++
			}
			t := l.words[wid].term
			if t == noTerm {
				continue
			}
			tf[t]++
			g.length++
			if described {
				dtf[t]++
				g.describedLen++
			}
			if prev != noTerm {
				g.pairs = append(g.pairs, pairHash(prev, t))
			}
			prev = t
			if start := offset + tk.Start; start <= maxTokenStart {
				g.tokens = append(g.tokens, token{term: t, span: uint32(start)<<8 | uint32(min(tk.End-tk.Start, 0xff))})
			}
		}
		offset += len(part) + 1
	}
	slices.Sort(g.pairs)
	g.pairs = slices.Compact(g.pairs)
	for t, n := range tf {
		l.post[t] = grow(l, l.post[t], posting{ord: ord, tf: uint16(min(n, math.MaxUint16))})
	}
	for t, n := range dtf {
		l.dpost[t] = grow(l, l.dpost[t], posting{ord: ord, tf: uint16(min(n, math.MaxUint16))})
	}
	for fi, form := range nameForms(m) {
		n := name{other: fi >= 2 || (fi == 1 && (m.TitleFeminine == "" || m.TitleFeminine == m.Title))}
		// The words as typed, elisions apart: « d » begins « d'intérieur ».
		for _, w := range l.plain.Terms(unElide(form)) {
			wid, _ := l.word(w, true)
			l.words[wid].title = true
			t := l.words[wid].term
			n.words = append(n.words, nameWord{word: wid, term: t})
			if t != noTerm {
				n.terms = append(n.terms, t)
			}
		}
		if len(n.terms) == 0 {
			continue
		}
		g.names = append(g.names, n)
		ref := nameRef{ord: ord, name: uint16(len(g.names) - 1)}
		for i, w := range n.words {
			if !slices.ContainsFunc(n.words[:i], func(o nameWord) bool { return o.word == w.word }) {
				l.wordNames[w.word] = grow(l, l.wordNames[w.word], ref)
			}
		}
		for i, t := range n.terms {
			if !slices.Contains(n.terms[:i], t) {
				l.termNames[t] = grow(l, l.termNames[t], ref)
			}
		}
	}
	l.guides = append(l.guides, g)
	l.byID.set(m.ID, ord)
	l.live++
	l.lengths += g.length
}

// grow appends to one of the lexicon's lists, copying it first when it
// may be shared with the lexicon this one derives from.
func grow[T any](l *lexicon, list []T, v T) []T {
	if l.shared {
		list = slices.Clip(list)
	}
	return append(list, v)
}

// remove takes a guide out of every table, copying the lists it
// changes.
func (l *lexicon) remove(ord uint32) {
	g := l.guides[ord]
	if g == nil {
		return
	}
	seen := map[uint32]bool{}
	drop := func(list []posting) []posting {
		// Postings are in ordinal order: find it, then a copy without it.
		i, ok := slices.BinarySearchFunc(list, ord, func(p posting, o uint32) int { return cmp.Compare(p.ord, o) })
		if !ok {
			return list
		}
		return slices.Concat(list[:i], list[i+1:])
	}
	for _, part := range index.TextParts(g.m) {
		for _, w := range l.plain.Terms(part) {
			wid, ok := l.word(w, false)
			if !ok || seen[wid] {
				continue
			}
			seen[wid] = true
			l.words[wid].df--
			if t := l.words[wid].term; t != noTerm {
				l.post[t] = drop(l.post[t])
				l.dpost[t] = drop(l.dpost[t])
			}
		}
	}
	mine := func(r nameRef) bool { return r.ord == ord }
	for _, n := range g.names {
		for _, t := range n.terms {
			if slices.ContainsFunc(l.termNames[t], mine) {
				l.termNames[t] = slices.DeleteFunc(slices.Clone(l.termNames[t]), mine)
			}
		}
		for _, w := range n.words {
			if slices.ContainsFunc(l.wordNames[w.word], mine) {
				l.wordNames[w.word] = slices.DeleteFunc(slices.Clone(l.wordNames[w.word]), mine)
			}
		}
	}
	l.guides[ord] = nil
	l.byID.del(g.m.ID)
	l.live--
	l.lengths -= g.length
}

// nameForms are the names a guide is known by.
func nameForms(m *corpus.Metier) []string {
	out := []string{m.Title}
	if m.TitleFeminine != "" && m.TitleFeminine != m.Title {
		out = append(out, m.TitleFeminine)
	}
	out = append(out, m.AltTitles...)
	return append(out, m.Acronyms...)
}

// df is the number of guides holding a term.
func (l *lexicon) df(t uint32) int {
	if t == noTerm || int(t) >= len(l.post) {
		return 0
	}
	return len(l.post[t])
}

// idf is a term's BM25 inverse document frequency.
func (l *lexicon) idf(t uint32) float64 {
	n, df := float64(l.live), float64(l.df(t))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// BM25 parameters (Lucene's and bleve's defaults).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// avgLength is the live guides' mean length, for BM25.
func (l *lexicon) avgLength() float64 {
	if l.live == 0 {
		return 1
	}
	return max(1, float64(l.lengths)/float64(l.live))
}

// bm25 is the BM25 weight of a term held tf times by a text whose
// length is norm times the mean's, in BM25's terms (1 - b + b·len/avg).
func bm25(idf float64, tf float32, norm float64) float64 {
	f := float64(tf)
	return idf * f * (bm25K1 + 1) / (f + bm25K1*norm)
}

// lengthNorm is BM25's length factor of a text of n terms.
func lengthNorm(n int, avg float64) float64 { return 1 - bm25B + bm25B*float64(n)/avg }

// prefixRange returns the places in sorted of the words starting with p.
func (l *lexicon) prefixRange(p string) (lo, hi int) {
	lo = sort.Search(len(l.sorted), func(i int) bool { return l.words[l.sorted[i]].text >= p })
	hi = lo + sort.Search(len(l.sorted)-lo, func(i int) bool { return !strings.HasPrefix(l.words[l.sorted[lo+i]].text, p) })
	return lo, hi
}

// prefixed returns the words starting with p, at most max+1 of them
// (the caller knows there were more): the words of names first, in
// their order, then the commonest words of the text (ties in their
// order).
func (l *lexicon) prefixed(p string, max int) []uint32 {
	lo, hi := l.prefixRange(p)
	var titles []uint32
	others := 0
	for _, id := range l.sorted[lo:hi] {
		w := &l.words[id]
		if w.df == 0 || w.term == noTerm {
			continue
		}
		if w.title {
			if len(titles) <= max {
				titles = append(titles, id)
			}
		} else {
			others++
		}
	}
	want := max + 1 - len(titles)
	if want <= 0 || others == 0 {
		return titles
	}
	// The commonest others, ties in text order: a bounded selection,
	// since a short prefix starts thousands of words.
	top := make([]uint32, 0, min(want, others)+1)
	less := func(a, b uint32) bool { // a ranks before b
		if l.words[a].df != l.words[b].df {
			return l.words[a].df > l.words[b].df
		}
		return l.rank[a] < l.rank[b]
	}
	for _, id := range l.sorted[lo:hi] {
		w := &l.words[id]
		if w.df == 0 || w.term == noTerm || w.title {
			continue
		}
		if len(top) == want && !less(id, top[len(top)-1]) {
			continue
		}
		i := sort.Search(len(top), func(i int) bool { return less(id, top[i]) })
		top = slices.Insert(top, i, id)
		if len(top) > want {
			top = top[:want]
		}
	}
	return append(titles, top...)
}
