package importer

import (
	"encoding/json"
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

// interestCriteria maps ONISEP's 27 centres d'intérêt to RIASEC letters
// (strongest first) and to our other criteria.
var interestCriteria = map[string]struct {
	letters []string
	others  map[string]float64
}{
	"j'ai le sens du contact":                                        {[]string{"S", "E"}, map[string]float64{"contact_humain": 1}},
	"j'aime organiser, gérer":                                        {[]string{"C", "E"}, map[string]float64{"secteur_administration": 0.8}},
	"j'aime bouger":                                                  {[]string{"R"}, map[string]float64{"travail_bureau": 0.1}},
	"je veux être utile aux autres":                                  {[]string{"S"}, map[string]float64{"secteur_social": 0.8}},
	"réparer, bricoler, j'adore ça":                                  {[]string{"R"}, map[string]float64{"travail_bureau": 0.1}},
	"je rêve d'un métier artistique":                                 {[]string{"A"}, nil},
	"je veux travailler de mes mains":                                {[]string{"R"}, map[string]float64{"travail_bureau": 0.1}},
	"j'aime bien faire des expériences":                              {[]string{"I", "R"}, nil},
	"j'aimerais travailler dehors":                                   {[]string{"R"}, map[string]float64{"travail_bureau": 0}},
	"je veux travailler dans le commerce":                            {[]string{"E", "S"}, map[string]float64{"contact_humain": 0.9}},
	"je rêve de travailler à l'étranger":                             {[]string{"E"}, map[string]float64{"langues": 1}},
	"j'aime jongler avec les chiffres":                               {[]string{"C", "I"}, nil},
	"j'aime les langues":                                             {[]string{"S", "A"}, map[string]float64{"langues": 1}},
	"j'aime communiquer":                                             {[]string{"S", "E"}, map[string]float64{"contact_humain": 0.8}},
	"enquêter, analyser l'information, je veux en faire mon travail": {[]string{"I"}, nil},
	"je me passionne pour les nouvelles technologies":                {[]string{"I", "R"}, map[string]float64{"secteur_informatique": 0.8}},
	"je veux protéger la planète":                                    {[]string{"R", "I"}, nil},
	"j'aime la nature":                                               {[]string{"R"}, map[string]float64{"travail_bureau": 0.1}},
	"je suis accro au numérique":                                     {[]string{"I", "C"}, map[string]float64{"secteur_informatique": 1}},
	"je veux faire respecter la loi":                                 {[]string{"E", "C"}, map[string]float64{"secteur_juridique": 1}},
	"ma vocation est de soigner":                                     {[]string{"S", "I"}, map[string]float64{"secteur_sante": 1, "contact_humain": 0.9}},
	"j'ai un bon coup de crayon":                                     {[]string{"A"}, nil},
	"je veux m'occuper d'enfants":                                    {[]string{"S"}, map[string]float64{"contact_humain": 0.9}},
	"j'aime être aux commandes":                                      {[]string{"E", "R"}, map[string]float64{"responsabilite": 0.8}},
	"j'aime les sensations fortes":                                   {[]string{"R"}, map[string]float64{"stress": 0.8}},
	"le sport est ma passion":                                        {[]string{"R", "S"}, nil},
	"je veux m'occuper d'animaux":                                    {[]string{"R"}, nil},
}

// ONISEP reads onisep_fiches_metiers.jsonl from dir.
func ONISEP(dir string, opts Options) (*Result, error) {
	path := filepath.Join(dir, ONISEPFile)
	var recs []onisepRecord
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
		return nil
	})
	if err != nil {
		return nil, err
	}
	byID := map[string]*corpus.Metier{}
	for _, r := range recs {
		m := onisepMetier(r)
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
		Criteria:      map[string]float64{},
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
	for _, f := range r.Formations {
		m.TrainingSteps = append(m.TrainingSteps, f.Libelle)
	}
	if r.NiveauAccesMin != nil {
		if y, ok := onisepLevels[r.NiveauAccesMin.Libelle]; ok {
			m.StudyYears = y
			m.Criteria["etudes"] = min(1, y/9)
		}
	}
	lo, hi := startingSalary(r.SalaireDebutant)
	m.Salary = corpus.Salary{Min: lo, Max: hi, JuniorMin: lo, JuniorMax: hi, Text: strings.TrimSpace(r.SalaireDebutant)}
	for _, s := range r.Secteurs {
		m.Sectors = append(m.Sectors, s.Libelle)
	}
	var letters []string
	for _, c := range r.CentresInteret {
		m.Interests = append(m.Interests, c.Libelle)
		ic, ok := interestCriteria[strings.ToLower(strings.TrimSpace(c.Libelle))]
		if !ok {
			continue
		}
		letters = append(letters, ic.letters...)
		for k, v := range ic.others {
			if v > m.Criteria[k] || k == "travail_bureau" {
				m.Criteria[k] = v
			}
		}
	}
	riasec(m, letters)
	// Where the guide works: the site's sectors, as facets.
	for _, d := range r.Domaines {
		if strings.Contains(d, "santé") {
			m.Criteria["secteur_sante"] = 1
		}
	}
	for _, st := range r.Statuts {
		m.Workplaces = append(m.Workplaces, "Statut : "+st)
	}
	if r.GFE != "" {
		m.Sectors = append(m.Sectors, r.GFE)
	}
	return m
}
