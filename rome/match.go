package rome

import (
	"math"
	"sort"
	"strings"
)

// Analyzer turns a text into its analysed terms (metiers' French
// analysis: folded, stemmed, stop words out).
type Analyzer func(string) []string

// Suggestion is a sheet a guide is linked to, with a confidence in [0,1].
type Suggestion struct {
	Code  string  `json:"code"`
	Score float64 `json:"score"`
}

// Query is what a guide says of itself to be linked: its titles (the
// first is its main one) and its describing text.
type Query struct {
	Titles []string
	Text   string
}

// Matcher links guides to the sheets of a referential: a guide's titles
// are compared with every sheet's appellations, its text with the
// sheet's definition and core skills, both through the same French
// analysis as the search index. It is immutable and safe for concurrent
// use.
type Matcher struct {
	ref     *Referential
	analyze Analyzer
	opts    MatchOptions
	// forms are the analysed title forms, each of one sheet.
	forms []form
	// byTerm lists the forms holding each term.
	byTerm map[string][]int32
	// titleIDF is each term's rarity among the sheets' titles.
	titleIDF map[string]float64
	// text is the TF-IDF model of the sheets' text.
	textIDF  map[string]float64
	postings map[string][]posting
}

type form struct {
	sheet  int32
	terms  []string
	weight float64 // sum of the idf of its distinct terms
}

type posting struct {
	sheet int32
	w     float64
}

// MatchOptions tune a Matcher; zero values take the defaults, which are
// measured in docs/relevance.md (ONISEP's guides against the codes its
// export gives).
type MatchOptions struct {
	// TitleWeight and TextWeight blend the title and the text scores
	// (defaults 0.5 and 0.5).
	TitleWeight, TextWeight float64
	// MinScore is the score from which a sheet is suggested (0.3).
	MinScore float64
	// Near keeps, beside the best sheet, those within this share of its
	// score (0.9).
	Near float64
	// Max is how many sheets are suggested at most (3).
	Max int
	// MaxText is how many bytes of a guide's text are compared with the
	// sheets' (3,000: a sheet's definition is about 600; on ONISEP the
	// rest of a long guide costs analysis and moves no suggestion, where
	// 1,500 lose 0.004 of top-1).
	MaxText int
}

func (o *MatchOptions) defaults() {
	if o.TitleWeight == 0 && o.TextWeight == 0 {
		o.TitleWeight, o.TextWeight = 0.5, 0.5
	}
	if o.MinScore == 0 {
		o.MinScore = 0.3
	}
	if o.Near == 0 {
		o.Near = 0.9
	}
	if o.Max == 0 {
		o.Max = 3
	}
	if o.MaxText == 0 {
		o.MaxText = 3000
	}
}

// NewMatcher analyses the referential's titles and texts once.
func NewMatcher(r *Referential, analyze Analyzer, opts MatchOptions) *Matcher {
	opts.defaults()
	m := &Matcher{ref: r, analyze: analyze, opts: opts, byTerm: map[string][]int32{}, titleIDF: map[string]float64{}}
	df := map[string]int{}
	for si, s := range r.sheets {
		seen := map[string]bool{}
		var titles []string
		for _, t := range append([]string{s.Title}, s.Appellations...) {
			masc, fem := SplitTitle(t)
			titles = append(titles, masc, fem)
		}
		done := map[string]bool{}
		for _, t := range titles {
			terms := analyze(t)
			key := strings.Join(terms, " ")
			if len(terms) == 0 || done[key] {
				continue
			}
			done[key] = true
			m.forms = append(m.forms, form{sheet: int32(si), terms: terms})
			for _, x := range terms {
				if !seen[x] {
					seen[x] = true
					df[x]++
				}
			}
		}
	}
	n := float64(len(r.sheets))
	for t, d := range df {
		m.titleIDF[t] = math.Log(1 + n/float64(d))
	}
	for fi := range m.forms {
		f := &m.forms[fi]
		for _, t := range distinct(f.terms) {
			f.weight += m.titleIDF[t]
			m.byTerm[t] = append(m.byTerm[t], int32(fi))
		}
	}
	m.buildText()
	return m
}

// buildText makes the TF-IDF vectors of the sheets' text.
func (m *Matcher) buildText() {
	vecs := make([]map[string]float64, len(m.ref.sheets))
	df := map[string]int{}
	for si, s := range m.ref.sheets {
		parts := append([]string{s.Title, s.Definition}, s.Appellations...)
		parts = append(parts, s.CoreSkills...)
		tf := termCounts(m.analyze, parts)
		for t := range tf {
			df[t]++
		}
		vecs[si] = tf
	}
	n := float64(len(vecs))
	m.textIDF = make(map[string]float64, len(df))
	for t, d := range df {
		m.textIDF[t] = math.Log(n / float64(d))
	}
	m.postings = map[string][]posting{}
	for si, tf := range vecs {
		v := weigh(tf, m.textIDF)
		for t, w := range v {
			m.postings[t] = append(m.postings[t], posting{int32(si), w})
		}
	}
}

// termCounts counts the analysed terms of texts.
func termCounts(analyze Analyzer, parts []string) map[string]float64 {
	tf := map[string]float64{}
	for _, p := range parts {
		for _, t := range analyze(p) {
			if len(t) > 2 {
				tf[t]++
			}
		}
	}
	return tf
}

// weigh turns counts into an L2-normalised TF-IDF vector.
func weigh(tf map[string]float64, idf map[string]float64) map[string]float64 {
	v := make(map[string]float64, len(tf))
	var norm float64
	for t, c := range tf {
		w := (1 + math.Log(c)) * idf[t]
		if w <= 0 {
			continue
		}
		v[t] = w
		norm += w * w
	}
	norm = math.Sqrt(norm)
	for t := range v {
		v[t] /= norm
	}
	return v
}

func distinct(ts []string) []string {
	seen := make(map[string]bool, len(ts))
	out := ts[:0:0]
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// Scores returns every sheet's title and text scores for a query, by
// sheet index (for evaluation and Suggest).
func (m *Matcher) scores(q Query) (title, text []float64) {
	n := len(m.ref.sheets)
	title, text = make([]float64, n), make([]float64, n)
	for k, t := range q.Titles {
		terms := distinct(m.analyze(t))
		if len(terms) == 0 {
			continue
		}
		var qw float64
		for _, x := range terms {
			qw += m.titleIDF[x]
		}
		if qw == 0 {
			continue
		}
		shared := map[int32]float64{}
		for _, x := range terms {
			for _, fi := range m.byTerm[x] {
				shared[fi] += m.titleIDF[x]
			}
		}
		// The main title counts fully, other names a little less.
		trust := 1.0
		if k > 0 {
			trust = 0.9
		}
		for fi, s := range shared {
			f := m.forms[fi]
			dice := trust * 2 * s / (qw + f.weight)
			if dice > title[f.sheet] {
				title[f.sheet] = dice
			}
		}
	}
	body := q.Text
	if len(body) > m.opts.MaxText {
		cut := strings.LastIndexAny(body[:m.opts.MaxText], " \n")
		if cut < 0 {
			cut = m.opts.MaxText
		}
		body = body[:cut]
	}
	tf := termCounts(m.analyze, append(append(make([]string, 0, len(q.Titles)+1), q.Titles...), body))
	for t, w := range weigh(tf, m.textIDF) {
		for _, p := range m.postings[t] {
			text[p.sheet] += w * p.w
		}
	}
	return title, text
}

// Suggest returns the sheets a guide is confidently linked to, best
// first: the best one when its score reaches MinScore, and those within
// Near of it, at most Max.
func (m *Matcher) Suggest(q Query) []Suggestion {
	return m.suggest(q, m.opts.MinScore, m.opts.Max)
}

// Rank returns the k best sheets for a query whatever their scores (for
// evaluating the matcher).
func (m *Matcher) Rank(q Query, k int) []Suggestion {
	title, text := m.scores(q)
	// The k best by insertion: k is small, the sheets many.
	best := make([]Suggestion, 0, k+1)
	for si := range title {
		s := m.opts.TitleWeight*title[si] + m.opts.TextWeight*text[si]
		if s <= 0 || k <= 0 || len(best) == k && s <= best[k-1].Score {
			continue
		}
		x := Suggestion{Code: m.ref.sheets[si].Code, Score: s}
		at := sort.Search(len(best), func(i int) bool { return best[i].Score < s })
		best = append(best, Suggestion{})
		copy(best[at+1:], best[at:])
		best[at] = x
		if len(best) > k {
			best = best[:k]
		}
	}
	return best
}

func (m *Matcher) suggest(q Query, minScore float64, max int) []Suggestion {
	best := m.Rank(q, max)
	var out []Suggestion
	for _, s := range best {
		if s.Score < minScore || s.Score < m.opts.Near*best[0].Score {
			break
		}
		s.Score = math.Round(math.Min(1, s.Score)*1000) / 1000
		out = append(out, s)
	}
	return out
}

// SplitTitle turns « Conducteur / Conductrice d'engins agricoles » into
// its masculine and feminine titles (« Conducteur d'engins agricoles »,
// « Conductrice d'engins agricoles »); a title with one form is returned
// as the masculine one.
func SplitTitle(libelle string) (masc, fem string) {
	left, right, ok := strings.Cut(libelle, " / ")
	if !ok {
		return strings.TrimSpace(libelle), ""
	}
	lw, rw := strings.Fields(left), strings.Fields(right)
	if len(rw) <= len(lw) {
		return strings.TrimSpace(left), strings.TrimSpace(right)
	}
	tail := strings.Join(rw[len(lw):], " ")
	return strings.TrimSpace(left + " " + tail), strings.TrimSpace(right)
}

// Referential returns the referential the matcher links to.
func (m *Matcher) Referential() *Referential { return m.ref }
