//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/importer"
)

// onisepInput writes an ONISEP input of n records, each with text of
// about size bytes.
func onisepInput(t *testing.T, dir string, n, size int) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	text := strings.Repeat("Il accueille, conseille et oriente les patients. ", max(1, size/50))
	for i := 0; i < n; i++ {
		enc.Encode(map[string]any{
			"id":               fmt.Sprintf("MET.%d", i),
			"libelle_masculin": fmt.Sprintf("agent médical %d", i),
			"libelle_feminin":  fmt.Sprintf("agente médicale %d", i),
			"accroche":         "Un métier de contact",
			"nature_travail":   text,
		})
	}
	path := filepath.Join(dir, importer.ONISEPFile)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// count returns the guides of a corpus directory.
func count(t *testing.T, dir string) int {
	t.Helper()
	c, err := corpus.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(c.Metiers)
}

// TestImportOfNothingOverGoodOutput imports an input of blank lines, then
// one of records without titles, over a good import that a server
// serves: each is refused (exit 1) with a message naming the input, the
// output keeps every guide, and the server's next reindex serves them
// all. The import used to leave 0 files and exit 0.
func TestImportOfNothingOverGoodOutput(t *testing.T) {
	t.Parallel()
	from, out := t.TempDir(), filepath.Join(t.TempDir(), "onisep")
	const n = 30
	input := onisepInput(t, from, n, 500)
	if code, o := run(t, "import", "onisep", "--from", from, "--out", out); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, o)
	}
	s := serve(t, nil, "--corpus", out, "--index", filepath.Join(t.TempDir(), "index"))
	s.serving(t, n)

	for name, data := range map[string]string{
		"blank lines":    "\n \n\n",
		"no titles":      `{"id": "MET.1"}` + "\n" + `{"id": "MET.2", "libelle_masculin": "  "}` + "\n",
		"an empty file":  "",
		"not JSON lines": "id;titre\nMET.1;boulanger\n",
	} {
		os.WriteFile(input, []byte(data), 0o644)
		code, o := run(t, "import", "onisep", "--from", from, "--out", out)
		if code != 1 || !strings.Contains(o, input) {
			t.Errorf("import of %s: exit %d, want 1 naming %s\n%s", name, code, input, o)
		}
		if got := count(t, out); got != n {
			t.Errorf("import of %s left %d guides in the output, want its %d", name, got, n)
		}
	}
	if job := s.reindex(t); job["state"] != "succeeded" || job["guides"] != float64(n) {
		t.Errorf("reindex after the refused imports: %v, want %d guides", job, n)
	}
	s.serving(t, n)
}

// TestDiskFullDuringImport fills the disk in the middle of an import:
// it fails naming the cause, the previous output is whole, and nothing
// is left beside it.
func TestDiskFullDuringImport(t *testing.T) {
	t.Parallel()
	disk := tmpfs(t, diskSize)
	from, out := t.TempDir(), filepath.Join(disk, "onisep")
	const n = 30
	onisepInput(t, from, n, 500)
	if code, o := run(t, "import", "onisep", "--from", from, "--out", out); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, o)
	}
	onisepInput(t, from, 400, 30_000) // about 12 MB of guides
	code, o := run(t, "import", "onisep", "--from", from, "--out", out)
	if code != 1 || !strings.Contains(o, noSpace) {
		t.Errorf("import on a full disk: exit %d, want 1 saying %q\n%s", code, noSpace, o)
	}
	if got := count(t, out); got != n {
		t.Errorf("the output holds %d guides after the failed import, want its %d", got, n)
	}
	entries, _ := os.ReadDir(disk)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("beside the output: %v, want nothing", names)
	}
	s := serve(t, nil, "--corpus", out, "--index", filepath.Join(t.TempDir(), "index"))
	s.serving(t, n)
}
