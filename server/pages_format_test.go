package server

import (
	"reflect"
	"testing"

	"github.com/metiers/metiers/recommend"
)

func TestFrenchSpacing(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"À partir du Smic .", "À partir du Smic."},
		{"De 2000 euros (dans le privé) .", "De 2000 euros (dans le privé)."},
		{"Marketing , vente", "Marketing, vente"},
		{"le secteur « production alimentaire » me plairait.", "le secteur «\u00a0production alimentaire\u00a0» me plairait."},
		{"Statut : salarié ; artisan !", "Statut\u00a0: salarié\u00a0; artisan\u00a0!"},
		{"Pourquoi ? Parce que.", "Pourquoi\u00a0? Parce que."},
		{"sandwiches ... et plus", "sandwiches ... et plus"},
		{"voir https://www.onisep.fr/ ici", "voir https://www.onisep.fr/ ici"},
		{"déjà\u00a0: fait", "déjà\u00a0: fait"},
		{"trois  espaces", "trois  espaces"},
		{" .début", " .début"},
		{"fin  ", "fin  "},
		{"", ""},
	} {
		if got := frenchSpacing(c.in); got != c.want {
			t.Errorf("frenchSpacing(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzFrenchSpacing(f *testing.F) {
	f.Add("Smic . « x » : y ; z ! ?")
	f.Fuzz(func(t *testing.T, s string) {
		once := frenchSpacing(s)
		if twice := frenchSpacing(once); twice != once {
			t.Errorf("not stable: %q → %q → %q", s, once, twice)
		}
	})
}

func TestQualifiedLabels(t *testing.T) {
	tax := &recommend.Taxonomy{
		Families: []recommend.Family{{ID: "secteur", Label: "Secteur d'activité", Group: "secteurs"}},
		Criteria: []recommend.Criterion{
			{ID: "riasec_s", Label: "Social", Group: "interets"},
			{ID: "secteur_social", Label: "Social", Group: "secteurs", Family: "secteur"},
			{ID: "fonction_publique", Label: "Fonction publique", Group: "conditions"},
			{ID: "secteur_fonction-publique", Label: "fonction publique", Group: "secteurs", Family: "secteur"},
			{ID: "secteur_sante", Label: "Santé", Group: "secteurs", Family: "secteur"},
		},
	}
	want := map[string]string{
		"riasec_s":                  "Social (profil)",
		"secteur_social":            "Social (secteur d'activité)",
		"fonction_publique":         "Fonction publique (conditions de travail)",
		"secteur_fonction-publique": "fonction publique (secteur d'activité)",
		"secteur_sante":             "Santé",
	}
	got := qualifiedLabels(tax)
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s reads %q, want %q", id, got[id], w)
		}
	}
}

func TestStudyBlocks(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []studyBlock
	}{
		{"Le CAP est le diplôme de référence.\nAprès la 3e\nCAP boulanger\nNiveau bac + 2\nBTS MCO\nUn BTS se prépare en 2 ans.",
			[]studyBlock{{Paras: []string{"Le CAP est le diplôme de référence."}},
				{Heading: "Après la 3e", Items: []string{"CAP boulanger"}},
				{Heading: "Niveau bac + 2", Items: []string{"BTS MCO"}}, {Paras: []string{"Un BTS se prépare en 2 ans."}}}},
		{"niveau bac\nbac pro cuisine", []studyBlock{{Heading: "Niveau bac", Items: []string{"Bac pro cuisine"}}}},
		{"Une licence.\nNiveau bac + 3 est le minimum requis pour ce poste.", []studyBlock{{Paras: []string{"Une licence.", "Niveau bac + 3 est le minimum requis pour ce poste."}}}},
		{"", nil},
	} {
		got := studyBlocks(c.in)
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("studyBlocks(%q) =\n %+v, want\n %+v", c.in, got, c.want)
		}
	}
}
