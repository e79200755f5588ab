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
	// idf is each criterion's rarity among the guides (label criteria),
	// mean each criterion's mean (graded ones are centred on it).
	idf, mean []float64
	// ficheDim numbers the fiche dimensions (« c » + a sheet's code,
	// « p » + a parent's), ficheIDF weighs them.
	ficheDim map[string]int32
	ficheIDF map[int32]float64
	// alpha weighs each group, total is their sum.
	alpha map[string]float64
	total float64
}

// fiche dimensions' shares of a linked sheet.
const (
	parentShare   = 0.5
	mobilityShare = 0.3
)

func (r *Recommender) buildSimIndex() *simIndex {
	n := len(r.metiers)
	crit := r.tax.Criteria
	s := &simIndex{idf: make([]float64, len(crit)), mean: make([]float64, len(crit)), ficheDim: map[string]int32{}, ficheIDF: map[int32]float64{}, alpha: r.tax.Similarity}
	for _, g := range append(r.tax.groups(), groupFiche) {
		s.total += s.alpha[g]
	}
	if s.total == 0 {
		s.total = 1
	}
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
			s.mean[c] = sum / float64(k)
		}
		if df[c] > 0 {
			s.idf[c] = math.Log(1 + float64(n)/float64(df[c]))
		}
	}
	ficheDF := map[int32]int{}
	for _, sheets := range r.sheets {
		for d := range s.fiche(sheets) {
			ficheDF[d]++
		}
	}
	for d, k := range ficheDF {
		s.ficheIDF[d] = math.Log(1 + float64(n)/float64(k))
	}
	s.vecs = make([][]entry, n)
	for i := range r.vectors {
		s.vecs[i] = s.embed(r, r.vectors[i], r.sheets[i])
	}
	s.index(len(crit))
	return s
}

// fiche returns a guide's fiche dimensions, numbering new ones.
func (s *simIndex) fiche(sheets []sheetWeight) map[int32]float64 {
	f := map[int32]float64{}
	dim := func(key string) int32 {
		d, ok := s.ficheDim[key]
		if !ok {
			d = int32(-1 - len(s.ficheDim)) // renumbered after the criteria by index
			s.ficheDim[key] = d
		}
		return d
	}
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
	return f
}

// embed is one guide's vector in the similarity's space.
func (s *simIndex) embed(r *Recommender, v Vector, sheets []sheetWeight) []entry {
	crit := r.tax.Criteria
	byGroup := map[string][]entry{}
	for c, cr := range crit {
		if s.alpha[cr.Group] == 0 {
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
			x = (v[c] - s.mean[c]) * cr.Weight
			if x == 0 {
				continue
			}
		}
		byGroup[cr.Group] = append(byGroup[cr.Group], entry{int32(c), float32(x)})
	}
	if s.alpha[groupFiche] > 0 && len(sheets) > 0 {
		var es []entry
		for d, x := range s.fiche(sheets) {
			// A dimension no guide of the build had weighs as the rarest.
			idf, ok := s.ficheIDF[d]
			if !ok {
				idf = math.Log(1 + float64(len(r.metiers)))
			}
			es = append(es, entry{d, float32(x * idf)})
		}
		byGroup[groupFiche] = es
	}
	var vec []entry
	for g, es := range byGroup {
		var norm float64
		for _, e := range es {
			norm += float64(e.w) * float64(e.w)
		}
		if norm == 0 {
			continue
		}
		scale := math.Sqrt(s.alpha[g]/s.total) / math.Sqrt(norm)
		for _, e := range es {
			vec = append(vec, entry{e.id, float32(float64(e.w) * scale)})
		}
	}
	sort.Slice(vec, func(a, b int) bool { return vec[a].id < vec[b].id })
	return vec
}

// index makes the posting lists of the vectors: criteria dimensions by
// their index, fiche dimensions (numbered -1, -2 …) after them.
func (s *simIndex) index(ncrit int) {
	s.postings = make([][]entry, ncrit+len(s.ficheDim))
	for i, vec := range s.vecs {
		s.slots(vec, ncrit)
		for _, e := range vec {
			s.postings[e.id] = append(s.postings[e.id], entry{int32(i), e.w})
		}
	}
}

// slots renumbers a vector's dimensions as their posting lists' slots
// (criteria by their index, fiche dimensions after them), in order.
func (s *simIndex) slots(vec []entry, ncrit int) {
	sorted := true
	for k := range vec {
		if d := vec[k].id; d < 0 {
			vec[k].id = int32(ncrit - 1 - int(d))
		}
		sorted = sorted && (k == 0 || vec[k-1].id < vec[k].id)
	}
	if !sorted {
		sort.Slice(vec, func(a, b int) bool { return vec[a].id < vec[b].id })
	}
}

// dot is the similarity of two guides' vectors (both in slot order).
func dot(a, b []entry) float64 {
	var s float64
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x].id < b[y].id:
			x++
		case a[x].id > b[y].id:
			y++
		default:
			s += float64(a[x].w) * float64(b[y].w)
			x++
			y++
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
