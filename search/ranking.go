package search

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
)

// The ranking is one ordered list of named stages, each a pure function
// of the query and one candidate with a value in [0, 1], weighed and
// summed: a guide's score is the sum of its stages' contributions, which
// is what explain=true shows. A heavy stage first works as a tier (the
// typing stage outweighs all the others together), the lighter ones
// order the guides within it, in the spirit of Meilisearch's ranking
// rules; every stage sees every candidate, as bleve's rescoring does a
// window of hits.

// Stage names, in their default order.
const (
	// StageTyping is 1 when the guide's title (or its feminine) holds
	// every word of the query, the word being typed as the start of one
	// of its words; 0.9 when only another of its names (an other name,
	// an acronym) does.
	StageTyping = "typing"
	// StageWords is the share of the query's words the guide holds.
	StageWords = "words"
	// StageExact is the share of the query's words the guide holds as
	// typed (not begun, not by a synonym).
	StageExact = "exact"
	// StageName is, over the guide's names, the best product of the
	// share of the query one name holds (words weighed by rarity) and
	// the share of that name the query holds.
	StageName = "name"
	// StageContained is, over the guide's names that the query wholly
	// holds, the largest number of their words, up to 3, over 3: a job
	// title that contains a guide's whole title names that guide.
	StageContained = "contained"
	// StageHead is 1 when the query's first word (the head noun of a
	// French job title) is the first word of one of the guide's names,
	// 0.5 when it is elsewhere in one.
	StageHead = "head"
	// StageCoord is the share of the query's words, weighed by rarity,
	// the guide's whole text holds.
	StageCoord = "coord"
	// StageDescription is the guide's BM25 weight of the query over its
	// tagline and missions (what the guide says it is about), over the
	// best candidate's.
	StageDescription = "description"
	// StageProximity is the share of the query's pairs of consecutive
	// words that the guide's text holds side by side.
	StageProximity = "proximity"
	// StageText is the guide's BM25 weight of the query over its whole
	// text, over the best candidate's.
	StageText = "text"
)

// Stage is one ranking stage and its weight.
type Stage struct {
	Name   string  `json:"stage"`
	Weight float64 `json:"weight"`
}

// Ranking is the ordered list of stages that score a candidate.
type Ranking []Stage

// stageFuncs are the stages by name.
var stageFuncs = map[string]func(*rankContext, *candidate) float64{
	StageTyping:      (*rankContext).typing,
	StageWords:       (*rankContext).words,
	StageExact:       (*rankContext).exact,
	StageName:        (*rankContext).name,
	StageContained:   (*rankContext).contained,
	StageHead:        (*rankContext).head,
	StageCoord:       (*rankContext).coord,
	StageDescription: (*rankContext).description,
	StageProximity:   (*rankContext).proximity,
	StageText:        (*rankContext).text,
}

// StageNames returns the names of every stage, in the default order.
func StageNames() []string {
	out := make([]string, len(defaultRanking))
	for i, s := range defaultRanking {
		out[i] = s.Name
	}
	return out
}

// defaultRanking are the stages and weights served unless configured
// otherwise; the weights were chosen on a tuning split of ROME job
// titles and typing keystrokes that `make eval` does not report
// (docs/relevance.md).
var defaultRanking = Ranking{
	{StageTyping, 53.2},
	{StageWords, 0.5},
	{StageExact, 0},
	{StageName, 4},
	{StageContained, 0},
	{StageHead, 0.25},
	{StageCoord, 1},
	{StageDescription, 0.25},
	{StageProximity, 0.5},
	{StageText, 2},
}

// DefaultRanking returns the default stages and weights.
func DefaultRanking() Ranking { return slices.Clone(defaultRanking) }

// Validate checks that every stage is known, named once, with a finite
// weight of 0 or more, and that some weight is positive.
func (r Ranking) Validate() error {
	var errs []error
	seen := map[string]bool{}
	total := 0.0
	for _, s := range r {
		if _, ok := stageFuncs[s.Name]; !ok {
			errs = append(errs, fmt.Errorf("unknown stage %q (known: %s)", s.Name, strings.Join(StageNames(), ", ")))
			continue
		}
		if seen[s.Name] {
			errs = append(errs, fmt.Errorf("stage %q listed twice", s.Name))
		}
		seen[s.Name] = true
		if s.Weight < 0 || math.IsNaN(s.Weight) || math.IsInf(s.Weight, 0) {
			errs = append(errs, fmt.Errorf("stage %q: weight must be a finite number ≥ 0, got %g", s.Name, s.Weight))
			continue
		}
		total += s.Weight
	}
	if len(errs) == 0 && total == 0 {
		errs = append(errs, errors.New("every stage weighs 0"))
	}
	return errors.Join(errs...)
}

// Explanation is a hit's score stage by stage: the contributions sum to
// Score, the hit's score.
type Explanation struct {
	Score  float64      `json:"score"`
	Stages []StageScore `json:"stages"`
}

// StageScore is one stage's value for a hit, its weight and their product.
type StageScore struct {
	Stage  string  `json:"stage"`
	Value  float64 `json:"value"`
	Weight float64 `json:"weight"`
	Score  float64 `json:"score"`
}

// rankContext is what the stages read of the query, shared by every
// candidate.
type rankContext struct {
	r       *request
	lex     *lexicon
	idfSum  float64
	maxText float64
	// maxDescribed is the best candidate's weight over its description.
	maxDescribed float64
	// bySlot maps each term that satisfies a slot to the slots it
	// satisfies; held maps the terms that satisfy a slot otherwise than
	// as a word begun, synonym forms' terms included.
	bySlot map[uint32]uint32
	held   map[uint32]bool
	// pairs are the hashes of the query's consecutive words' terms.
	pairs [][]uint32
}

func newRankContext(s *Searcher, r *request) *rankContext {
	rc := &rankContext{r: r, lex: s.lex, bySlot: map[uint32]uint32{}, held: map[uint32]bool{}}
	for i, sl := range r.slots {
		for _, a := range sl.alts {
			rc.bySlot[a.term] |= 1 << i
			if a.kind != kindPrefix {
				rc.held[a.term] = true
			}
		}
	}
	for _, gr := range r.groups {
		for _, f := range gr.forms {
			for _, t := range f {
				rc.held[t] = true
			}
		}
	}
	for _, sl := range r.slots {
		rc.idfSum += sl.idf
	}
	for _, c := range r.cands {
		rc.maxText = max(rc.maxText, c.text)
		c.described = rc.describedWeight(c)
		rc.maxDescribed = max(rc.maxDescribed, c.described)
	}
	for i := 1; i < len(r.slots); i++ {
		if r.slots[i].optional {
			continue
		}
		var hs []uint32
		for _, a := range r.slots[i-1].alts {
			for _, b := range r.slots[i].alts {
				if a.kind >= kindTypo && b.kind >= kindTypo && len(hs) < 16 {
					hs = append(hs, pairHash(a.term, b.term))
				}
			}
		}
		rc.pairs = append(rc.pairs, hs)
	}
	return rc
}

// rank scores every candidate and sorts them, best first (ties by id,
// so that every page reads the same order).
func (s *Searcher) rank(r *request) {
	rc := newRankContext(s, r)
	fns := make([]func(*rankContext, *candidate) float64, len(s.ranking))
	for i, st := range s.ranking {
		fns[i] = stageFuncs[st.Name]
	}
	for _, c := range r.cands {
		c.stages = make([]float64, len(fns))
		c.score = 0
		for i, f := range fns {
			v := f(rc, c)
			c.stages[i] = v
			c.score += s.ranking[i].Weight * v
		}
	}
	sort.Slice(r.cands, func(i, j int) bool {
		a, b := r.cands[i], r.cands[j]
		if a.score != b.score {
			return a.score > b.score
		}
		return a.g.m.ID < b.g.m.ID
	})
}

// explain returns a candidate's score stage by stage, summed in the
// order rank summed them.
func (s *Searcher) explain(c *candidate) *Explanation {
	e := &Explanation{Stages: make([]StageScore, len(s.ranking))}
	for i, st := range s.ranking {
		v := st.Weight * c.stages[i]
		e.Stages[i] = StageScore{Stage: st.Name, Value: c.stages[i], Weight: st.Weight, Score: v}
		e.Score += v
	}
	return e
}

// inName reports which slots a name holds, as a bitmask: a slot's term
// among the name's terms, the word being typed as the start of one of
// its words, or a synonym form of a group wholly in the name.
func (rc *rankContext) inName(n *name) uint32 {
	var m uint32
	for _, t := range n.terms {
		m |= rc.bySlot[t]
	}
	for i := range rc.r.slots {
		sl := &rc.r.slots[i]
		if m&(1<<i) != 0 || !sl.partial {
			continue
		}
		for _, w := range n.words {
			if strings.HasPrefix(w, sl.raw) {
				m |= 1 << i
				break
			}
		}
	}
	for _, gr := range rc.r.groups {
		for _, f := range gr.forms {
			all := true
			for _, t := range f {
				if !slices.Contains(n.terms, t) {
					all = false
					break
				}
			}
			if all {
				for i := gr.from; i < gr.to; i++ {
					m |= 1 << i
				}
				break
			}
		}
	}
	return m
}

// nameMasks returns, once per candidate, the slots each of its names
// holds.
func (rc *rankContext) nameMasks(c *candidate) []uint32 {
	if c.names == nil {
		c.names = make([]uint32, len(c.g.names))
		for i := range c.g.names {
			c.names[i] = rc.inName(&c.g.names[i])
		}
	}
	return c.names
}

func (rc *rankContext) full() uint32 { return uint32(1)<<len(rc.r.slots) - 1 }

func (rc *rankContext) typing(c *candidate) float64 {
	full := rc.full()
	best := 0.0
	masks := rc.nameMasks(c)
	for i := range c.g.names {
		n := &c.g.names[i]
		if masks[i] == full {
			if !n.other {
				return 1
			}
			best = otherName
		}
	}
	return best
}

// otherName is the typing stage's value for a guide whose other names
// alone (not its title) hold what is typed: below the titles that do,
// above every guide whose names do not.
const otherName = 0.9

// required is the number of slots a guide must hold.
func (rc *rankContext) required() float64 { return float64(bits.OnesCount32(rc.r.required)) }

func (rc *rankContext) words(c *candidate) float64 {
	return float64(bits.OnesCount32(c.matched&rc.r.required)) / rc.required()
}

func (rc *rankContext) exact(c *candidate) float64 {
	return float64(bits.OnesCount32(c.exact&c.matched&rc.r.required)) / rc.required()
}

// weigh sums the rarity of the slots of a mask, over all the slots'.
func (rc *rankContext) weigh(m uint32) float64 {
	if rc.idfSum == 0 {
		return float64(bits.OnesCount32(m&rc.r.required)) / rc.required()
	}
	var w float64
	for i, sl := range rc.r.slots {
		if m&(1<<i) != 0 {
			w += sl.idf
		}
	}
	return w / rc.idfSum
}

func (rc *rankContext) name(c *candidate) float64 {
	best := 0.0
	masks := rc.nameMasks(c)
	for i := range c.g.names {
		n := &c.g.names[i]
		m := masks[i]
		if m == 0 {
			continue
		}
		q := rc.weigh(m)
		// The share of the name's terms that the query holds.
		held := 0
		for _, t := range n.terms {
			if rc.holds(t) {
				held++
			}
		}
		cov := float64(held) / float64(len(n.terms))
		if m&^rc.exactSlots() != 0 && held == 0 {
			cov = 0.5 // the word being typed begins the name's word
		}
		best = max(best, q*cov)
	}
	return best
}

func (rc *rankContext) contained(c *candidate) float64 {
	best := 0
	for i := range c.g.names {
		n := &c.g.names[i]
		all := true
		for _, t := range n.terms {
			if !rc.holds(t) {
				all = false
				break
			}
		}
		if all {
			best = max(best, min(len(n.terms), 3))
		}
	}
	return float64(best) / 3
}

// holds reports whether some slot (or synonym form) of the query is
// satisfied by the term.
func (rc *rankContext) holds(t uint32) bool {
	if rc.held[t] {
		return true
	}
	for _, sl := range rc.r.slots {
		if sl.partial && !sl.optional && strings.HasPrefix(rc.lex.terms[t], sl.raw) {
			return true
		}
	}
	return false
}

// exactSlots are the slots that are not being typed.
func (rc *rankContext) exactSlots() uint32 {
	var m uint32
	for i, sl := range rc.r.slots {
		if !sl.partial {
			m |= 1 << i
		}
	}
	return m
}

func (rc *rankContext) head(c *candidate) float64 {
	best := 0.0
	masks := rc.nameMasks(c)
	for i := range c.g.names {
		n := &c.g.names[i]
		if masks[i]&1 == 0 {
			continue
		}
		first := &name{words: n.words[:1], terms: n.terms[:1]}
		if rc.inName(first)&1 != 0 {
			return 1
		}
		best = 0.5
	}
	return best
}

func (rc *rankContext) coord(c *candidate) float64 { return rc.weigh(c.matched) }

// describedWeight is a guide's BM25 weight of the query over its
// tagline and missions (a description of some 60 terms), a word and its
// synonyms counted as one, as gather counts them over the whole text.
func (rc *rankContext) describedWeight(c *candidate) float64 {
	g := c.g
	if len(g.described) == 0 {
		return 0
	}
	find := func(t uint32) float32 {
		i, ok := slices.BinarySearchFunc(g.described, t, func(p posting, t uint32) int { return cmp.Compare(p.ord, t) })
		if !ok {
			return 0
		}
		return float32(g.described[i].tf)
	}
	bm := func(idf float64, tf float32) float64 {
		f := float64(tf)
		norm := 1 - bm25B + bm25B*float64(g.describedLen)/describedAvg
		return idf * f * (bm25K1 + 1) / (f + bm25K1*norm)
	}
	var total float64
	for i, sl := range rc.r.slots {
		var tf float32
		prefix := 0.0
		for _, a := range sl.alts {
			switch a.kind {
			case kindExact, kindTypo:
				tf = max(tf, find(a.term))
			case kindPrefix:
				if f := find(a.term); f > 0 {
					prefix = max(prefix, a.weight*bm(rc.lex.idf(a.term), f))
				}
			}
		}
		for _, gr := range rc.r.groups {
			if i < gr.from || i >= gr.to {
				continue
			}
			for _, f := range gr.forms {
				var least float32 = -1
				for _, t := range f {
					if n := find(t); least < 0 || n < least {
						least = n
					}
				}
				if least > 0 {
					tf += synonymWeight * least
				}
			}
		}
		best := prefix
		if tf > 0 {
			best = max(best, bm(sl.idf, tf))
		}
		total += best
	}
	return total
}

// describedAvg is the length of a typical description, in terms.
const describedAvg = 60

func (rc *rankContext) description(c *candidate) float64 {
	return saturate(c.described)
}

// saturate maps a BM25 weight to [0, 1): the same weight gives the same
// value whatever the other candidates, so that a query of rare words
// ranks by them more than a query of words every guide holds.
func saturate(w float64) float64 { return w / (w + saturation) }

// saturation is the BM25 weight that saturate maps to one half.
const saturation = 1.0

func (rc *rankContext) proximity(c *candidate) float64 {
	if len(rc.pairs) == 0 {
		return 0
	}
	found := 0
	for _, hs := range rc.pairs {
		for _, h := range hs {
			if _, ok := slices.BinarySearch(c.g.pairs, h); ok {
				found++
				break
			}
		}
	}
	return float64(found) / float64(len(rc.pairs))
}

func (rc *rankContext) text(c *candidate) float64 { return saturate(c.text) }
