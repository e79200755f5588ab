package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/rome"
)

// RankFigures are recall@10 and nDCG@10 against curated links.
type RankFigures struct {
	Guides int     `json:"guides"`
	Recall float64 `json:"recall_at_10"`
	NDCG   float64 `json:"ndcg_at_10"`
}

// SimFigures compare the rankings of « Métiers similaires » on the
// held-out half of the guides; Tuning holds the same on the tuning half.
type SimFigures struct {
	CriteriaOnly RankFigures `json:"criteria_only"`
	// CriteriaSuggested is criteria only with the source's ROME codes
	// stripped (every link suggested), ONISEP only.
	CriteriaSuggested *RankFigures      `json:"criteria_suggested_codes,omitempty"`
	TextOnly          RankFigures       `json:"text_only"`
	Blend             RankFigures       `json:"blend"`
	BlendWeights      recommend.Weights `json:"blend_weights"`
	Served            RankFigures       `json:"served"`
	ServedWeights     recommend.Weights `json:"served_weights"`
	TFIDF             RankFigures       `json:"tfidf_cosine"`
	// Gain is the blend's recall@10 minus the text's on the held-out
	// half, guide by guide, with a 95 % interval (paired bootstrap).
	Gain   Interval `json:"blend_minus_text_recall"`
	Tuning map[string]RankFigures
}

// Interval is a mean with a 95 % bootstrap interval.
type Interval struct {
	Mean float64 `json:"mean"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// textOnly is the guide-to-guide half of the text similarity (the quiz's
// free text is not measured here).
type textOnly struct{ *recommend.TextVectors }

func (textOnly) Relevant(context.Context, string, int) ([]recommend.TextMatch, error) {
	return nil, nil
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

// perGuide is each guide's recall@10 on one half, by id.
func perGuide(gold map[string][]string, part int, ranked func(id string) []string) map[string]float64 {
	out := map[string]float64{}
	for id, links := range gold {
		if half(id) != part {
			continue
		}
		out[id] = rank(map[string][]string{id: links}, part, ranked).Recall
	}
	return out
}

// gain is the mean of b − a over the guides, with a 95 % interval from
// 2,000 paired bootstrap resamples (a fixed seed: the same run, the same
// interval).
func gain(a, b map[string]float64) Interval {
	ids := make([]string, 0, len(a))
	for id := range a {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	d := make([]float64, len(ids))
	var mean float64
	for i, id := range ids {
		d[i] = b[id] - a[id]
		mean += d[i]
	}
	if len(d) == 0 {
		return Interval{}
	}
	mean /= float64(len(d))
	rng := rand.New(rand.NewPCG(18, 18))
	means := make([]float64, 2000)
	for k := range means {
		var s float64
		for range d {
			s += d[rng.IntN(len(d))]
		}
		means[k] = s / float64(len(d))
	}
	sort.Float64s(means)
	return Interval{Mean: mean, Low: means[len(means)*25/1000], High: means[len(means)*975/1000]}
}

func ranked(r *recommend.Recommender) func(string) []string {
	return func(id string) []string {
		sim, _ := r.Similar(id, 10)
		ids := make([]string, len(sim))
		for i, x := range sim {
			ids[i] = x.ID
		}
		return ids
	}
}

// simCorpus is one corpus imported without its curated links, its gold
// (the links of the same corpus imported with them), and a recommender
// over it with the referential and the text similarity.
type simCorpus struct {
	name string
	gold map[string][]string
	r    *recommend.Recommender
	// stripped is the same corpus with its ROME codes removed (ONISEP).
	stripped *recommend.Recommender
	guides   []*corpus.Metier
}

// newSimCorpus builds the corpus's recommender. ref must not hold what
// the gold holds (ROME's mobilités when the gold is ROME's mobilités).
func newSimCorpus(ctx context.Context, name string, nolinks, withLinks []*corpus.Metier, ref *rome.Referential, strip bool) (*simCorpus, error) {
	for _, m := range nolinks {
		if len(m.Similar) > 0 {
			return nil, fmt.Errorf("%s: %s keeps curated links: the gold would leak", name, m.ID)
		}
	}
	an, err := index.NewAnalyzer()
	if err != nil {
		return nil, err
	}
	tv, err := recommend.NewTextVectors(ctx, nolinks, recommend.TextVectorOptions{Analyze: an.Terms})
	if err != nil {
		return nil, err
	}
	matcher := rome.NewMatcher(ref, an.Terms, rome.MatchOptions{})
	w := recommend.DefaultWeights()
	r, err := recommend.New(ctx, nolinks, recommend.Options{Text: textOnly{tv}, Analyze: an.Terms, Rome: matcher, Weights: &w})
	if err != nil {
		return nil, err
	}
	c := &simCorpus{name: name, gold: truth(withLinks), r: r, guides: nolinks}
	if strip {
		bare := make([]*corpus.Metier, len(nolinks))
		for i, m := range nolinks {
			cp := *m
			cp.RomeCodes = nil
			bare[i] = &cp
		}
		if c.stripped, err = recommend.New(ctx, bare, recommend.Options{Text: textOnly{tv}, Analyze: an.Terms, Rome: matcher, Weights: &w}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// tuneSimilar chooses the criteria groups' weights (coordinate ascent on
// recall@10 of the tuning half of every corpus, summed), then the blend
// of criteria and text (recall@10 of the tuning halves), and reports every
// ranking on the held-out halves.
func tuneSimilar(ctx context.Context, cs []*simCorpus) (map[string]float64, map[string]SimFigures, error) {
	groups := map[string]float64{}
	for g, w := range cs[0].r.Taxonomy().Similarity {
		groups[g] = w
	}
	critOnly := recommend.Weights{Criteria: 1}
	score := func(m map[string]float64) (float64, error) {
		var s float64
		for _, c := range cs {
			x, err := c.r.WithSimilarity(ctx, m, critOnly)
			if err != nil {
				return 0, err
			}
			s += rank(c.gold, 0, ranked(x)).Recall
		}
		return s, nil
	}
	best, err := score(groups)
	if err != nil {
		return nil, nil, err
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("criteria groups, tuning halves (sum of recall@10): served weights %.3f\n", best)
	for round := 0; round < 2; round++ {
		moved := false
		for _, k := range keys {
			for _, f := range []float64{0, 0.5, 2} {
				m := map[string]float64{}
				for a, b := range groups {
					m[a] = b
				}
				switch {
				case f == 0:
					m[k] = 0
				case m[k] == 0:
					m[k] = 0.25 * f
				default:
					m[k] *= f
				}
				s, err := score(m)
				if err != nil {
					return nil, nil, err
				}
				if s > best+0.002 {
					best, groups, moved = s, m, true
					fmt.Printf("  %-18s → %-6g %.3f\n", k, m[k], s)
				}
			}
		}
		if !moved {
			break
		}
	}
	out := map[string]SimFigures{}
	blends := []float64{0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5}
	// The blend is chosen on what is reported, recall@10 (summed over the
	// corpora's tuning halves), nDCG@10 breaking a tie.
	type cand struct {
		r    []*recommend.Recommender
		s, t float64
	}
	var cands []cand
	for _, wc := range blends {
		var k cand
		for _, c := range cs {
			x, err := c.r.WithSimilarity(ctx, groups, recommend.Weights{Criteria: wc, Text: 1 - wc})
			if err != nil {
				return nil, nil, err
			}
			k.r = append(k.r, x)
			f := rank(c.gold, 0, ranked(x))
			k.s += f.Recall
			k.t += f.NDCG
		}
		cands = append(cands, k)
	}
	bi := 0
	for i := range cands {
		if cands[i].s > cands[bi].s+1e-9 || math.Abs(cands[i].s-cands[bi].s) <= 1e-9 && cands[i].t > cands[bi].t {
			bi = i
		}
	}
	for ci, c := range cs {
		var f SimFigures
		f.Tuning = map[string]RankFigures{}
		crit, err := c.r.WithSimilarity(ctx, groups, critOnly)
		if err != nil {
			return nil, nil, err
		}
		txt, err := c.r.WithSimilarity(ctx, groups, recommend.Weights{Text: 1})
		if err != nil {
			return nil, nil, err
		}
		f.CriteriaOnly, f.Tuning["criteria_only"] = rank(c.gold, 1, ranked(crit)), rank(c.gold, 0, ranked(crit))
		f.TextOnly, f.Tuning["text_only"] = rank(c.gold, 1, ranked(txt)), rank(c.gold, 0, ranked(txt))
		f.BlendWeights = recommend.Weights{Criteria: blends[bi], Text: 1 - blends[bi]}
		f.Blend, f.Tuning["blend"] = rank(c.gold, 1, ranked(cands[bi].r[ci])), rank(c.gold, 0, ranked(cands[bi].r[ci]))
		f.Gain = gain(perGuide(c.gold, 1, ranked(txt)), perGuide(c.gold, 1, ranked(cands[bi].r[ci])))
		for i, k := range cands {
			f.Tuning[fmt.Sprintf("blend %.2f", blends[i])] = rank(c.gold, 0, ranked(k.r[ci]))
		}
		f.ServedWeights = recommend.DefaultWeights()
		f.Served = rank(c.gold, 1, ranked(c.r))
		if c.stripped != nil {
			st, err := c.stripped.WithSimilarity(ctx, groups, critOnly)
			if err != nil {
				return nil, nil, err
			}
			x := rank(c.gold, 1, ranked(st))
			f.CriteriaSuggested = &x
		}
		f.TFIDF = rank(c.gold, 1, newTFIDF(c.guides).similar)
		out[c.name] = f
	}
	return groups, out, nil
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
	fmt.Printf("« Métiers similaires » vs %s, no links given, --referential (held-out half: %d guides; tuning half in brackets)\n", name, f.Blend.Guides)
	fmt.Printf("%-46s %10s %9s\n", "ranking", "recall@10", "nDCG@10")
	row := func(n string, r RankFigures, t string) {
		tr := ""
		if x, ok := f.Tuning[t]; ok {
			tr = fmt.Sprintf("   [%.3f %.3f]", x.Recall, x.NDCG)
		}
		fmt.Printf("%-46s %10.3f %9.3f%s\n", n, r.Recall, r.NDCG, tr)
	}
	row("criteria only", f.CriteriaOnly, "criteria_only")
	if f.CriteriaSuggested != nil {
		row("criteria only, ROME codes stripped (suggested)", *f.CriteriaSuggested, "")
	}
	row("text only (TF-IDF vectors)", f.TextOnly, "text_only")
	row(fmt.Sprintf("blend chosen (criteria %.2f, text %.2f)", f.BlendWeights.Criteria, f.BlendWeights.Text), f.Blend, "blend")
	row(fmt.Sprintf("served (criteria %.2f, text %.2f)", f.ServedWeights.Criteria, f.ServedWeights.Text), f.Served, "")
	row("plain TF-IDF cosine (peer)", f.TFIDF, "")
	fmt.Printf("blend − text, recall@10 on the held-out half: %+.4f (95 %% interval %+.4f … %+.4f)\n", f.Gain.Mean, f.Gain.Low, f.Gain.High)
}
