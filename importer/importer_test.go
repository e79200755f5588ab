package importer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metiers/metiers/corpus"
)

// dataDir returns ../shared/data/NAME, skipping the test when absent.
func dataDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "data", name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s is not here (%v): the real corpora are optional", dir, err)
	}
	return dir
}

func byID(ms []*corpus.Metier) map[string]*corpus.Metier {
	out := map[string]*corpus.Metier{}
	for _, m := range ms {
		out[m.SourceID] = m
	}
	return out
}

func TestONISEP(t *testing.T) {
	res, err := ONISEP(dataDir(t, "onisep-ideo"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Metiers) != 928 {
		t.Fatalf("got %d guides, want 928", len(res.Metiers))
	}
	ids := map[string]bool{}
	links := 0
	for _, m := range res.Metiers {
		if ids[m.ID] {
			t.Errorf("duplicate id %s", m.ID)
		}
		ids[m.ID] = true
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", m.SourceID, err)
		}
		links += len(m.Similar)
	}
	for _, m := range res.Metiers {
		for _, s := range m.Similar {
			if !ids[s] {
				t.Errorf("%s links to %s, not in the corpus", m.ID, s)
			}
		}
	}
	if links != 2004 {
		t.Errorf("got %d in-corpus links, want the 2,004 of SOURCE.md", links)
	}
	c := byID(res.Metiers)["MET.1"]
	if c.Title != "contrôleur aérien" || c.TitleFeminine != "contrôleuse aérienne" || c.ID != "controleur-aerien" {
		t.Errorf("MET.1: %q / %q (%s)", c.Title, c.TitleFeminine, c.ID)
	}
	if c.StudyYears != 5 || len(c.AltTitles) == 0 || c.AltTitles[0] != "aiguilleur du ciel" || len(c.Criteria) != 0 {
		t.Errorf("MET.1: study %g, alt %q, criteria %v (the recommender's to derive)", c.StudyYears, c.AltTitles, c.Criteria)
	}
	if len(c.RomeCodes) != 1 || c.RomeCodes[0] != "N2202" || len(c.Domains) == 0 || len(c.Interests) == 0 {
		t.Errorf("MET.1: rome_codes %q, domains %q, interests %q", c.RomeCodes, c.Domains, c.Interests)
	}
	coded := 0
	for _, m := range res.Metiers {
		if len(m.RomeCodes) > 0 {
			coded++
		}
	}
	if coded != 842 {
		t.Errorf("%d guides with ROME codes, want the 842 of SOURCE.md", coded)
	}
	bad := 0
	for _, w := range res.Warnings {
		if strings.Contains(w.Reason, "ROME code") {
			bad++
		}
	}
	if bad != 1 {
		t.Errorf("got %d warnings about ROME codes, want 1 (MET.323's « A15 »): %v", bad, res.Warnings)
	}
	if c.Salary.JuniorMin == 0 || c.Salary.JuniorMin > c.Salary.JuniorMax || len(c.Missions) == 0 || len(c.Qualities) == 0 {
		t.Errorf("MET.1: salary %+v, %d missions, %d qualities", c.Salary, len(c.Missions), len(c.Qualities))
	}

	// « Intégrer le marché du travail » (823 guides have one) becomes the
	// guide's facts, one per sub-heading; its « Salaire » part does not.
	if len(c.Facts) < 2 || c.Facts[0].Title != "Élève fonctionnaire" || !strings.HasPrefix(c.Facts[0].Text, "Une fois admis à l'Enac") {
		t.Errorf("MET.1 facts: %+v", c.Facts)
	}
	withFacts := 0
	for _, m := range res.Metiers {
		if len(m.Facts) > 0 {
			withFacts++
		}
		for _, f := range m.Facts {
			if f.Text == "" || strings.Contains(f.Title, "Salaire") || strings.Contains(f.Text, "##") {
				t.Errorf("%s: fact %+v", m.SourceID, f)
			}
		}
	}
	if withFacts < 800 {
		t.Errorf("%d guides with facts, want the ~823 whose export says how to enter the job", withFacts)
	}

	nolinks, err := ONISEP(dataDir(t, "onisep-ideo"), Options{NoLinks: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range nolinks.Metiers {
		if len(m.Similar) != 0 {
			t.Fatalf("%s keeps links with NoLinks", m.ID)
		}
	}
}

func TestROME(t *testing.T) {
	res, err := ROME(dataDir(t, "rome4"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Metiers) != 1584 {
		t.Fatalf("got %d guides, want 1584", len(res.Metiers))
	}
	links := 0
	for _, m := range res.Metiers {
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", m.SourceID, err)
		}
		links += len(m.Similar)
	}
	if links != 14912 {
		t.Errorf("got %d mobility links, want 14,912", links)
	}
	a := byID(res.Metiers)["A1101"]
	if a.Title != "Conducteur d'engins agricoles" || a.TitleFeminine != "Conductrice d'engins agricoles" {
		t.Errorf("A1101: %q / %q", a.Title, a.TitleFeminine)
	}
	if len(a.RomeCodes) != 1 || a.RomeCodes[0] != "A1101" || len(a.Criteria) != 0 || len(a.AltTitles) < 10 {
		t.Errorf("A1101: rome_codes %q, criteria %v, %d alt titles", a.RomeCodes, a.Criteria, len(a.AltTitles))
	}
	if len(a.Domains) != 1 || !strings.HasSuffix(a.Domains[0], "/Engins agricoles et forestiers") || len(a.Interests) == 0 {
		t.Errorf("A1101: domains %q, interests %q", a.Domains, a.Interests)
	}
}

func TestSplitTitleAndLevels(t *testing.T) {
	for in, want := range map[string][2]string{
		"Conducteur / Conductrice d'engins agricoles": {"Conducteur d'engins agricoles", "Conductrice d'engins agricoles"},
		"Agent / Agente de sécurité":                  {"Agent de sécurité", "Agente de sécurité"},
		"Tractoriste agricole":                        {"Tractoriste agricole", ""},
	} {
		if m, f := SplitTitle(in); m != want[0] || f != want[1] {
			t.Errorf("SplitTitle(%q) = %q, %q", in, m, f)
		}
	}
	for in, want := range map[string]float64{
		"Cet emploi est accessible avec un Bac+2 à Bac+5 en informatique.": 2,
		"Accessible avec un CAP/BEP ou un Bac professionnel.":              0,
		"Le diplôme d'État de docteur en médecine est exigé.":              9,
		"Un master est requis.": 5,
		"Aucune indication.":    0,
		// Found wrong by a review: « Bac +N » other than 2, 3, 5 and 8
		// read 0, « bac + 11 » read 1, and « but » as a word read 2.
		"Diplôme d'État de vétérinaire (Bac +6)":                                6,
		"diplôme Bac + 7 docteur en médecine":                                   7,
		"bac + 11 Diplôme d'État de docteur en médecine":                        11,
		"niveau Bac +4 à Bac +5":                                                4,
		"Accessible à tous les niveaux ; le transport est à but non commercial": 0,
		"En début de carrière, un BTS ou un DUT.":                               2,
		"Un BUT Génie électrique.":                                              2,
		"Un Bac+3 (licence professionnelle).":                                   3,
		"Avec une licence ou un Bac + 13":                                       3,
		"Un Bac + 13 en médecine":                                               12,
	} {
		if got := romeStudyYears(in); got != want {
			t.Errorf("romeStudyYears(%q) = %g, want %g", in, got, want)
		}
	}
	for in, want := range map[string][2]int{
		"Environ 1 900 € brut par mois.":          {1900, 1900},
		"Entre 1 700 et 2 000 € brut mensuels.":   {2000, 2000},
		"Entre 1 700 € et 2 000 € brut mensuels.": {1700, 2000},
		"35 000 € brut par an":                    {2916, 2916},
		"Le salaire dépend de l'employeur.":       {0, 0},
	} {
		if lo, hi := startingSalary(in); lo != want[0] || hi != want[1] {
			t.Errorf("startingSalary(%q) = %d, %d; want %v", in, lo, hi, want)
		}
	}
}

// TestBadInput checks the errors on missing and malformed files.
func TestBadInput(t *testing.T) {
	if _, err := ONISEP(t.TempDir(), Options{}); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v", err)
	}
	dir := t.TempDir()
	good, _ := json.Marshal(map[string]any{"id": "MET.9", "libelle_masculin": "boulanger", "libelle_feminin": "boulangère"})
	os.WriteFile(filepath.Join(dir, ONISEPFile), []byte(string(good)+"\n{\"id\": \"MET.10\", \n"), 0o644)
	_, err := ONISEP(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), ONISEPFile+":2:") {
		t.Errorf("malformed line: got %v, want the file and line 2", err)
	}
	os.WriteFile(filepath.Join(dir, ONISEPFile), []byte(string(good)+"\n{\"id\": \"MET.11\"}\n"), 0o644)
	res, err := ONISEP(dir, Options{})
	if err != nil || len(res.Metiers) != 1 || len(res.Warnings) != 1 || res.Warnings[0].Line != 2 {
		t.Errorf("a guide without title: got %+v, %v", res, err)
	}
	os.WriteFile(filepath.Join(dir, ROMEFile), []byte("not json\n"), 0o644)
	if _, err := ROME(dir, Options{}); err == nil || !strings.Contains(err.Error(), ROMEFile+":1:") {
		t.Errorf("ROME malformed: got %v", err)
	}
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("x"), 0o644)
	if err := WriteDir(out, res.Metiers); err == nil {
		t.Error("writing into a directory with other files must fail")
	}
	clean := filepath.Join(t.TempDir(), "out")
	if err := WriteDir(clean, res.Metiers); err != nil {
		t.Fatal(err)
	}
	c, err := corpus.LoadDir(clean)
	if err != nil || len(c.Metiers) != 1 || c.Metiers[0].TitleFeminine != "boulangère" {
		t.Errorf("round trip: %+v %v", c, err)
	}
}
