package index

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/edgengram"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names of the analysis components this package adds to a mapping.
const (
	// AnalyzerFrench is the analyzer of every French text field.
	AnalyzerFrench = "metiers_fr"
	// AnalyzerPrefix is the index-time analyzer of the search-as-you-type
	// field: AnalyzerFrench's folding without stemming, plus edge n-grams.
	AnalyzerPrefix = "metiers_prefix"
	// AnalyzerPlain folds and lowercases without stemming: the query-time
	// analyzer of the search-as-you-type field.
	AnalyzerPlain = "metiers_plain"
	// AnalyzerPairs is AnalyzerFrench's terms taken two by two: « incapacité
	// de travail » is one term, « incapacit travail ». It indexes the field
	// that rewards a query's words side by side.
	AnalyzerPairs = "metiers_pairs"

	foldFilter = "metiers_fold"
	stopMap    = "metiers_stop_fr"
	stopFilter = "metiers_stop"
	edgeFilter = "metiers_edge"
	pairFilter = "metiers_pair"
	stemFilter = "metiers_stem"
)

// registerOnce registers the token filters bleve's registry must know
// by name to open an index that uses them. bleve offers no other way to
// name a custom filter in a mapping; registration is idempotent here.
var registerOnce sync.Once

func registerFilters() {
	registerOnce.Do(func() {
		must := func(err error) {
			if err != nil {
				panic(fmt.Sprintf("index: register filter: %v", err))
			}
		}
		must(registry.RegisterTokenFilter(foldFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
			return foldTokens{fold: asciifolding.New()}, nil
		}))
		must(registry.RegisterTokenFilter(stemFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
			return newStemmer(), nil
		}))
		must(registry.RegisterTokenFilter(pairFilter, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
			return wordPairs{}, nil
		}))
	})
}

// foldTokens folds accents token by token with bleve's asciifolding table.
// Folding tokens rather than the text (bleve's char filter) keeps every
// token's byte offsets in the original text, so highlights land on the
// right letters of accented words.
type foldTokens struct {
	fold *asciifolding.AsciiFoldingFilter
}

func (f foldTokens) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		if !isASCII(t.Term) {
			t.Term = f.fold.Filter(t.Term)
		}
	}
	return in
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// stemmer maps a folded, lowercased term to its title form and then to
// its French light stem (titleForm, then bleve's stemmer), remembering
// each word's result: a corpus repeats the same few thousand words, and
// stemming them again and again was a sixth of building an index.
type stemmer struct {
	light analysis.TokenFilter
	mu    sync.RWMutex
	known map[string]string
}

// maxStems bounds the words a stemmer remembers: queries can bring any
// string, and a server's analyzer lives as long as its index.
const maxStems = 1 << 18

func newStemmer() *stemmer {
	return &stemmer{light: fr.NewFrenchLightStemmerFilter(), known: map[string]string{}}
}

func (s *stemmer) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		s.mu.RLock()
		stem, ok := s.known[string(t.Term)]
		s.mu.RUnlock()
		if !ok {
			word := string(t.Term)
			one := analysis.TokenStream{&analysis.Token{Term: []byte(titleForm(word))}}
			stem = string(s.light.Filter(one)[0].Term)
			s.mu.Lock()
			if len(s.known) < maxStems {
				s.known[word] = stem
			}
			s.mu.Unlock()
		}
		// A new slice: the term may share its bytes with the text itself.
		t.Term = []byte(stem)
	}
	return in
}

// wordPairs turns a token stream into the pairs of its consecutive
// tokens, each one term (« incapacit travail »). Stop words are already
// gone, so a pair joins the words a reader would type side by side
// (bleve's shingle filter would fill their places with filler tokens).
type wordPairs struct{}

func (wordPairs) Filter(in analysis.TokenStream) analysis.TokenStream {
	if len(in) < 2 {
		return in[:0]
	}
	out := make(analysis.TokenStream, 0, len(in)-1)
	for i := 1; i < len(in); i++ {
		a, b := in[i-1], in[i]
		term := make([]byte, 0, len(a.Term)+1+len(b.Term))
		term = append(append(append(term, a.Term...), ' '), b.Term...)
		out = append(out, &analysis.Token{Term: term, Position: i, Start: a.Start, End: b.End, Type: analysis.Shingle})
	}
	return out
}

// Title forms (titleForm, titleRules) map the forms the French light
// stemmer misses on job titles to one term: feminine endings to the
// masculine (ingénieure, bouchère, codeuse, directrice, technicienne,
// administrative, médicale, employée, professionnelle), the inclusive
// middle-dot forms (technicien·ne, employé·e), and plural -aux (travaux,
// médicaux) to -al/-ail. It runs after folding and lowercasing, before the
// stemmer, on both documents and queries, so both sides meet on the same
// term.

// titleRules are applied in order; the first that matches wins.
var titleRules = []struct{ suffix, repl string }{
	{"euse", "eur"},   // codeuse → codeur
	{"rice", "eur"},   // directrice → directeur
	{"ienne", "ien"},  // technicienne → technicien
	{"eure", "eur"},   // ingénieure → ingénieur
	{"iere", "ier"},   // infirmière → infirmier
	{"ere", "er"},     // bouchère → boucher
	{"onne", "on"},    // patronne → patron
	{"elle", "el"},    // professionnelle → professionnel
	{"ive", "if"},     // administrative → administratif
	{"ale", "al"},     // médicale → médical
	{"ee", "e"},       // employée → employé
	{"euses", "eurs"}, // plural forms
	{"rices", "eurs"},
	{"iennes", "iens"},
	{"eures", "eurs"},
	{"ieres", "iers"},
	{"eres", "ers"},
	{"ives", "ifs"},
	{"ales", "als"},
	{"ees", "es"},
	{"vaux", "vail"}, // travaux → travail
	{"aux", "al"},    // médicaux → médical
}

// inclusiveTails are the endings written after a middle dot.
var inclusiveTails = map[string]bool{
	"e": true, "ne": true, "le": true, "se": true, "es": true, "nes": true, "les": true,
	"ere": true, "eres": true, "euse": true, "euses": true, "rice": true, "trice": true, "ice": true,
}

// exceptions are words whose ending only looks feminine.
var exceptions = map[string]bool{
	"police": true, "service": true, "notice": true, "justice": true, "office": true, "exercice": true,
	"hospice": true, "indice": true, "matrice": true, "cotisation": true, "pediatre": true,
	"moyenne": true, "personne": true, "personnes": true, "elle": true, "elles": true, "celle": true,
	"nouvelle": true, "echelle": true, "ere": true, "etre": true, "carriere": true, "carrieres": true,
	"chaux": true, "faux": true, "taux": true, "eaux": true, "peaux": true, "tuyaux": true, "bureaux": true,
	"reseaux": true, "niveaux": true, "nouveaux": true, "beaux": true, "manteaux": true, "morceaux": true,
	"equipee": true, "lycee": true, "musee": true, "idee": true, "idees": true, "annee": true, "annees": true,
	"journee": true, "journees": true, "entree": true, "duree": true, "durees": true, "pensee": true,
	"arrivee": true, "donnee": true, "donnees": true, "diplome": true, "cle": true, "trachee": true,
	"scale": true, "sale": true, "ale": true, "vive": true,
}

// MasculineForm returns the masculine singular form of one folded,
// lowercased word as the analysis maps it before stemming (« directrice »
// → « directeur », « technicien·ne » → « technicien »), the word itself
// when it has no feminine ending: what a typo of a feminine is corrected
// from when the guides write only the masculine.
func MasculineForm(word string) string { return titleForm(word) }

// titleForm returns the normalised form of one folded, lowercased term.
func titleForm(term string) string {
	// Inclusive writing: technicien·ne, employé·e, conseiller·ère.
	for _, dot := range []string{"·", "•", "."} {
		if head, tail, ok := strings.Cut(term, dot); ok && head != "" && inclusiveTails[tail] {
			term = head
			break
		}
	}
	if len(term) < 5 || exceptions[term] {
		return term
	}
	for _, r := range titleRules {
		if strings.HasSuffix(term, r.suffix) && len(term)-len(r.suffix) >= 3 {
			return term[:len(term)-len(r.suffix)] + r.repl
		}
	}
	return term
}

// addAnalysis declares the analyzers, filters and token maps on m.
func addAnalysis(m *mapping.IndexMappingImpl) error {
	registerFilters()
	stops := foldedStopWords()
	if err := m.AddCustomTokenMap(stopMap, map[string]any{"type": tokenmap.Name, "tokens": stops}); err != nil {
		return fmt.Errorf("index: stop words: %w", err)
	}
	if err := m.AddCustomTokenFilter(stopFilter, map[string]any{"type": stop.Name, "stop_token_map": stopMap}); err != nil {
		return fmt.Errorf("index: stop filter: %w", err)
	}
	if err := m.AddCustomTokenFilter(edgeFilter, map[string]any{"type": edgengram.Name, "back": false, "min": 1.0, "max": 20.0}); err != nil {
		return fmt.Errorf("index: edge n-gram filter: %w", err)
	}
	analyzers := map[string][]string{
		AnalyzerFrench: {lowercase.Name, fr.ElisionName, foldFilter, stopFilter, stemFilter},
		AnalyzerPlain:  {lowercase.Name, fr.ElisionName, foldFilter},
		AnalyzerPrefix: {lowercase.Name, fr.ElisionName, foldFilter, edgeFilter},
		AnalyzerPairs:  {lowercase.Name, fr.ElisionName, foldFilter, stopFilter, stemFilter, pairFilter},
	}
	for name, filters := range analyzers {
		err := m.AddCustomAnalyzer(name, map[string]any{
			"type":          custom.Name,
			"tokenizer":     unicodetok.Name,
			"token_filters": filters,
		})
		if err != nil {
			return fmt.Errorf("index: analyzer %s: %w", name, err)
		}
	}
	return nil
}

// foldedStopWords returns bleve's French stop words plus their unaccented
// copies (tokens are folded before the stop filter).
func foldedStopWords() []any {
	fold := asciifolding.New()
	seen := map[string]bool{}
	var out []any
	for _, line := range strings.Split(string(fr.FrenchStopWords), "\n") {
		if i := strings.Index(line, "|"); i >= 0 {
			line = line[:i]
		}
		for _, w := range strings.Fields(line) {
			for _, v := range []string{w, string(fold.Filter([]byte(w)))} {
				if !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// Analyzer runs the French analysis chain outside an index, for the
// packages that match text against guides (criteria cues, reasons).
type Analyzer struct {
	a analysis.Analyzer
}

// NewAnalyzer builds the French analyzer the index uses.
func NewAnalyzer() (*Analyzer, error) { return newAnalyzer(AnalyzerFrench) }

// NewPlainAnalyzer builds the analyzer that only folds and lowercases
// (no stop words, no stemming): the query side of search-as-you-type.
func NewPlainAnalyzer() (*Analyzer, error) { return newAnalyzer(AnalyzerPlain) }

// NewPairsAnalyzer builds the analyzer of FieldPairs: the French terms of
// a text, two by two.
func NewPairsAnalyzer() (*Analyzer, error) { return newAnalyzer(AnalyzerPairs) }

func newAnalyzer(name string) (*Analyzer, error) {
	m, err := NewMapping(nil)
	if err != nil {
		return nil, err
	}
	a := m.AnalyzerNamed(name)
	if a == nil {
		return nil, fmt.Errorf("index: analyzer %s not found", name)
	}
	return &Analyzer{a: a}, nil
}

// Terms returns the analyzed terms of text, in order.
func (a *Analyzer) Terms(text string) []string {
	ts := a.a.Analyze([]byte(text))
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}

// Token is one analysed term of a text with the bytes of the text it
// comes from, [Start, End): what a highlight marks.
type Token struct {
	Term       string
	Start, End int
}

// Tokens returns the analysed terms of text with their places, in order.
func (a *Analyzer) Tokens(text string) []Token {
	ts := a.a.Analyze([]byte(text))
	out := make([]Token, 0, len(ts))
	for _, t := range ts {
		out = append(out, Token{Term: string(t.Term), Start: t.Start, End: t.End})
	}
	return out
}

// SplitWords cuts a text into words the way the tokenizer would see them,
// keeping elisions (« l'INAMI »), middle dots (« technicien·ne ») and
// inner hyphens, so that each word can be analysed on its own.
func SplitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == '·' || r == '-')
	})
}
