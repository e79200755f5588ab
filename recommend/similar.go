package recommend

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"
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
	r.similar = make([][]Similar, len(r.metiers))
	r.critBest = make([]float64, len(r.metiers))
	var firstErr error
	errc := make(chan error, 1)
	err := onEveryCore(ctx, len(r.metiers), func() func(int) {
		acc := make([]float64, len(r.metiers))
		return func(i int) {
			row, best, err := r.similarRow(ctx, i, keep, acc)
			if err != nil {
				select {
				case errc <- err:
				default:
				}
				return
			}
			r.similar[i], r.critBest[i] = row, best
		}
	})
	select {
	case firstErr = <-errc:
	default:
	}
	if firstErr != nil {
		return firstErr
	}
	return err
}

// similarRow ranks every other guide for guide i and keeps the best, and
// returns the highest criteria similarity of the row (its scale); acc is
// a buffer of one value per guide.
func (r *Recommender) similarRow(ctx context.Context, i, keep int, acc []float64) ([]Similar, float64, error) {
	n := len(r.metiers)
	w := r.weights
	m := r.metiers[i]
	text := map[string]TextMatch{}
	if r.text != nil && w.Text > 0 {
		matches, err := r.text.Similar(ctx, m, textCandidates)
		if err != nil {
			return nil, 0, fmt.Errorf("recommend: text similarity of %s: %w", m.ID, err)
		}
		for _, t := range matches {
			text[t.ID] = t
		}
	}
	curated := map[string]bool{}
	for _, id := range m.Similar {
		curated[id] = true
	}
	// Criteria similarity of every other guide, relative to the best one
	// (the best match 1), so that it speaks on the same scale as the
	// text score.
	best := r.emb.row(i, acc)
	crit := func(j int) float64 {
		if best <= 0 || acc[j] <= 0 {
			return 0
		}
		return acc[j] / best
	}
	ts := make(map[int]float64, len(text))
	for id, t := range text {
		if j, ok := r.byID[id]; ok {
			ts[j] = t.Score
		}
	}
	total := w.Criteria + w.Text
	if total == 0 {
		total = 1
	}
	isCurated := func(j int) bool {
		o := r.metiers[j]
		return curated[o.ID] || containsStr(o.Similar, m.ID)
	}
	hasCurated := len(curated) > 0 || r.curatedBy[i]
	score := func(j int) float64 {
		s := (w.Criteria*crit(j) + w.Text*ts[j]) / total
		if hasCurated && isCurated(j) {
			s += w.Curated
		}
		return s
	}
	scores := make([]float64, n)
	for j := range scores {
		if j != i {
			scores[j] = score(j)
		}
	}
	better := func(a, b int) bool { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b) }
	others := func(yield func(int) bool) {
		for j := range scores {
			if j != i && !yield(j) {
				return
			}
		}
	}
	top := topK(others, keep, better)
	out := make([]Similar, len(top))
	for k, j := range top {
		o := r.metiers[j]
		out[k] = Similar{
			ID: o.ID, Title: o.Title, Score: round3(scores[j]),
			CriteriaScore: round3(crit(j)), TextScore: round3(ts[j]), Curated: hasCurated && isCurated(j),
		}
		if !r.noReasons {
			out[k].Reasons = r.similarReasons(i, j, text[o.ID].Terms, out[k].Curated)
		}
	}
	return out, best, nil
}

// similarReasons says in French why two guides are alike: a curated
// link, the ROME sheet they share, the most specific labels they share
// family by family, the criteria both are tagged with, and the
// distinctive words of their texts.
func (r *Recommender) similarReasons(i, j int, terms []string, curated bool) []string {
	var reasons []string
	if curated {
		reasons = append(reasons, "Proposé par les rédacteurs du guide")
	}
	if s := r.sharedSheet(i, j); s != "" {
		reasons = append(reasons, s)
	}
	a, b := r.vectors[i], r.vectors[j]
	type shared struct {
		label string
		w     float64
	}
	byFamily := map[string][]shared{}
	var tags []shared
	for c, cr := range r.tax.Criteria {
		x, y := a[c], b[c]
		if !known(x) || !known(y) {
			continue
		}
		if cr.Family != "" {
			if x >= 0.5 && y >= 0.5 {
				byFamily[cr.Family] = append(byFamily[cr.Family], shared{cr.Label, r.emb.idf[c]})
			}
			continue
		}
		if x >= r.tax.TagThreshold && y >= r.tax.TagThreshold {
			tags = append(tags, shared{cr.Label, cr.Weight * math.Min(x, y)})
		}
	}
	// The most specific families first (a shared speciality says more
	// than a shared domain), at most three.
	order := []string{"sousdomaine", "domaine", "interet", "secteur", "theme"}
	said := 0
	for _, f := range order {
		ls := byFamily[f]
		if len(ls) == 0 || said == 3 {
			continue
		}
		sort.SliceStable(ls, func(p, q int) bool { return ls[p].w > ls[q].w })
		if len(ls) > 3 {
			ls = ls[:3]
		}
		names := make([]string, len(ls))
		for k, l := range ls {
			names[k] = l.label
		}
		reasons = append(reasons, r.familyLabel(f)+" : "+strings.Join(names, " ; "))
		said++
	}
	sort.SliceStable(tags, func(p, q int) bool { return tags[p].w > tags[q].w })
	if len(tags) > 4 {
		tags = tags[:4]
	}
	if len(tags) > 0 {
		names := make([]string, len(tags))
		for k, t := range tags {
			names[k] = t.label
		}
		reasons = append(reasons, "Critères communs : "+strings.Join(names, ", "))
	}
	if words := r.distinctive(terms, 5); len(words) > 0 {
		reasons = append(reasons, "Thèmes communs : "+strings.Join(words, ", "))
	}
	if len(reasons) == 0 {
		reasons = append(reasons, "Profil de critères proche")
	}
	return reasons
}

// familyLabel is how a reason names a family's shared labels.
func (r *Recommender) familyLabel(id string) string {
	switch id {
	case "sousdomaine":
		return "Même spécialité"
	case "domaine":
		return "Même domaine"
	case "interet":
		return "Centres d'intérêt communs"
	case "secteur":
		return "Même secteur"
	case "theme":
		return "Même thème"
	}
	for _, f := range r.tax.Families {
		if f.ID == id {
			return f.Label
		}
	}
	return id
}

// sharedSheet names the ROME sheet two guides share, or the mobilité
// that joins theirs; empty when neither.
func (r *Recommender) sharedSheet(i, j int) string {
	for _, a := range r.sheets[i] {
		for _, b := range r.sheets[j] {
			if a.sheet == b.sheet {
				return "Même fiche ROME : " + a.sheet.Title
			}
		}
	}
	for _, a := range r.sheets[i] {
		for _, b := range r.sheets[j] {
			if containsStr(a.sheet.Mobilities, b.sheet.Code) || containsStr(b.sheet.Mobilities, a.sheet.Code) {
				return "Fiches ROME liées par une mobilité : " + a.sheet.Title + " et " + b.sheet.Title
			}
		}
	}
	return ""
}

// distinctive keeps the shared terms a reader learns something from:
// no filler word (« aussi », « chaque », « etc »), none of three letters
// or fewer.
func (r *Recommender) distinctive(terms []string, k int) []string {
	var out []string
	for _, t := range terms {
		if utf8.RuneCountInString(t) <= 3 || fillers[t] {
			continue
		}
		out = append(out, t)
		if len(out) == k {
			break
		}
	}
	return out
}

// fillers are French words that say nothing of a métier, as the shared
// terms show them (lower case, accents kept): the analyzer's stop words
// do not remove them all (adverbs, quantifiers, common verbs).
var fillers = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`aussi ainsi alors après avant autre autres aucun aucune beaucoup bien
		car cela celle celles celui ceux chaque chez comme comment dans dont déjà divers diverse diverses
		donc elle elles encore entre etc être avoir faire fait faut font grand grande grandes grands
		jamais leur leurs lors lorsque même mêmes moins notamment nombreux nombreuse nombreuses parfois
		parmi pendant peu peut peuvent plus plusieurs pour pourquoi quand quelque quelques sans selon
		sera seront sont souvent sous surtout tant tandis tel telle telles tels toujours tous tout toute
		toutes très trop vers voire afin ailleurs différent différente différentes différents certain
		certaine certaines certains généralement également ensemble exemple façon niveau partie place
		plupart possible propre propres puis type types travers général générale générales généraux
		bon bonne bonnes bons doit doivent permet permettent cette ces ceci celà vraiment simplement`) {
		m[w] = true
	}
	return m
}()

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

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
