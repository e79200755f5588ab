//go:build faults

package faults

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rounds is how many times TestCampaign repeats each fault, from
// FAULTS_ROUNDS; 0 (unset) skips it.
func rounds(t *testing.T) int {
	n, _ := strconv.Atoi(os.Getenv("FAULTS_ROUNDS"))
	if n <= 0 {
		t.Skip("SKIPPED: the campaign repeats each fault at random moments; run it with FAULTS_ROUNDS=N (see docs/reliability.md)")
	}
	return n
}

// tally counts a campaign's outcomes.
type tally map[string]int

func (c tally) String() string {
	var parts []string
	for k, v := range c {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// TestCampaign repeats the faults of this suite at random moments and
// sizes and logs the outcomes, the counts of docs/reliability.md. After
// every round a server must serve the last good generation with every
// guide, and no partial build may survive its start.
func TestCampaign(t *testing.T) {
	n := rounds(t)
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	all := guides(t, big)
	small, bigDir := t.TempDir(), t.TempDir()
	writeGuides(t, small, all[:fits])
	writeGuides(t, bigDir, all)

	// check starts a server on the small corpus's index: it serves
	// every guide of the last good generation, partial builds removed.
	check := func(t *testing.T, indexDir string) {
		t.Helper()
		s := serve(t, nil, "--corpus", small, "--index", indexDir)
		s.serving(t, fits)
		if _, partial := generations(t, indexDir); len(partial) > 0 {
			t.Errorf("partial generations survive a start: %v", partial)
		}
		s.cmd.Process.Signal(syscall.SIGTERM)
		if code := s.wait(t); code != 0 {
			t.Errorf("serve after SIGTERM: exit %d", code)
		}
	}
	restore := func(t *testing.T, indexDir string) {
		t.Helper()
		if code, out := run(t, "reindex", "--corpus", small, "--index", indexDir); code != 0 {
			t.Fatalf("reindex of the small corpus: %d\n%s", code, out)
		}
	}

	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(fmt.Sprintf("%v during reindex", sig), func(t *testing.T) {
			c := tally{}
			indexDir := filepath.Join(t.TempDir(), "index")
			restore(t, indexDir)
			for i := 0; i < n; i++ {
				good := current(t, indexDir)
				p := start(t, nil, "reindex", "--corpus", bigDir, "--index", indexDir)
				time.Sleep(time.Duration(r.Intn(5000)) * time.Millisecond)
				p.cmd.Process.Signal(sig)
				code := p.wait(t)
				finished := strings.Contains(p.stdout.String(), "reindex succeeded")
				switch {
				case finished:
					c["finished first"]++
				case code == 1 && strings.Contains(p.stderr.String(), "interrupted"):
					c["exited cleanly"]++
				case code == -1 && sig == syscall.SIGKILL:
					c["killed"]++
				default:
					c[fmt.Sprintf("exit %d", code)]++
					t.Errorf("exit %d:\n%s%s", code, p.stdout.String(), p.stderr.String())
				}
				if !finished && current(t, indexDir) != good {
					t.Errorf("CURRENT moved without a finished reindex")
				}
				if _, partial := generations(t, indexDir); len(partial) > 0 {
					c["partial left until the next start"]++
				}
				if finished {
					restore(t, indexDir)
				}
				check(t, indexDir)
			}
			t.Logf("%v during `metiers reindex` ×%d: %v", sig, n, c)
		})
	}

	t.Run("SIGTERM during serve's first build", func(t *testing.T) {
		c := tally{}
		for i := 0; i < n; i++ {
			indexDir := filepath.Join(t.TempDir(), "index")
			p := start(t, nil, "serve", "--addr", "127.0.0.1:0", "--corpus", bigDir, "--index", indexDir)
			p.waitLine(t, "listening at ")
			time.Sleep(time.Duration(r.Intn(5000)) * time.Millisecond)
			p.cmd.Process.Signal(syscall.SIGTERM)
			code := p.wait(t)
			switch {
			case code != 0:
				c[fmt.Sprintf("exit %d", code)]++
				t.Errorf("exit %d:\n%s", code, p.stderr.String())
			case strings.Contains(p.stdout.String(), "serving"):
				c["finished first"]++
			default:
				c["exited cleanly"]++
			}
			if _, partial := generations(t, indexDir); len(partial) > 0 {
				t.Errorf("partial generations left: %v", partial)
			}
		}
		t.Logf("SIGTERM during serve's first build ×%d: %v", n, c)
	})

	t.Run("disk full during server reindex", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("SKIPPED: needs root to mount a tmpfs")
		}
		c := tally{}
		for i := 0; i < n; i++ {
			size := 6 + r.Intn(25) // MB: the reindex fails while indexing, merging, storing the guides, or not at all
			indexDir := filepath.Join(tmpfs(t, fmt.Sprintf("%dm", size)), "index")
			restore(t, indexDir)
			good := current(t, indexDir)
			corpusDir := t.TempDir()
			writeGuides(t, corpusDir, all[:fits])
			s := serve(t, nil, "--corpus", corpusDir, "--index", indexDir, "--log-level", "warn")
			writeGuides(t, corpusDir, all)
			job := s.reindex(t)
			switch msg := fmt.Sprint(job["error"]); {
			case job["state"] == "succeeded":
				c["fitted"]++
				s.serving(t, big)
			case strings.Contains(msg, noSpace):
				c["failed: "+phase(msg)]++
				s.serving(t, fits)
				if current(t, indexDir) != good {
					t.Errorf("%d MB: CURRENT moved after a failed reindex", size)
				}
			default:
				c["failed otherwise"]++
				t.Errorf("%d MB: %v", size, job)
			}
			if _, partial := generations(t, indexDir); len(partial) > 0 {
				t.Errorf("%d MB: partial generations left: %v", size, partial)
			}
			s.cmd.Process.Signal(syscall.SIGTERM)
			s.wait(t)
		}
		t.Logf("disk full during a server reindex ×%d (tmpfs of 6 to 30 MB): %v", n, c)
	})
}

// phase names the step of a build a full disk stopped.
func phase(msg string) string {
	for _, p := range []struct{ in, name string }{
		{"index: batch", "indexing"}, {"index: merge", "merging"}, {"guides.json", "storing the guides"},
		{"meta.json", "writing meta.json"}, {"switch to", "switching CURRENT"}, {"index: create", "creating the index"},
	} {
		if strings.Contains(msg, p.in) {
			return p.name
		}
	}
	return "elsewhere"
}
