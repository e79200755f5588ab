package search

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
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
	// of its other words; 0.9 when only another of its names (an other
	// name, an acronym) does; 0.8 when a name holds them only through a
	// synonym.
	StageTyping = "typing"
	// StageWords is the share of the query's words the guide holds.
	StageWords = "words"
	// StageExact is the share of the query's words the guide holds as
	// typed (not begun, not by a synonym).
	StageExact = "exact"
	// StageName is, over the guide's names, the best product of the
	// share of the query one name holds (words weighed by rarity) and
	// the share of that name the query holds; a long word typed whole
	// that begins a word of the name with its first letters counts
	// there, at nearWeight.
	StageName = "name"
	// StageContained is, over the guide's names that the query wholly
	// holds, the largest number of their words, up to 3, over 3: a job
	// title that contains a guide's whole title names that guide.
	StageContained = "contained"
	// StageHead is the share of the query's words (stop words
	// included) that one of the guide's names begins with, in order:
	// the query's first word is the head noun of a French job title, and
	// a reader types a name from its start.
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
var stageFuncs = map[string]stageFunc{
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

// stageFunc is one stage: its value for one candidate, in [0, 1].
type stageFunc func(*rankContext, *candidate) float64

// maxStages is the number of stages there are (a ranking names each
// once at most).
const maxStages = 10

// deferred are the stages computed only for the candidates that can
// still reach the page once every other stage is known (the others are
// computed for every candidate): the costliest, checking the query's
// word pairs against each guide's.
var deferred = map[string]bool{StageProximity: true}

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
	r   *request
	lex *lexicon
	sc  *scratch
	// slotIdf is each slot's rarity, idfSum their sum.
	slotIdf [maxSlots]float64
	idfSum  float64
	// full are all the slots, exactSlots those not being typed.
	full, exactSlots uint32
	// partial lists the slots being typed, with the places in the sorted
	// vocabulary of the words they begin.
	partial []partialSlot
	// near lists the long words typed whole with the places of the
	// words sharing their first nearPrefix letters (« plasturgie »,
	// « plasturgiste »).
	near []partialSlot
	// pairs are the hashes of the query's consecutive words' terms.
	pairs [][]uint32
}

// partialSlot is a word being typed: the words of the vocabulary it
// begins are those whose rank is in [lo, hi).
type partialSlot struct {
	bit      uint32
	lo, hi   uint32
	optional bool
}

func newRankContext(s *Searcher, r *request) *rankContext {
	rc := &rankContext{r: r, lex: s.lex, sc: r.sc, full: uint32(1)<<len(r.slots) - 1}
	for i, sl := range r.slots {
		rc.slotIdf[i] = sl.idf
		rc.idfSum += sl.idf
		if !sl.partial {
			rc.exactSlots |= 1 << i
			if r := []rune(sl.raw); len(r) > nearPrefix {
				lo, hi := s.lex.prefixRange(string(r[:nearPrefix]))
				rc.near = append(rc.near, partialSlot{bit: 1 << i, lo: uint32(lo), hi: uint32(hi)})
			}
			continue
		}
		lo, hi := s.lex.prefixRange(sl.raw)
		rc.partial = append(rc.partial, partialSlot{bit: 1 << i, lo: uint32(lo), hi: uint32(hi), optional: sl.optional})
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

// rank scores the candidates and sorts them, best first (ties by id, so
// that every page reads the same order), as far as the first k: the
// stages computed for every candidate bound what the deferred ones can
// add, and a candidate that cannot reach the k-th place (its bound plus
// all the deferred stages can give is below the k-th best bound) keeps
// its bound as its score and goes after the ranked ones, in no order.
func (s *Searcher) rank(r *request, k int) {
	rc := newRankContext(s, r)
	fns := make([]stageFunc, len(s.ranking))
	late := make([]bool, len(s.ranking))
	lateWeight := 0.0
	for i, st := range s.ranking {
		fns[i] = stageFuncs[st.Name]
		// A stage that is 0 for every candidate of this query bounds
		// nothing.
		late[i] = deferred[st.Name] && !(st.Name == StageProximity && len(rc.pairs) == 0)
		if late[i] {
			lateWeight += st.Weight
		}
	}
	cands := r.cands
	rc.markNames()
	for ci := range cands {
		c := &cands[ci]
		for i, f := range fns {
			if late[i] {
				continue
			}
			v := f(rc, c)
			c.stages[i] = v
			c.bound += s.ranking[i].Weight * v
		}
	}
	ranked := len(cands)
	if k < len(cands) {
		// The k-th best bound is at most the k-th best score: whoever is
		// below it by more than the deferred stages can give is out.
		threshold := kthLargest(cands, k) - lateWeight
		ranked = 0
		for ci := range cands {
			if cands[ci].bound >= threshold-1e-9 {
				cands[ranked], cands[ci] = cands[ci], cands[ranked]
				ranked++
			}
		}
	}
	for ci := range cands[:ranked] {
		c := &cands[ci]
		c.score = 0
		for i, f := range fns {
			if late[i] {
				c.stages[i] = f(rc, c)
			}
			c.score += s.ranking[i].Weight * c.stages[i]
		}
	}
	for ci := range cands[ranked:] {
		cands[ranked+ci].score = cands[ranked+ci].bound
	}
	slices.SortFunc(cands[:ranked], func(a, b candidate) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return strings.Compare(a.g.m.ID, b.g.m.ID)
	})
	// The candidates moved: their places in the scratch follow.
	for i := range cands {
		r.sc.cand[cands[i].ord] = int32(i)
	}
}

// kthLargest returns the k-th largest bound of the candidates (k ≥ 1,
// fewer than there are candidates).
func kthLargest(cands []candidate, k int) float64 {
	// A min-heap of the k largest so far.
	h := make([]float64, 0, k)
	for i := range cands {
		v := cands[i].bound
		if len(h) < k {
			h = append(h, v)
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if h[p] <= h[j] {
					break
				}
				h[p], h[j] = h[j], h[p]
				j = p
			}
			continue
		}
		if v <= h[0] {
			continue
		}
		h[0] = v
		for j := 0; ; {
			m, a, b := j, 2*j+1, 2*j+2
			if a < len(h) && h[a] < h[m] {
				m = a
			}
			if b < len(h) && h[b] < h[m] {
				m = b
			}
			if m == j {
				break
			}
			h[m], h[j] = h[j], h[m]
			j = m
		}
	}
	return h[0]
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

// nameValues are the values of the stages read from a guide's names,
// computed together once per candidate.
type nameValues struct {
	typing, name, contained, head float64
}

// slotsOf returns which slots a name holds, as a bitmask, and which of
// them only through a synonym form: a slot's term among the name's terms,
// the word being typed as the start of one of its words, or a synonym
// form of a group wholly in the name. Each word of the name serves once:
// the words typed whole (stop words included) take the first words of
// the name they match, and the word being typed must begin another one,
// so that « technicien t » is not held by *technicien paysagiste* (its
// « technicien » begins with « t ») nor « ingénieur en én » by
// *ingénieur en métrologie*.
func (rc *rankContext) slotsOf(n *name) (m, synonym uint32) {
	terms, words := n.terms, n.words
	// used marks the words taken by a word typed whole (names of more
	// than 64 words share the last bit, which only loosens the rule).
	var used uint64
	stops := rc.r.stops
	var stopUsed uint32
	for i, w := range words {
		bit := uint64(1) << min(i, 63)
		if w.term == noTerm {
			for j, s := range stops {
				if s == w.word && stopUsed&(1<<j) == 0 {
					stopUsed |= 1 << j
					used |= bit
					break
				}
			}
			continue
		}
		if whole := rc.sc.terms[w.term] & rc.exactSlots; whole != 0 {
			m |= whole
			used |= bit
		}
	}
	rank := rc.lex.rank
	for _, p := range rc.partial {
		for i, w := range words {
			if used&(uint64(1)<<min(i, 63)) != 0 {
				continue
			}
			if r := rank[w.word]; r >= p.lo && r < p.hi {
				m |= p.bit
				break
			}
			// The word typed whole so far, held by another form of it
			// (« infirmière » typed, « infirmier » in the name).
			if w.term != noTerm && rc.sc.terms[w.term]&(p.bit|termExact) == p.bit|termExact {
				m |= p.bit
				break
			}
		}
	}
	for _, gr := range rc.r.groups {
		for _, f := range gr.forms {
			all := true
			for _, t := range f {
				if !slices.Contains(terms, t) {
					all = false
					break
				}
			}
			if all {
				for i := gr.from; i < gr.to; i++ {
					if m&(1<<i) == 0 {
						synonym |= 1 << i
					}
				}
				m |= synonym
				break
			}
		}
	}
	return m & rc.full, synonym & rc.full
}

// begins returns the share of the query's words, stop words included,
// that a name begins with, in their order: 1 when the name starts with
// the whole query (« technicien de la c » for *technicien de la
// circulation ferroviaire*), 0 when its first word is not the query's.
func (rc *rankContext) begins(n *name) float64 {
	seq := rc.r.seq
	if len(seq) == 0 {
		return 0
	}
	run := 0
	for j, q := range seq {
		if j >= len(n.words) || !rc.sameWord(q, n.words[j]) {
			break
		}
		run++
	}
	return float64(run) / float64(len(seq))
}

// sameWord reports whether a word of a name is the query's word: the
// same stop word, a term of the slot's word, or for the word being
// typed a word it begins.
func (rc *rankContext) sameWord(q queryWord, w nameWord) bool {
	if q.slot < 0 {
		return q.word == w.word
	}
	bit := uint32(1) << q.slot
	if rc.exactSlots&bit != 0 {
		return w.term != noTerm && rc.sc.terms[w.term]&bit != 0
	}
	for _, p := range rc.partial {
		if p.bit != bit {
			continue
		}
		if r := rc.lex.rank[w.word]; r >= p.lo && r < p.hi {
			return true
		}
		return w.term != noTerm && rc.sc.terms[w.term]&(bit|termExact) == bit|termExact
	}
	return false
}

// held returns how many of a name's terms some slot (or synonym form)
// of the query satisfies: as the term itself, or, for the word being
// typed, as the start of the name's word.
func (rc *rankContext) held(n *name) int {
	held := 0
	rank := rc.lex.rank
	for _, w := range n.words {
		if w.term == noTerm {
			continue
		}
		if rc.sc.terms[w.term]&termHeld != 0 {
			held++
			continue
		}
		for _, p := range rc.partial {
			if r := rank[w.word]; !p.optional && r >= p.lo && r < p.hi {
				held++
				break
			}
		}
	}
	return held
}

// markNames flags the candidates one of whose names holds a term of the
// query or a word begun: the others' name stages are 0.
func (rc *rankContext) markNames() {
	sc, l := rc.sc, rc.lex
	mark := func(refs []nameRef) {
		for _, ref := range refs {
			if i := sc.cand[ref.ord]; i >= 0 {
				rc.r.cands[i].inName = true
			}
		}
	}
	for _, t := range sc.touched {
		mark(l.termNames[t])
	}
	for _, spans := range [2][]partialSlot{rc.partial, rc.near} {
		for _, p := range spans {
			for _, id := range l.sorted[p.lo:p.hi] {
				if l.words[id].title {
					mark(l.wordNames[id])
				}
			}
		}
	}
}

// nearPrefix is how many first letters a long word typed whole shares
// with a word of a name for the name stage to count it at nearWeight:
// French derives trades from their fields by suffix (plasturgie,
// plasturgiste; bijouterie, bijoutier), which the stemmer keeps apart.
const (
	nearPrefix = 6
	nearWeight = 0.8
)

// nearName returns the name stage's value of a name through the long
// words typed whole that begin its words otherwise than by their term,
// given the slots m it holds and its words held.
func (rc *rankContext) nearName(n *name, m uint32, held int) float64 {
	if len(rc.near) == 0 {
		return 0
	}
	rank := rc.lex.rank
	var extra uint32
	more := 0
	for _, w := range n.words {
		if w.term == noTerm || rc.sc.terms[w.term]&termHeld != 0 {
			continue
		}
		for _, p := range rc.near {
			if m&p.bit == 0 && extra&p.bit == 0 {
				if r := rank[w.word]; r >= p.lo && r < p.hi {
					extra |= p.bit
					more++
					break
				}
			}
		}
	}
	if extra == 0 {
		return 0
	}
	return nearWeight * rc.weigh(m|extra) * float64(held+more) / float64(len(n.terms))
}

// names computes, once per candidate, the stages read from its names.
func (rc *rankContext) names(c *candidate) *nameValues {
	v := &c.nm
	if c.nmDone || !c.inName {
		return v
	}
	c.nmDone = true
	contained := 0
	for i := range c.g.names {
		n := &c.g.names[i]
		m, syn := rc.slotsOf(n)
		held := -1
		if m == rc.full {
			switch {
			case syn != 0:
				v.typing = max(v.typing, synonymName)
			case !n.other:
				v.typing = 1
			default:
				v.typing = max(v.typing, otherName)
			}
		}
		if held < 0 && len(rc.near) > 0 {
			held = rc.held(n)
		}
		if near := rc.nearName(n, m, max(held, 0)); near > 0 {
			v.name = max(v.name, near)
		}
		if m != 0 {
			q := rc.weigh(m)
			held = rc.held(n)
			cov := float64(held) / float64(len(n.terms))
			if m&^rc.exactSlots != 0 && held == 0 {
				cov = 0.5 // the word being typed begins the name's word
			}
			v.name = max(v.name, q*cov)
			if m&1 != 0 && v.head < 1 {
				v.head = max(v.head, rc.begins(n))
			}
		}
		if held < 0 {
			held = rc.held(n)
		}
		if held == len(n.terms) {
			contained = max(contained, min(len(n.terms), 3))
		}
	}
	v.contained = float64(contained) / 3
	return v
}

// otherName is the typing stage's value for a guide whose other names
// alone (not its title) hold what is typed: below the titles that do,
// above every guide whose names do not.
const otherName = 0.9

// synonymName is its value for a guide one of whose names holds what is
// typed only through a synonym (« agent » typed, « conseiller » in the
// title): below the names that hold the reader's own words.
const synonymName = 0.8

func (rc *rankContext) typing(c *candidate) float64    { return rc.names(c).typing }
func (rc *rankContext) name(c *candidate) float64      { return rc.names(c).name }
func (rc *rankContext) contained(c *candidate) float64 { return rc.names(c).contained }
func (rc *rankContext) head(c *candidate) float64      { return rc.names(c).head }

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
	for m != 0 {
		i := bits.TrailingZeros32(m)
		w += rc.slotIdf[i]
		m &^= 1 << i
	}
	return w / rc.idfSum
}

func (rc *rankContext) coord(c *candidate) float64 { return rc.weigh(c.matched) }

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
