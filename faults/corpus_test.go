//go:build faults

package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the user the corpus test drops to when run as root, for whom
// a chmod 000 file is unreadable (root reads it anyway).
var nobody = &syscall.Credential{Uid: 65534, Gid: 65534}

// openTo makes dir and its parents up to the test's temporary root
// traversable by anyone, and dir itself writable by who.
func openTo(t *testing.T, dir string, who *syscall.Credential) {
	t.Helper()
	for d := dir; strings.HasPrefix(d, os.TempDir()) && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	if err := os.Chown(dir, int(who.Uid), int(who.Gid)); err != nil {
		t.Fatal(err)
	}
}

// TestOddCorpusFiles serves a corpus holding a dangling link, editors'
// lock files, a FIFO and an unreadable file, then reindexes it and
// reindexes it again from the command line: every good guide serves,
// each odd guide file is reported by name like a malformed one, the
// lock files pass in silence, and nothing hangs. Each of them used to
// fail the build (serve refused to start), and the FIFO to hang it.
func TestOddCorpusFiles(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "index")
	writeGuides(t, corpusDir, guides(t, fits))
	in := func(name string) string { return filepath.Join(corpusDir, name) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(in("deleted.json"), in("dangling.json")))
	must(os.Symlink("user@host.4242:1764633600", in(".#lock.json")))        // Emacs' lock: a dangling link
	must(os.WriteFile(in(".~lock.lock.json#"), []byte("user,host"), 0o644)) // LibreOffice's
	must(os.WriteFile(in("lock.json~"), []byte("{"), 0o644))                // a backup
	must(syscall.Mkfifo(in("pipe.json"), 0o644))
	must(os.WriteFile(in("unreadable.json"), []byte(`{"title": "Illisible"}`), 0o644))
	must(os.Chmod(in("unreadable.json"), 0))
	bad := []string{"dangling.json", "pipe.json", "unreadable.json"}

	var as *syscall.Credential
	if os.Geteuid() == 0 {
		as = nobody
		must(os.MkdirAll(indexDir, 0o755))
		openTo(t, indexDir, nobody)
		openTo(t, corpusDir, &syscall.Credential{Uid: 0, Gid: 0})
	} else if f, err := os.Open(in("unreadable.json")); err == nil {
		f.Close()
		t.Skip("SKIPPED: this user reads a chmod 000 file and is not root, who could drop to nobody")
	}

	s := serve(t, as, "--corpus", corpusDir, "--index", indexDir)
	s.serving(t, fits)
	for _, name := range bad {
		if !strings.Contains(s.stderr.String(), in(name)) {
			t.Errorf("the start log does not name %s", name)
		}
	}
	job := s.reindex(t)
	if job["state"] != "succeeded" || job["guides"] != float64(fits) {
		t.Fatalf("reindex: %v, want %d guides", job, fits)
	}
	skipped := fmt.Sprint(job["skipped"])
	for _, name := range bad {
		if !strings.Contains(skipped, in(name)) {
			t.Errorf("skipped %s does not name %s", skipped, name)
		}
	}
	for _, quiet := range []string{".#lock.json", ".~lock", "lock.json~"} {
		if strings.Contains(skipped, quiet) {
			t.Errorf("skipped %s reports the editor file %s", skipped, quiet)
		}
	}
	s.serving(t, fits)

	cli := start(t, as, "reindex", "--corpus", corpusDir, "--index", indexDir)
	if code := cli.wait(t); code != 0 {
		t.Fatalf("metiers reindex: exit %d", code)
	}
	out := cli.stdout.String()
	if !strings.Contains(out, fmt.Sprintf("%d file(s) skipped", len(bad))) || !strings.Contains(out, in("pipe.json")) {
		t.Errorf("metiers reindex does not list the %d skipped files:\n%s", len(bad), out)
	}
}
