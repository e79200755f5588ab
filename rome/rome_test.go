package rome

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadGood(t *testing.T) {
	r, err := Load("testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Len(), 8; got != want {
		t.Fatalf("got %d sheets, want %d", got, want)
	}
	s := r.Sheet("A1101")
	if s == nil {
		t.Fatal("no sheet A1101")
	}
	if s.RIASECMajor != "R" || s.GrandDomaine.Code != "A" || s.Domaine.Code != "A11" {
		t.Errorf("A1101: got RIASEC %q, domains %q/%q, want R, A, A11", s.RIASECMajor, s.GrandDomaine.Code, s.Domaine.Code)
	}
	if len(s.Appellations) == 0 || len(s.Interests) == 0 || len(s.Contexts) == 0 {
		t.Errorf("A1101: appellations, interests or contexts missing: %+v", s)
	}
	if r.Digest == "" {
		t.Error("no digest")
	}
	codes := []string{}
	for _, s := range r.Sheets() {
		codes = append(codes, s.Code)
	}
	if !sortedStrings(codes) {
		t.Errorf("sheets not by code: %v", codes)
	}
	if r.Sheet("Z9999") != nil {
		t.Error("unknown code found")
	}
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			return false
		}
	}
	return true
}

func TestLoadNotReferential(t *testing.T) {
	_, err := Load(t.TempDir())
	if !errors.Is(err, ErrNotReferential) {
		t.Fatalf("got %v, want ErrNotReferential", err)
	}
}

func TestParseBad(t *testing.T) {
	files, _ := filepath.Glob("testdata/bad/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no bad files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, _ := os.ReadFile(f)
			want, _ := os.ReadFile(strings.TrimSuffix(f, ".jsonl") + ".err")
			_, err := parse(f, data)
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != strings.TrimSpace(string(want)) {
				t.Errorf("got %q, want %q", got, strings.TrimSpace(string(want)))
			}
		})
	}
}

func TestWithoutMobilities(t *testing.T) {
	r, err := Load("testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range r.Sheets() {
		n += len(s.Mobilities)
	}
	if n == 0 {
		t.Fatal("the fixture has no mobilité to remove")
	}
	c := r.WithoutMobilities()
	for _, s := range c.Sheets() {
		if len(s.Mobilities) > 0 {
			t.Errorf("%s keeps its mobilités", s.Code)
		}
	}
	after := 0
	for _, s := range r.Sheets() {
		after += len(s.Mobilities)
	}
	if after != n {
		t.Errorf("the original has %d mobilités after the copy, want %d", after, n)
	}
	if c.Digest == r.Digest {
		t.Error("same digest for different content")
	}
}

func TestSplitTitle(t *testing.T) {
	for _, c := range []struct{ in, masc, fem string }{
		{"Conducteur / Conductrice d'engins agricoles", "Conducteur d'engins agricoles", "Conductrice d'engins agricoles"},
		{"Chauffeur / Chauffeuse", "Chauffeur", "Chauffeuse"},
		{"Tractoriste agricole", "Tractoriste agricole", ""},
		{"Agent / Agente de maîtrise / Cheffe", "Agent de maîtrise / Cheffe", "Agente de maîtrise / Cheffe"},
	} {
		m, f := SplitTitle(c.in)
		if m != c.masc || f != c.fem {
			t.Errorf("SplitTitle(%q) = %q, %q; want %q, %q", c.in, m, f, c.masc, c.fem)
		}
	}
}

// FuzzParse checks that whatever parse accepts, it reads back the same
// from its own JSON Lines.
func FuzzParse(f *testing.F) {
	good, _ := os.ReadFile("testdata/good/rome4_fiches.jsonl")
	f.Add(good)
	files, _ := filepath.Glob("testdata/bad/*.jsonl")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parse("fuzz", data)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		for _, s := range r.Sheets() {
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(b)
			buf.WriteByte('\n')
		}
		again, err := parse("again", buf.Bytes())
		if err != nil {
			t.Fatalf("re-reading its own output: %v", err)
		}
		if !reflect.DeepEqual(r.Sheets(), again.Sheets()) {
			t.Fatal("round trip changed the sheets")
		}
	})
}
