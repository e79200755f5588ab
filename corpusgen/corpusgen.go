// Package corpusgen makes synthetic guides for scale tests by recombining
// and perturbing the sections of real ones. The output is deterministic
// for a seed and every guide is marked synthetic: it is never a corpus to
// serve to readers.
package corpusgen

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"

	"github.com/metiers/metiers/corpus"
)

// qualifiers vary the titles, so that ids stay unique and titles read as
// real specialisations.
var qualifiers = []string{
	"en oncologie", "en pédiatrie", "en gériatrie", "en radiologie", "en cardiologie", "hospitalier",
	"en cabinet", "en mutualité", "en assurance", "du secteur public", "en laboratoire", "en revalidation",
	"à domicile", "en maison médicale", "de garde", "référent", "coordinateur", "junior", "senior",
	"en santé mentale", "en urgences", "en médecine du travail", "en pharmacie", "en dentisterie",
}

// places are Belgian towns added to titles beyond the qualifiers.
var places = []string{"Bruxelles", "Liège", "Namur", "Charleroi", "Mons", "Arlon", "Wavre", "Tournai", "Verviers", "Louvain-la-Neuve"}

// Generate returns n synthetic guides built from base (at least one
// guide), deterministic for a seed.
func Generate(base []*corpus.Metier, n int, seed int64) ([]*corpus.Metier, error) {
	if len(base) == 0 {
		return nil, fmt.Errorf("corpusgen: no base guide")
	}
	if n < 0 {
		return nil, fmt.Errorf("corpusgen: n must not be negative, got %d", n)
	}
	r := rand.New(rand.NewSource(seed))
	out := make([]*corpus.Metier, 0, n)
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		head := base[r.Intn(len(base))]
		m := &corpus.Metier{
			Source:         "synthetic",
			Synthetic:      true,
			Acronyms:       append([]string{}, head.Acronyms...),
			Tagline:        pick(r, base).Tagline,
			Hook:           pick(r, base).Hook,
			Studies:        pick(r, base).Studies,
			Conditions:     pick(r, base).Conditions,
			Introduction:   pick(r, base).Introduction,
			Qualities:      mix(r, base, func(m *corpus.Metier) []string { return m.Qualities }),
			Missions:       mix(r, base, func(m *corpus.Metier) []string { return m.Missions }),
			Tools:          mix(r, base, func(m *corpus.Metier) []string { return m.Tools }),
			TrainingSteps:  pick(r, base).TrainingSteps,
			Workplaces:     mix(r, base, func(m *corpus.Metier) []string { return m.Workplaces }),
			Pros:           mix(r, base, func(m *corpus.Metier) []string { return m.Pros }),
			Cons:           mix(r, base, func(m *corpus.Metier) []string { return m.Cons }),
			Tips:           pick(r, base).Tips,
			SelfAssessment: pick(r, base).SelfAssessment,
			Schools:        pick(r, base).Schools,
			EmploymentAreas: mix(r, base, func(m *corpus.Metier) []string {
				return m.EmploymentAreas
			}),
			Day:       pick(r, base).Day,
			Facts:     pick(r, base).Facts,
			FAQ:       pick(r, base).FAQ,
			Testimony: pick(r, base).Testimony,
			Figures:   pick(r, base).Figures,
		}
		// A title that reads like a specialisation, unique in the corpus.
		q := qualifiers[r.Intn(len(qualifiers))]
		m.Title = head.Title + " " + q
		if head.TitleFeminine != "" {
			m.TitleFeminine = head.TitleFeminine + " " + q
		}
		if id := corpus.Slug(m.Title); seen[id] {
			p := places[r.Intn(len(places))]
			m.Title += " — " + p
			if m.TitleFeminine != "" {
				m.TitleFeminine += " — " + p
			}
			if seen[corpus.Slug(m.Title)] {
				m.Title = fmt.Sprintf("%s n° %d", m.Title, i+1)
				if m.TitleFeminine != "" {
					m.TitleFeminine = fmt.Sprintf("%s n° %d", m.TitleFeminine, i+1)
				}
			}
		}
		m.Salary = salary(r, head.Salary)
		m.StudyYears = head.StudyYears
		if r.Intn(4) == 0 {
			m.StudyYears = float64(r.Intn(10))
		}
		m.Normalize()
		seen[m.ID] = true
		out = append(out, m)
	}
	return out, nil
}

func pick(r *rand.Rand, base []*corpus.Metier) *corpus.Metier { return base[r.Intn(len(base))] }

// mix takes items of a section from two guides, shuffled, some dropped.
func mix(r *rand.Rand, base []*corpus.Metier, section func(*corpus.Metier) []string) []string {
	var all []string
	all = append(all, section(pick(r, base))...)
	all = append(all, section(pick(r, base))...)
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	keep := len(all) / 2
	if keep == 0 {
		keep = len(all)
	}
	seen := map[string]bool{}
	out := []string{}
	for _, s := range all[:keep] {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// salary varies a salary by up to ±20 %, keeping junior ≤ senior and the
// range around both.
func salary(r *rand.Rand, s corpus.Salary) corpus.Salary {
	f := 0.8 + 0.4*r.Float64()
	round := func(v int) int { return int(float64(v)*f/50) * 50 }
	out := corpus.Salary{
		JuniorMin: round(s.JuniorMin), JuniorMax: round(s.JuniorMax),
		SeniorMin: round(s.SeniorMin), SeniorMax: round(s.SeniorMax),
		Min: round(s.Min), Max: round(s.Max), Benefits: s.Benefits,
	}
	out.Text = fmt.Sprintf("%d-%d€ brut/mois (synthétique)", out.Min, out.Max)
	return out
}

// WriteDir writes one JSON file per guide (the structured format) into
// dir, which must be empty or not exist unless force is set.
func WriteDir(dir string, metiers []*corpus.Metier, force bool) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 && !force {
		return fmt.Errorf("corpusgen: %s is not empty (use --force to write into it)", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("corpusgen: %w", err)
	}
	for _, m := range metiers {
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return fmt.Errorf("corpusgen: %s: %w", m.ID, err)
		}
		if err := os.WriteFile(filepath.Join(dir, m.ID+".json"), append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("corpusgen: %w", err)
		}
	}
	return nil
}
