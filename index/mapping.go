package index

import (
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
	htmlhl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/metiers/metiers/corpus"
)

// Field names of an indexed guide.
const (
	FieldTitle         = "title"
	FieldTitleFeminine = "title_feminine"
	FieldAltTitles     = "alt_titles"
	FieldAcronyms      = "acronyms"
	FieldSuggest       = "suggest"
	FieldTagline       = "tagline"
	FieldMissions      = "missions"
	// FieldText holds all the text fields at once, for matching words
	// and phrases across them.
	FieldText = "text"
	// FieldTitles holds every form of the title (masculine, feminine,
	// other names, acronyms).
	FieldTitles     = "titles"
	FieldSalaryMin  = "salary_min"
	FieldSalaryMax  = "salary_max"
	FieldStudyYears = "study_years"
	FieldInsertion  = "insertion_rate"
	FieldArea       = "area"
	FieldCriteria   = "criteria"
	FieldSector     = "sector"
	FieldSynthetic  = "synthetic"
	// FieldFacets holds every facet value of a guide as "facet:value"
	// ("area:Liège", "salary:3 000 à 4 000 €"): one field, so that a
	// search visits one set of doc values for all its facets.
	FieldFacets = "facets"
	// FieldWords holds the words of the titles, tagline and missions as
	// written (folded, not stemmed): a typo is corrected against them,
	// since a stemmer cuts a misspelt word where it would not cut the
	// right one (« chaneur » → « chaneu », « chanteur » → « chant »).
	FieldWords = "words"
	// FieldPairs holds the whole text's consecutive terms two by two, each
	// pair one term (AnalyzerPairs): a query's words side by side are
	// rewarded by a term query, with no positions to read.
	FieldPairs = "pairs"
)

// HighlightStyle is the name of the highlighter that wraps matches in
// <mark>…</mark> (bleve's html highlighter, which escapes the rest).
const HighlightStyle = htmlhl.Name

// MappingVersion changes whenever the mapping or analysis changes, so
// that an index built by an older binary is rebuilt rather than reused.
const MappingVersion = "10"

// doc is what is indexed for one guide.
type doc struct {
	Title         string   `json:"title"`
	TitleFeminine string   `json:"title_feminine"`
	AltTitles     []string `json:"alt_titles"`
	Acronyms      []string `json:"acronyms"`
	Suggest       []string `json:"suggest"`
	Tagline       string   `json:"tagline"`
	Missions      []string `json:"missions"`
	Text          string   `json:"text"`
	Titles        []string `json:"titles"`
	SalaryMin     float64  `json:"salary_min"`
	SalaryMax     float64  `json:"salary_max"`
	StudyYears    float64  `json:"study_years"`
	Insertion     float64  `json:"insertion_rate"`
	Area          []string `json:"area"`
	Criteria      []string `json:"criteria"`
	Sector        []string `json:"sector"`
	Synthetic     bool     `json:"synthetic"`
	Facets        []string `json:"facets"`
	Words         []string `json:"words"`
	Pairs         []string `json:"pairs"`
}

// BleveType names the document type of every indexed guide.
func (doc) BleveType() string { return "metier" }

// NewMapping returns the index mapping: French-analyzed text fields with
// term vectors (for highlights), an edge n-gram field for search-as-you-
// type, numeric and keyword fields for filters and facets, and BM25
// scoring. Synonyms are applied at query time, not here; the parameter is
// kept so that callers pass the same configuration everywhere.
func NewMapping(_ []SynonymGroup) (*mapping.IndexMappingImpl, error) {
	m := mapping.NewIndexMapping()
	if err := addAnalysis(m); err != nil {
		return nil, err
	}
	m.ScoringModel = bleveindex.BM25Scoring
	m.DefaultAnalyzer = AnalyzerFrench
	m.DefaultType = "metier"

	// Fields only queries read: no stored value, no term vectors.
	matchOnly := func(analyzer string) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		return f
	}
	// Text fields that are highlighted keep their term vectors and are
	// stored; the others (matched by suggest only) are indexed alone.
	text := func(highlighted bool) *mapping.FieldMapping {
		f := matchOnly(AnalyzerFrench)
		f.Store = highlighted
		f.IncludeTermVectors = highlighted
		return f
	}
	stored := func() *mapping.FieldMapping {
		f := text(false)
		f.Store = true
		return f
	}
	num := func() *mapping.FieldMapping {
		f := mapping.NewNumericFieldMapping()
		f.IncludeInAll = false
		f.Store = false
		f.DocValues = true
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = keyword.Name
		f.IncludeInAll = false
		f.Store = false
		f.IncludeTermVectors = false
		f.DocValues = true
		return f
	}

	dm := mapping.NewDocumentStaticMapping()
	// Shown in hits and suggestions.
	dm.AddFieldMappingsAt(FieldTitle, stored())
	dm.AddFieldMappingsAt(FieldTitleFeminine, stored())
	dm.AddFieldMappingsAt(FieldAltTitles, text(false))
	dm.AddFieldMappingsAt(FieldAcronyms, text(false))
	dm.AddFieldMappingsAt(FieldSuggest, matchOnly(AnalyzerPrefix))
	dm.AddFieldMappingsAt(FieldWords, matchOnly(AnalyzerPlain))
	dm.AddFieldMappingsAt(FieldPairs, matchOnly(AnalyzerPairs))
	dm.AddFieldMappingsAt(FieldTagline, text(true))
	dm.AddFieldMappingsAt(FieldMissions, text(true))
	// The whole guide, stored so that highlights can quote any part of
	// it: each part is analysed and stored once, here, not again in
	// fields of its own that no query reads.
	dm.AddFieldMappingsAt(FieldText, text(true))
	dm.AddFieldMappingsAt(FieldTitles, text(true))
	for _, f := range []string{FieldSalaryMin, FieldSalaryMax, FieldStudyYears, FieldInsertion} {
		dm.AddFieldMappingsAt(f, num())
	}
	for _, f := range []string{FieldArea, FieldCriteria, FieldSector, FieldFacets} {
		dm.AddFieldMappingsAt(f, kw())
	}
	b := mapping.NewBooleanFieldMapping()
	b.IncludeInAll = false
	dm.AddFieldMappingsAt(FieldSynthetic, b)
	m.AddDocumentMapping("metier", dm)
	m.DefaultMapping = dm
	return m, nil
}

// Tagger returns the criteria tags of a guide, for the criteria field.
type Tagger func(*corpus.Metier) []string

// newDoc flattens a guide into what is indexed.
func newDoc(m *corpus.Metier, tags Tagger) doc {
	d := doc{
		Title:         m.Title,
		TitleFeminine: m.TitleFeminine,
		AltTitles:     m.AltTitles,
		Acronyms:      m.Acronyms,
		Tagline:       m.Tagline,
		Missions:      m.Missions,
		SalaryMin:     float64(m.Salary.Min),
		SalaryMax:     float64(m.Salary.Max),
		StudyYears:    m.StudyYears,
		Insertion:     m.Figures.InsertionRatePct,
		Area:          Areas(m.EmploymentAreas),
		Sector:        m.Sectors,
		Synthetic:     m.Synthetic,
	}
	d.Suggest = append(d.Suggest, m.Title)
	if m.TitleFeminine != "" {
		d.Suggest = append(d.Suggest, m.TitleFeminine)
	}
	d.Suggest = append(d.Suggest, m.Acronyms...)
	d.Suggest = append(d.Suggest, m.AltTitles...)
	d.Criteria = Criteria(m, tags)
	d.Facets = facetValues(m, d.Area, d.Criteria)
	d.Titles = append(d.Titles, m.Title, m.TitleFeminine)
	d.Titles = append(d.Titles, m.AltTitles...)
	d.Titles = append(d.Titles, m.Acronyms...)
	d.Words = append(append([]string{}, d.Titles...), m.Tagline)
	d.Words = append(d.Words, m.Missions...)
	parts := TextParts(m)
	// The whole text is one value: loading a hit's stored fields for its
	// highlights then makes one field, not one per part (a hundred on a
	// long guide, most of a search's allocations). Its pairs stay part
	// by part, so that they do not run from one part to the next.
	d.Text = strings.Join(parts, "\n")
	d.Pairs = parts
	return d
}

// Criteria returns the criteria ids a guide is tagged with: tags(m),
// or its explicit criteria of 0.5 or more when tags is nil.
func Criteria(m *corpus.Metier, tags Tagger) []string {
	if tags != nil {
		return tags(m)
	}
	var out []string
	for k, v := range m.Criteria {
		if v >= 0.5 {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Facets returns a guide's facet values as "facet:value" terms, as the
// facets field indexes them.
func Facets(m *corpus.Metier, tags Tagger) []string {
	return facetValues(m, Areas(m.EmploymentAreas), Criteria(m, tags))
}

func facetValues(m *corpus.Metier, areas, criteria []string) []string {
	var out []string
	for _, a := range areas {
		out = append(out, FacetArea+":"+a)
	}
	for _, c := range criteria {
		out = append(out, FacetCriteria+":"+c)
	}
	if b := SalaryBucket(m.Salary.Max); b != "" {
		out = append(out, FacetSalary+":"+b)
	}
	if b := StudyBucket(m.StudyYears); b != "" {
		out = append(out, FacetStudy+":"+b)
	}
	return out
}

// TextParts returns the parts of a guide's whole text, in the order the
// text field holds them: titles, tagline, missions, qualities, then the
// body. Pairs of words side by side are taken part by part.
func TextParts(m *corpus.Metier) []string { return AppendTextParts(nil, m) }

// AppendTextParts appends the parts of a guide's whole text to dst, as
// TextParts returns them.
func AppendTextParts(dst []string, m *corpus.Metier) []string {
	parts := append(dst, m.Title, m.TitleFeminine, m.Tagline)
	parts = append(parts, m.AltTitles...)
	parts = append(parts, m.Acronyms...)
	parts = append(parts, m.Missions...)
	parts = append(parts, m.Qualities...)
	// The body: its parts that are not blank.
	add := func(ss ...string) {
		for _, s := range ss {
			if strings.TrimSpace(s) != "" {
				parts = append(parts, s)
			}
		}
	}
	add(m.Hook, m.Introduction, m.Studies, m.Conditions, m.Salary.Benefits)
	add(m.Tools...)
	add(m.TrainingSteps...)
	add(m.Workplaces...)
	add(m.Pros...)
	add(m.Cons...)
	add(m.Tips...)
	add(m.SelfAssessment...)
	add(m.Schools...)
	add(m.Interests...)
	for _, s := range m.Day {
		add(s.Text)
	}
	for _, f := range m.Facts {
		add(f.Title + " : " + f.Text)
	}
	if m.Testimony != nil {
		add(m.Testimony.Quote)
	}
	for _, qa := range m.FAQ {
		add(qa.Question, qa.Answer)
	}
	return parts
}

// areaRules maps words of an "employment area" to the Belgian region or
// province it names, for the area facet.
var areaRules = []struct {
	words []string
	area  string
}{
	{[]string{"bruxelles"}, "Bruxelles-Capitale"},
	{[]string{"brabant"}, "Brabant wallon"},
	{[]string{"hainaut", "charleroi", "mons", "tournai"}, "Hainaut"},
	{[]string{"liège", "liege", "verviers"}, "Liège"},
	{[]string{"namur"}, "Namur"},
	{[]string{"luxembourg", "arlon", "libramont"}, "Luxembourg"},
	{[]string{"flandre", "anvers", "gand", "louvain"}, "Flandre"},
	{[]string{"wallonie", "wallon", "wallonnes"}, "Wallonie"},
}

// Areas normalises free-text employment areas ("Province de Liège
// (bassin de Liège, Verviers)") to region and province names ("Liège"),
// without duplicates, in the order of first mention.
func Areas(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		low := strings.ToLower(s)
		for _, r := range areaRules {
			for _, w := range r.words {
				if strings.Contains(low, w) && !seen[r.area] {
					// "Brabant wallon" is not "Wallonie" as a whole.
					if r.area == "Wallonie" && strings.Contains(low, "brabant") {
						continue
					}
					seen[r.area] = true
					out = append(out, r.area)
				}
			}
		}
	}
	return out
}

// Facet names, the prefixes of FieldFacets values.
const (
	FacetArea     = "area"
	FacetCriteria = "criteria"
	FacetSalary   = "salary"
	FacetStudy    = "study"
)

// SalaryBuckets are the salary facet's values, in order: the top of the
// salary range, € gross per month.
func SalaryBuckets() []string {
	return []string{"moins de 3 000 €", "3 000 à 4 000 €", "4 000 à 6 000 €", "plus de 6 000 €"}
}

// SalaryBucket returns the salary facet value of a maximum salary, or ""
// when it is unknown.
func SalaryBucket(max int) string {
	b := SalaryBuckets()
	switch {
	case max <= 0:
		return ""
	case max < 3000:
		return b[0]
	case max < 4000:
		return b[1]
	case max < 6000:
		return b[2]
	}
	return b[3]
}

// StudyBuckets are the study facet's values, in order.
func StudyBuckets() []string {
	return []string{"moins de 2 ans", "2 à 3 ans", "4 à 5 ans", "6 ans et plus"}
}

// StudyBucket returns the study facet value of a study length in years.
func StudyBucket(years float64) string {
	b := StudyBuckets()
	switch {
	case years < 2:
		return b[0]
	case years < 4:
		return b[1]
	case years < 6:
		return b[2]
	}
	return b[3]
}

// Text returns a guide's whole text as the text field indexes it.
func Text(m *corpus.Metier) string { return newDoc(m, nil).Text }
