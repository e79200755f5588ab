package search

import (
	"math/bits"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/metiers/metiers/index"
)

// A page's highlights are made from the searcher's own tables, without a
// bleve search: each guide's lexicon entry holds the terms of its whole
// text with their places (the tokens bleve's analysis gives, the same
// French terms), so the places of the query's terms in a hit's fields
// are read off it, and each field's best fragment is cut as bleve's
// « html » highlighter cuts it (its simple fragmenter of 200 characters
// around each match, the fragment holding most of the query's distinct
// terms first, matches wrapped in <mark>, the rest escaped, « … » where
// the fragment cuts the text). A test checks the places against bleve's
// term locations and the fragments against its highlighter's.

// maxHighlightTerms bounds the terms a page's highlights mark.
const maxHighlightTerms = 64

// maxHighlightPrefixes bounds the words a word being typed stands for in
// the highlights.
const maxHighlightPrefixes = 8

// fragmentSize is bleve's simple fragmenter's size, in characters.
const fragmentSize = 200

// fragmentSeparator is what bleve's highlighter puts where a fragment
// cuts its text.
const fragmentSeparator = "…"

// highlightFields are the fields whose matches a hit quotes.
var highlightFields = []string{index.FieldTitles, index.FieldTagline, index.FieldMissions, index.FieldText}

// markHighlightTerms flags the terms the query found, for the page's
// highlights: every slot's terms (a word begun: the first few of the
// words it begins) and its synonym forms', each with an index (its bit
// in a fragment's set of terms).
func (r *request) markHighlightTerms(l *lexicon) {
	n := 0
	add := func(t uint32) {
		if n == maxHighlightTerms || t == noTerm || l.df(t) == 0 || r.sc.terms[t]&termHighlight != 0 {
			return
		}
		r.sc.markTerm(t, termHighlight|uint32(n)<<termIndexShift)
		n++
	}
	for _, sl := range r.slots {
		prefixes := 0
		for _, a := range sl.alts {
			// A word begun stands for many: its names' words and the
			// commonest of the text are enough to quote.
			if a.kind == kindPrefix {
				if prefixes == maxHighlightPrefixes {
					continue
				}
				prefixes++
			}
			add(a.term)
		}
	}
	for _, g := range r.groups {
		for _, f := range g.forms {
			for _, t := range f {
				add(t)
			}
		}
	}
}

// termIndexShift places a highlighted term's index (6 bits) in the
// request's term table.
const termIndexShift = 16

// location is one match in a field's value: its bytes and the index of
// its term.
type location struct {
	start, end int
	term       uint8
}

// highlight fills the page's hits' highlights.
func (s *Searcher) highlight(r *request, hits []Hit, page []candidate) {
	hs := highlightPool.Get().(*highlightScratch)
	defer highlightPool.Put(hs)
	for i := range hits {
		hits[i].Highlights = map[string][]string{}
		hs.guide(r, &hits[i], page[i].g)
	}
}

// highlightScratch holds one guide's matches while its highlights are
// cut, reused.
type highlightScratch struct {
	locs []location
}

var highlightPool = sync.Pool{New: func() any { return &highlightScratch{} }}

func (hs *highlightScratch) guide(r *request, hit *Hit, g *guide) {
	terms := r.sc.terms
	hs.locs = hs.locs[:0]
	for _, t := range g.tokens {
		if v := terms[t.term]; v&termHighlight != 0 {
			hs.locs = append(hs.locs, location{start: t.start(), end: t.start() + t.size(), term: uint8(v >> termIndexShift & 63)})
		}
	}
	if len(hs.locs) == 0 {
		return
	}
	m := g.m
	// The whole text, and where each part starts in it.
	text, locs := g.text, hs.locs
	for i := range locs {
		if locs[i].end-locs[i].start == 0xff {
			locs[i].end = wordEnd(text, locs[i].end)
		}
	}
	partEnd := func(pi int) int {
		if pi+1 < len(g.starts) {
			return int(g.starts[pi+1]) - 1
		}
		return len(text)
	}
	// A field's best fragment over its values (parts of the text), the
	// first of the best.
	best := func(field string, values ...int) {
		var top fragment
		for _, pi := range values {
			if pi >= len(g.starts) {
				continue
			}
			lo, hi := int(g.starts[pi]), partEnd(pi)
			first := sort.Search(len(locs), func(i int) bool { return locs[i].start >= lo })
			last := first
			for last < len(locs) && locs[last].end <= hi {
				last++
			}
			if last == first {
				continue
			}
			if f := bestFragment(text, lo, hi, locs[first:last]); f.score > top.score {
				top = f
			}
		}
		if top.score > 0 {
			hit.Highlights[field] = []string{top.format(text)}
		}
	}
	firstMission := 3 + len(m.AltTitles) + len(m.Acronyms)
	titles := []int{0, 1}
	for i := 3; i < firstMission; i++ {
		titles = append(titles, i)
	}
	best(index.FieldTitles, titles...)
	best(index.FieldTagline, 2)
	missions := make([]int, len(m.Missions))
	for i := range missions {
		missions[i] = firstMission + i
	}
	best(index.FieldMissions, missions...)
	if f := bestFragment(text, 0, len(text), locs); f.score > 0 {
		hit.Highlights[index.FieldText] = []string{f.format(text)}
	}
}

// wordEnd returns where the word running at i ends: a token longer than
// its recorded length (255 bytes) is found again in the text.
func wordEnd(text string, i int) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i += n
	}
	return i
}

// fragment is a span of a value with its matches.
type fragment struct {
	// lo and hi bound the value in the text; start and end the span.
	lo, hi, start, end int
	// locs are the value's matches, in order; score the number of
	// distinct terms among those within the span.
	locs  []location
	score int
}

// bestFragment cuts the fragments bleve's simple fragmenter cuts around
// each match of the value text[lo:hi] (locs in order, not overlapping,
// placed in text) and returns the first of those holding most distinct
// terms.
func bestFragment(text string, lo, hi int, locs []location) fragment {
	orig := text[:hi]
	best := fragment{lo: lo, hi: hi, locs: locs}
	var all uint64
	for _, l := range locs {
		all |= 1 << l.term
	}
	most := bits.OnesCount64(all)
	maxbegin := lo
	for i, l := range locs {
		if best.score == most {
			break
		}
		maxbegin0 := maxbegin
		maxbegin = l.end
		// The fragment starts after the previous match and ends within
		// fragmentSize characters (4 bytes at most each) of this one:
		// one that cannot hold more terms than the best is not cut.
		var near uint64
		for _, in := range locs[i:] {
			if in.start >= l.start+4*fragmentSize {
				break
			}
			near |= 1 << in.term
		}
		if bits.OnesCount64(near) <= best.score {
			continue
		}
		start := l.start
		end, used := forward(orig, start, fragmentSize)
		// Centring below only moves the end back: the matches ending
		// before this end bound the terms the fragment can hold.
		var within uint64
		for _, in := range locs[i:] {
			if in.start > end {
				break
			}
			if in.end <= end {
				within |= 1 << in.term
			}
		}
		if bits.OnesCount64(within) <= best.score {
			continue
		}
		// Back towards the beginning with what is left, without
		// crossing the previous match's end.
		for start > lo && used < fragmentSize {
			_, size := utf8.DecodeLastRuneInString(orig[:start])
			if start-size < maxbegin0 {
				break
			}
			start -= size
			used++
		}
		// Centre the matches the fragment holds as far as it can
		// without losing any of them.
		minend := end
		for _, in := range locs[i:] {
			if in.end > end {
				break
			}
			minend = in.end
		}
		room := 0
		if start >= maxbegin0 {
			room = utf8.RuneCountInString(orig[minend:end])
			room = runesBefore(orig[maxbegin0:start], room)
		}
		for offset := room / 2; offset > 0; offset-- {
			_, size := utf8.DecodeLastRuneInString(orig[:start])
			start -= size
			_, size = utf8.DecodeLastRuneInString(orig[:end])
			end -= size
		}
		// The matches within: from this one on (the span starts after
		// the previous match's end).
		var seen uint64
		for _, in := range locs[i:] {
			if in.start > end {
				break
			}
			if in.end <= end {
				seen |= 1 << in.term
			}
		}
		if n := bits.OnesCount64(seen); n > best.score {
			best.start, best.end, best.score = start, end, n
		}
	}
	return best
}

// runesBefore returns the number of characters of s, or n if there are
// more: counted from the end, since only the first n before a fragment
// matter.
func runesBefore(s string, n int) int {
	count := 0
	for i := len(s); i > 0 && count < n; count++ {
		if s[i-1] < utf8.RuneSelf {
			i--
		} else {
			_, size := utf8.DecodeLastRuneInString(s[:i])
			i -= size
		}
	}
	return count
}

// forward returns where n characters from start end, and how many were
// there.
func forward(s string, start, n int) (end, used int) {
	end = start
	for end < len(s) && used < n {
		if s[end] < utf8.RuneSelf {
			end++
		} else {
			_, size := utf8.DecodeRuneInString(s[end:])
			end += size
		}
		used++
	}
	return end, used
}

// format writes the fragment as bleve's html formatter does: its
// matches in <mark>, everything escaped, « … » where it cuts its value.
func (f fragment) format(text string) string {
	var b strings.Builder
	b.Grow(f.end - f.start + 64)
	if f.start != f.lo {
		b.WriteString(fragmentSeparator)
	}
	curr := f.start
	for _, l := range f.locs {
		if l.start < curr {
			continue
		}
		if l.end > f.end {
			break
		}
		escape(&b, text[curr:l.start])
		b.WriteString("<mark>")
		escape(&b, text[l.start:l.end])
		b.WriteString("</mark>")
		curr = l.end
	}
	escape(&b, text[curr:f.end])
	if f.end != f.hi {
		b.WriteString(fragmentSeparator)
	}
	return b.String()
}

// escape writes s escaped as html.EscapeString escapes it.
func escape(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var e string
		switch c {
		case '<':
			e = "&lt;"
		case '>':
			e = "&gt;"
		case '&':
			e = "&amp;"
		case '\'':
			e = "&#39;"
		case '"':
			e = "&#34;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(e)
		last = i + 1
	}
	b.WriteString(s[last:])
}
