package importer

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/rome"
)

// ROMEFile is the derived ROME file the importer reads.
const ROMEFile = rome.SheetsFile

// levelRe finds the levels an access text names, as whole words (« but »
// inside « début », or « à but non commercial », is no BUT): the
// diplomas' acronyms in capitals, the rest in any case.
var levelRe = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])((?i:docteur en (?:médecine|pharmacie|chirurgie)|diplôme d'état de docteur|doctorat|bac ?\+ ?\d+|master|diplôme d'ingénieur|licence|bachelor|deust|baccalauréat|bac|brevet professionnel|cap|bep|sans diplôme)|BTS|DUT|BUT|BP)(?:[^\p{L}\p{N}]|$)`)

// bacPlusRe reads the years of « Bac + N ».
var bacPlusRe = regexp.MustCompile(`\+ ?(\d+)`)

// romeLevels gives the years after secondary school of each level but
// « Bac + N », which says them itself.
var romeLevels = []struct {
	re    *regexp.Regexp
	years float64
}{
	{regexp.MustCompile(`(?i)^(docteur en|diplôme d'état de docteur)`), 9},
	{regexp.MustCompile(`(?i)^doctorat$`), 8},
	{regexp.MustCompile(`(?i)^(master|diplôme d'ingénieur)$`), 5},
	{regexp.MustCompile(`(?i)^(licence|bachelor)$`), 3},
	{regexp.MustCompile(`^(BTS|DUT|BUT)$|(?i)^deust$`), 2},
}

// maxStudyYears caps « Bac + N » (« bac + 13 » names a medical
// specialty's whole course).
const maxStudyYears = 12

// romeStudyYears reads the shortest way in from the access text: the
// first level it names, in years after secondary school (0 for the bac,
// a CAP or no diploma, and when it names none).
func romeStudyYears(text string) float64 {
	m := levelRe.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	first := m[1]
	if n := bacPlusRe.FindStringSubmatch(first); n != nil {
		years, err := strconv.Atoi(n[1])
		if err != nil {
			return 0
		}
		return float64(min(years, maxStudyYears))
	}
	for _, l := range romeLevels {
		if l.re.MatchString(first) {
			return l.years
		}
	}
	return 0
}

// SplitTitle turns "Conducteur / Conductrice d'engins agricoles" into its
// masculine and feminine titles.
func SplitTitle(libelle string) (masc, fem string) { return rome.SplitTitle(libelle) }

// ROME reads the referential under dir (rome4_fiches.jsonl) and makes a
// guide of each sheet, linked to its own code: served with the same
// referential (--referential), its criteria come from the sheet.
func ROME(dir string, opts Options) (*Result, error) {
	ref, err := rome.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("importer: %w", err)
	}
	res := &Result{}
	byCode := map[string]*corpus.Metier{}
	for _, s := range ref.Sheets() {
		m := romeMetier(s)
		byCode[s.Code] = m
		res.Metiers = append(res.Metiers, m)
	}
	if err := finish(res, filepath.Join(dir, rome.SheetsFile)); err != nil {
		return nil, err
	}
	if !opts.NoLinks {
		for _, s := range ref.Sheets() {
			m := byCode[s.Code]
			for _, c := range s.Mobilities {
				if o := byCode[c]; o != nil && o != m {
					m.Similar = append(m.Similar, o.ID)
				}
			}
		}
	}
	return res, nil
}

func romeMetier(r *rome.Sheet) *corpus.Metier {
	masc, fem := SplitTitle(r.Title)
	m := &corpus.Metier{SourceID: r.Code, Source: "rome", Title: masc, TitleFeminine: fem, RomeCodes: []string{r.Code}}
	for _, a := range r.Appellations {
		if t, _ := SplitTitle(a); t != "" && t != masc {
			m.AltTitles = append(m.AltTitles, t)
		}
	}
	def := strings.Split(strings.TrimSpace(r.Definition), "\n")
	if len(def) > 0 {
		m.Tagline = strings.TrimSpace(def[0])
	}
	m.Introduction = strings.TrimSpace(r.Definition)
	m.Missions = r.CoreSkills
	if len(m.Missions) == 0 {
		m.Missions = r.Skills
	}
	m.Tools = r.Knowledge
	m.Qualities = r.SoftSkills
	m.Studies = strings.TrimSpace(r.Access)
	m.StudyYears = romeStudyYears(r.Access)
	var ctx []string
	for _, c := range r.Contexts {
		ctx = append(ctx, c.Label)
	}
	m.Conditions = strings.Join(ctx, " ; ")
	for _, s := range r.Sectors {
		if s.Main {
			m.Sectors = append([]string{s.Label}, m.Sectors...)
		} else if s.SubSector != "" {
			m.Sectors = append(m.Sectors, s.SubSector)
		}
	}
	for _, c := range r.Interests {
		m.Interests = append(m.Interests, c.Label)
	}
	m.Workplaces = append(m.Workplaces, r.Themes...)
	if r.GrandDomaine.Label != "" {
		m.Domains = []string{r.GrandDomaine.Label + "/" + r.Domaine.Label}
	}
	return m
}
