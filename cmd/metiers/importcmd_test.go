package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/importer"
)

// TestImportKeepsGoodOutput imports, over a good output, an input of
// blank lines and one of records without titles: each is refused with a
// message naming the input, and the output keeps every guide (it used to
// be emptied, exit 0). A file the importer did not write is kept unless
// --force.
func TestImportKeepsGoodOutput(t *testing.T) {
	from, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	input := filepath.Join(from, importer.ONISEPFile)
	write := func(data string) {
		t.Helper()
		if err := os.WriteFile(input, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"id": "MET.1", "libelle_masculin": "boulanger", "libelle_feminin": "boulangère"}
{"id": "MET.2", "libelle_masculin": "pâtissier", "libelle_feminin": "pâtissière"}
`)
	if o, err := runCLI(t, "import", "onisep", "--from", from, "--out", out); err != nil {
		t.Fatalf("import: %v\n%s", err, o)
	}
	guides := func() int {
		t.Helper()
		c, err := corpus.LoadDir(out)
		if err != nil {
			t.Fatal(err)
		}
		return len(c.Metiers)
	}
	if n := guides(); n != 2 {
		t.Fatalf("%d guides imported, want 2", n)
	}
	for name, data := range map[string]string{
		"blank lines":    "\n\n   \n",
		"titles missing": `{"id": "MET.1"}` + "\n" + `{"id": "MET.2", "libelle_masculin": " "}` + "\n",
	} {
		write(data)
		o, err := runCLI(t, "import", "onisep", "--from", from, "--out", out)
		if err == nil || !strings.Contains(err.Error(), input) || !strings.Contains(err.Error(), "no guide") {
			t.Errorf("%s: %v, want an error naming %s\n%s", name, err, input, o)
		}
		if n := guides(); n != 2 {
			t.Errorf("%s: the output holds %d guides, want the 2 it had", name, n)
		}
	}

	notes := filepath.Join(out, "notes.md")
	os.WriteFile(notes, []byte("mes notes"), 0o644)
	write(`{"id": "MET.3", "libelle_masculin": "boucher", "libelle_feminin": "bouchère"}` + "\n")
	if _, err := runCLI(t, "import", "onisep", "--from", from, "--out", out); err == nil || !strings.Contains(err.Error(), "notes.md") {
		t.Errorf("import over a foreign file: %v, want it refused naming notes.md", err)
	}
	if _, err := os.Stat(notes); err != nil || guides() != 2 {
		t.Errorf("the refused import changed the output: %v, %d guides", err, guides())
	}
	if o, err := runCLI(t, "import", "onisep", "--from", from, "--out", out, "--force"); err != nil {
		t.Fatalf("import --force: %v\n%s", err, o)
	}
	if _, err := os.Stat(notes); err == nil || guides() != 1 {
		t.Errorf("import --force: notes kept (%v) or %d guides, want the directory replaced with 1 guide", err, guides())
	}
}
