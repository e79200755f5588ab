package recommend

import (
	"math"
	"sort"
)

// Adaptive quiz: each next question is the one whose answers would split
// the guides still in contention most evenly, as each of them would
// answer it (its ideal candidate's answer, from its own vector).

// contention bounds: at least contentionMin guides are kept in
// contention, at most contentionMax, and every guide within
// contentionMargin of the tenth best.
const (
	contentionMin    = 40
	contentionMax    = 600
	contentionMargin = 0.08
	// settledOverlap is how many of the ten first matches must stay
	// whatever the next answer for the matches to be settled.
	settledOverlap = 8
	// settledMinAnswers is how many answers the quiz wants before it
	// calls anything settled.
	settledMinAnswers = 4
	// redundantTerms is the share of words two statements must share
	// for the second to be taken as saying the first again.
	redundantTerms = 0.5
)

// NextQuestion returns the question to ask after the given answers (nil
// when no question is left that tells the guides in contention apart)
// and whether the first matches are settled: no answer to the next
// question would change more than two of the ten first.
func (r *Recommender) NextQuestion(answers map[string]int) (*Question, bool, error) {
	p, err := r.profile(answers)
	if err != nil {
		return nil, false, err
	}
	scores := make([]float64, len(r.metiers))
	for i, v := range r.vectors {
		scores[i] = r.fit(v, p)
	}
	cont := r.contention(scores, p.answered)
	qi := r.bestSplit(cont, answers)
	if qi < 0 {
		return nil, true, nil
	}
	q := r.quiz.Questions[qi]
	settled := p.answered >= settledMinAnswers && r.settled(scores, p, qi)
	return &q, settled, nil
}

// contention returns the guides still in contention: every guide before
// any answer, else the best ones (those within a margin of the tenth).
func (r *Recommender) contention(scores []float64, answered int) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	if answered == 0 || len(idx) <= contentionMin {
		return idx
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	tenth := scores[idx[min(9, len(idx)-1)]]
	k := contentionMin
	for k < len(idx) && k < contentionMax && scores[idx[k]] >= tenth-contentionMargin {
		k++
	}
	return idx[:k]
}

// bestSplit returns the unanswered question whose ideal answers vary most
// over the guides in contention, -1 when none does.
func (r *Recommender) bestSplit(cont []int, answers map[string]int) int {
	var asked [][]string
	askedCrit := map[int]bool{}
	for id := range answers {
		if qi, ok := r.quiz.byID[id]; ok {
			q := r.quiz.all[qi]
			asked = append(asked, q.terms)
			for _, c := range q.crit {
				askedCrit[c] = true
			}
		}
	}
	best, bestVar := -1, 1e-4
	for qi := range r.quiz.Questions {
		q := &r.quiz.Questions[qi]
		if _, done := answers[q.ID]; done || allIn(q.crit, askedCrit) || redundant(q.terms, asked) {
			continue
		}
		var n, sum, sq float64
		for _, i := range cont {
			s, ok := r.stance(q, r.vectors[i])
			if !ok {
				continue
			}
			n++
			sum += s
			sq += s * s
		}
		if n < 2 {
			continue
		}
		mean := sum / n
		// Spread over the contention set, times the share that can
		// answer it (a question most guides say nothing of splits little).
		v := (sq/n - mean*mean) * n / float64(len(cont))
		if v > bestVar {
			best, bestVar = qi, v
		}
	}
	return best
}

// stance is how far a guide's ideal candidate agrees with a question's
// statement, in [0,1]; false when the guide says nothing of its criteria.
func (r *Recommender) stance(q *Question, v Vector) (float64, bool) {
	var num, den float64
	for k, c := range q.crit {
		x := v[c]
		if !known(x) {
			continue
		}
		w := q.weight[k]
		if w < 0 {
			x, w = 1-x, -w
		}
		num += w * x
		den += w
	}
	if den == 0 {
		return 0, false
	}
	return num / den, true
}

// IdealAnswer is the answer a guide's ideal candidate gives a question
// of the general quiz, from the guide's vector through the question's
// criteria: « Tout à fait » for a guide fully on the statement's side,
// « Pas du tout » for one fully against; 3 when the guide says nothing.
func (r *Recommender) IdealAnswer(id, question string) (int, error) {
	i, err := r.lookup(id)
	if err != nil {
		return 0, err
	}
	qi, ok := r.quiz.byID[question]
	if !ok {
		return 0, ErrBadAnswers
	}
	s, ok := r.stance(&r.quiz.all[qi], r.vectors[i])
	if !ok {
		return 3, nil
	}
	return 1 + int(math.Round(4*s)), nil
}

// settled reports whether the ten first matches keep at least
// settledOverlap of their guides whatever the reader answers question qi
// as one of the three first matches' ideal candidates would (a reader
// whose answers so far fit them well answers like them).
func (r *Recommender) settled(scores []float64, p profile, qi int) bool {
	top := r.top(scores, 10)
	q := r.quiz.Questions[qi]
	likely := map[int]bool{}
	for _, i := range top[:min(3, len(top))] {
		if s, ok := r.stance(&q, r.vectors[i]); ok {
			if a := 1 + int(math.Round(4*s)); a != 3 {
				likely[a] = true
			}
		}
	}
	cand := r.candidates(scores, 200)
	for a := range likely {
		next := r.withAnswer(p, &q, a)
		s := make([]float64, len(r.metiers))
		for _, i := range cand {
			s[i] = r.fit(r.vectors[i], next)
		}
		if overlap(top, r.top(s, 10)) < settledOverlap {
			return false
		}
	}
	return true
}

// withAnswer returns the profile with one more answer.
func (r *Recommender) withAnswer(p profile, q *Question, a int) profile {
	strength := math.Abs(float64(a-3)) / 2
	out := profile{answered: p.answered + 1}
	add := map[int][2]float64{}
	for k, c := range q.crit {
		ti := a - 1
		if q.weight[k] < 0 {
			ti = 4 - ti
		}
		imp := strength * math.Abs(q.weight[k]) * r.stats[c].misfit[ti]
		add[c] = [2]float64{imp * targets[ti], imp}
	}
	for k, c := range p.crit {
		t, imp := p.target[k], p.imp[k]
		if x, ok := add[c]; ok {
			t = (t*imp + x[0]) / (imp + x[1])
			imp += x[1]
			delete(add, c)
		}
		out.crit = append(out.crit, c)
		out.target = append(out.target, t)
		out.imp = append(out.imp, imp)
	}
	for c, x := range add {
		if x[1] > 0 {
			out.crit = append(out.crit, c)
			out.target = append(out.target, x[0]/x[1])
			out.imp = append(out.imp, x[1])
		}
	}
	r.alternatives(&out)
	return out
}

// top returns the k best guides by score.
func (r *Recommender) top(scores []float64, k int) []int {
	all := func(yield func(int) bool) {
		for i := range scores {
			if !yield(i) {
				return
			}
		}
	}
	return topK(all, k, func(a, b int) bool {
		if scores[a] != scores[b] {
			return scores[a] > scores[b]
		}
		return r.metiers[a].ID < r.metiers[b].ID
	})
}

// candidates are the guides one more answer could bring into the ten
// first: the k best now (one answer moves a score by a bounded amount,
// and the guides far behind stay behind).
func (r *Recommender) candidates(scores []float64, k int) []int { return r.top(scores, k) }

func overlap(a, b []int) int {
	in := map[int]bool{}
	for _, x := range a {
		in[x] = true
	}
	n := 0
	for _, x := range b {
		if in[x] {
			n++
		}
	}
	return n
}

func allIn(cs []int, set map[int]bool) bool {
	for _, c := range cs {
		if !set[c] {
			return false
		}
	}
	return len(cs) > 0
}

// redundant reports whether a statement shares most of its words with
// an answered one (« J'aime la nature » after « J'aime être au contact
// de la nature »).
func redundant(terms []string, asked [][]string) bool {
	for _, a := range asked {
		shared := 0
		for _, t := range terms {
			if containsSorted(a, t) {
				shared++
			}
		}
		union := len(terms) + len(a) - shared
		if union > 0 && float64(shared)/float64(union) >= redundantTerms {
			return true
		}
	}
	return false
}

func containsSorted(s []string, x string) bool {
	i := sort.SearchStrings(s, x)
	return i < len(s) && s[i] == x
}
