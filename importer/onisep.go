package importer

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/metiers/metiers/corpus"
)

// ONISEPFile is the derived ONISEP file the importer reads.
const ONISEPFile = "onisep_fiches_metiers.jsonl"

type ref struct {
	ID      string `json:"id"`
	Libelle string `json:"libelle"`
}

type onisepRecord struct {
	ID                 string   `json:"id"`
	Nom                string   `json:"nom_metier"`
	Feminin            string   `json:"libelle_feminin"`
	Masculin           string   `json:"libelle_masculin"`
	Synonymes          []string `json:"synonymes"`
	CodesROME          []string `json:"codes_rome_v3"`
	Accroche           string   `json:"accroche"`
	DescriptifDico     string   `json:"descriptif_dico"`
	DescriptifDoc      string   `json:"descriptif_documentation"`
	NatureTravail      string   `json:"nature_travail"`
	Competences        string   `json:"competences"`
	ConditionTravail   string   `json:"condition_travail"`
	AccesMetier        string   `json:"acces_metier"`
	VieProfessionnelle string   `json:"vie_professionnelle"`
	SalaireDebutant    string   `json:"salaire_debutant"`
	NiveauAccesMin     *ref     `json:"niveau_acces_min"`
	Formations         []ref    `json:"formations_min_requise"`
	Statuts            []string `json:"statuts"`
	Secteurs           []ref    `json:"secteurs_activite"`
	Transverse         bool     `json:"metier_transverse"`
	CentresInteret     []ref    `json:"centres_interet"`
	Associes           []ref    `json:"metiers_associes"`
	Domaines           []string `json:"domaines_onisep"`
	GFE                string   `json:"gfe"`
}

// onisepLevels maps ONISEP's minimum access level to years of study
// after secondary school (the same scale as the guides' study_years).
var onisepLevels = map[string]float64{
	"sans diplôme": 0, "3E": 0, "Diplôme national du brevet": 0, "CAP ou équivalent": 0,
	"CAP ou équivalent + 1 an": 0.5, "Bac ou équivalent": 0, "Bac + 1": 1, "Bac + 2": 2, "Bac + 3": 3,
	"Bac + 4": 4, "Bac + 5": 5, "Bac + 6": 6, "Bac + 7": 7, "Bac + 8": 8, "Bac + 9 et plus": 9,
}

// ONISEP reads onisep_fiches_metiers.jsonl from dir. Each guide keeps
// what the export says: its ROME codes, centres d'intérêt, sectors,
// domains and access level as fields; the criteria are the
// recommender's to derive from them.
func ONISEP(dir string, opts Options) (*Result, error) {
	path := filepath.Join(dir, ONISEPFile)
	var recs []onisepRecord
	lines := map[string]int{}
	res := &Result{}
	err := readJSONL(path, func(line int, raw []byte) error {
		var r onisepRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		if strings.TrimSpace(r.Masculin) == "" && strings.TrimSpace(r.Nom) == "" {
			res.Warnings = append(res.Warnings, Warning{File: path, Line: line, Reason: "no title, skipped"})
			return nil
		}
		recs = append(recs, r)
		lines[r.ID] = line
		return nil
	})
	if err != nil {
		return nil, err
	}
	byID := map[string]*corpus.Metier{}
	for _, r := range recs {
		m := onisepMetier(r)
		codes := m.RomeCodes[:0]
		for _, c := range m.RomeCodes {
			if corpus.IsRomeCode(c) {
				codes = append(codes, c)
			} else {
				res.Warnings = append(res.Warnings, Warning{File: path, Line: lines[r.ID], Reason: fmt.Sprintf("%s: ROME code %q is not a code, left out", r.ID, c)})
			}
		}
		m.RomeCodes = codes
		byID[r.ID] = m
		res.Metiers = append(res.Metiers, m)
	}
	if err := finish(res, path); err != nil {
		return nil, err
	}
	if !opts.NoLinks {
		for _, r := range recs {
			m := byID[r.ID]
			for _, a := range r.Associes {
				if o := byID[a.ID]; o != nil && o != m {
					m.Similar = append(m.Similar, o.ID)
				}
			}
		}
	}
	return res, nil
}

func onisepMetier(r onisepRecord) *corpus.Metier {
	m := &corpus.Metier{
		SourceID:      r.ID,
		Source:        "onisep",
		Title:         strings.TrimSpace(r.Masculin),
		TitleFeminine: strings.TrimSpace(r.Feminin),
		Tagline:       strings.TrimSpace(r.Accroche),
		RomeCodes:     r.CodesROME,
		Domains:       r.Domaines,
	}
	if m.Title == "" {
		m.Title = masculine(r.Nom)
	}
	if m.TitleFeminine == m.Title {
		m.TitleFeminine = ""
	}
	for _, s := range r.Synonymes {
		if s = masculine(s); s != "" && s != m.Title {
			m.AltTitles = append(m.AltTitles, s)
		}
	}
	intro, _ := linesOf(r.DescriptifDico)
	// The dictionary text ends with a "Durée des études" note: keep the
	// description before it.
	m.Introduction = strings.Join(intro, "\n")
	if i := strings.Index(r.DescriptifDico, "### Durée des études"); i > 0 {
		p, _ := linesOf(r.DescriptifDico[:i])
		m.Introduction = strings.Join(p, "\n")
	}
	if m.Tagline == "" && len(intro) > 0 {
		m.Tagline = intro[0]
	}
	m.Missions, _ = linesOf(r.NatureTravail)
	paras, heads := linesOf(r.Competences)
	m.Qualities = heads
	if len(m.Qualities) == 0 {
		m.Qualities = paras
	} else {
		m.Tips = paras // the explanations under each quality heading
	}
	cond, _ := linesOf(r.ConditionTravail)
	m.Conditions = strings.Join(cond, "\n")
	studies, _ := linesOf(r.AccesMetier)
	m.Studies = strings.Join(studies, "\n")
	m.Facts = careerFacts(r.VieProfessionnelle)
	for _, f := range r.Formations {
		m.TrainingSteps = append(m.TrainingSteps, f.Libelle)
	}
	if r.NiveauAccesMin != nil {
		if y, ok := onisepLevels[r.NiveauAccesMin.Libelle]; ok {
			m.StudyYears = y
		}
	}
	lo, hi := startingSalary(r.SalaireDebutant)
	m.Salary = corpus.Salary{Min: lo, Max: hi, JuniorMin: lo, JuniorMax: hi, Text: strings.TrimSpace(r.SalaireDebutant)}
	for _, s := range r.Secteurs {
		m.Sectors = append(m.Sectors, s.Libelle)
	}
	for _, c := range r.CentresInteret {
		m.Interests = append(m.Interests, c.Libelle)
	}
	for _, st := range r.Statuts {
		m.Workplaces = append(m.Workplaces, "Statut : "+st)
	}
	// The training-employment group (« GFE W : droit, enseignement… »)
	// reads as one more sector, without its code.
	if g := strings.TrimSpace(r.GFE); g != "" {
		if _, label, ok := strings.Cut(g, " : "); ok {
			g = strings.TrimSpace(label)
		}
		m.Sectors = append(m.Sectors, g)
	}
	return m
}

// careerFacts reads the « Intégrer le marché du travail » part of
// ONISEP's professional-life text (how one enters the job, how a career
// evolves), one fact per sub-heading. Its « Salaire » part is left out:
// salaire_debutant already gives the salary.
func careerFacts(text string) []corpus.Fact {
	var facts []corpus.Fact
	keep := false
	cur := -1 // the fact the next paragraph belongs to
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
		case strings.HasPrefix(l, "## "):
			keep = !strings.EqualFold(strings.TrimSpace(l[3:]), "Salaire")
			cur = -1
		case !keep:
		case strings.HasPrefix(l, "#"):
			facts = append(facts, corpus.Fact{Title: strings.TrimSpace(strings.TrimLeft(l, "#"))})
			cur = len(facts) - 1
		default:
			l = strings.TrimSpace(strings.TrimPrefix(l, "- "))
			if cur < 0 {
				facts = append(facts, corpus.Fact{})
				cur = len(facts) - 1
			}
			if facts[cur].Text != "" {
				facts[cur].Text += " "
			}
			facts[cur].Text += l
		}
	}
	out := facts[:0]
	for _, f := range facts {
		if f.Text != "" {
			out = append(out, f)
		}
	}
	return out
}
