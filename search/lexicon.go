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
// of one generation at warm time: the vocabulary (words as written,
// folded, each with its analysed term), each term's postings over the
// guides' whole text, each guide's names, word pairs, filter values and
// facet values, and the deletion index that corrects typos. Nothing in
// it depends on bleve's internal document numbers, so one guide can be
// added or removed (Searcher.Apply) by touching only that guide's
// entries: its postings are appended or filtered out, its words join
// the vocabulary and the deletion index.

// noTerm is the term of a word the analysis drops (a stop word).
const noTerm = ^uint32(0)

// posting is one guide holding a term tf times in its whole text.
type posting struct {
	ord uint32
	tf  uint16
}

// word is a word as written (lowercased, elisions cut, accents folded)
// with its analysed term and the guides whose text holds it.
type wordEntry struct {
	text  string
	term  uint32 // noTerm for a stop word
	df    int
	title bool // some guide has it in a name
}

// name is one name of a guide (title, feminine title, other name,
// acronym): its words as written (folded, elided articles kept as words
// of their own) and their terms, stop words left out of the terms.
type name struct {
	words []string
	terms []uint32
	// other is set for another name than the title and its feminine.
	other bool
}

// unElide parts elided articles from their word (« d'intérieur » → « d
// intérieur »), so that a word being typed meets them.
func unElide(s string) string { return strings.NewReplacer("'", " ", "’", " ").Replace(s) }

// guide is what a search reads of one guide.
type guide struct {
	m      *corpus.Metier
	names  []name
	length int      // terms in the whole text
	pairs  []uint32 // hashes of consecutive terms, sorted
	// described are the terms of the tagline and missions with their
	// counts, by term; describedLen their number.
	described    []posting
	describedLen int
	facets       []string
	areas        []string
	criteria     []string
}

type lexicon struct {
	analyzer *index.Analyzer
	plain    *index.Analyzer
	tags     index.Tagger

	termID map[string]uint32
	terms  []string
	post   [][]posting

	wordID map[string]uint32
	words  []wordEntry
	// sorted lists the word ids in the order of their text, for
	// prefixes.
	sorted []uint32

	guides  []*guide // by ordinal; nil once removed
	byID    map[string]uint32
	live    int
	lengths int // sum of the live guides' lengths

	// names maps the sorted distinct terms of a name to the guides
	// that have it, for the query's contained names.
	names map[string][]uint32

	deletions *deletions
	// sealed is set once the tables built from the generation's guides
	// are sorted: words added later are inserted in order.
	sealed bool
}

// seal sorts the tables built so far, for lookups.
func (l *lexicon) seal() {
	slices.SortFunc(l.sorted, func(a, b uint32) int { return cmp.Compare(l.words[a].text, l.words[b].text) })
	l.deletions.seal()
	l.sealed = true
}

func newLexicon(analyzer, plain *index.Analyzer, tags index.Tagger) *lexicon {
	return &lexicon{
		analyzer: analyzer, plain: plain, tags: tags,
		termID: map[string]uint32{}, wordID: map[string]uint32{},
		byID: map[string]uint32{}, names: map[string][]uint32{},
		deletions: newDeletions(),
	}
}

// term returns the id of a term, adding it when add is set; noTerm when
// it is unknown.
func (l *lexicon) term(t string, add bool) uint32 {
	if id, ok := l.termID[t]; ok {
		return id
	}
	if !add {
		return noTerm
	}
	id := uint32(len(l.terms))
	l.termID[t] = id
	l.terms = append(l.terms, t)
	l.post = append(l.post, nil)
	return id
}

// analyzeWord returns the term of one folded word (noTerm for a stop
// word), as the French analyzer gives it in any text.
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
	if id, ok := l.wordID[w]; ok {
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
	l.wordID[w] = id
	l.words = append(l.words, wordEntry{text: w, term: term})
	if l.sealed {
		i := sort.Search(len(l.sorted), func(i int) bool { return l.words[l.sorted[i]].text >= w })
		l.sorted = slices.Insert(l.sorted, i, id)
	} else {
		l.sorted = append(l.sorted, id)
	}
	l.deletions.add(w, id)
	return id, true
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
	if old, ok := l.byID[m.ID]; ok {
		l.remove(old)
	}
	ord := uint32(len(l.guides))
	g := &guide{m: m, areas: index.Areas(m.EmploymentAreas), criteria: index.Criteria(m, l.tags)}
	g.facets = index.Facets(m, l.tags)
	tf := map[uint32]int{}
	seenWords := map[uint32]bool{}
	for _, part := range index.TextParts(m) {
		prev := noTerm
		for _, w := range l.plain.Terms(part) {
			wid, _ := l.word(w, true)
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
			if prev != noTerm {
				g.pairs = append(g.pairs, pairHash(prev, t))
			}
			prev = t
		}
	}
	slices.Sort(g.pairs)
	g.pairs = slices.Compact(g.pairs)
	dtf := map[uint32]int{}
	for _, part := range append([]string{m.Tagline}, m.Missions...) {
		for _, w := range l.plain.Terms(part) {
			if wid, ok := l.word(w, false); ok && l.words[wid].term != noTerm {
				dtf[l.words[wid].term]++
				g.describedLen++
			}
		}
	}
	for t, n := range dtf {
		g.described = append(g.described, posting{ord: t, tf: uint16(min(n, math.MaxUint16))})
	}
	slices.SortFunc(g.described, func(a, b posting) int { return cmp.Compare(a.ord, b.ord) })
	for t, n := range tf {
		l.post[t] = append(l.post[t], posting{ord: ord, tf: uint16(min(n, math.MaxUint16))})
	}
	for fi, form := range nameForms(m) {
		n := name{other: fi >= 2 || (fi == 1 && (m.TitleFeminine == "" || m.TitleFeminine == m.Title))}
		for _, w := range l.plain.Terms(form) {
			wid, _ := l.word(w, true)
			l.words[wid].title = true
			n.words = append(n.words, w)
			if t := l.words[wid].term; t != noTerm {
				n.terms = append(n.terms, t)
			}
		}
		if len(n.terms) == 0 {
			continue
		}
		// The words as typed, elisions apart: « d » begins « d'intérieur ».
		n.words = l.plain.Terms(unElide(form))
		g.names = append(g.names, n)
		key := nameKey(n.terms)
		if !slices.Contains(l.names[key], ord) {
			l.names[key] = append(l.names[key], ord)
		}
	}
	l.guides = append(l.guides, g)
	l.byID[m.ID] = ord
	l.live++
	l.lengths += g.length
}

// remove takes a guide out of every table.
func (l *lexicon) remove(ord uint32) {
	g := l.guides[ord]
	if g == nil {
		return
	}
	seen := map[uint32]bool{}
	for _, part := range index.TextParts(g.m) {
		for _, w := range l.plain.Terms(part) {
			wid, ok := l.word(w, false)
			if !ok || seen[wid] {
				continue
			}
			seen[wid] = true
			l.words[wid].df--
			if t := l.words[wid].term; t != noTerm {
				// Postings are in ordinal order: find it, then close the gap.
				if i, ok := slices.BinarySearchFunc(l.post[t], ord, func(p posting, o uint32) int { return cmp.Compare(p.ord, o) }); ok {
					l.post[t] = slices.Delete(l.post[t], i, i+1)
				}
			}
		}
	}
	for _, n := range g.names {
		key := nameKey(n.terms)
		l.names[key] = slices.DeleteFunc(l.names[key], func(o uint32) bool { return o == ord })
		if len(l.names[key]) == 0 {
			delete(l.names, key)
		}
	}
	l.guides[ord] = nil
	delete(l.byID, g.m.ID)
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

// nameKey is the key of a set of terms in lexicon.names.
func nameKey(terms []uint32) string {
	s := slices.Clone(terms)
	slices.Sort(s)
	s = slices.Compact(s)
	b := make([]byte, 0, 4*len(s))
	for _, t := range s {
		b = append(b, byte(t), byte(t>>8), byte(t>>16), byte(t>>24))
	}
	return string(b)
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

// bm25 is the BM25 weight of a term held tf times by a guide of the
// given length.
func (l *lexicon) bm25(idf float64, tf float32, length int) float64 {
	avg := 1.0
	if l.live > 0 {
		avg = max(1, float64(l.lengths)/float64(l.live))
	}
	f := float64(tf)
	return idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*float64(length)/avg))
}

// prefixed returns the words starting with p, at most max+1 of them
// (the caller knows there were more), the words of names first.
func (l *lexicon) prefixed(p string, max int) []uint32 {
	i := sort.Search(len(l.sorted), func(i int) bool { return l.words[l.sorted[i]].text >= p })
	var titles, others []uint32
	for ; i < len(l.sorted); i++ {
		w := &l.words[l.sorted[i]]
		if !strings.HasPrefix(w.text, p) {
			break
		}
		if w.df == 0 || w.term == noTerm {
			continue
		}
		if w.title {
			titles = append(titles, l.sorted[i])
		} else {
			others = append(others, l.sorted[i])
		}
	}
	// The commonest words of the text first, when there are too many.
	if len(titles)+len(others) > max {
		sort.SliceStable(others, func(a, b int) bool { return l.words[others[a]].df > l.words[others[b]].df })
	}
	out := append(titles, others...)
	if len(out) > max+1 {
		out = out[:max+1]
	}
	return out
}
