package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestBadInput checks that each kind of bad file gets an error naming the
// file, and the line where there is one.
func TestBadInput(t *testing.T) {
	tests := []struct {
		file     string
		sentinel error
		contains string
	}{
		{"no-title.txt", ErrNoTitle, "corpus: no-title.txt:1: no title"},
		{"invalid-utf8.txt", ErrInvalidUTF8, "corpus: invalid-utf8.txt:1: invalid UTF-8"},
		{"syntax.json", nil, "corpus: syntax.json:4: invalid character '}'"},
		{"type.json", nil, "corpus: type.json:3: json: cannot unmarshal string into Go struct field Salary.salary.min of type int"},
		{"unknown-field.json", nil, `corpus: unknown-field.json:1: json: unknown field "colour"`},
		{"criteria.json", ErrInvalid, `criteria["contact_humain"] = 1.5`},
		{"salary.txt", nil, "corpus: salary.txt:4: salary: no range"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := Load(os.DirFS("testdata/bad"), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Metiers) != 0 || len(c.Errors) != 1 {
				t.Fatalf("got %d guides and errors %v, want 0 guides and 1 error", len(c.Metiers), c.Errors)
			}
			e := c.Errors[0]
			if !strings.Contains(e.Error(), tt.contains) {
				t.Errorf("got %q, want it to contain %q", e, tt.contains)
			}
			var fe *FileError
			if !errors.As(e, &fe) || fe.File != tt.file {
				t.Errorf("got %#v, want a *FileError for %s", e, tt.file)
			}
			if tt.sentinel != nil && !errors.Is(e, tt.sentinel) {
				t.Errorf("got %v, want it to wrap %v", e, tt.sentinel)
			}
		})
	}
}

func TestJSONLReportsEveryBadLine(t *testing.T) {
	c, err := Load(os.DirFS("testdata/bad"), "lines.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Metiers) != 1 || c.Metiers[0].ID != "premier" {
		t.Errorf("got %d guides, want only \"premier\"", len(c.Metiers))
	}
	want := []string{"lines.jsonl:2: json:", "lines.jsonl:3: no title"}
	if len(c.Errors) != len(want) {
		t.Fatalf("got errors %v, want %d", c.Errors, len(want))
	}
	for i, w := range want {
		if !strings.Contains(c.Errors[i].Error(), w) {
			t.Errorf("error %d: got %q, want it to contain %q", i, c.Errors[i], w)
		}
	}
}

// TestLoadDirReportsEveryBadFile loads the whole bad directory: every
// file is reported, none stops the others.
func TestLoadDirReportsEveryBadFile(t *testing.T) {
	c, err := LoadDir("testdata/bad")
	if err != nil {
		t.Fatal(err)
	}
	if c.Files != 8 {
		t.Errorf("got %d files, want 8", c.Files)
	}
	if len(c.Metiers) != 1 || len(c.Errors) != 9 {
		t.Errorf("got %d guides and %d errors (%v), want 1 and 9", len(c.Metiers), len(c.Errors), c.Errors)
	}
	for _, e := range c.Errors {
		if !strings.Contains(e.Error(), filepath.Join("testdata", "bad")) {
			t.Errorf("error %q does not name the file with its directory", e)
		}
	}
	if got := c.Summary(); got != "1 guide(s) loaded from 8 file(s), 9 error(s)" {
		t.Errorf("got summary %q", got)
	}
}

func TestDuplicateIDs(t *testing.T) {
	c, err := LoadDir("testdata/dup")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Metiers) != 1 || len(c.Errors) != 1 || !errors.Is(c.Errors[0], ErrDuplicateID) {
		t.Fatalf("got %d guides, errors %v; want 1 guide and a duplicate id error", len(c.Metiers), c.Errors)
	}
	if !strings.Contains(c.Errors[0].Error(), "b.json") || !strings.Contains(c.Errors[0].Error(), "a.json") {
		t.Errorf("got %q, want both files named", c.Errors[0])
	}
}

// TestModified dates each guide by its file's modification time, the
// guides of one file alike, and the first of two guides with one id by
// its own file; the embedded sample keeps no times.
func TestModified(t *testing.T) {
	t1 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	t2 := time.Date(2026, 1, 15, 8, 30, 0, 0, time.UTC)
	c, err := Load(fstest.MapFS{
		"a.json":      {Data: []byte(`{"id": "infirmier", "title": "Infirmier"}`), ModTime: t1},
		"b.jsonl":     {Data: []byte("{\"id\": \"pharmacien\", \"title\": \"Pharmacien\"}\n{\"id\": \"tim\", \"title\": \"Technicien\"}\n"), ModTime: t2},
		"c/dup.json":  {Data: []byte(`{"id": "infirmier", "title": "Infirmier bis"}`), ModTime: t2},
		"d/none.json": {Data: []byte(`{"id": "sans-date", "title": "Sans date"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Modified()
	want := map[string]time.Time{"infirmier": t1, "pharmacien": t2, "tim": t2}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for id, w := range want {
		if !got[id].Equal(w) {
			t.Errorf("%s: modified %v, want %v", id, got[id], w)
		}
	}
	sample, err := Load(Sample())
	if err != nil {
		t.Fatal(err)
	}
	if m := sample.Modified(); len(m) != 0 {
		t.Errorf("the embedded sample has times %v", m)
	}
}

func TestUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "locked.txt")
	if err := os.WriteFile(p, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Open(p); err == nil {
		f.Close()
		t.Skip("running as a user who can read a 0000 file (root)")
	}
	c, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Errors) != 1 || !strings.Contains(c.Errors[0].Error(), "locked.txt") {
		t.Errorf("got %v, want an error naming locked.txt", c.Errors)
	}
}

func TestMixedDirectory(t *testing.T) {
	page, err := Sample().Open("codeur-medical.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer page.Close()
	data, _ := os.ReadFile(filepath.Join("sample", "codeur-medical.txt"))
	fsys := fstest.MapFS{
		"a/codeur.txt":     {Data: data},
		"b/one.json":       {Data: []byte(`{"title": "Infirmier", "title_feminine": "Infirmière", "criteria": {"secteur_sante": 1}, "similar": ["codeur-medical"]}`)},
		"b/many.jsonl":     {Data: []byte("{\"title\": \"Pharmacien\"}\n\n{\"id\": \"tim\", \"title\": \"Technicien\"}\n")},
		"b/notes.md":       {Data: []byte("not a guide")},
		".hidden/x.txt":    {Data: []byte("ignored")},
		"c/.DS_Store.json": {Data: []byte("ignored")},
	}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Errors) != 0 {
		t.Fatalf("got errors %v", c.Errors)
	}
	var ids []string
	for _, m := range c.Metiers {
		ids = append(ids, m.ID)
	}
	if got := strings.Join(ids, ","); got != "codeur-medical,pharmacien,tim,infirmier" {
		t.Errorf("got ids %s", got)
	}
	inf := c.ByID("infirmier")
	if inf.Criteria["secteur_sante"] != 1 || inf.Similar[0] != "codeur-medical" || inf.Source != "b/one.json" {
		t.Errorf("got %+v", inf)
	}
	if inf.Missions == nil || inf.FAQ == nil {
		t.Error("lists must be empty, not nil, after normalization")
	}
}
