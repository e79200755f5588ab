package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
)

// copySample writes the sample guides into dir.
func copySample(t *testing.T, dir string) {
	t.Helper()
	files, _ := fs.Glob(corpus.Sample(), "*.txt")
	for _, f := range files {
		data, _ := fs.ReadFile(corpus.Sample(), f)
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// serveInProcess runs `metiers serve` in this process until the test
// ends, and returns its URL once it serves.
func serveInProcess(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	root := newRootCommand(pw, io.Discard)
	root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "error"}, args...))
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "guides at "); ok {
				urls <- u
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("serve printed no URL")
	}
	return ""
}

// TestOneShotBesideServer runs `metiers search` beside a server on the
// same index: it reads the served generation read-only and says so;
// once the corpus changed it builds in memory and says so; it never
// writes a generation nor moves CURRENT (it used to build one and switch
// CURRENT under the server). --log-level applies to its logs.
func TestOneShotBesideServer(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "index")
	copySample(t, corpusDir)
	serveInProcess(t, "--corpus", corpusDir, "--index", indexDir)
	current, _ := os.ReadFile(filepath.Join(indexDir, "CURRENT"))
	gens := func() []string {
		g, _ := filepath.Glob(filepath.Join(indexDir, "gen-*"))
		return g
	}
	before := gens()

	out, err := runCLI(t, "search", "--corpus", corpusDir, "--index", indexDir, "--log-level", "debug", "medecin")
	if err != nil {
		t.Fatalf("search beside the server: %v\n%s", err, out)
	}
	if !strings.Contains(out, "read-only") || !strings.Contains(out, strings.TrimSpace(string(current))) || !strings.Contains(out, "Médecin conseil") {
		t.Errorf("search beside the server does not say it reads the served generation read-only, or finds nothing:\n%s", out)
	}
	if !strings.Contains(out, `msg="index ready"`) {
		t.Errorf("--log-level debug shows no log:\n%s", out)
	}

	extra := `{"title": "Médecin du travail", "tagline": "Veiller à la santé des salariés"}`
	if err := os.WriteFile(filepath.Join(corpusDir, "medecin-du-travail.json"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, "search", "--corpus", corpusDir, "--index", indexDir, "--log-level", "error", "medecin")
	if err != nil {
		t.Fatalf("search on a changed corpus: %v\n%s", err, out)
	}
	if !strings.Contains(out, "in memory") || !strings.Contains(out, "medecin-du-travail") {
		t.Errorf("search on a changed corpus does not say it built in memory, or misses the new guide:\n%s", out)
	}
	if strings.Contains(out, "level=") {
		t.Errorf("--log-level error shows info logs:\n%s", out)
	}
	if now, _ := os.ReadFile(filepath.Join(indexDir, "CURRENT")); string(now) != string(current) || len(gens()) != len(before) {
		t.Errorf("one-shot commands wrote to the index: CURRENT %q → %q, generations %v → %v", current, now, before, gens())
	}
}

// TestServeBusyPort asks serve for a port already in use: it fails at
// once, saying so, before it builds anything (it used to build first,
// 14–31 s on ONISEP, and report the port at the end).
func TestServeBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	indexDir := filepath.Join(t.TempDir(), "index")
	out, err := runCLI(t, "serve", "--addr", ln.Addr().String(), "--index", indexDir)
	if err == nil || !strings.Contains(err.Error(), "already in use") || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("serve on a busy port: %v, want an error naming the address in use\n%s", err, out)
	}
	if _, statErr := os.Stat(indexDir); !errors.Is(statErr, os.ErrNotExist) || strings.Contains(out, "parsed") {
		t.Errorf("serve on a busy port started a build (%v):\n%s", statErr, out)
	}
}
