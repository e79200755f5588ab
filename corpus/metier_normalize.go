package corpus

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/gosimple/slug"
)

// Slug turns a title into a stable, ASCII, URL-safe id: accents folded,
// lower case, words joined by hyphens ("Médecin conseil" →
// "medecin-conseil"). It uses gosimple/slug's French rules.
func Slug(s string) string {
	// An elided article stays a word of its own: "l'information" →
	// "l-information", not "linformation".
	s = strings.NewReplacer("'", " ", "’", " ", "·", " ").Replace(s)
	return slug.MakeLang(s, "fr")
}

// Normalize trims every text, fills the id from the title when it is
// empty, and turns nil lists into empty ones so that the JSON shows []
// rather than null. Structured input is trusted as given: StudyYears is
// derived for text pages only (ParseText).
func (m *Metier) Normalize() {
	trim := func(s *string) { *s = strings.TrimSpace(*s) }
	for _, s := range []*string{&m.ID, &m.Title, &m.TitleFeminine, &m.Tagline, &m.Hook, &m.Studies, &m.Conditions, &m.Introduction} {
		trim(s)
	}
	if m.ID == "" && m.Title != "" {
		m.ID = Slug(m.Title)
	}
	lists := []*[]string{&m.AltTitles, &m.Acronyms, &m.Qualities, &m.Missions, &m.Tools, &m.TrainingSteps,
		&m.Workplaces, &m.Pros, &m.Cons, &m.Tips, &m.SelfAssessment, &m.Schools, &m.EmploymentAreas, &m.Similar}
	for _, l := range lists {
		*l = cleanList(*l)
	}
	// Optional lists stay absent from the JSON when empty.
	for _, l := range []*[]string{&m.Sectors, &m.Interests, &m.Domains, &m.RomeCodes} {
		if *l = cleanList(*l); len(*l) == 0 {
			*l = nil
		}
	}
	for i, c := range m.RomeCodes {
		m.RomeCodes[i] = strings.ToUpper(c)
	}
	if m.Day == nil {
		m.Day = []TimeSlot{}
	}
	if m.Facts == nil {
		m.Facts = []Fact{}
	}
	if m.FAQ == nil {
		m.FAQ = []QA{}
	}
	if m.Criteria == nil {
		m.Criteria = map[string]float64{}
	}
}

// cleanList trims items and drops empty ones; it never returns nil.
func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var idRe = regexp.MustCompile(`^[a-z0-9]+(?:[-_.][a-z0-9]+)*$`)

var romeCodeRe = regexp.MustCompile(`^[A-N][0-9]{4}$`)

// IsRomeCode reports whether s is shaped like a ROME code (M1805).
func IsRomeCode(s string) bool { return romeCodeRe.MatchString(s) }

// Validate checks the rules of the schema: a title, an ASCII slug id,
// coherent salaries, criteria values in [0,1]. Every broken rule is
// reported, each wrapping ErrInvalid (or ErrNoTitle).
func (m *Metier) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(m.Title) == "" {
		errs = append(errs, ErrNoTitle)
	}
	if !idRe.MatchString(m.ID) || len(m.ID) > 200 {
		bad("id %q is not a lower-case ASCII slug", m.ID)
	}
	s := m.Salary
	for _, v := range []int{s.Min, s.Max, s.JuniorMin, s.JuniorMax, s.SeniorMin, s.SeniorMax} {
		if v < 0 || v > 1_000_000 {
			bad("salary %d out of range", v)
		}
	}
	if s.Max > 0 && s.Min > s.Max {
		bad("salary.min %d above salary.max %d", s.Min, s.Max)
	}
	if m.StudyYears < 0 || m.StudyYears > 20 {
		bad("study_years %g out of range 0–20", m.StudyYears)
	}
	for _, c := range m.RomeCodes {
		if !romeCodeRe.MatchString(c) {
			bad("rome_codes: %q is not a ROME code (a letter A to N and four digits, e.g. M1805)", c)
		}
	}
	for k, v := range m.Criteria {
		if v < 0 || v > 1 || v != v {
			bad("criteria[%q] = %g, want a value in [0,1]", k, v)
		}
	}
	return errors.Join(errs...)
}
