package search

import (
	"cmp"
	"math/bits"
	"slices"
	"sort"
	"sync"
)

// Candidates are gathered once, from the lexicon's postings: every guide
// satisfying every slot (the strict match), or, when fewer than
// minStrictHits guides do so without filters and the query has two words
// or more, every guide satisfying most of its informative words (the
// relaxed match, which holds the strict one); plus the guides one of
// whose names the query wholly contains. Filters then apply. The ranking
// stages read what was recorded here of each candidate: the slots it
// holds, its BM25 weights over its whole text and over its description.

// minStrictHits is the number of strict matches under which a query of
// two words or more is relaxed to most of its words.
const minStrictHits = 10

// candidate is one guide found, with what each slot found in it.
type candidate struct {
	ord uint32
	g   *guide
	// matched and exact are bitmasks of the slots the guide satisfies,
	// by any term and by the word's own term.
	matched, exact uint32
	// text is the guide's BM25 weight of the query, each slot weighed
	// by its best term.
	text float64
	// described is its BM25 weight over its tagline and missions.
	described float64
	// named is set when the query wholly contains one of its names,
	// inName when a name of it holds a word of the query.
	named, inName bool
	// nm holds the name stages' values once computed (rankContext.names).
	nm     nameValues
	nmDone bool
	// stages are the values of the ranking's stages, then score their
	// weighted sum; bound is the sum of the stages computed for every
	// candidate (the others are computed for the best only).
	stages [maxStages]float64
	score  float64
	bound  float64
}

// scratch holds the arrays of one request, by guide ordinal and by term,
// reused from request to request (each is back to zero after use).
type scratch struct {
	// by ordinal
	cand  []int32
	tf    []float32
	best  []float32
	dtf   []float32
	dbest []float64
	kind  []matchKind
	touch []uint32
	// by term: the slots a term satisfies and flags (termHeld,
	// termHighlight), with the terms set
	terms   []uint32
	touched []uint32
	// by facet value, and the values a request counted
	facets     []uint32
	seenFacets []uint32
	facetIDs   []uint32
	// the candidates
	cands []candidate
}

// Flags of scratch.terms above the slots' bits (at most maxSlots).
const (
	// termExact: the term is a slot's own term or a correction of it.
	termExact = 1 << 29
	// termHeld: the term satisfies a slot otherwise than as a word begun
	// (its own term, a correction, a synonym form's term).
	termHeld = 1 << 30
	// termHighlight: the term is marked in the page's highlights.
	termHighlight = 1 << 31
)

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// getScratch returns a scratch for a lexicon's sizes.
func getScratch(l *lexicon) *scratch {
	sc := scratchPool.Get().(*scratch)
	if n := len(l.guides); len(sc.cand) < n {
		n += n / 8
		sc.cand = make([]int32, n)
		for i := range sc.cand {
			sc.cand[i] = -1
		}
		sc.tf = make([]float32, n)
		sc.best = make([]float32, n)
		sc.dtf = make([]float32, n)
		sc.dbest = make([]float64, n)
		sc.kind = make([]matchKind, n)
	}
	if n := len(l.terms); len(sc.terms) < n {
		sc.terms = make([]uint32, n+n/8)
	}
	if n := len(l.facetNames); len(sc.facets) < n {
		sc.facets = make([]uint32, n+n/8)
	}
	return sc
}

// release clears what a request left in a scratch and pools it.
func (sc *scratch) release() {
	for _, c := range sc.cands {
		sc.cand[c.ord] = -1
	}
	for _, t := range sc.touched {
		sc.terms[t] = 0
	}
	clear(sc.cands)
	sc.cands = sc.cands[:0]
	sc.touched = sc.touched[:0]
	scratchPool.Put(sc)
}

// markTerm sets bits of a term in the request's term table.
func (sc *scratch) markTerm(t uint32, bits uint32) {
	if t == noTerm || int(t) >= len(sc.terms) {
		return
	}
	if sc.terms[t] == 0 {
		sc.touched = append(sc.touched, t)
	}
	sc.terms[t] |= bits
}

// gather fills r.cands and r.relaxed.
func (s *Searcher) gather(r *request) {
	l := s.lex
	sc := r.sc
	at := func(ord uint32) *candidate {
		if i := sc.cand[ord]; i >= 0 {
			return &sc.cands[i]
		}
		sc.cand[ord] = int32(len(sc.cands))
		sc.cands = append(sc.cands, candidate{ord: ord, g: l.guides[ord]})
		return &sc.cands[len(sc.cands)-1]
	}
	// The guides a synonym form stands for, with its occurrences (its
	// rarest term's), in the whole text and in the description.
	bySlot := make([][]posting, len(r.slots))
	dBySlot := make([][]posting, len(r.slots))
	for _, gr := range r.groups {
		for _, form := range gr.forms {
			hs, ds := holdingAll(l.post, l, form), holdingAll(l.dpost, l, form)
			for i := gr.from; i < gr.to; i++ {
				bySlot[i] = append(bySlot[i], hs...)
				dBySlot[i] = append(dBySlot[i], ds...)
			}
		}
	}
	for i, sl := range r.slots {
		if sl.optional {
			continue
		}
		bit := uint32(1) << i
		sc.touch = sc.touch[:0]
		mark := func(ord uint32, k matchKind) {
			if sc.kind[ord] == kindNone {
				sc.touch = append(sc.touch, ord)
			}
			sc.kind[ord] = max(sc.kind[ord], k)
		}
		// The word and its synonyms are one concept: their occurrences
		// add up before BM25 saturates them, so that a guide naming
		// the INAMI nine times outweighs one naming it once as INAMI
		// and once as RIZIV. A word typed wrong counts as its closest
		// correction held.
		for _, a := range sl.alts {
			if a.kind != kindExact && a.kind != kindTypo {
				continue
			}
			for _, p := range l.post[a.term] {
				mark(p.ord, a.kind)
				sc.tf[p.ord] = max(sc.tf[p.ord], float32(p.tf))
			}
			for _, p := range l.dpost[a.term] {
				sc.dtf[p.ord] = max(sc.dtf[p.ord], float32(p.tf))
			}
		}
		for _, h := range bySlot[i] {
			mark(h.ord, kindSynonym)
			sc.tf[h.ord] += synonymWeight * float32(h.tf)
		}
		for _, h := range dBySlot[i] {
			sc.dtf[h.ord] += synonymWeight * float32(h.tf)
		}
		// A word begun stands for the words it begins, the best of
		// them.
		for _, a := range sl.alts {
			if a.kind != kindPrefix {
				continue
			}
			idf := l.idf(a.term)
			for _, p := range l.post[a.term] {
				mark(p.ord, kindPrefix)
				sc.best[p.ord] = max(sc.best[p.ord], float32(a.weight*bm25(idf, float32(p.tf), l.norm[p.ord])))
			}
			for _, p := range l.dpost[a.term] {
				sc.dbest[p.ord] = max(sc.dbest[p.ord], a.weight*bm25(idf, float32(p.tf), l.dnorm[p.ord]))
			}
		}
		if sl.partial {
			// The guides one of whose names has a word it begins, whether
			// or not that word is among the words it stands for in the
			// text (« moniteur d'e » for *moniteur d'escalade*).
			lo, hi := l.prefixRange(sl.raw)
			for _, id := range l.sorted[lo:hi] {
				if !l.words[id].title {
					continue
				}
				for _, ref := range l.wordNames[id] {
					if l.guides[ref.ord] != nil {
						mark(ref.ord, kindPrefix)
					}
				}
			}
		}
		for _, ord := range sc.touch {
			c := at(ord)
			c.matched |= bit
			if sc.kind[ord] == kindExact || sc.kind[ord] == kindTypo {
				c.exact |= bit
			}
			best := float64(sc.best[ord])
			if sc.tf[ord] > 0 {
				best = max(best, float64(float32(bm25(sl.idf, sc.tf[ord], l.norm[ord]))))
			}
			c.text += best
			dbest := sc.dbest[ord]
			if sc.dtf[ord] > 0 {
				dbest = max(dbest, bm25(sl.idf, sc.dtf[ord], l.dnorm[ord]))
			}
			c.described += dbest
			sc.best[ord], sc.tf[ord], sc.dbest[ord], sc.dtf[ord], sc.kind[ord] = 0, 0, 0, 0, kindNone
		}
	}
	full := r.required
	strict := 0
	for i := range sc.cands {
		if sc.cands[i].matched == full {
			strict++
		}
	}
	keep := func(c *candidate) bool { return c.matched == full }
	if bits.OnesCount32(full) >= 2 && strict < minStrictHits {
		// Most of the informative words; the word being typed counts
		// whole there (as a prefix, a few letters would let most
		// guides in on their own).
		var rare, typed uint32
		for i, sl := range r.slots {
			if !sl.common && !sl.optional {
				rare |= 1 << i
			}
			if sl.partial && !sl.optional {
				typed |= 1 << i
			}
		}
		need := (bits.OnesCount32(rare) + 1) / 2
		if rare != 0 {
			r.relaxed = true
			keep = func(c *candidate) bool {
				if c.matched == full {
					return true
				}
				m := c.matched & rare &^ (typed &^ c.exact)
				return bits.OnesCount32(m) >= need
			}
		}
	}
	// Guides named by the query: one of their names is wholly in it.
	s.named(r, func(ord uint32) { at(ord).named = true })
	out := sc.cands[:0]
	for i := range sc.cands {
		c := &sc.cands[i]
		if (keep(c) || c.named) && (r.Filters.empty() || r.Filters.keep(c.g)) {
			out = append(out, *c)
		} else {
			sc.cand[c.ord] = -1
		}
	}
	// The candidates kept, moved to the front: their places change.
	for i := range out {
		sc.cand[out[i].ord] = int32(i)
	}
	clear(sc.cands[len(out):])
	sc.cands = out
	r.cands = out
}

// holdingAll returns the guides whose list (post or dpost) holds every
// term, each with the occurrences of the rarest term it holds (an
// estimate of the form's).
func holdingAll(lists [][]posting, l *lexicon, terms []uint32) []posting {
	if len(terms) == 0 {
		return nil
	}
	for _, t := range terms {
		if t == noTerm || int(t) >= len(lists) || len(lists[t]) == 0 {
			return nil
		}
	}
	// Rarest first: the others are looked up in it.
	ts := slices.Clone(terms)
	sort.Slice(ts, func(i, j int) bool { return len(lists[ts[i]]) < len(lists[ts[j]]) })
	out := slices.Clone(lists[ts[0]])
	for _, t := range ts[1:] {
		post := lists[t]
		kept := out[:0]
		for _, w := range out {
			i, ok := slices.BinarySearchFunc(post, w.ord, func(p posting, o uint32) int { return cmp.Compare(p.ord, o) })
			if ok {
				w.tf = min(w.tf, post[i].tf)
				kept = append(kept, w)
			}
		}
		out = kept
	}
	return out
}

// named calls f with the guides one of whose names the query's words
// wholly contain (their own terms or corrections), once or more each.
func (s *Searcher) named(r *request, f func(ord uint32)) {
	l, sc := s.lex, r.sc
	for _, sl := range r.slots {
		for _, a := range sl.alts {
			if a.kind != kindExact && a.kind != kindTypo {
				continue
			}
			for _, ref := range l.termNames[a.term] {
				if l.guides[ref.ord] == nil {
					continue
				}
				n := &l.guides[ref.ord].names[ref.name]
				all := true
				for _, t := range n.terms {
					if sc.terms[t]&termExact == 0 {
						all = false
						break
					}
				}
				if all {
					f(ref.ord)
				}
			}
		}
	}
}

// keep reports whether a guide passes the filters.
func (f Filters) keep(g *guide) bool {
	m := g.m
	if f.SalaryMin > 0 && m.Salary.Max < f.SalaryMin {
		return false
	}
	if f.SalaryMax > 0 && m.Salary.Min > f.SalaryMax {
		return false
	}
	if f.StudyMax > 0 && m.StudyYears > f.StudyMax {
		return false
	}
	if len(f.Areas) > 0 && !slices.ContainsFunc(f.Areas, func(a string) bool { return slices.Contains(g.areas, a) }) {
		return false
	}
	for _, c := range f.Criteria {
		if !slices.Contains(g.criteria, c) {
			return false
		}
	}
	return true
}
