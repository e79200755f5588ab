package index

import (
	"reflect"
	"testing"
)

func TestFrenchAnalyzer(t *testing.T) {
	a, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in string
		want     []string
	}{
		{"accents folded", "Médecin", []string{"medecin"}},
		{"no accents", "medecin", []string{"medecin"}},
		{"elision apostrophe", "l'INAMI", []string{"inami"}},
		{"elision typographic apostrophe", "l’INAMI", []string{"inami"}},
		{"elision qu'", "qu'importe", []string{"import"}},
		{"stop words accented and not", "à la mutuelle et à l'hôpital", []string{"mutuel", "hopital"}},
		{"unaccented copies of stop words", "ete etaient", []string{}},
		{"accented stop words", "été étaient", []string{}},
		{"feminine -ale", "médicale", []string{"medical"}},
		{"plural -aux", "médicaux", []string{"medical"}},
		{"feminine -ive", "administrative", []string{"administratif"}},
		{"feminine -ienne", "technicienne", []string{"technicien"}},
		{"middle dot", "technicien·ne", []string{"technicien"}},
		{"travaux", "travaux", []string{"travail"}},
		{"plural", "mutuelles", []string{"mutuel"}},
		{"numbers kept", "CIM-10", []string{"cim", "10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := a.Terms(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestSameTerm lists forms a reader may type for the same word: each pair
// must analyze to the same terms, whatever the stemmer makes of them.
func TestSameTerm(t *testing.T) {
	a, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	pairs := [][2]string{
		{"codeuse", "codeur"},
		{"codeuses", "codeurs"},
		{"ingénieure", "ingénieur"},
		{"bouchère", "boucher"},
		{"infirmière", "infirmier"},
		{"conseillère", "conseiller"},
		{"technicienne", "technicien"},
		{"technicien·ne", "technicien"},
		{"employé·e", "employé"},
		{"employée", "employé"},
		{"employées", "employés"},
		{"médicale", "médical"},
		{"médicales", "médicaux"},
		{"administrative", "administratif"},
		{"directrice", "directeur"},
		{"animatrice", "animateur"},
		{"professionnelle", "professionnel"},
		{"patronne", "patron"},
		{"travaux", "travail"},
		{"hôpitaux", "hôpital"},
		{"Médecin", "medecin"},
		{"SECRÉTAIRE", "secretaire"},
		{"l'assurance", "assurance"},
		{"mutuelles", "mutuelle"},
	}
	for _, p := range pairs {
		got, want := a.Terms(p[0]), a.Terms(p[1])
		if len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("Terms(%q) = %q, Terms(%q) = %q: want the same, non-empty", p[0], got, p[1], want)
		}
	}
	// Words that only look feminine keep their own term.
	for _, p := range [][2]string{{"police", "poleur"}, {"service", "serveur"}} {
		if reflect.DeepEqual(a.Terms(p[0]), a.Terms(p[1])) {
			t.Errorf("%q and %q must not meet", p[0], p[1])
		}
	}
}

func TestAreas(t *testing.T) {
	got := Areas([]string{
		"Région de Bruxelles-Capitale (nombreux hôpitaux)",
		"Province de Liège (bassin de Liège, Verviers)",
		"Province du Hainaut (pôles de Charleroi et Mons)",
		"Brabant wallon (cliniques et hôpitaux)",
		"Grandes agglomérations wallonnes",
		"Province de Luxembourg (Libramont, Arlon)",
	})
	want := []string{"Bruxelles-Capitale", "Liège", "Hainaut", "Brabant wallon", "Wallonie", "Luxembourg"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDefaultSynonyms(t *testing.T) {
	g := DefaultSynonyms()
	if len(g) < 15 {
		t.Fatalf("got %d groups, want at least 15", len(g))
	}
	if _, err := parseSynonyms([]byte("groups:\n  - [seul]\n")); err == nil {
		t.Error("a group of one form must be an error")
	}
	if _, err := parseSynonyms([]byte("grops: []\n")); err == nil {
		t.Error("an unknown key must be an error")
	}
}

func TestSplitWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"l'INAMI, la mutuelle !", []string{"l'INAMI", "la", "mutuelle"}},
		{"technicien·ne (TIM) et médecin-conseil", []string{"technicien·ne", "TIM", "et", "médecin-conseil"}},
		{"CIM-10 : 3 000 €/mois", []string{"CIM-10", "3", "000", "mois"}},
		{"  ", []string{}},
	} {
		if got := SplitWords(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPairsAnalyzer(t *testing.T) {
	a, err := NewPairsAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want []string
	}{
		{"incapacité de travail", []string{"incapacit travail"}},
		{"Secrétaire médicale", []string{"secretair medical"}},
		{"assistante administrative médicale", []string{"asistant administratif", "administratif medical"}},
		{"médecin", []string{}},
		{"de la", []string{}},
	}
	for _, tt := range tests {
		if got := a.Terms(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("pairs of %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTokens checks that each token's place is the word's bytes in the
// text as written: accents, elisions and capitals included.
func TestTokens(t *testing.T) {
	a, err := NewPlainAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		in   string
		want []Token
	}{
		{"Médecin", []Token{{"medecin", 0, 8}}},
		{"l’INAMI et l'hôpital", []Token{{"inami", 0, 9}, {"et", 10, 12}, {"hopital", 13, 23}}},
		{"  Technicien·ne\nÉcole", []Token{{"technicien·ne", 2, 16}, {"ecole", 17, 23}}},
	} {
		got := a.Tokens(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %v, want %v", tt.in, got, tt.want)
		}
		for _, tok := range got {
			if tok.Start < 0 || tok.End > len(tt.in) || tok.Start >= tok.End {
				t.Errorf("Tokens(%q): %v outside the text", tt.in, tok)
			}
		}
	}
}
