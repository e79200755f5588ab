package importer

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/metiers/metiers/corpus"
)

func guides(titles ...string) []*corpus.Metier {
	var ms []*corpus.Metier
	for _, t := range titles {
		ms = append(ms, &corpus.Metier{ID: corpus.Slug(t), Title: t})
	}
	return ms
}

// listing returns the names in dir and the names beside it.
func listing(t *testing.T, dir string) (in, beside []string) {
	t.Helper()
	for _, d := range []struct {
		path string
		out  *[]string
	}{{dir, &in}, {filepath.Dir(dir), &beside}} {
		entries, err := os.ReadDir(d.path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		for _, e := range entries {
			*d.out = append(*d.out, e.Name())
		}
		sort.Strings(*d.out)
	}
	return in, beside
}

// TestWrite replaces its own output and nothing else: a previous
// import's files go, a file it did not write stops it unless forced, an
// empty import is refused, and no temporary directory is left beside.
func TestWrite(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	same := func(want ...string) {
		t.Helper()
		in, beside := listing(t, out)
		if strings.Join(in, " ") != strings.Join(want, " ") || strings.Join(beside, " ") != "out" {
			t.Errorf("out holds %v, beside it %v; want %v and out alone", in, beside, want)
		}
	}
	if err := Write(out, guides("Boulanger", "Pâtissier"), WriteOptions{Input: "test"}); err != nil {
		t.Fatal(err)
	}
	same(ManifestFile, "boulanger.json", "patissier.json")
	if c, err := corpus.LoadDir(out); err != nil || len(c.Metiers) != 2 || len(c.Errors) != 0 {
		t.Errorf("the output as a corpus: %v, %v", c, err)
	}

	// A new import over the previous one replaces its files.
	if err := Write(out, guides("Boucher"), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	same(ManifestFile, "boucher.json")

	// Nothing to write: refused, the output kept.
	if err := Write(out, nil, WriteOptions{}); !errors.Is(err, ErrNoGuides) {
		t.Errorf("empty import: %v, want ErrNoGuides", err)
	}
	same(ManifestFile, "boucher.json")

	// A file the importer did not write: refused, named, kept.
	os.WriteFile(filepath.Join(out, "notes.md"), []byte("mes notes"), 0o644)
	err := Write(out, guides("Charcutier"), WriteOptions{})
	if !errors.Is(err, ErrForeignFiles) || !strings.Contains(err.Error(), "notes.md") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("output with a foreign file: %v, want ErrForeignFiles naming notes.md and --force", err)
	}
	same(ManifestFile, "boucher.json", "notes.md")

	// A directory of guides no import listed (written by hand, or by an
	// import older than manifests) is foreign too.
	hand := filepath.Join(t.TempDir(), "hand")
	os.Mkdir(hand, 0o755)
	os.WriteFile(filepath.Join(hand, "a.json"), []byte(`{"title": "A"}`), 0o644)
	if err := Write(hand, guides("B"), WriteOptions{}); !errors.Is(err, ErrForeignFiles) {
		t.Errorf("a directory of hand-written guides: %v, want ErrForeignFiles", err)
	}

	// Forced, it replaces the whole directory.
	if err := Write(out, guides("Charcutier"), WriteOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	same(ManifestFile, "charcutier.json")

	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if err := Write(file, guides("A"), WriteOptions{Force: true}); err == nil {
		t.Error("an output that is a file was accepted")
	}
}

// TestWriteFailureKeepsOutput fails an import while it writes (its
// temporary directory cannot be written, as with a full disk): the
// output is as it was, and nothing is left beside it.
func TestWriteFailureKeepsOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if err := Write(out, guides("Boulanger"), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// Two guides with the same id: the second file cannot be created.
	if err := Write(out, guides("Meunier", "Meunier"), WriteOptions{}); err == nil {
		t.Fatal("an import that cannot write its files succeeded")
	}
	in, beside := listing(t, out)
	if strings.Join(in, " ") != ManifestFile+" boulanger.json" || strings.Join(beside, " ") != "out" {
		t.Errorf("after a failed import: out holds %v, beside it %v", in, beside)
	}
}
