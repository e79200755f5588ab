package search

import (
	"slices"
	"strings"

	"github.com/metiers/metiers/index"
)

// A query is cut into slots, one per informative word (stop words left
// out), each with the terms that satisfy it: the word's own term, the
// words of the guides it begins while it is being typed, its corrections
// when no guide holds it. Domain synonyms make groups over slots: a guide
// holding every term of another form of the group satisfies its slots.

// matchKind says how a slot was satisfied.
type matchKind uint8

const (
	kindNone matchKind = iota
	kindSynonym
	kindTypo
	kindPrefix
	kindExact
)

// Bounds of one query's work, whatever its text.
const (
	// maxSlots bounds the words of a query that are searched (a job
	// title has up to a dozen; the rest of a 200-letter query is left out).
	maxSlots = 16
	// maxPrefixWords bounds the words of the guides a typed prefix may
	// stand for (names' words first, then the commonest of the text).
	maxPrefixWords = 50
	// prefixWeight weighs a word begun against a word typed whole.
	prefixWeight = 0.6
	// synonymWeight weighs a synonym's terms against the reader's words.
	synonymWeight = 0.5
	// maxGroups bounds the synonym groups a query may meet.
	maxGroups = 8
	// typoOverStem is how many times more guides a correction must be
	// in than the stem of a word no guide writes, to be searched too.
	typoOverStem = 4
)

// alt is one term that satisfies a slot, with its weight.
type alt struct {
	term   uint32
	weight float64
	kind   matchKind
}

// slot is one informative word of the query.
type slot struct {
	// raw is the word as typed, folded.
	raw string
	// partial is set for the word being typed.
	partial bool
	// exact is the word's own term (noTerm when no guide holds it).
	exact uint32
	alts  []alt
	// idf is the rarity of the word (its best term).
	idf float64
	// common is set when every term of the word is in 40 % of the
	// guides or more: such a word does not count towards most of the
	// words.
	common bool
	// optional is set for a stop word being typed: it finds no guide,
	// only the names that hold it (the typing stage).
	optional bool
}

// group is a span of slots [from, to) that another form of a synonym
// group may stand for.
type group struct {
	from, to int
	forms    [][]uint32
}

// synonymForm is one form of a synonym group as terms.
type synonymForm []string

// parse cuts the query into slots. ok is false when the query has no
// informative word.
func (s *Searcher) parse(r *request) bool {
	l := s.lex
	words := l.plain.Terms(unElide(r.Query))
	for i, w := range words {
		last := i == len(words)-1
		term, stop, written := noTerm, false, false
		if id, ok := l.wordID.get(w); ok {
			written = true
			term = l.words[id].term
			stop = term == noTerm
		} else if t := l.analyzeWord(w); t != "" {
			term = l.term(t, false) // noTerm: no guide holds it
			written = l.writtenOtherwise(w)
		} else {
			stop = true
		}
		if stop {
			if len(r.seq) < maxSeq && (!last || !r.prefix || len(r.slots) > 0) {
				id, ok := l.wordID.get(w)
				if !ok {
					id = noTerm
				}
				if last && r.prefix && len(r.slots) < maxSlots {
					r.seq = append(r.seq, queryWord{slot: len(r.slots), word: id})
				} else {
					r.seq = append(r.seq, queryWord{slot: -1, word: id})
				}
			}
			if last && r.prefix && len(r.slots) > 0 && len(r.slots) < maxSlots {
				// « agent d »: the start of « de » or of « d'intérieur »,
				// a word no guide is found by, but that the names being
				// typed hold.
				r.slots = append(r.slots, slot{raw: w, partial: true, exact: noTerm, optional: true})
			} else if id, ok := l.wordID.get(w); ok && len(r.stops) < maxSlots {
				r.stops = append(r.stops, id)
			}
			continue
		}
		if len(r.slots) == maxSlots {
			break
		}
		sl := s.newSlot(w, term, written, r.prefix && last)
		if len(sl.alts) == 0 && len(r.slots)+2 <= maxSlots {
			// Two words run together (« maréchalferrant »): searched as
			// the two.
			if a, b, ok := l.split(w); ok {
				for i, part := range [2]uint32{a, b} {
					if len(r.seq) < maxSeq {
						r.seq = append(r.seq, queryWord{slot: len(r.slots)})
					}
					pw := l.words[part].text
					r.slots = append(r.slots, s.newSlot(pw, l.words[part].term, true, r.prefix && last && i == 1))
				}
				continue
			}
		}
		if len(r.seq) < maxSeq {
			r.seq = append(r.seq, queryWord{slot: len(r.slots)})
		}
		r.slots = append(r.slots, sl)
	}
	if len(r.slots) == 0 && r.prefix && len(words) == 1 {
		// The first word typed so far is a stop word (« te », « de »):
		// it is as much the start of « technicien » or « dentiste ».
		r.slots = append(r.slots, s.newSlot(words[0], noTerm, false, true))
		r.seq = []queryWord{{slot: 0}}
	}
	if len(r.slots) == 0 {
		return false
	}
	for i, sl := range r.slots {
		if !sl.optional {
			r.required |= 1 << i
		}
	}
	r.groups = s.synonymGroups(r.slots)
	return true
}

// writtenOtherwise reports whether the guides write a word no guide
// writes as typed in its masculine or singular form (« primeurs »,
// « automaticienne »): an inflection, not a typo.
func (l *lexicon) writtenOtherwise(w string) bool {
	for _, f := range []string{index.MasculineForm(w), strings.TrimRight(w, "sx")} {
		if _, ok := l.wordID.get(f); ok {
			return true
		}
		if _, ok := l.wordID.get(index.MasculineForm(f)); ok {
			return true
		}
	}
	return false
}

// newSlot gathers the terms that satisfy one word: term is its analysed
// term, written is set when some guide holds the word as written.
func (s *Searcher) newSlot(w string, term uint32, written, partial bool) slot {
	l := s.lex
	sl := slot{raw: w, partial: partial, exact: term}
	addAlt := func(t uint32, weight float64, kind matchKind) {
		if t == noTerm || l.df(t) == 0 || slices.ContainsFunc(sl.alts, func(a alt) bool { return a.term == t }) {
			return
		}
		sl.alts = append(sl.alts, alt{t, weight, kind})
	}
	addAlt(term, 1, kindExact)
	known := l.df(term) > 0
	begins := false
	if partial {
		for _, id := range l.prefixed(w, maxPrefixWords) {
			begins = true
			addAlt(l.words[id].term, prefixWeight, kindPrefix)
		}
	}
	if !begins && (!known || !written) {
		// No guide holds the word as written, nor a word it begins: a
		// typo, even when its stem is some guide's (the stemmer cuts a
		// misspelt word where it would not cut the right one:
		// « dessiateur » → « desi », « dessinateur » → « desin »). A
		// feminine no guide writes is corrected from its masculine
		// (« bottère » → « botter » → « bottier »).
		ids := l.corrections(w)
		if m := index.MasculineForm(w); len(ids) == 0 && m != w {
			ids = l.corrections(m)
		}
		for _, id := range ids {
			// A stem some guides hold stands unless the correction is
			// far commoner (« techncien », in one guide, → « technicien »).
			if t := l.words[id].term; !known || l.df(t) >= typoOverStem*l.df(term) {
				addAlt(t, 1, kindTypo)
			}
		}
		if len(ids) == 0 && !known {
			if t := l.analyzeWord(w); t != "" {
				for _, c := range l.stemCorrections(t) {
					addAlt(c, 1, kindTypo)
				}
			}
		}
	}
	common := len(sl.alts) > 0 && l.live >= 8
	for _, a := range sl.alts {
		if a.kind != kindPrefix {
			sl.idf = max(sl.idf, l.idf(a.term))
		}
		if l.df(a.term)*5 < l.live*2 {
			common = false
		}
	}
	if sl.idf == 0 {
		for _, a := range sl.alts {
			sl.idf = max(sl.idf, l.idf(a.term))
		}
	}
	sl.common = common
	return sl
}

// markTerms records in the request's term table the slots each term
// satisfies, and which terms are held otherwise than as a word begun.
func (r *request) markTerms() {
	for i, sl := range r.slots {
		for _, a := range sl.alts {
			bits := uint32(1) << i
			if a.kind == kindExact || a.kind == kindTypo {
				bits |= termExact | termHeld
			}
			r.sc.markTerm(a.term, bits)
		}
	}
	for _, gr := range r.groups {
		for _, f := range gr.forms {
			for _, t := range f {
				r.sc.markTerm(t, termHeld)
			}
		}
	}
}

// synonymGroups finds the spans of the slots that a synonym form spells,
// term for term, with the group's other forms.
func (s *Searcher) synonymGroups(slots []slot) []group {
	var out []group
	for _, g := range s.synonyms {
		for fi, f := range g {
			at := findTerms(slots, f)
			if at < 0 {
				continue
			}
			gr := group{from: at, to: at + len(f)}
			for oi, o := range g {
				if oi != fi {
					gr.forms = append(gr.forms, o)
				}
			}
			out = append(out, gr)
			break // one form of a group is enough
		}
		if len(out) == maxGroups {
			break
		}
	}
	return out
}

// findTerms returns where the terms of form start among the slots'
// own terms, or -1.
func findTerms(slots []slot, form []uint32) int {
	for i := 0; i+len(form) <= len(slots); i++ {
		ok := true
		for j, t := range form {
			if slots[i+j].exact != t {
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

// newSynonyms analyses the synonym groups into forms of term ids; terms
// no guide holds are added to the lexicon's term table so that the forms
// stay comparable.
func newSynonyms(l *lexicon, groups []index.SynonymGroup) [][][]uint32 {
	var out [][][]uint32
	for _, g := range groups {
		var forms [][]uint32
		for _, f := range g {
			var terms []uint32
			for _, t := range l.analyzer.Terms(f) {
				terms = append(terms, l.term(t, true))
			}
			if len(terms) > 0 && !slices.ContainsFunc(forms, func(o []uint32) bool { return slices.Equal(o, terms) }) {
				forms = append(forms, terms)
			}
		}
		if len(forms) > 1 {
			out = append(out, forms)
		}
	}
	return out
}
