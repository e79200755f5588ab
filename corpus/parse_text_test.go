package corpus

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// sampleGuides parses the embedded sample corpus, failing on any error.
func sampleGuides(t testing.TB) map[string]*Metier {
	t.Helper()
	c, err := Load(Sample())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Errors) > 0 {
		t.Fatalf("sample corpus: %v", c.Errors)
	}
	out := map[string]*Metier{}
	for _, m := range c.Metiers {
		out[m.ID] = m
	}
	return out
}

// TestGolden compares each seed guide with its reviewed golden file.
func TestGolden(t *testing.T) {
	files, err := fs.Glob(Sample(), "*.txt")
	if err != nil || len(files) != 5 {
		t.Fatalf("got %d sample files (%v), want 5", len(files), err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := fs.ReadFile(Sample(), f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseText(f, data)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", strings.TrimSuffix(f, ".txt")+".golden.json")
			if *update {
				b, _ := json.MarshalIndent(got, "", "  ")
				if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			// Compare as decoded JSON values, so that formatting and
			// nil-versus-empty lists do not matter.
			gb, _ := json.MarshalIndent(got, "", "  ")
			var gotV, wantV any
			if err := json.Unmarshal(gb, &gotV); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &wantV); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotV, wantV) {
				t.Errorf("%s differs from %s:\n%s", f, golden, firstDiff(string(gb), string(b)))
			}
		})
	}
}

// TestSeedFacts pins facts read off the pages themselves.
func TestSeedFacts(t *testing.T) {
	g := sampleGuides(t)
	type counts struct{ missions, faq, pros, cons, self, tools, day, facts, training, tips int }
	tests := []struct {
		id, title, feminine string
		acronyms            []string
		salary              Salary // without texts
		counts              counts
		studyYears          float64
	}{
		{"codeur-medical", "Codeur médical", "Codeuse médicale", []string{"RIM", "RCM"},
			Salary{Min: 2500, Max: 4200, JuniorMin: 2500, JuniorMax: 2900, SeniorMin: 3200, SeniorMax: 4200},
			counts{missions: 10, faq: 8, pros: 8, cons: 8}, 3},
		{"technicien-de-l-information-medicale", "Technicien de l'information médicale", "Technicienne de l'information médicale", []string{"TIM"},
			Salary{Min: 2600, Max: 4200, JuniorMin: 2600, JuniorMax: 3100, SeniorMin: 3200, SeniorMax: 4200},
			counts{missions: 10, faq: 8, pros: 8, cons: 8, self: 6, tools: 11, day: 5, facts: 5, training: 7, tips: 8}, 3.75},
		{"assistant-administratif-medical", "Assistant administratif médical", "Assistante administrative médicale", []string{},
			Salary{Min: 2200, Max: 3500, JuniorMin: 2200, JuniorMax: 2600, SeniorMin: 2700, SeniorMax: 3500},
			counts{missions: 10, faq: 8, pros: 8, cons: 8, self: 6, tools: 12, day: 5, facts: 6, training: 7, tips: 8}, 1},
		{"medecin-conseil-mutuelle-assurance", "Médecin conseil (Mutuelle/Assurance)", "", []string{},
			Salary{Min: 5500, Max: 9500, JuniorMin: 5500, JuniorMax: 6500, SeniorMin: 7000, SeniorMax: 9500},
			counts{missions: 10, faq: 8, pros: 8, cons: 8, self: 6, tools: 12, day: 5, facts: 6, training: 7, tips: 8}, 9},
		{"employe-de-mutuelle", "Employé de mutuelle", "Employée de mutuelle", []string{},
			Salary{Min: 2300, Max: 3800, JuniorMin: 2200, JuniorMax: 2600, SeniorMin: 2800, SeniorMax: 3800},
			counts{missions: 10, faq: 8, pros: 8, cons: 8}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			m := g[tt.id]
			if m == nil {
				t.Fatalf("no guide %q", tt.id)
			}
			if m.Title != tt.title || m.TitleFeminine != tt.feminine || !reflect.DeepEqual(m.Acronyms, tt.acronyms) {
				t.Errorf("got %q / %q %v, want %q / %q %v", m.Title, m.TitleFeminine, m.Acronyms, tt.title, tt.feminine, tt.acronyms)
			}
			s := m.Salary
			s.Text, s.Benefits = "", ""
			if s != tt.salary {
				t.Errorf("got salary %+v, want %+v", s, tt.salary)
			}
			got := counts{len(m.Missions), len(m.FAQ), len(m.Pros), len(m.Cons), len(m.SelfAssessment), len(m.Tools), len(m.Day), len(m.Facts), len(m.TrainingSteps), len(m.Tips)}
			if got != tt.counts {
				t.Errorf("got counts %+v, want %+v", got, tt.counts)
			}
			if m.StudyYears != tt.studyYears {
				t.Errorf("got study years %g, want %g", m.StudyYears, tt.studyYears)
			}
			if m.Tagline == "" || m.Hook == "" || m.Introduction == "" || m.Studies == "" || m.Conditions == "" || len(m.Qualities) != 8 {
				t.Errorf("missing header fields: tagline %q hook %q intro %d studies %d conditions %d qualities %d",
					m.Tagline, m.Hook, len(m.Introduction), len(m.Studies), len(m.Conditions), len(m.Qualities))
			}
			if m.Testimony == nil || m.Testimony.Author == "" || m.Testimony.Role == "" {
				t.Errorf("got testimony %+v", m.Testimony)
			}
			for _, qa := range m.FAQ {
				if !strings.HasSuffix(qa.Question, "?") || qa.Answer == "" {
					t.Errorf("bad FAQ entry %+v", qa)
				}
			}
		})
	}
	tim := g["technicien-de-l-information-medicale"]
	if f := tim.Figures; f.InsertionRatePct != 92 || f.AverageAge != 41 || f.WomenPct != 85 || f.ProfessionalsCount != 2500 || f.TrainingYears != 3.75 || f.Growth != "En croissance" {
		t.Errorf("technicien figures: got %+v", f)
	}
	if d := tim.Day[0]; d.From != "08h30" || d.To != "10h00" || !strings.HasPrefix(d.Text, "Arrivée au bureau") {
		t.Errorf("technicien first slot: got %+v", d)
	}
	if f := tim.Facts[2]; f.Title != "CIM-10-BE" || !strings.HasPrefix(f.Text, "La Belgique utilise") {
		t.Errorf("technicien third fact: got %+v", f)
	}
	if f := g["assistant-administratif-medical"].Figures; f.InsertionRatePct != 90 || f.ProfessionalsCount != 18000 {
		t.Errorf("assistant figures: got %+v", f)
	}
}

// TestEmptySectionsStayEmpty checks that the compact layout's empty
// sections do not take the next section's text.
func TestEmptySectionsStayEmpty(t *testing.T) {
	g := sampleGuides(t)
	for _, id := range []string{"codeur-medical", "employe-de-mutuelle"} {
		m := g[id]
		empty := map[string]int{
			"tools": len(m.Tools), "day": len(m.Day), "facts": len(m.Facts), "training_steps": len(m.TrainingSteps),
			"workplaces": len(m.Workplaces), "tips": len(m.Tips), "self_assessment": len(m.SelfAssessment),
			"similar": len(m.Similar), "criteria": len(m.Criteria),
		}
		for k, n := range empty {
			if n != 0 {
				t.Errorf("%s: %s has %d entries, want 0", id, k, n)
			}
		}
		if m.Figures != (Figures{}) {
			t.Errorf("%s: figures %+v, want empty", id, m.Figures)
		}
	}
}

// adPhrases are bits of the page's quiz advertising and navigation; none
// may reach any field.
var adPhrases = []string{
	"Découvrez votre voie", "Quiz gratuit", "quiz gratuit", "Tester ma compatibilité", "Gagnez des mois",
	"Ces avantages vous motivent", "Faire le quiz", "Commencer mon quiz", "Démarrer", "profil de compatibilité",
	"Se poser les bonnes questions", "passer de l'information à l'action", "correspond vraiment",
	"Voici les étapes", "Clique sur un critère", "Où se former et travailler", "Guide Complet",
	"vous intéresse ?", "📊", "🔍", "🎓", "❓", "✅", "⚠", "🏷", "💼", "🔎",
}

func TestNoChromeInAnyField(t *testing.T) {
	for id, m := range sampleGuides(t) {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range adPhrases {
			if strings.Contains(string(b), p) {
				t.Errorf("%s: found %q in the parsed guide", id, p)
			}
		}
	}
}

func TestParseTitle(t *testing.T) {
	tests := []struct {
		in, title, fem string
		acr            []string
	}{
		{"Codeur médical (RIM/RCM) / Codeuse médicale", "Codeur médical", "Codeuse médicale", []string{"RIM", "RCM"}},
		{"Technicien de l'information médicale (TIM) / Technicienne de l'information médicale", "Technicien de l'information médicale", "Technicienne de l'information médicale", []string{"TIM"}},
		{"Médecin conseil (Mutuelle/Assurance)", "Médecin conseil (Mutuelle/Assurance)", "", nil},
		{"Infirmier / Infirmière", "Infirmier", "Infirmière", nil},
		{"Technicien (TIM) / Technicienne (TIM)", "Technicien", "Technicienne", []string{"TIM"}},
	}
	for _, tt := range tests {
		var m Metier
		parseTitle(tt.in, &m)
		if m.Title != tt.title || m.TitleFeminine != tt.fem || !reflect.DeepEqual(m.Acronyms, tt.acr) {
			t.Errorf("parseTitle(%q) = %q, %q, %v; want %q, %q, %v", tt.in, m.Title, m.TitleFeminine, m.Acronyms, tt.title, tt.fem, tt.acr)
		}
	}
}

func TestDurationYears(t *testing.T) {
	tests := map[string]float64{
		"3 ans (Bachelier) + spécialisation (6-12 mois)": 3.75,
		"1 à 3 ans":     1,
		"9 ans et plus": 9,
		"18 mois":       1.5,
		"Variable":      0,
	}
	for in, want := range tests {
		if got := durationYears(in); got != want {
			t.Errorf("durationYears(%q) = %g, want %g", in, got, want)
		}
	}
}

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"Médecin conseil (Mutuelle/Assurance)": "medecin-conseil-mutuelle-assurance",
		"Technicien de l'information médicale": "technicien-de-l-information-medicale",
		"Employé de mutuelle":                  "employe-de-mutuelle",
		"Ingénieur·e en œuvre d’art":           "ingenieur-e-en-oeuvre-d-art",
		"  Contrôleur aérien  ":                "controleur-aerien",
	}
	for in, want := range tests {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func ExampleParseText() {
	page := "Boulanger / Boulangère : Le Guide Complet du Métier en Belgique\n" +
		"Tu pétris le pain du quartier.\n" +
		"Salaire\n" +
		"2.000-2.800€ brut/mois (débutant 2.000-2.200€, expérimenté 2.400-2.800€ + prime de nuit).\n" +
		"🔍 Missions quotidiennes\n" +
		"- Pétrir la pâte.\n" +
		"- Cuire le pain.\n"
	m, err := ParseText("boulanger.txt", []byte(page))
	if err != nil {
		panic(err)
	}
	fmt.Println(m.ID, m.TitleFeminine, m.Salary.Min, m.Salary.Max, len(m.Missions))
	// Output: boulanger Boulangère 2000 2800 2
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(g), len(w))
}
