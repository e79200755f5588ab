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

// TestRestartAfterFailedBuild restarts a server on a corpus that no
// longer builds (every file broken): it serves the last good generation
// with every guide and says the build failed, naming a file (stderr,
// /readyz, /metrics); once the corpus is fixed, the next reindex serves
// it. serve used to exit.
func TestRestartAfterFailedBuild(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "index")
	all := guides(t, fits+5)
	writeGuides(t, corpusDir, all[:fits])
	first := serve(t, nil, "--corpus", corpusDir, "--index", indexDir)
	first.serving(t, fits)
	good := current(t, indexDir)
	first.cmd.Process.Signal(syscall.SIGTERM)
	if code := first.wait(t); code != 0 {
		t.Fatalf("serve after SIGTERM: exit %d", code)
	}

	entries, _ := os.ReadDir(corpusDir)
	for _, e := range entries {
		os.WriteFile(filepath.Join(corpusDir, e.Name()), []byte(`{"title": `), 0o644)
	}
	s := serve(t, nil, "--corpus", corpusDir, "--index", indexDir)
	ready := s.serving(t, fits)
	failed, _ := ready["failed_build"].(map[string]any)
	if ready["dir"] != good || ready["stale"] != true || failed == nil || !strings.Contains(fmt.Sprint(failed["error"]), corpusDir) {
		t.Errorf("/readyz after a restart on a broken corpus: %v, want %s, stale, and the failure naming a file", ready, good)
	}
	if err := s.stderr.String(); !strings.Contains(err, "the build failed") || !strings.Contains(err, "serving the last good generation") {
		t.Errorf("stderr does not say the build failed and what serves:\n%s", err)
	}
	if got := s.metric(t, "metiers_build_failed"); got != "1" {
		t.Errorf("metiers_build_failed = %q, want 1", got)
	}

	os.RemoveAll(corpusDir)
	writeGuides(t, corpusDir, all)
	if job := s.reindex(t); job["state"] != "succeeded" {
		t.Fatalf("reindex of the fixed corpus: %v", job)
	}
	if ready := s.serving(t, fits+5); ready["stale"] != false || ready["failed_build"] != nil {
		t.Errorf("/readyz after the fix: %v", ready)
	}
}
