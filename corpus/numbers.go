package corpus

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// amount matches a euro amount as the guides write it: "2.500", "2 500",
// "5500", "2500€".
const amount = `(\d{1,3}(?:[.\s\x{202f}\x{a0}]\d{3})+|\d+)`

var (
	rangeRe  = regexp.MustCompile(amount + `\s*€?\s*[-–à]\s*` + amount + `\s*€?`)
	juniorRe = regexp.MustCompile(`(?i)(?:débutant|junior)e?s?\s*:?\s*` + amount + `\s*€?\s*[-–à]\s*` + amount)
	seniorRe = regexp.MustCompile(`(?i)(?:expérimenté|confirmé|senior)e?s?\s*:?\s*` + amount + `\s*€?\s*[-–à]\s*` + amount)
)

// parseAmount turns "2.500" or "2 500" into 2500.
func parseAmount(s string) int {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	n, _ := strconv.Atoi(b.String())
	return n
}

// salary parses "2.500-4.200€ brut/mois (débutant 2.500-2.900€,
// expérimenté 3.200-4.200€ + avantages extra-légaux …)".
func (p *pageParser) salary(ls []line) error {
	if len(ls) == 0 {
		return nil
	}
	text := strings.ReplaceAll(paragraphs(ls), "\n", " ")
	s := &p.m.Salary
	s.Text = text
	if m := rangeRe.FindStringSubmatch(text); m != nil {
		s.Min, s.Max = parseAmount(m[1]), parseAmount(m[2])
	} else {
		return fileErr(p.name, ls[0].n, fmt.Errorf("salary: no range such as 2.500-4.200€ in %q", text))
	}
	if m := juniorRe.FindStringSubmatch(text); m != nil {
		s.JuniorMin, s.JuniorMax = parseAmount(m[1]), parseAmount(m[2])
	}
	if m := seniorRe.FindStringSubmatch(text); m != nil {
		s.SeniorMin, s.SeniorMax = parseAmount(m[1]), parseAmount(m[2])
	}
	if _, after, ok := strings.Cut(text, "+"); ok {
		s.Benefits = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(after), ")."))
		s.Benefits = strings.TrimSuffix(s.Benefits, ")")
	}
	if s.Min > s.Max {
		return fileErr(p.name, ls[0].n, fmt.Errorf("salary: minimum %d above maximum %d", s.Min, s.Max))
	}
	return nil
}

// figureLabels maps the labels that end each line of "Le métier en
// chiffres" to a setter.
func figureLabels(f *Figures) []struct {
	label string
	set   func(string)
} {
	return []struct {
		label string
		set   func(string)
	}{
		{"Durée de formation", func(v string) { f.TrainingDuration = v; f.TrainingYears = durationYears(v) }},
		{"Professionnels actifs", func(v string) { f.Professionals = v; f.ProfessionalsCount = firstInt(v) }},
		{"Croissance annuelle", func(v string) { f.Growth = v }},
		{"Taux d'insertion", func(v string) { f.InsertionRate = v; f.InsertionRatePct = percent(v) }},
		{"Âge moyen", func(v string) { f.AverageAgeText = v; f.AverageAge = float64(firstInt(v)) }},
		{"Proportion de femmes", func(v string) { f.WomenText = v; f.WomenPct = percent(v) }},
	}
}

// figures reads lines such as "92% Taux d'insertion".
func (p *pageParser) figures(ls []line) {
	labels := figureLabels(&p.m.Figures)
	for _, l := range ls {
		for _, fl := range labels {
			if v, ok := strings.CutSuffix(l.text, fl.label); ok {
				fl.set(strings.TrimSpace(v))
				break
			}
		}
	}
}

var (
	intRe     = regexp.MustCompile(`\d{1,3}(?:[.\s\x{202f}\x{a0}]\d{3})+|\d+`)
	percentRe = regexp.MustCompile(`(\d+(?:[.,]\d+)?)\s*%`)
	yearsRe   = regexp.MustCompile(`(?i)(\d+(?:[.,]\d+)?)\s*(?:à\s*\d+\s*)?ans?\b`)
	monthsRe  = regexp.MustCompile(`(?i)(\d+)(?:\s*[-–à]\s*(\d+))?\s*mois\b`)
)

// firstInt returns the first whole number of s ("Environ 2 500" → 2500).
func firstInt(s string) int {
	if m := intRe.FindString(s); m != "" {
		return parseAmount(m)
	}
	return 0
}

// percent returns the first percentage of s ("> 90% dans les 6 mois" → 90).
func percent(s string) float64 {
	m := percentRe.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", "."), 64)
	return f
}

// durationYears reads a training duration: "3 ans (Bachelier) +
// spécialisation (6-12 mois)" → 3.75, "1 à 3 ans" → 1 (the shortest way
// in), "9 ans et plus" → 9.
func durationYears(s string) float64 {
	var years float64
	if m := yearsRe.FindStringSubmatch(s); m != nil {
		years, _ = strconv.ParseFloat(strings.ReplaceAll(m[1], ",", "."), 64)
	}
	if m := monthsRe.FindStringSubmatch(s); m != nil {
		lo, _ := strconv.Atoi(m[1])
		hi := lo
		if m[2] != "" {
			hi, _ = strconv.Atoi(m[2])
		}
		years += float64(lo+hi) / 2 / 12
	}
	return years
}

// studyKeywords gives the usual length, in years after secondary school,
// of the diplomas the "Études" text names, longest first.
func studyKeywords() []struct {
	re    *regexp.Regexp
	years float64
} {
	k := func(expr string, y float64) struct {
		re    *regexp.Regexp
		years float64
	} {
		return struct {
			re    *regexp.Regexp
			years float64
		}{regexp.MustCompile(`(?i)` + expr), y}
	}
	return []struct {
		re    *regexp.Regexp
		years float64
	}{
		k(`master en médecine.*spécialisation|médecine.*master de spécialisation`, 9),
		k(`doctorat`, 8),
		k(`master en médecine|études de médecine`, 6),
		k(`\bmaster\b`, 5),
		k(`\bbachelier\b|\bbachelor\b`, 3),
		k(`formation qualifiante|formations qualifiantes|\bCESS\b`, 1),
	}
}

// deriveStudyYears estimates the length of studies: the training
// duration figure when the page gives one, else an explicit "(N ans)" in
// the "Études" text, else the diploma it names.
func deriveStudyYears(m *Metier) float64 {
	if m.Figures.TrainingYears > 0 {
		return m.Figures.TrainingYears
	}
	if m.Studies == "" {
		return 0
	}
	for _, k := range studyKeywords() {
		if k.re.MatchString(m.Studies) {
			return k.years
		}
	}
	if y := durationYears(m.Studies); y > 0 {
		return y
	}
	return 0
}
