package importer

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/metiers/metiers/corpus"
)

// ROMEFile is the derived ROME file the importer reads.
const ROMEFile = "rome4_fiches.jsonl"

type romeRecord struct {
	Code           string `json:"code_rome"`
	Parent         string `json:"code_rome_parent"`
	Libelle        string `json:"libelle"`
	GrandDomaine   ref2   `json:"grand_domaine"`
	Domaine        ref2   `json:"domaine_professionnel"`
	Definition     string `json:"definition"`
	Acces          string `json:"acces_metier"`
	Appellations   []string
	RIASECMajeur   string `json:"riasec_majeur"`
	RIASECMineur   string `json:"riasec_mineur"`
	CentresInteret []struct {
		Libelle   string `json:"libelle"`
		Principal bool   `json:"principal"`
	} `json:"centres_interet"`
	Secteurs []struct {
		Libelle     string `json:"libelle"`
		SousSecteur string `json:"sous_secteur"`
		Principal   bool   `json:"principal"`
	} `json:"secteurs_activite"`
	Thematiques []string `json:"thematiques"`
	Contextes   []struct {
		Type    string `json:"type"`
		Libelle string `json:"libelle"`
	} `json:"contextes_travail"`
	SavoirFaire      []string `json:"savoir_faire"`
	SavoirFaireCoeur []string `json:"savoir_faire_coeur_metier"`
	SavoirEtre       []string `json:"savoir_etre"`
	Savoirs          []string `json:"savoirs"`
	Mobilites        []string `json:"mobilites"`
}

type ref2 struct {
	Code    string `json:"code"`
	Libelle string `json:"libelle"`
}

// contextCriteria maps ROME work contexts to our criteria values.
var contextCriteria = map[string]map[string]float64{
	"En contact avec du public":                                 {"contact_humain": 1},
	"Patients":                                                  {"contact_humain": 0.9, "secteur_sante": 0.8},
	"Clientèle de particuliers":                                 {"contact_humain": 0.8},
	"Au domicile d'un particulier":                              {"contact_humain": 0.8},
	"Travail en journée":                                        {"horaires_reguliers": 0.8},
	"Travail les week-ends et jours fériés":                     {"horaires_reguliers": 0.2},
	"Travail en horaires décalés":                               {"horaires_reguliers": 0.1},
	"Travail de nuit":                                           {"horaires_reguliers": 0},
	"Travail en astreinte":                                      {"horaires_reguliers": 0.2, "stress": 0.7},
	"Travail posté (2x8, 3x8, 5x8, etc.)":                       {"horaires_reguliers": 0.1},
	"Travail par roulement":                                     {"horaires_reguliers": 0.2},
	"Travail selon un rythme irrégulier et des pics d'activité": {"stress": 0.8},
	"Possibilité de télétravail":                                {"teletravail": 1, "travail_bureau": 0.9},
	"Station assise prolongée":                                  {"travail_bureau": 0.9},
	"En bureau d'études":                                        {"travail_bureau": 0.9},
	"En extérieur":                                              {"travail_bureau": 0.1},
	"Sur chantier":                                              {"travail_bureau": 0},
	"En atelier":                                                {"travail_bureau": 0.1},
	"Port et manipulation de charges lourdes ou encombrantes":   {"travail_bureau": 0},
	"Station debout prolongée":                                  {"travail_bureau": 0.1},
	"Travail en mode projet":                                    {"travail_equipe": 0.8},
	"Travailleur indépendant":                                   {"autonomie": 0.9},
	"Zone internationale":                                       {"langues": 0.8},
	"Etablissement de santé":                                    {"secteur_sante": 1},
	"Industries de santé":                                       {"secteur_sante": 0.8},
}

// domainCriteria maps ROME professional domains (by code prefix) to our
// sector criteria.
var domainCriteria = []struct {
	prefix, criterion string
}{
	{"J", "secteur_sante"}, {"K11", "secteur_social"}, {"K12", "secteur_social"}, {"K13", "secteur_social"},
	{"K14", "secteur_administration"}, {"K15", "secteur_administration"}, {"K19", "secteur_juridique"},
	{"M12", "secteur_administration"}, {"M15", "secteur_administration"}, {"M16", "secteur_administration"},
	{"M18", "secteur_informatique"}, {"C11", "secteur_assurance"}, {"C14", "secteur_assurance"},
}

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
func SplitTitle(libelle string) (masc, fem string) {
	left, right, ok := strings.Cut(libelle, " / ")
	if !ok {
		return strings.TrimSpace(libelle), ""
	}
	lw, rw := strings.Fields(left), strings.Fields(right)
	if len(rw) <= len(lw) {
		return strings.TrimSpace(left), strings.TrimSpace(right)
	}
	tail := strings.Join(rw[len(lw):], " ")
	return strings.TrimSpace(left + " " + tail), strings.TrimSpace(right)
}

// ROME reads rome4_fiches.jsonl from dir.
func ROME(dir string, opts Options) (*Result, error) {
	path := filepath.Join(dir, ROMEFile)
	var recs []romeRecord
	res := &Result{}
	err := readJSONL(path, func(line int, raw []byte) error {
		var r romeRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		if strings.TrimSpace(r.Libelle) == "" || r.Code == "" {
			res.Warnings = append(res.Warnings, Warning{File: path, Line: line, Reason: "no title or code, skipped"})
			return nil
		}
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	byCode := map[string]*corpus.Metier{}
	for _, r := range recs {
		m := romeMetier(r)
		byCode[r.Code] = m
		res.Metiers = append(res.Metiers, m)
	}
	if err := finish(res, path); err != nil {
		return nil, err
	}
	if !opts.NoLinks {
		for _, r := range recs {
			m := byCode[r.Code]
			for _, c := range r.Mobilites {
				if o := byCode[c]; o != nil && o != m {
					m.Similar = append(m.Similar, o.ID)
				}
			}
		}
	}
	return res, nil
}

func romeMetier(r romeRecord) *corpus.Metier {
	masc, fem := SplitTitle(r.Libelle)
	m := &corpus.Metier{SourceID: r.Code, Source: "rome", Title: masc, TitleFeminine: fem, Criteria: map[string]float64{}}
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
	m.Missions = r.SavoirFaireCoeur
	if len(m.Missions) == 0 {
		m.Missions = r.SavoirFaire
	}
	m.Tools = r.Savoirs
	m.Qualities = r.SavoirEtre
	m.Studies = strings.TrimSpace(r.Acces)
	m.StudyYears = romeStudyYears(r.Acces)
	m.Criteria["etudes"] = min(1, m.StudyYears/9)
	var ctx []string
	for _, c := range r.Contextes {
		ctx = append(ctx, c.Libelle)
		for k, v := range contextCriteria[c.Libelle] {
			m.Criteria[k] = v
		}
	}
	m.Conditions = strings.Join(ctx, " ; ")
	for _, s := range r.Secteurs {
		if s.Principal {
			m.Sectors = append([]string{s.Libelle}, m.Sectors...)
		} else if s.SousSecteur != "" {
			m.Sectors = append(m.Sectors, s.SousSecteur)
		}
	}
	for _, c := range r.CentresInteret {
		m.Interests = append(m.Interests, c.Libelle)
	}
	m.Workplaces = append(m.Workplaces, r.Thematiques...)
	for _, d := range domainCriteria {
		if strings.HasPrefix(r.Domaine.Code, d.prefix) {
			m.Criteria[d.criterion] = 1
		}
	}
	m.Sectors = append(m.Sectors, r.GrandDomaine.Libelle, r.Domaine.Libelle)
	riasec(m, []string{r.RIASECMajeur, r.RIASECMineur})
	return m
}
