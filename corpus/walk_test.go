package corpus

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

const goodGuide = `{"title": "Infirmier", "title_feminine": "Infirmière"}`

// oddCorpus writes a directory of one good guide and the odd files an
// editor, an operator or a crash leave in a corpus; it returns the names
// that must be reported as bad, and why.
func oddCorpus(t *testing.T) (string, map[string]error) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	write("good.json", goodGuide)
	write("sub/other.json", `{"title": "Pharmacien"}`)
	outside := filepath.Join(t.TempDir(), "elsewhere.json")
	if err := os.WriteFile(outside, []byte(`{"title": "Sage-femme"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	link(outside, "link.json")                            // a link to a regular file is followed
	link("user@host.1234:1700000000", ".#good.json")      // Emacs' lock: a dangling link, hidden
	write("good.json~", goodGuide)                        // a backup
	write("#good.json#", goodGuide)                       // an Emacs autosave
	write(".good.json.swp", "\x00vim swap")               // a vim swap file
	write(".hidden/x.json", goodGuide)                    // a hidden directory
	link(filepath.Join(dir, "removed.json"), "gone.json") // a dangling link
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := map[string]error{"gone.json": ErrDanglingLink, "pipe.json": ErrNotRegular}
	// An unreadable file, for any user, root included: reading
	// /proc/self/mem at offset 0 fails (nothing is mapped there).
	if _, err := os.Stat("/proc/self/mem"); err == nil {
		link("/proc/self/mem", "mem.json")
		bad["mem.json"] = syscall.EIO
	}
	// chmod 000 stops everyone but root.
	write("locked.json", goodGuide)
	os.Chmod(filepath.Join(dir, "locked.json"), 0)
	if f, err := os.Open(filepath.Join(dir, "locked.json")); err == nil {
		f.Close()
		os.Remove(filepath.Join(dir, "locked.json"))
		t.Log("running as a user who reads a 0000 file (root): the unreadable file is /proc/self/mem alone")
	} else {
		bad["locked.json"] = syscall.EACCES
	}
	return dir, bad
}

// TestOddFiles loads a corpus holding a FIFO, a dangling link, an
// unreadable file and editor files: the good guides load (a link to one
// is followed), each odd guide file is reported by name and cause like a
// malformed one, editor and hidden files are passed over in silence, and
// nothing blocks (a FIFO named *.json used to hang the load for ever).
func TestOddFiles(t *testing.T) {
	dir, bad := oddCorpus(t)
	done := make(chan struct{})
	var c *Corpus
	var err error
	go func() {
		defer close(done)
		c, err = LoadDir(dir)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("LoadDir hangs on the odd files")
	}
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, m := range c.Metiers {
		titles = append(titles, m.Source)
	}
	sort.Strings(titles)
	if want := []string{"good.json", "link.json", "sub/other.json"}; strings.Join(titles, " ") != strings.Join(want, " ") {
		t.Errorf("loaded %v, want %v", titles, want)
	}
	reported := map[string]bool{}
	for _, e := range c.Errors {
		var fe *FileError
		if !errors.As(e, &fe) {
			t.Errorf("error %v is not a FileError", e)
			continue
		}
		name, _ := filepath.Rel(dir, fe.File)
		want, ok := bad[name]
		if !ok {
			t.Errorf("%s reported (%v), want it loaded or passed over", name, e)
			continue
		}
		reported[name] = true
		if !errors.Is(e, want) || !strings.Contains(e.Error(), fe.File) {
			t.Errorf("%s: %v, want %v naming the file", name, e, want)
		}
		if strings.Count(e.Error(), fe.File) != 1 {
			t.Errorf("%q names the file more than once", e)
		}
	}
	for name := range bad {
		if !reported[name] {
			t.Errorf("%s not reported", name)
		}
	}
}

// TestLoadStopsOnCancel cancels a load: it returns the context's error.
func TestLoadStopsOnCancel(t *testing.T) {
	dir, _ := oddCorpus(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadDirContext(ctx, dir, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled load: %v, want context.Canceled", err)
	}
}

// TestSums change with what a load reads, and only with it; SumFiles
// gives the same sums without parsing.
func TestSums(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	os.WriteFile(p, []byte(goodGuide), 0o644)
	sums := func(dir string) string {
		t.Helper()
		c, err := LoadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		walked, err := SumFiles(context.Background(), DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(walked, c.Sums()) {
			t.Errorf("SumFiles %v, Load's sums %v", walked, c.Sums())
		}
		return fmt.Sprint(c.Sums())
	}
	first := sums(dir)
	os.WriteFile(filepath.Join(dir, ".#a.json"), []byte("lock"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.json~"), []byte("backup"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.md"), []byte("notes"), 0o644)
	os.Symlink("nowhere", filepath.Join(dir, "c.json"))
	if got := sums(dir); got != first {
		t.Error("editor files, other extensions or a dangling link changed the sums")
	}
	steps := []struct {
		name string
		do   func()
	}{
		{"edit", func() { os.WriteFile(p, []byte(`{"title": "Infirmier de nuit"}`), 0o644) }},
		{"add", func() { os.WriteFile(filepath.Join(dir, "b.json"), []byte(goodGuide), 0o644) }},
		{"add a malformed file", func() { os.WriteFile(filepath.Join(dir, "d.json"), []byte("{"), 0o644) }},
		{"remove", func() { os.Remove(filepath.Join(dir, "b.json")) }},
	}
	seen := map[string]string{first: "start"}
	for _, s := range steps {
		s.do()
		d := sums(dir)
		if prev, ok := seen[d]; ok {
			t.Errorf("after %s the sums are the ones of %s", s.name, prev)
		}
		seen[d] = s.name
	}
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	if seen[sums(moved)] != "remove" {
		t.Errorf("moving the corpus changed its sums")
	}
	odd, _ := oddCorpus(t)
	sums(odd)
}
