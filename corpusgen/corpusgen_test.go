package corpusgen

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/metiers/metiers/corpus"
)

func sample(t *testing.T) []*corpus.Metier {
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	return c.Metiers
}

func TestGenerate(t *testing.T) {
	base := sample(t)
	a, err := Generate(base, 1000, 42)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(base, 1000, 42)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different corpora")
	}
	c, _ := Generate(base, 1000, 43)
	if reflect.DeepEqual(a, c) {
		t.Error("two seeds gave the same corpus")
	}
	ids := map[string]bool{}
	for _, m := range a {
		if ids[m.ID] {
			t.Errorf("duplicate id %s", m.ID)
		}
		ids[m.ID] = true
		if !m.Synthetic || m.Source != "synthetic" {
			t.Errorf("%s is not marked synthetic", m.ID)
		}
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", m.ID, err)
		}
		s := m.Salary
		if s.Min > s.Max || s.JuniorMin > s.JuniorMax || s.JuniorMin < 1000 || s.Max > 12000 {
			t.Errorf("%s: implausible salary %+v", m.ID, s)
		}
		if len(m.Missions) == 0 {
			t.Errorf("%s: no missions", m.ID)
		}
	}
	// Round trip through the structured format.
	raw, _ := json.Marshal(a[0])
	back, err := corpus.ParseJSON("x.json", raw)
	if err != nil || back.ID != a[0].ID {
		t.Errorf("round trip: %v", err)
	}
}

func TestGenerateErrors(t *testing.T) {
	if _, err := Generate(nil, 3, 1); err == nil {
		t.Error("no base guide must be an error")
	}
	if _, err := Generate(sample(t), -1, 1); err == nil {
		t.Error("a negative count must be an error")
	}
	dir := t.TempDir()
	ms, _ := Generate(sample(t), 3, 1)
	if err := WriteDir(dir, ms, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteDir(dir, ms, false); err == nil {
		t.Error("writing into a non-empty directory without force must fail")
	}
	c, err := corpus.LoadDir(dir)
	if err != nil || len(c.Metiers) != 3 || len(c.Errors) != 0 {
		t.Errorf("reading the generated corpus back: %v %v", c, err)
	}
}
