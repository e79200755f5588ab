//go:build faults

package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The index of 320 generated guides (about 10 MB) does not fit on an
// 8 MB tmpfs beside the generation of 20 (under 1 MB) that serves.
const (
	fits     = 20
	overflow = 320
	diskSize = "8m"
)

const noSpace = "no space left on device"

// TestDiskFullDuringServerReindex fills the disk under a server's
// reindex: the job fails with the real cause, the server keeps serving
// the last good generation with every guide and says what failed
// (/readyz, /metrics, the log), the partial build is removed, and the
// next reindex, once there is room, succeeds. The reindex goroutine used
// to panic and take the process down.
func TestDiskFullDuringServerReindex(t *testing.T) {
	t.Parallel()
	indexDir := filepath.Join(tmpfs(t, diskSize), "index")
	corpusDir := t.TempDir()
	all := guides(t, overflow)
	writeGuides(t, corpusDir, all[:fits])
	s := serve(t, nil, "--corpus", corpusDir, "--index", indexDir)
	s.serving(t, fits)
	good := current(t, indexDir)

	writeGuides(t, corpusDir, all)
	job := s.reindex(t)
	if job["state"] != "failed" || !strings.Contains(fmt.Sprint(job["error"]), noSpace) {
		t.Fatalf("reindex on a full disk: %v, want failed with %q", job, noSpace)
	}
	ready := s.serving(t, fits)
	failed, _ := ready["failed_build"].(map[string]any)
	if failed == nil || failed["during"] != "reindex" || !strings.Contains(fmt.Sprint(failed["error"]), noSpace) {
		t.Errorf("/readyz after the failed reindex: %v, want failed_build saying %q", ready, noSpace)
	}
	if got := s.metric(t, "metiers_build_failed"); got != "1" {
		t.Errorf("metiers_build_failed = %q, want 1", got)
	}
	if !strings.Contains(s.stderr.String(), noSpace) {
		t.Error("the log does not say the disk is full")
	}
	gens, partial := generations(t, indexDir)
	if current(t, indexDir) != good || len(gens) != 1 || len(partial) != 0 {
		t.Errorf("after the failed reindex: CURRENT %s, generations %v (partial %v); want %s alone", current(t, indexDir), gens, partial, good)
	}

	// Room again (the corpus back to a size that fits): the next
	// reindex succeeds and the failure is cleared.
	os.RemoveAll(corpusDir)
	writeGuides(t, corpusDir, all[:fits+5])
	if job := s.reindex(t); job["state"] != "succeeded" {
		t.Fatalf("reindex once there is room: %v", job)
	}
	if ready := s.serving(t, fits+5); ready["failed_build"] != nil || ready["stale"] != false {
		t.Errorf("/readyz after a good reindex: %v", ready)
	}
	if got := s.metric(t, "metiers_build_failed"); got != "0" {
		t.Errorf("metiers_build_failed = %q after a good reindex, want 0", got)
	}
}

// TestDiskFullDuringCLIReindex fills the disk under `metiers reindex`:
// it fails naming the cause, CURRENT stays, nothing partial is left;
// then a server started on that corpus fails the same build, serves the
// last good generation with every guide, and says why.
func TestDiskFullDuringCLIReindex(t *testing.T) {
	t.Parallel()
	indexDir := filepath.Join(tmpfs(t, diskSize), "index")
	corpusDir := t.TempDir()
	all := guides(t, overflow)
	writeGuides(t, corpusDir, all[:fits])
	if code, out := run(t, "reindex", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("first reindex: exit %d\n%s", code, out)
	}
	good := current(t, indexDir)

	writeGuides(t, corpusDir, all)
	code, out := run(t, "reindex", "--corpus", corpusDir, "--index", indexDir)
	if code != 1 || !strings.Contains(out, noSpace) || !strings.Contains(out, "previous index is still current") {
		t.Errorf("reindex on a full disk: exit %d, want 1 saying %q and that the previous index is current\n%s", code, noSpace, out)
	}
	gens, partial := generations(t, indexDir)
	if current(t, indexDir) != good || len(gens) != 1 || len(partial) != 0 {
		t.Errorf("after the failed reindex: CURRENT %s, generations %v (partial %v); want %s alone", current(t, indexDir), gens, partial, good)
	}

	s := serve(t, nil, "--corpus", corpusDir, "--index", indexDir)
	ready := s.serving(t, fits)
	failed, _ := ready["failed_build"].(map[string]any)
	if ready["stale"] != true || failed == nil || failed["during"] != "start" || !strings.Contains(fmt.Sprint(failed["error"]), noSpace) {
		t.Errorf("/readyz after a start on a full disk: %v, want the last good generation, stale, and the failure", ready)
	}
	if err := s.stderr.String(); !strings.Contains(err, "the build failed") || !strings.Contains(err, noSpace) {
		t.Errorf("stderr does not say the start build failed and why:\n%s", err)
	}
	if _, partial := generations(t, indexDir); len(partial) != 0 {
		t.Errorf("partial generations left: %v", partial)
	}
}
