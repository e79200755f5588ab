package recommend

import (
	"sort"
	"strings"
)

// Answers on a 5-point scale leave many guides with the same fit: every
// guide of the reader's sub-domain that carries the interests they chose
// fits them equally, and one order among them is as arbitrary as the
// next. The quiz breaks such ties by typicality: how alike a guide is,
// in the criteria similarity of « similaires », to the guides that fit
// best (those within typicalMargin of the best fit) as a whole. A guide at the heart of what the reader chose comes
// before one on its edge that happens to carry the same labels (on
// ONISEP, a nursing reader's « infirmier » before « audioprothésiste »,
// both paramédical and « Ma vocation est de soigner »), rather than in
// alphabetical order.

// typicalOf bounds how many of the best-fitting guides the typicality
// compares each guide to; typicalMargin is how far below the best fit
// they may be: the guides just below a tie (for a nursing reader,
// ergothérapeute, orthophoniste …) would pull the centre away from what
// the reader chose (towards rééducation, and « audioprothésiste » first).
const (
	typicalOf     = 20
	typicalMargin = 0.005
)

// typicality returns, for every guide, its mean criteria similarity to
// the best-fitting guides kept (0 for all when the recommender has no
// similarity tables: VectorsOnly).
func (r *Recommender) typicality(scores []float64, keep func(int) bool) []float64 {
	out := make([]float64, len(scores))
	if r.emb == nil {
		return out
	}
	kept := func(yield func(int) bool) {
		for i := range scores {
			if keep(i) && !yield(i) {
				return
			}
		}
	}
	best := topK(kept, typicalOf, func(a, b int) bool {
		return scores[a] > scores[b] || scores[a] == scores[b] && r.metiers[a].ID < r.metiers[b].ID
	})
	centroid := make([]float64, len(r.emb.postings))
	n := 0
	for _, i := range best {
		if scores[i] < scores[best[0]]-typicalMargin {
			continue
		}
		n++
		for _, e := range r.emb.vecs[i] {
			centroid[e.id] += float64(e.w)
		}
	}
	for i := range scores {
		if !keep(i) {
			continue
		}
		var s float64
		for _, e := range r.emb.vecs[i] {
			s += float64(e.w) * centroid[e.id]
		}
		out[i] = s / float64(max(1, n))
	}
	return out
}

// alsoShown is how many of its own strong criteria a match names beside
// the reader's wishes.
const alsoShown = 3

// also names what else a guide is strongly about, beyond the reader's
// answers: its tags the reader gave no answer on (nor one of the same
// label), the rarest in the corpus first. Two matches that meet the same
// wishes still read differently, and the reader learns what else comes
// with the métier.
func (r *Recommender) also(i int, p profile) []string {
	v := r.vectors[i]
	asked := map[int]bool{}
	labels := map[string]bool{}
	for _, c := range p.crit {
		asked[c] = true
		labels[strings.ToLower(r.tax.Criteria[c].Label)] = true
	}
	type tag struct {
		c    int
		over float64
	}
	var tags []tag
	for c, cr := range r.tax.Criteria {
		x := v[c]
		if !known(x) || x < r.tax.TagThreshold || asked[c] || labels[strings.ToLower(cr.Label)] {
			continue
		}
		// How far above the corpus's mean: a label few guides carry says
		// more than contact with the public, which most have.
		tags = append(tags, tag{c, x - r.stats[c].mean})
	}
	sort.SliceStable(tags, func(a, b int) bool {
		if tags[a].over != tags[b].over {
			return tags[a].over > tags[b].over
		}
		return tags[a].c < tags[b].c
	})
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		l := r.tax.Criteria[t.c].Label
		if seen[strings.ToLower(l)] {
			continue
		}
		seen[strings.ToLower(l)] = true
		out = append(out, l)
		if len(out) == alsoShown {
			break
		}
	}
	return out
}

// altTarget is the wish from which a label is a « yes » (« Plutôt oui »
// or « Tout à fait »).
const altTarget = 0.75

// alternatives groups the « yes » wishes to labels of one family whose
// labels are alternatives (Family.Alternatives: domains, specialities,
// sectors):
// a reader drawn to « Systèmes d'information » and to « informatique
// (généralités) » wants a guide filed under either, not both; read as two
// wishes, a guide filed under one of them only (développeur informatique)
// would rank below guides that merely carry both labels.
func (r *Recommender) alternatives(p *profile) {
	p.alts, p.inAlt = nil, nil
	alt := map[string]bool{}
	for _, f := range r.tax.Families {
		alt[f.ID] = f.Alternatives
	}
	byFamily := map[string][]int{}
	var fams []string
	for k, c := range p.crit {
		f := r.tax.Criteria[c].Family
		if !alt[f] || p.target[k] < altTarget {
			continue
		}
		if _, ok := byFamily[f]; !ok {
			fams = append(fams, f)
		}
		byFamily[f] = append(byFamily[f], k)
	}
	for _, f := range fams {
		ks := byFamily[f]
		if len(ks) < 2 {
			continue
		}
		if p.inAlt == nil {
			p.inAlt = make([]bool, len(p.crit))
		}
		for _, k := range ks {
			p.inAlt[k] = true
		}
		p.alts = append(p.alts, ks)
	}
}
