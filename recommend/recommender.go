package recommend

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/rome"
)

// Sentinel errors; test them with errors.Is.
var (
	// ErrUnknownMetier means no guide has the given id.
	ErrUnknownMetier = errors.New("unknown métier")
	// ErrUnknownCriterion means no criterion has the given id.
	ErrUnknownCriterion = errors.New("unknown criterion")
	// ErrBadAnswers means quiz answers are out of range or name unknown
	// questions.
	ErrBadAnswers = errors.New("bad answers")
)

// TextMatch is a guide whose text is like another text, with a score in
// [0,1] and the distinctive terms they share.
type TextMatch struct {
	ID    string
	Score float64
	Terms []string
}

// TextSimilarity finds guides by their text; the search index provides it.
type TextSimilarity interface {
	// Similar returns the k guides whose text is most like m's.
	Similar(ctx context.Context, m *corpus.Metier, k int) ([]TextMatch, error)
	// Relevant returns the k guides most relevant to a free text.
	Relevant(ctx context.Context, text string, k int) ([]TextMatch, error)
}

// Weights blend the evidence of "métiers similaires".
type Weights struct {
	Criteria float64
	Text     float64
	Curated  float64
}

// DefaultWeights are the blend make eval chooses on the tuning halves of
// both real corpora (recall@10 summed over ONISEP and ROME, with the
// referential): criteria 0.15, text 0.85, at 2026-12-02. The choice is
// close: 0.10 reads 0.001 less on the tuning halves, and on ONISEP's
// held-out half no blend is told from text alone (blend − text −0.003,
// 95 % interval −0.017 … +0.011), while on ROME's it is (+0.005,
// +0.000 … +0.009). A curated link adds 0.5, half of the best blended
// score.
func DefaultWeights() Weights { return Weights{Criteria: 0.15, Text: 0.85, Curated: 0.5} }

// Options configures a Recommender.
type Options struct {
	// Taxonomy defaults to DefaultTaxonomy().
	Taxonomy *Taxonomy
	// Weights default to DefaultWeights().
	Weights *Weights
	// Text, when set, adds text similarity to "similaires" and to the quiz.
	Text TextSimilarity
	// Analyze is the French analysis used to match cues; defaults to a
	// plain folding analyzer.
	Analyze Analyzer
	// Rome links the guides to a ROME referential: their given codes, and
	// suggestions for those that give none. Nil: no referential, every
	// criterion the guides' own fields do not give comes from text cues.
	Rome *rome.Matcher
	// SimilarSize is how many similar guides are kept per guide (20).
	SimilarSize int
	// VectorsOnly skips the "similaires" tables, for callers that only
	// need vectors and tags (indexing the criteria facet).
	VectorsOnly bool
}

// Recommender holds the criterion vectors of a corpus and the
// precomputed "métiers similaires" of every guide. It is immutable and
// safe for concurrent use.
type Recommender struct {
	// base is the taxonomy as configured, tax the corpus's (base and a
	// criterion for each label the corpus holds).
	base    *Taxonomy
	tax     *Taxonomy
	weights Weights
	text    TextSimilarity
	analyze Analyzer
	matcher *rome.Matcher
	cm      *cueMatcher
	metiers []*corpus.Metier
	byID    map[string]int
	links   [][]Link
	sheets  [][]sheetWeight
	vectors []Vector
	// curatedBy[i] is true when another guide names guide i as similar.
	curatedBy []bool
	stats     []criterionStat
	emb       *simIndex
	// noReasons leaves the similar tables' reasons out (tuning).
	noReasons bool
	similar   [][]Similar
	// critBest is each row's highest criteria similarity (its scale).
	critBest []float64
	keep     int
	quiz     *Quiz
}

// New links the guides to the referential, derives every guide's vector
// and precomputes the similar tables.
func New(ctx context.Context, metiers []*corpus.Metier, opts Options) (*Recommender, error) {
	if opts.Taxonomy == nil {
		opts.Taxonomy = DefaultTaxonomy()
	}
	if opts.Weights == nil {
		w := DefaultWeights()
		opts.Weights = &w
	}
	if opts.Analyze == nil {
		opts.Analyze = FoldAnalyzer
	}
	if opts.SimilarSize <= 0 {
		opts.SimilarSize = 20
	}
	r := &Recommender{
		base:    opts.Taxonomy,
		weights: *opts.Weights,
		text:    opts.Text,
		analyze: opts.Analyze,
		matcher: opts.Rome,
		metiers: metiers,
		byID:    make(map[string]int, len(metiers)),
		vectors: make([]Vector, len(metiers)),
		keep:    opts.SimilarSize,
	}
	for i, m := range metiers {
		if _, dup := r.byID[m.ID]; dup {
			return nil, fmt.Errorf("recommend: duplicate id %q", m.ID)
		}
		r.byID[m.ID] = i
	}
	if err := r.link(ctx, opts.Rome); err != nil {
		return nil, err
	}
	r.tax = expand(opts.Taxonomy, metiers, r.sheets)
	r.cm = newCueMatcher(r.tax, opts.Analyze)
	// Each guide's cues are matched on its own: on every core.
	err := onEveryCore(ctx, len(metiers), func() func(int) {
		return func(i int) { r.vectors[i] = derive(metiers[i], r.sheets[i], r.tax, r.cm) }
	})
	if err != nil {
		return nil, err
	}
	r.curatedBy = make([]bool, len(metiers))
	for _, m := range metiers {
		for _, id := range m.Similar {
			if j, ok := r.byID[id]; ok {
				r.curatedBy[j] = true
			}
		}
	}
	r.quiz = r.buildQuiz()
	if opts.VectorsOnly {
		r.similar = make([][]Similar, len(metiers))
		return r, nil
	}
	r.emb = r.buildSimIndex()
	if err := r.precomputeSimilar(ctx, opts.SimilarSize); err != nil {
		return nil, err
	}
	return r, nil
}

// WithText returns a recommender that shares r's links and vectors and
// has the « similaires » tables computed with the given text similarity
// and weights; r is not changed. It saves deriving the vectors twice when
// the index that provides text similarity needs r's tags first.
func (r *Recommender) WithText(ctx context.Context, text TextSimilarity, w Weights) (*Recommender, error) {
	c := *r
	c.text, c.weights = text, w
	if c.emb == nil {
		c.emb = c.buildSimIndex()
	}
	if err := c.precomputeSimilar(ctx, c.keep); err != nil {
		return nil, err
	}
	return &c, nil
}

// WithSimilarity returns a recommender that shares r's links and vectors
// and has its « similaires » tables computed with other weights of the
// criteria's groups (Taxonomy.Similarity) and of the blend; r is not
// changed. make eval tunes the weights with it: the tables rank, but
// their reasons are left empty (they cost a third of the tables).
func (r *Recommender) WithSimilarity(ctx context.Context, groups map[string]float64, w Weights) (*Recommender, error) {
	c := *r
	tax := *r.tax
	tax.Similarity = groups
	c.tax, c.weights, c.noReasons = &tax, w, true
	c.emb = c.buildSimIndex()
	if err := c.precomputeSimilar(ctx, c.keep); err != nil {
		return nil, err
	}
	return &c, nil
}

// Taxonomy returns the corpus's taxonomy: the configured criteria and a
// criterion for each label the guides and their ROME sheets carry.
func (r *Recommender) Taxonomy() *Taxonomy { return r.tax }

// Links returns the ROME sheets a guide is linked to, given or
// suggested, best first.
func (r *Recommender) Links(id string) ([]Link, error) {
	i, err := r.lookup(id)
	if err != nil {
		return nil, err
	}
	if r.links[i] == nil {
		return []Link{}, nil
	}
	return r.links[i], nil
}

// Len returns the number of guides.
func (r *Recommender) Len() int { return len(r.metiers) }

func (r *Recommender) lookup(id string) (int, error) {
	i, ok := r.byID[id]
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrUnknownMetier, id)
	}
	return i, nil
}

// CriterionValue is one criterion of a guide's vector.
type CriterionValue struct {
	ID    string  `json:"id"`
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

// Vector returns a guide's criterion values, in the taxonomy's order;
// a criterion the guide says nothing about (no salary given) is left out.
func (r *Recommender) Vector(id string) ([]CriterionValue, error) {
	i, err := r.lookup(id)
	if err != nil {
		return nil, err
	}
	out := make([]CriterionValue, 0, len(r.tax.Criteria))
	for c, cr := range r.tax.Criteria {
		if x := r.vectors[i][c]; known(x) {
			out = append(out, CriterionValue{ID: cr.ID, Label: cr.Label, Value: round3(x)})
		}
	}
	return out, nil
}

// Tags returns the "Critères du métier" of a guide: the criteria at or
// above the taxonomy's threshold, strongest first.
func (r *Recommender) Tags(id string) ([]CriterionValue, error) {
	all, err := r.Vector(id)
	if err != nil {
		return nil, err
	}
	var tags []CriterionValue
	for _, c := range all {
		if c.Value >= r.tax.TagThreshold {
			tags = append(tags, c)
		}
	}
	sort.SliceStable(tags, func(a, b int) bool { return tags[a].Value > tags[b].Value })
	return tags, nil
}

// TagIDs returns a guide's tag ids, for indexing them as a facet.
func (r *Recommender) TagIDs(m *corpus.Metier) []string {
	tags, err := r.Tags(m.ID)
	if err != nil {
		return nil
	}
	ids := make([]string, len(tags))
	for i, t := range tags {
		ids[i] = t.ID
	}
	return ids
}

// CriterionInfo describes a criterion with how many guides carry it as a tag.
type CriterionInfo struct {
	Criterion
	Metiers int `json:"metiers"`
}

// Criteria lists the taxonomy with the number of guides tagged with each.
func (r *Recommender) Criteria() []CriterionInfo {
	out := make([]CriterionInfo, len(r.tax.Criteria))
	for c, cr := range r.tax.Criteria {
		n := 0
		for _, v := range r.vectors {
			if v[c] >= r.tax.TagThreshold {
				n++
			}
		}
		out[c] = CriterionInfo{Criterion: cr, Metiers: n}
	}
	return out
}

// ByCriterionItem is a guide with its value for a criterion.
type ByCriterionItem struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Value float64 `json:"value"`
}

// ByCriterion returns the guides tagged with a criterion, highest value
// first, at most size.
func (r *Recommender) ByCriterion(id string, size int) (*Criterion, []ByCriterionItem, error) {
	c, ok := r.tax.index()[id]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q", ErrUnknownCriterion, id)
	}
	var out []ByCriterionItem
	for i, v := range r.vectors {
		if v[c] >= r.tax.TagThreshold {
			out = append(out, ByCriterionItem{ID: r.metiers[i].ID, Title: r.metiers[i].Title, Value: round3(v[c])})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Value > out[b].Value })
	if size > 0 && len(out) > size {
		out = out[:size]
	}
	if out == nil {
		out = []ByCriterionItem{}
	}
	cr := r.tax.Criteria[c]
	return &cr, out, nil
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// FoldAnalyzer is a plain analyzer for when the index's is not at hand:
// lower case, accents folded, words split on anything but letters and
// digits, a final plural s dropped.
func FoldAnalyzer(text string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, strings.ToLower(text))
	if err != nil {
		folded = strings.ToLower(text)
	}
	words := strings.FieldsFunc(folded, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	for i, w := range words {
		if len(w) > 3 {
			words[i] = strings.TrimSuffix(w, "s")
		}
	}
	return words
}
