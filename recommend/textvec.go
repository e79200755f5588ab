package recommend

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/metiers/metiers/corpus"
)

// TextVectors is a TF-IDF model of the guides' text: each guide is a
// sparse vector of its analysed terms (sublinear term frequency times
// inverse document frequency, titles and sectors counting more), and two
// guides are as alike as the cosine of their vectors. Every guide's
// nearest neighbours are computed once, through an inverted index, when
// the model is built: a lookup is then a slice read.
//
// It implements the Similar half of TextSimilarity; the other half, free
// text against the guides, is better served by the search index.
type TextVectors struct {
	ids   []string
	byID  map[string]int
	terms []string // term id -> term as the guides write it
	label []bool   // term id -> a whole label, not a word
	vecs  [][]entry
	near  [][]TextMatch
	// What one guide's update needs (Apply): the terms by their analysed
	// form, each term's document frequency at the build, the posting
	// lists and the options.
	dict     map[string]int32
	df       []int
	postings [][]entry
	opts     TextVectorOptions
}

// entry is one term of a vector (or one guide of a posting list).
type entry struct {
	id int32
	w  float32
}

// TextVectorOptions tune a TextVectors model.
type TextVectorOptions struct {
	// Analyze is the French analysis of the index (required: the terms
	// must be stems for « infirmier » and « infirmière » to meet).
	Analyze Analyzer
	// Terms is how many of its heaviest terms stand for a guide when
	// neighbours are looked for (default 300): the long tail of a guide's
	// vector weighs little in a cosine and costs most.
	Terms int
	// Neighbours is how many nearest guides are kept per guide (default 50).
	Neighbours int
	// SharedTerms is how many shared terms a match names (default 5).
	SharedTerms int
	// LabelWeight is how many words a sector or a centre d'intérêt label
	// counts for, as one token of its own (default 3): a shared label
	// says more about likeness than a shared word.
	LabelWeight float64
	// CommonTermsFrom is the corpus size from which terms in more than
	// half of the guides are left out of the neighbours' sums (default
	// 2,000; a negative value never leaves them out). They weigh little in
	// a cosine (idf under ln 2) but have the longest postings to walk:
	// on 10,000 guides recombined from five, nearly every term is one.
	// Left out on ONISEP and ROME (threshold lowered to 500), recall@10
	// of the text alone does not move (0.760, 0.315).
	CommonTermsFrom int
	// LineWeight is the same for a whole list item (a mission, a skill)
	// found in other guides too (default 1; ROME mobilités recall@10
	// 0.308 without, 0.315 at 1, 0.294 at 10).
	LineWeight float64
}

// NewTextVectors builds the model of the guides and their neighbours.
func NewTextVectors(ctx context.Context, metiers []*corpus.Metier, opts TextVectorOptions) (*TextVectors, error) {
	if opts.Analyze == nil {
		return nil, fmt.Errorf("recommend: text vectors need an analyzer")
	}
	if opts.Terms <= 0 {
		opts.Terms = 300
	}
	if opts.Neighbours <= 0 {
		opts.Neighbours = 50
	}
	if opts.SharedTerms <= 0 {
		opts.SharedTerms = 5
	}
	if opts.LabelWeight <= 0 {
		opts.LabelWeight = 3
	}
	if opts.LineWeight <= 0 {
		opts.LineWeight = 1
	}
	t := &TextVectors{byID: make(map[string]int, len(metiers))}
	for i, m := range metiers {
		if _, dup := t.byID[m.ID]; dup {
			return nil, fmt.Errorf("recommend: duplicate id %q", m.ID)
		}
		t.byID[m.ID] = i
		t.ids = append(t.ids, m.ID)
	}
	counts := t.count(metiers, opts.Analyze, opts.LabelWeight, opts.LineWeight)
	t.weigh(counts, opts.Terms)
	if opts.CommonTermsFrom == 0 {
		opts.CommonTermsFrom = 2000
	}
	t.opts = opts
	if err := t.neighbours(ctx, opts.Neighbours, opts.SharedTerms, opts.CommonTermsFrom); err != nil {
		return nil, err
	}
	return t, nil
}

// describingText is the text of a guide for similarity, with how many
// times each part counts. Every part counts once: counting the title
// three times, the tagline and the sectors more, scored a little lower on
// ONISEP (recall@10 0.760 against 0.763).
func describingText(m *corpus.Metier) []struct {
	text   string
	weight int
} {
	type part = struct {
		text   string
		weight int
	}
	parts := []part{{m.Title, 1}, {m.TitleFeminine, 1}, {m.Tagline, 1}, {m.Introduction, 1}, {m.Studies, 1}, {m.Conditions, 1}}
	add := func(list []string, w int) {
		for _, s := range list {
			parts = append(parts, part{s, w})
		}
	}
	add(m.AltTitles, 1)
	add(m.Missions, 1)
	add(m.Qualities, 1)
	add(m.Tools, 1)
	add(m.Workplaces, 1)
	add(m.Interests, 1)
	add(m.Sectors, 1)
	return parts
}

// count returns each guide's term counts, by term id. Each distinct word
// of the corpus is analysed once; a term is shown as the lower-case word
// that most often yields it.
func (t *TextVectors) count(metiers []*corpus.Metier, analyze Analyzer, labelWeight, lineWeight float64) []map[int32]float64 {
	c := &counter{t: t, analyze: analyze, words: map[string][]int32{}, grow: true, labelWeight: labelWeight, lineWeight: lineWeight}
	t.dict = map[string]int32{}
	counts := make([]map[int32]float64, len(metiers))
	for i, m := range metiers {
		counts[i] = c.guide(m)
	}
	for id, f := range c.forms {
		best, n := t.terms[id], 0
		for w, k := range f {
			if k > n || (k == n && w < best) {
				best, n = w, k
			}
		}
		t.terms[id] = best
	}
	return counts
}

// counter counts the terms of guides. A growing counter (the build)
// numbers each new term; the other (one guide applied) leaves out the
// terms the build did not see, which no other guide shares.
type counter struct {
	t                       *TextVectors
	analyze                 Analyzer
	words                   map[string][]int32
	forms                   []map[string]int
	grow                    bool
	labelWeight, lineWeight float64
}

func (c *counter) id(key, form string, label bool) (int32, bool) {
	t := c.t
	if id, ok := t.dict[key]; ok {
		if c.grow {
			c.forms[id][form]++
		}
		return id, true
	}
	if !c.grow {
		return 0, false
	}
	id := int32(len(t.terms))
	t.dict[key] = id
	t.terms = append(t.terms, key)
	t.label = append(t.label, label)
	c.forms = append(c.forms, map[string]int{form: 1})
	return id, true
}

func (c *counter) guide(m *corpus.Metier) map[int32]float64 {
	out := map[int32]float64{}
	for _, p := range describingText(m) {
		for _, w := range splitWords(p.text) {
			lw := strings.ToLower(w)
			ts, ok := c.words[lw]
			if !ok {
				for _, term := range c.analyze(lw) {
					if len(term) <= 2 {
						continue
					}
					if id, ok := c.id(term, elided(lw), false); ok {
						ts = append(ts, id)
					}
				}
				if c.grow {
					c.words[lw] = ts
				}
			} else if c.grow {
				for _, id := range ts {
					c.forms[id][elided(lw)]++
				}
			}
			for _, id := range ts {
				out[id] += float64(p.weight)
			}
		}
	}
	// Labels (sectors, centres d'intérêt) and list items (missions,
	// qualities, tools, workplaces) also as whole tokens: ROME's sheets
	// share exact skill lines, a sign of kinship that their words alone
	// dilute (items found in one guide only are dropped with every other
	// such term in weigh).
	for li, list := range [][]string{m.Sectors, m.Interests, m.Missions, m.Qualities, m.Tools, m.Workplaces} {
		lw := c.labelWeight
		if li >= 2 {
			lw = c.lineWeight
		}
		for _, l := range list {
			l = strings.ToLower(strings.TrimSpace(l))
			if l == "" {
				continue
			}
			if id, ok := c.id("\x00"+l, l, true); ok {
				out[id] += lw
			}
		}
	}
	return out
}

// splitWords cuts a text into words the way the index's tokenizer sees
// them, keeping elisions (« l'INAMI »), middle dots and inner hyphens, so
// that each word can be analysed on its own (and remembered).
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == '·' || r == '-')
	})
}

// elided drops an elided article (« l'assurance » → « assurance »).
func elided(w string) string {
	if i := strings.LastIndexAny(w, "'’"); i >= 0 {
		return strings.TrimLeft(w[i:], "'’")
	}
	return w
}

// weigh turns counts into L2-normalised TF-IDF vectors, each cut to its
// heaviest terms (and normalised again), sorted by term id.
func (t *TextVectors) weigh(counts []map[int32]float64, keep int) {
	t.df = make([]int, len(t.terms))
	for _, c := range counts {
		for id := range c {
			t.df[id]++
		}
	}
	t.vecs = make([][]entry, len(counts))
	for i, c := range counts {
		t.vecs[i] = t.vector(c, len(counts), keep)
	}
}

// vector turns one guide's counts into its vector, the build's document
// frequencies over n guides weighing its terms.
func (t *TextVectors) vector(c map[int32]float64, n, keep int) []entry {
	df := t.df
	v := make([]entry, 0, len(c))
	for id, k := range c {
		if df[id] < 2 {
			continue // in no other guide: says nothing of likeness
		}
		idf := math.Log(float64(n) / float64(df[id]))
		if idf <= 0 {
			continue
		}
		v = append(v, entry{id, float32((1 + math.Log(k)) * idf)})
	}
	sort.Slice(v, func(a, b int) bool {
		if v[a].w != v[b].w {
			return v[a].w > v[b].w
		}
		return v[a].id < v[b].id
	})
	if len(v) > keep {
		v = v[:keep]
	}
	var norm float64
	for _, e := range v {
		norm += float64(e.w) * float64(e.w)
	}
	norm = math.Sqrt(norm)
	if norm == 0 {
		return v
	}
	for k := range v {
		v[k].w = float32(float64(v[k].w) / norm)
	}
	sort.Slice(v, func(a, b int) bool { return v[a].id < v[b].id })
	return v
}

// neighbours computes every guide's nearest guides by accumulating the
// products of shared terms over an inverted index, in parallel rows.
func (t *TextVectors) neighbours(ctx context.Context, k, shared, commonFrom int) error {
	t.index(commonFrom)
	t.near = make([][]TextMatch, len(t.vecs))
	return onEveryCore(ctx, len(t.vecs), func() func(int) {
		acc := make([]float32, len(t.vecs))
		var touched []int32
		return func(i int) { t.near[i] = t.row(i, acc, &touched, k, shared) }
	})
}

// index makes the posting lists of the vectors. Terms in more than half
// of a large corpus are left out of the sums (not of the vectors'
// norms): see TextVectorOptions.CommonTermsFrom.
func (t *TextVectors) index(commonFrom int) {
	t.postings = make([][]entry, len(t.terms))
	for i, v := range t.vecs {
		for _, e := range v {
			t.postings[e.id] = append(t.postings[e.id], entry{int32(i), e.w})
		}
	}
	if n := len(t.vecs); commonFrom > 0 && n >= commonFrom {
		for id, p := range t.postings {
			if 2*len(p) > n {
				t.postings[id] = nil
			}
		}
	}
}

// row is guide i's nearest guides; acc (one value per guide, zero) and
// touched are buffers of the caller's.
func (t *TextVectors) row(i int, acc []float32, touched *[]int32, k, shared int) []TextMatch {
	*touched = (*touched)[:0]
	for _, e := range t.vecs[i] {
		for _, p := range t.postings[e.id] {
			if acc[p.id] == 0 {
				*touched = append(*touched, p.id)
			}
			acc[p.id] += e.w * p.w
		}
	}
	near := t.best(i, acc, *touched, k, shared)
	for _, j := range *touched {
		acc[j] = 0
	}
	return near
}

// best keeps the k guides with the highest cosine to guide i, with the
// terms that weigh most in it.
func (t *TextVectors) best(i int, acc []float32, touched []int32, k, shared int) []TextMatch {
	better := func(a, b int32) bool { return acc[a] > acc[b] || (acc[a] == acc[b] && a < b) }
	others := func(yield func(int32) bool) {
		for _, j := range touched {
			if int(j) != i && acc[j] > 0 && !yield(j) {
				return
			}
		}
	}
	cand := topK(others, k, better)
	out := make([]TextMatch, len(cand))
	for n, j := range cand {
		out[n] = TextMatch{ID: t.ids[j], Score: math.Min(1, float64(acc[j])), Terms: t.sharedTerms(i, int(j), shared)}
	}
	return out
}

// sharedTerms returns the terms that add most to the cosine of i and j.
func (t *TextVectors) sharedTerms(i, j, k int) []string {
	a, b := t.vecs[i], t.vecs[j]
	type c struct {
		id int32
		w  float32
	}
	var both []c
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x].id < b[y].id:
			x++
		case a[x].id > b[y].id:
			y++
		default:
			if !t.label[a[x].id] { // labels are said by the criteria
				both = append(both, c{a[x].id, a[x].w * b[y].w})
			}
			x++
			y++
		}
	}
	sort.Slice(both, func(p, q int) bool { return both[p].w > both[q].w })
	if len(both) > k {
		both = both[:k]
	}
	out := make([]string, len(both))
	for n, s := range both {
		out[n] = t.terms[s.id]
	}
	return out
}

// Similar returns the k guides whose text is most like m's, with their
// cosine relative to the best one's (the nearest guide scores 1), from
// the table computed at build time.
func (t *TextVectors) Similar(_ context.Context, m *corpus.Metier, k int) ([]TextMatch, error) {
	i, ok := t.byID[m.ID]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownMetier, m.ID)
	}
	near := t.near[i]
	if len(near) > k {
		near = near[:k]
	}
	out := make([]TextMatch, len(near))
	for n, x := range near {
		out[n] = x
		out[n].Score = x.Score / near[0].Score
	}
	return out, nil
}
