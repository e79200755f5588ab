package recommend

import (
	"math"
	"sort"
)

// simIndex is the criteria similarity of a corpus: each guide is a
// sparse vector whose dot product with another's is
//
//	Σ_group α_group · cos_group(i, j) / Σ α
//
// where each group's cosine weighs its criteria: a label criterion (a
// domain, an interest) by its rarity, idf = ln(1 + N/df), a graded one
// (RIASEC, study length, working conditions) by its weight in the
// taxonomy, centred on the corpus's mean. The ROME sheets a guide is
// linked to are one more group, « fiche »: the sheet itself, its parent
// sheet (half) and the sheets its mobilités lead to (a third), each by
// its rarity. Rows are accumulated through posting lists, one per
// dimension.
type simIndex struct {
	vecs     [][]entry
	postings [][]entry
	// idf is each criterion's rarity among the guides (label criteria).
	idf []float64
}

// fiche dimensions' shares of a linked sheet.
const (
	parentShare   = 0.5
	mobilityShare = 0.3
)

func (r *Recommender) buildSimIndex() *simIndex {
	n := len(r.metiers)
	crit := r.tax.Criteria
	s := &simIndex{idf: make([]float64, len(crit))}
	alpha := r.tax.Similarity
	var total float64
	for _, g := range append(r.tax.groups(), groupFiche) {
		total += alpha[g]
	}
	if total == 0 {
		total = 1
	}
	mean := make([]float64, len(crit))
	df := make([]int, len(crit))
	for c := range crit {
		var sum float64
		k := 0
		for _, v := range r.vectors {
			if known(v[c]) {
				sum += v[c]
				k++
			}
			if v[c] > 0 {
				df[c]++
			}
		}
		if k > 0 {
			mean[c] = sum / float64(k)
		}
		if df[c] > 0 {
			s.idf[c] = math.Log(1 + float64(n)/float64(df[c]))
		}
	}
	// The fiche dimensions: one per sheet code, one per parent code.
	ficheDim := map[string]int32{}
	dim := func(key string) int32 {
		d, ok := ficheDim[key]
		if !ok {
			d = int32(len(crit) + len(ficheDim))
			ficheDim[key] = d
		}
		return d
	}
	fiche := make([]map[int32]float64, n)
	ficheDF := map[int32]int{}
	for i, sheets := range r.sheets {
		f := map[int32]float64{}
		for _, sw := range sheets {
			f[dim("c"+sw.sheet.Code)] += sw.w
			// A v3 sheet is its own parent: it meets the sheets split from it.
			if p := sw.sheet.Parent; p != "" {
				f[dim("p"+p)] += parentShare * sw.w
			}
			for _, t := range sw.sheet.Mobilities {
				f[dim("c"+t)] += mobilityShare * sw.w
			}
		}
		for d := range f {
			ficheDF[d]++
		}
		fiche[i] = f
	}
	groupOf := make([]string, len(crit))
	for c, cr := range crit {
		groupOf[c] = cr.Group
	}
	s.vecs = make([][]entry, n)
	for i, v := range r.vectors {
		var vec []entry
		byGroup := map[string][]entry{}
		for c, cr := range crit {
			if alpha[cr.Group] == 0 {
				continue
			}
			var x float64
			if cr.Family != "" {
				if v[c] <= 0 {
					continue
				}
				x = v[c] * s.idf[c]
			} else {
				if !known(v[c]) {
					continue
				}
				x = (v[c] - mean[c]) * cr.Weight
				if x == 0 {
					continue
				}
			}
			byGroup[cr.Group] = append(byGroup[cr.Group], entry{int32(c), float32(x)})
		}
		if alpha[groupFiche] > 0 && len(fiche[i]) > 0 {
			var es []entry
			for d, x := range fiche[i] {
				es = append(es, entry{d, float32(x * math.Log(1+float64(n)/float64(ficheDF[d])))})
			}
			byGroup[groupFiche] = es
		}
		for g, es := range byGroup {
			var norm float64
			for _, e := range es {
				norm += float64(e.w) * float64(e.w)
			}
			if norm == 0 {
				continue
			}
			scale := math.Sqrt(alpha[g]/total) / math.Sqrt(norm)
			for _, e := range es {
				vec = append(vec, entry{e.id, float32(float64(e.w) * scale)})
			}
		}
		sort.Slice(vec, func(a, b int) bool { return vec[a].id < vec[b].id })
		s.vecs[i] = vec
	}
	s.postings = make([][]entry, len(crit)+len(ficheDim))
	for i, vec := range s.vecs {
		for _, e := range vec {
			s.postings[e.id] = append(s.postings[e.id], entry{int32(i), e.w})
		}
	}
	return s
}

// row fills acc with guide i's similarity to every guide (acc[i] = 0)
// and returns the highest.
func (s *simIndex) row(i int, acc []float64) float64 {
	clear(acc)
	for _, e := range s.vecs[i] {
		w := float64(e.w)
		for _, p := range s.postings[e.id] {
			acc[p.id] += w * float64(p.w)
		}
	}
	acc[i] = 0
	best := 0.0
	for j, x := range acc {
		if j != i && x > best {
			best = x
		}
	}
	return best
}
