package recommend

import (
	"math"
	"strings"

	"github.com/metiers/metiers/corpus"
)

// Vector holds a guide's value for each criterion of the taxonomy, in
// the taxonomy's order, each in [0,1].
type Vector []float64

// Analyzer turns a text into its analyzed terms (the index's French
// analysis), so cues match whatever the accents, case or gender.
type Analyzer func(string) []string

// sections returns the text of each named section of a guide.
func sections(m *corpus.Metier) map[string][]string {
	faq := make([]string, 0, 2*len(m.FAQ))
	for _, qa := range m.FAQ {
		faq = append(faq, qa.Question, qa.Answer)
	}
	facts := make([]string, 0, len(m.Facts))
	for _, f := range m.Facts {
		facts = append(facts, f.Title+" : "+f.Text)
	}
	return map[string][]string{
		"title":           append([]string{m.Title, m.TitleFeminine}, m.AltTitles...),
		"tagline":         {m.Tagline},
		"introduction":    {m.Introduction},
		"studies":         {m.Studies},
		"qualities":       m.Qualities,
		"conditions":      {m.Conditions},
		"missions":        m.Missions,
		"tools":           m.Tools,
		"facts":           facts,
		"pros":            m.Pros,
		"cons":            m.Cons,
		"tips":            m.Tips,
		"self_assessment": m.SelfAssessment,
		"faq":             faq,
		"workplaces":      m.Workplaces,
		"interests":       m.Interests,
		"sectors":         m.Sectors,
	}
}

// cueMatcher counts cue phrases in analyzed texts.
type cueMatcher struct {
	analyze Analyzer
	// phrases[c][k] is the analyzed form of criterion c's k-th cue.
	phrases [][][]string
}

func newCueMatcher(t *Taxonomy, analyze Analyzer) *cueMatcher {
	cm := &cueMatcher{analyze: analyze, phrases: make([][][]string, len(t.Criteria))}
	for i, c := range t.Criteria {
		for _, cue := range c.Cues {
			cm.phrases[i] = append(cm.phrases[i], analyze(cue.Phrase))
		}
	}
	return cm
}

// count returns how many times phrase occurs in terms.
func count(terms, phrase []string) int {
	if len(phrase) == 0 {
		return 0
	}
	n := 0
	for i := 0; i+len(phrase) <= len(terms); i++ {
		ok := true
		for j := range phrase {
			if terms[i+j] != phrase[j] {
				ok = false
				break
			}
		}
		if ok {
			n++
		}
	}
	return n
}

// unknown marks a criterion a guide says nothing about (a salary it
// does not give): the quiz leaves it out, the similarity takes it as the
// corpus's mean, the API does not list it.
var unknown = math.NaN()

// known reports whether a value is not unknown.
func known(x float64) bool { return x == x }

// derive computes a guide's vector: explicit values first, then numeric
// fields, then the linked ROME sheets, then the guide's own labels for
// family criteria, and text cues for what none of these says (a work
// context the sheets do not list included).
func derive(m *corpus.Metier, sheets []sheetWeight, t *Taxonomy, cm *cueMatcher) Vector {
	v := make(Vector, len(t.Criteria))
	secs := sections(m)
	analyzed := map[string][]string{}
	terms := func(sec string) []string {
		if a, ok := analyzed[sec]; ok {
			return a
		}
		var all []string
		for _, s := range secs[sec] {
			all = append(all, cm.analyze(s)...)
			all = append(all, "\x00") // no phrase across two items
		}
		analyzed[sec] = all
		return all
	}
	cues := func(i int) float64 {
		c := t.Criteria[i]
		var sum float64
		for k, cue := range c.Cues {
			for _, sec := range c.Sections {
				if n := count(terms(sec), cm.phrases[i][k]); n > 0 {
					// Each extra mention counts less than the first.
					sum += cue.Weight * (1 + math.Log(float64(n)))
				}
			}
		}
		if sum <= 0 {
			return 0
		}
		return 1 - math.Exp(-sum/t.Saturation)
	}
	fams := map[string]map[string]float64{}
	for _, f := range t.Families {
		vals := map[string]float64{}
		for _, src := range f.Sources {
			for _, l := range labelsOf(m, sheets, src) {
				vals[l.text] += l.w
			}
		}
		fams[f.ID] = vals
	}
	for i, c := range t.Criteria {
		if x, ok := m.Criteria[c.ID]; ok {
			v[i] = clamp(x)
			continue
		}
		switch {
		case c.Family != "":
			v[i] = clamp(fams[c.Family][c.Source])
		case c.Numeric == "study_years":
			v[i] = clamp(m.StudyYears / 5)
		case c.Numeric == "salary":
			v[i] = salaryLevel(m.Salary)
		case c.Numeric == "demand":
			v[i] = demand(m, cues(i))
		case len(sheets) > 0 && c.RIASEC != "":
			v[i] = riasecOf(sheets, c.RIASEC)
		case len(sheets) > 0 && len(c.Rome) > 0:
			// A sheet lists a few of its work contexts, not all: one it
			// does not list is left to the guide's own text (ROME's
			// « Garde de parc naturel » lists four, none « En
			// extérieur »).
			v[i] = math.Max(contextOf(sheets, c.Rome), cues(i))
		default:
			v[i] = cues(i)
		}
	}
	return v
}

// riasecOf is a RIASEC letter's value from the linked sheets: 1 for
// their major letter, 0.6 for their minor one.
func riasecOf(sheets []sheetWeight, letter string) float64 {
	var x float64
	for _, s := range sheets {
		switch letter {
		case s.sheet.RIASECMajor:
			x += s.w
		case s.sheet.RIASECMinor:
			x += 0.6 * s.w
		}
	}
	return clamp(x)
}

// contextOf is the share of the linked sheets that list one of the
// work contexts.
func contextOf(sheets []sheetWeight, contexts []string) float64 {
	var x float64
	for _, s := range sheets {
		for _, c := range s.sheet.Contexts {
			if containsStr(contexts, c.Label) {
				x += s.w
				break
			}
		}
	}
	return clamp(x)
}

// salaryLevel places the middle of the salary range between 1,800 € and
// 7,000 € a month (a starting salary alone between 1,500 € and 4,000 €);
// unknown when the guide gives no salary.
func salaryLevel(s corpus.Salary) float64 {
	lo, hi := s.Min, s.Max
	if lo == 0 {
		lo = s.JuniorMin
	}
	if hi == 0 {
		hi = max(s.SeniorMax, s.JuniorMax, lo)
	}
	if lo == 0 && hi == 0 {
		return unknown
	}
	mid := float64(lo+hi) / 2
	if s.SeniorMax == 0 && s.Max <= 4000 {
		// A starting salary (ONISEP gives only those): 1,500 € to 4,000 €.
		return clamp((mid - 1500) / (4000 - 1500))
	}
	return clamp((mid - 1800) / (7000 - 1800))
}

// demand combines the insertion rate, the growth figure and the cues;
// unknown when none says anything.
func demand(m *corpus.Metier, cues float64) float64 {
	var parts []float64
	if p := m.Figures.InsertionRatePct; p > 0 {
		parts = append(parts, clamp((p-50)/50))
	}
	g := strings.ToLower(m.Figures.Growth)
	switch {
	case strings.Contains(g, "forte") || strings.Contains(g, "pénurie"):
		parts = append(parts, 1)
	case strings.Contains(g, "croissance") || strings.Contains(g, "hausse"):
		parts = append(parts, 0.8)
	case strings.Contains(g, "stable"):
		parts = append(parts, 0.5)
	case strings.Contains(g, "baisse") || strings.Contains(g, "déclin"):
		parts = append(parts, 0.2)
	}
	if cues > 0 {
		parts = append(parts, cues)
	}
	if len(parts) == 0 {
		return unknown
	}
	var s float64
	for _, p := range parts {
		s += p
	}
	return s / float64(len(parts))
}

func clamp(x float64) float64 {
	switch {
	case x < 0 || x != x:
		return 0
	case x > 1:
		return 1
	}
	return x
}
