package recommend

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Similar is one "métier similaire" with its score and French reasons.
type Similar struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Score   float64  `json:"score"`
	Reasons []string `json:"reasons"`
	// Parts of the score, for evaluation and tuning.
	CriteriaScore float64 `json:"criteria_score"`
	TextScore     float64 `json:"text_score"`
	Curated       bool    `json:"curated,omitempty"`
}

// textCandidates is how many text neighbours are asked for each guide.
const textCandidates = 50

// precomputeSimilar ranks, for every guide, all the others by
// w_c·sim(criteria) + w_t·sim(text) + w_l·curated, and keeps the best.
func (r *Recommender) precomputeSimilar(ctx context.Context, keep int) error {
	n := len(r.metiers)
	r.similar = make([][]Similar, n)
	weights := make([]float64, len(r.tax.Criteria))
	for c, cr := range r.tax.Criteria {
		weights[c] = cr.Weight
	}
	centered := center(r.vectors)
	norms := make([]float64, n)
	for i, v := range centered {
		norms[i] = math.Sqrt(dot(v, v, weights))
	}
	total := r.weights.Criteria + r.weights.Text
	if total == 0 {
		total = 1
	}
	rows := make(chan int)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rows {
				row, err := r.similarRow(ctx, i, keep, centered, norms, weights, total)
				if err != nil {
					select {
					case errc <- err:
					default:
					}
					continue
				}
				r.similar[i] = row
			}
		}()
	}
	var err error
feed:
	for i := range r.metiers {
		select {
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		case rows <- i:
		}
	}
	close(rows)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	return err
}

// similarRow ranks every other guide for guide i and keeps the best.
func (r *Recommender) similarRow(ctx context.Context, i, keep int, centered []Vector, norms, weights []float64, total float64) ([]Similar, error) {
	n := len(r.metiers)
	w := r.weights
	m := r.metiers[i]
	text := map[string]TextMatch{}
	if r.text != nil && w.Text > 0 {
		matches, err := r.text.Similar(ctx, m, textCandidates)
		if err != nil {
			return nil, fmt.Errorf("recommend: text similarity of %s: %w", m.ID, err)
		}
		for _, t := range matches {
			text[t.ID] = t
		}
	}
	curated := map[string]bool{}
	for _, id := range m.Similar {
		curated[id] = true
	}
	// Criteria similarity of every other guide: a weighted cosine of
	// centered vectors (a correlation), then spread to [0,1] within
	// the row, so that it speaks on the same scale as the text score
	// (the best match 1, the least alike 0).
	cs := make([]float64, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	for j := range r.metiers {
		cs[j] = 0
		if j != i && norms[i] > 0 && norms[j] > 0 {
			cs[j] = dot(centered[i], centered[j], weights) / (norms[i] * norms[j])
		}
		if j != i {
			lo, hi = math.Min(lo, cs[j]), math.Max(hi, cs[j])
		}
	}
	crit := func(j int) float64 {
		if hi > lo {
			return (cs[j] - lo) / (hi - lo)
		}
		return 0.5
	}
	isCurated := func(j int) bool {
		o := r.metiers[j]
		return curated[o.ID] || containsStr(o.Similar, m.ID)
	}
	ts := make([]float64, n)
	for id, t := range text {
		if j, ok := r.byID[id]; ok {
			ts[j] = t.Score
		}
	}
	scores := make([]float64, n)
	for j, o := range r.metiers {
		if j == i {
			continue
		}
		score := (w.Criteria*crit(j) + w.Text*ts[j]) / total
		if len(curated) > 0 || len(o.Similar) > 0 {
			if isCurated(j) {
				score += w.Curated
			}
		}
		scores[j] = score
	}
	better := func(a, b int) bool { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b) }
	others := func(yield func(int) bool) {
		for j := range scores {
			if j != i && !yield(j) {
				return
			}
		}
	}
	best := topK(others, keep, better)
	cands := make([]Similar, len(best))
	for k, j := range best {
		o := r.metiers[j]
		cands[k] = Similar{ID: o.ID, Title: o.Title, Score: scores[j], CriteriaScore: crit(j), TextScore: ts[j], Curated: isCurated(j)}
	}
	for k := range cands {
		j := r.byID[cands[k].ID]
		cands[k].Reasons = r.similarReasons(i, j, text[cands[k].ID].Terms, cands[k].Curated)
		cands[k].Score = round3(cands[k].Score)
		cands[k].CriteriaScore = round3(cands[k].CriteriaScore)
		cands[k].TextScore = round3(cands[k].TextScore)
	}
	return cands, nil
}

// similarReasons says in French why two guides are alike: the shared
// criteria that weigh most and the distinctive terms they share.
func (r *Recommender) similarReasons(i, j int, terms []string, curated bool) []string {
	var reasons []string
	if curated {
		reasons = append(reasons, "Proposé par les rédacteurs du guide")
	}
	type shared struct {
		label string
		w     float64
	}
	var common []shared
	for c, cr := range r.tax.Criteria {
		a, b := r.vectors[i][c], r.vectors[j][c]
		if a >= r.tax.TagThreshold && b >= r.tax.TagThreshold {
			common = append(common, shared{cr.Label, cr.Weight * math.Min(a, b)})
		}
	}
	sort.SliceStable(common, func(a, b int) bool { return common[a].w > common[b].w })
	if len(common) > 4 {
		common = common[:4]
	}
	if len(common) > 0 {
		labels := make([]string, len(common))
		for k, c := range common {
			labels[k] = c.label
		}
		reasons = append(reasons, "Critères communs : "+strings.Join(labels, ", "))
	}
	if len(terms) > 5 {
		terms = terms[:5]
	}
	if len(terms) > 0 {
		reasons = append(reasons, "Thèmes communs : "+strings.Join(terms, ", "))
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "Profil de critères proche")
	}
	return reasons
}

// Similar returns the most similar guides of a guide, at most size, from
// the precomputed table.
func (r *Recommender) Similar(id string, size int) ([]Similar, error) {
	i, err := r.lookup(id)
	if err != nil {
		return nil, err
	}
	s := r.similar[i]
	if size > 0 && len(s) > size {
		s = s[:size]
	}
	return s, nil
}

// center subtracts each criterion's mean over the corpus.
func center(vs []Vector) []Vector {
	if len(vs) == 0 {
		return nil
	}
	n := len(vs[0])
	mean := make([]float64, n)
	for _, v := range vs {
		for c, x := range v {
			mean[c] += x
		}
	}
	for c := range mean {
		mean[c] /= float64(len(vs))
	}
	out := make([]Vector, len(vs))
	for i, v := range vs {
		out[i] = make(Vector, n)
		for c, x := range v {
			out[i][c] = x - mean[c]
		}
	}
	return out
}

func dot(a, b Vector, w []float64) float64 {
	var s float64
	for c := range a {
		s += w[c] * a[c] * b[c]
	}
	return s
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
