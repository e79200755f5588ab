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
// stages read what was recorded here of each candidate.

// minStrictHits is the number of strict matches under which a query of
// two words or more is relaxed to most of its words.
const minStrictHits = 10

// maxContainTerms bounds the query terms whose subsets are looked up as
// names (2^10 lookups at most).
const maxContainTerms = 10

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
	// named is set when the query wholly contains one of its names.
	named bool
	// names are the slots each of its names holds (rankContext.nameMasks).
	names []uint32
	// stages are the values of the ranking's stages, then score their
	// weighted sum.
	stages []float64
	score  float64
}

// scratch holds the per-guide arrays of one request, reused.
type scratch struct {
	best  []float32
	tf    []float32
	kind  []matchKind
	cand  []int32
	touch []uint32
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

func getScratch(n int) *scratch {
	sc := scratchPool.Get().(*scratch)
	if len(sc.best) < n {
		sc.best = make([]float32, n)
		sc.tf = make([]float32, n)
		sc.kind = make([]matchKind, n)
		sc.cand = make([]int32, n)
		for i := range sc.cand {
			sc.cand[i] = -1
		}
	}
	return sc
}

// gather fills r.cands and r.relaxed.
func (s *Searcher) gather(r *request) {
	l := s.lex
	n := len(l.guides)
	sc := getScratch(n)
	defer scratchPool.Put(sc)
	var all []*candidate
	at := func(ord uint32) *candidate {
		if i := sc.cand[ord]; i >= 0 {
			return all[i]
		}
		c := &candidate{ord: ord, g: l.guides[ord]}
		sc.cand[ord] = int32(len(all))
		all = append(all, c)
		return c
	}
	// The guides a synonym form stands for, with its occurrences (its
	// rarest term's).
	bySlot := make([][]posting, len(r.slots))
	for _, gr := range r.groups {
		for _, form := range gr.forms {
			for _, h := range s.holdingAll(form) {
				for i := gr.from; i < gr.to; i++ {
					bySlot[i] = append(bySlot[i], h)
				}
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
		}
		for _, h := range bySlot[i] {
			mark(h.ord, kindSynonym)
			sc.tf[h.ord] += synonymWeight * float32(h.tf)
		}
		for _, ord := range sc.touch {
			if sc.tf[ord] > 0 {
				sc.best[ord] = float32(l.bm25(sl.idf, sc.tf[ord], l.guides[ord].length))
			}
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
				sc.best[p.ord] = max(sc.best[p.ord], float32(a.weight*l.bm25(idf, float32(p.tf), l.guides[p.ord].length)))
			}
		}
		for _, ord := range sc.touch {
			c := at(ord)
			c.matched |= bit
			if sc.kind[ord] == kindExact || sc.kind[ord] == kindTypo {
				c.exact |= bit
			}
			c.text += float64(sc.best[ord])
			sc.best[ord], sc.tf[ord], sc.kind[ord] = 0, 0, kindNone
		}
	}
	full := r.required
	strict := 0
	for _, c := range all {
		if c.matched == full {
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
	for _, ord := range s.named(r) {
		if l.guides[ord] != nil {
			at(ord).named = true
		}
	}
	for _, c := range all {
		sc.cand[c.ord] = -1
	}
	out := all[:0]
	for _, c := range all {
		if keep(c) || c.named {
			out = append(out, c)
		}
	}
	if !r.Filters.empty() {
		out = slices.DeleteFunc(out, func(c *candidate) bool { return !r.Filters.keep(c.g) })
	}
	r.cands = out
}

// holdingAll returns the guides holding every term, each with the
// occurrences of the rarest term it holds (an estimate of the form's).
func (s *Searcher) holdingAll(terms []uint32) []posting {
	l := s.lex
	if len(terms) == 0 {
		return nil
	}
	for _, t := range terms {
		if l.df(t) == 0 {
			return nil
		}
	}
	// Rarest first: the others are looked up in it.
	ts := slices.Clone(terms)
	sort.Slice(ts, func(i, j int) bool { return l.df(ts[i]) < l.df(ts[j]) })
	out := slices.Clone(l.post[ts[0]])
	for _, t := range ts[1:] {
		post := l.post[t]
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

// named returns the guides one of whose names the query's words wholly
// contain (their own terms or corrections).
func (s *Searcher) named(r *request) []uint32 {
	var terms []uint32
	for _, sl := range r.slots {
		for _, a := range sl.alts {
			if a.kind == kindExact || a.kind == kindTypo {
				terms = append(terms, a.term)
			}
		}
	}
	slices.Sort(terms)
	terms = slices.Compact(terms)
	if len(terms) > maxContainTerms {
		terms = terms[:maxContainTerms]
	}
	var out []uint32
	sub := make([]uint32, 0, len(terms))
	for mask := 1; mask < 1<<len(terms); mask++ {
		sub = sub[:0]
		for i, t := range terms {
			if mask&(1<<i) != 0 {
				sub = append(sub, t)
			}
		}
		out = append(out, s.lex.names[nameKey(sub)]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
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
