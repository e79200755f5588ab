package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// RankFigures are recall@10 and nDCG@10 against curated links.
type RankFigures struct {
	Guides int     `json:"guides"`
	Recall float64 `json:"recall_at_10"`
	NDCG   float64 `json:"ndcg_at_10"`
}

// SimFigures compare the rankings of « Métiers similaires » on the
// held-out half of the guides.
type SimFigures struct {
	CriteriaOnly RankFigures       `json:"criteria_only"`
	TextOnly     RankFigures       `json:"text_only"`
	Blend        RankFigures       `json:"blend"`
	BlendWeights recommend.Weights `json:"blend_weights"`
	TFIDF        RankFigures       `json:"tfidf_cosine"`
}

// QuizFigures is the RIASEC agreement of quiz matches.
type QuizFigures struct {
	ByLetter  map[string]float64 `json:"by_letter"`
	Agreement float64            `json:"agreement"`
}

// cachedText remembers the text neighbours of each guide, so that
// several recommenders can be built over one index.
type cachedText struct {
	inner recommend.TextSimilarity
	mu    sync.Mutex
	sim   map[string][]recommend.TextMatch
}

func (c *cachedText) Similar(ctx context.Context, m *corpus.Metier, k int) ([]recommend.TextMatch, error) {
	c.mu.Lock()
	if r, ok := c.sim[m.ID]; ok {
		c.mu.Unlock()
		return r, nil
	}
	c.mu.Unlock()
	r, err := c.inner.Similar(ctx, m, k)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.sim[m.ID] = r
	c.mu.Unlock()
	return r, nil
}

func (c *cachedText) Relevant(ctx context.Context, text string, k int) ([]recommend.TextMatch, error) {
	return c.inner.Relevant(ctx, text, k)
}

// truth maps each guide id to its curated links, in order.
func truth(ms []*corpus.Metier) map[string][]string {
	out := map[string][]string{}
	for _, m := range ms {
		if len(m.Similar) > 0 {
			out[m.ID] = m.Similar
		}
	}
	return out
}

// half puts a guide in half 0 (tuning) or 1 (reporting), by its id.
func half(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % 2)
}

// rank scores a ranking function on the guides of one half.
func rank(gold map[string][]string, part int, ranked func(id string) []string) RankFigures {
	var f RankFigures
	for id, links := range gold {
		if half(id) != part {
			continue
		}
		got := ranked(id)
		if len(got) > 10 {
			got = got[:10]
		}
		rel := map[string]bool{}
		for _, l := range links {
			rel[l] = true
		}
		hits := 0
		var dcg float64
		for i, g := range got {
			if rel[g] {
				hits++
				dcg += 1 / math.Log2(float64(i+2))
			}
		}
		var idcg float64
		for i := 0; i < min(10, len(links)); i++ {
			idcg += 1 / math.Log2(float64(i+2))
		}
		f.Guides++
		f.Recall += float64(hits) / float64(min(10, len(links)))
		f.NDCG += dcg / idcg
	}
	if f.Guides > 0 {
		f.Recall /= float64(f.Guides)
		f.NDCG /= float64(f.Guides)
	}
	return f
}

// evaluate builds recommenders over a corpus imported without links and
// scores them against the links of the same corpus imported with them.
func evaluate(ctx context.Context, nolinks, withLinks []*corpus.Metier) (SimFigures, *recommend.Recommender, error) {
	gold := truth(withLinks)
	idx, err := index.Build(ctx, nolinks, index.Options{})
	if err != nil {
		return SimFigures{}, nil, err
	}
	defer idx.Close()
	s, err := search.New(idx, search.Options{})
	if err != nil {
		return SimFigures{}, nil, err
	}
	an, err := index.NewAnalyzer()
	if err != nil {
		return SimFigures{}, nil, err
	}
	tv, err := recommend.NewTextVectors(ctx, nolinks, recommend.TextVectorOptions{Analyze: an.Terms})
	if err != nil {
		return SimFigures{}, nil, err
	}
	text := &cachedText{inner: engine.NewTextSimilarity(tv, s), sim: map[string][]recommend.TextMatch{}}
	build := func(w recommend.Weights) (*recommend.Recommender, error) {
		return recommend.New(ctx, nolinks, recommend.Options{Text: text, Analyze: an.Terms, Weights: &w})
	}
	ranked := func(r *recommend.Recommender) func(string) []string {
		return func(id string) []string {
			sim, _ := r.Similar(id, 10)
			ids := make([]string, len(sim))
			for i, x := range sim {
				ids[i] = x.ID
			}
			return ids
		}
	}
	var out SimFigures
	crit, err := build(recommend.Weights{Criteria: 1})
	if err != nil {
		return out, nil, err
	}
	txt, err := build(recommend.Weights{Text: 1})
	if err != nil {
		return out, nil, err
	}
	out.CriteriaOnly = rank(gold, 1, ranked(crit))
	out.TextOnly = rank(gold, 1, ranked(txt))
	// Choose the blend on half 0, report it on half 1.
	best, bestScore := recommend.Weights{}, -1.0
	var bestR *recommend.Recommender
	for _, wt := range []float64{0.5, 0.65, 0.8, 0.9, 0.95, 0.98} {
		w := recommend.Weights{Criteria: 1 - wt, Text: wt}
		r, err := build(w)
		if err != nil {
			return out, nil, err
		}
		if sc := rank(gold, 0, ranked(r)).NDCG; sc > bestScore {
			best, bestScore, bestR = w, sc, r
		}
	}
	out.BlendWeights = best
	out.Blend = rank(gold, 1, ranked(bestR))
	tf := newTFIDF(nolinks)
	out.TFIDF = rank(gold, 1, tf.similar)
	return out, bestR, nil
}

func similarONISEP(ctx context.Context, dir string) (SimFigures, error) {
	with, err := importer.ONISEP(dir, importer.Options{})
	if err != nil {
		return SimFigures{}, err
	}
	without, err := importer.ONISEP(dir, importer.Options{NoLinks: true})
	if err != nil {
		return SimFigures{}, err
	}
	f, _, err := evaluate(ctx, without.Metiers, with.Metiers)
	return f, err
}

func similarROME(ctx context.Context, dir string) (SimFigures, *QuizFigures, error) {
	with, err := importer.ROME(dir, importer.Options{})
	if err != nil {
		return SimFigures{}, nil, err
	}
	without, err := importer.ROME(dir, importer.Options{NoLinks: true})
	if err != nil {
		return SimFigures{}, nil, err
	}
	f, r, err := evaluate(ctx, without.Metiers, with.Metiers)
	if err != nil {
		return f, nil, err
	}
	q, err := quizSanity(ctx, r, without.Metiers)
	return f, q, err
}

// quizSanity answers the quiz as a reader with one strong RIASEC letter
// (5 to its question, 1 to the other five) and measures how many of the
// top 10 have that letter as their major one.
func quizSanity(ctx context.Context, r *recommend.Recommender, ms []*corpus.Metier) (*QuizFigures, error) {
	letterQ := map[string]string{"R": "q_riasec_r", "I": "q_riasec_i", "A": "q_riasec_a", "S": "q_riasec_s", "E": "q_riasec_e", "C": "q_riasec_c"}
	major := map[string]string{}
	for _, m := range ms {
		for l := range letterQ {
			if m.Criteria["riasec_"+strings.ToLower(l)] == 1 {
				major[m.ID] = l
			}
		}
	}
	out := &QuizFigures{ByLetter: map[string]float64{}}
	for l := range letterQ {
		answers := map[string]int{}
		for o, q := range letterQ {
			answers[q] = 1
			if o == l {
				answers[q] = 5
			}
		}
		res, err := r.Match(ctx, recommend.MatchRequest{Answers: answers, Size: 10})
		if err != nil {
			return nil, err
		}
		matches := res.Matches
		agree := 0
		for _, m := range matches {
			if major[m.ID] == l {
				agree++
			}
		}
		out.ByLetter[l] = float64(agree) / float64(len(matches))
		out.Agreement += out.ByLetter[l] / 6
	}
	return out, nil
}

// tfidf is the peer of « similaires »: cosine of TF-IDF vectors of the
// guide's text, words folded and lower-cased.
type tfidf struct {
	ids  []string
	vecs []map[string]float64
}

func newTFIDF(ms []*corpus.Metier) *tfidf {
	t := &tfidf{}
	df := map[string]int{}
	var tfs []map[string]float64
	for _, m := range ms {
		text := strings.Join(append(append([]string{m.Title, m.TitleFeminine, m.Tagline, m.Introduction, m.Conditions, m.Studies}, m.Missions...), m.Qualities...), " ")
		tf := map[string]float64{}
		for _, w := range recommend.FoldAnalyzer(text) {
			if len(w) > 2 {
				tf[w]++
			}
		}
		for w := range tf {
			df[w]++
		}
		tfs = append(tfs, tf)
		t.ids = append(t.ids, m.ID)
	}
	n := float64(len(ms))
	for _, tf := range tfs {
		v := map[string]float64{}
		var norm float64
		for w, c := range tf {
			x := (1 + math.Log(c)) * math.Log(n/float64(df[w]))
			v[w] = x
			norm += x * x
		}
		norm = math.Sqrt(norm)
		for w := range v {
			v[w] /= norm
		}
		t.vecs = append(t.vecs, v)
	}
	return t
}

func (t *tfidf) similar(id string) []string {
	i := -1
	for k, x := range t.ids {
		if x == id {
			i = k
		}
	}
	type sc struct {
		id string
		s  float64
	}
	var all []sc
	for j, v := range t.vecs {
		if j == i {
			continue
		}
		var s float64
		for w, x := range t.vecs[i] {
			s += x * v[w]
		}
		all = append(all, sc{t.ids[j], s})
	}
	sort.Slice(all, func(a, b int) bool { return all[a].s > all[b].s })
	out := make([]string, 0, 10)
	for _, a := range all[:min(10, len(all))] {
		out = append(out, a.id)
	}
	return out
}

func printSim(name string, f SimFigures) {
	fmt.Printf("« Métiers similaires » vs %s, no links given (held-out half: %d guides)\n", name, f.Blend.Guides)
	fmt.Printf("%-40s %10s %9s\n", "ranking", "recall@10", "nDCG@10")
	row := func(n string, r RankFigures) { fmt.Printf("%-40s %10.3f %9.3f\n", n, r.Recall, r.NDCG) }
	row("criteria only", f.CriteriaOnly)
	row("text only (TF-IDF vectors)", f.TextOnly)
	row(fmt.Sprintf("blend (criteria %.2f, text %.2f)", f.BlendWeights.Criteria, f.BlendWeights.Text), f.Blend)
	row("plain TF-IDF cosine (peer)", f.TFIDF)
}

func printQuiz(q *QuizFigures) {
	fmt.Printf("Quiz sanity on ROME: RIASEC agreement of the top 10 = %.2f (", q.Agreement)
	for _, l := range []string{"R", "I", "A", "S", "E", "C"} {
		fmt.Printf(" %s %.1f", l, q.ByLetter[l])
	}
	fmt.Println(" )")
}
