package index

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
)

// TestBuildOnFullDiskReturns builds 300 generated guides (two segments,
// about 10 MB) on a 12 MB tmpfs: the segments fit, merging them does
// not. Build must return the full disk as its error and remove its
// directory; it used to wait for ever, scorch's merger retrying the
// failed merge in a loop and ForceMerge queued behind it.
func TestBuildOnFullDiskReturns(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("SKIPPED: a full disk is simulated with a tmpfs, which only root can mount; CI runs this as root")
	}
	disk := filepath.Join(t.TempDir(), "tmpfs")
	os.Mkdir(disk, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", disk).CombinedOutput(); err != nil {
		t.Skipf("SKIPPED: cannot mount a tmpfs (%v: %s)", err, bytes.TrimSpace(out))
	}
	defer exec.Command("umount", disk).Run()
	base, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	ms, err := corpusgen.Generate(base.Metiers, 300, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(disk, "idx")
	done := make(chan error, 1)
	go func() {
		idx, err := Build(context.Background(), ms, Options{Dir: dir})
		if idx != nil {
			idx.Close()
		}
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(5 * time.Minute):
		t.Fatal("Build on a full disk does not return")
	}
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("Build on a full disk: %v, want the full disk", err)
	}
	if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
		t.Errorf("the partial index %s is left (%v)", dir, statErr)
	}
}
