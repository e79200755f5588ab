package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
)

// runMainEnv, set to 1 in its environment, makes this package's test
// binary run the metiers command (main) instead of the tests. The tests
// that need the program in a process of its own (SIGTERM, SIGKILL, exit
// status) start the test binary itself that way, as cmd/go's tests do:
// the package's tests cost no go build or link of their own.
const runMainEnv = "METIERS_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// metiers returns the command running the metiers program with args:
// this test binary, told by runMainEnv to run main.
func metiers(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("the test binary: %v", err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	return cmd
}

// serve starts `metiers serve` on a free port and returns its URL, read
// from the line it prints.
func serve(t *testing.T, args ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := metiers(t, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(cmd.Env, "METIERS_LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), " at "); ok {
				urls <- strings.TrimSpace(u)
			}
		}
	}()
	select {
	case u := <-urls:
		return strings.TrimSuffix(u, "/"), cmd
	case <-time.After(90 * time.Second):
		t.Fatal("serve printed no URL")
	}
	return "", nil
}

func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("%s: HTTP %d %v", url, res.StatusCode, m)
	}
	return m
}

// TestServeEndToEnd boots the real program on port 0, queries it, and
// stops it with SIGTERM: it must exit cleanly.
func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	base, cmd := serve(t, "--index", "")
	if m := getJSON(t, base+"/api/search?q=medecin"); m["total"].(float64) < 1 {
		t.Errorf("search: %v", m)
	}
	if m := getJSON(t, base+"/readyz"); m["guides"].(float64) != 5 {
		t.Errorf("readyz: %v", m)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("serve did not stop on SIGTERM")
	}
}

// TestKilledReindexLeavesLastGoodIndex kills `metiers reindex` with
// SIGKILL while it builds, then starts the server on the same index
// directory: it serves the previous generation.
func TestKilledReindexLeavesLastGoodIndex(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	corpusDir, indexDir := filepath.Join(dir, "corpus"), filepath.Join(dir, "index")
	base, _ := corpus.Load(corpus.Sample())
	small, _ := corpusgen.Generate(base.Metiers, 20, 1)
	if err := corpusgen.WriteDir(corpusDir, small, false); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) {
		out, err := metiers(t, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run("reindex", "--corpus", corpusDir, "--index", indexDir)
	good, err := os.ReadFile(filepath.Join(indexDir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}

	// A larger corpus takes a while to rebuild: kill the reindex midway.
	big, _ := corpusgen.Generate(base.Metiers, 600, 2)
	if err := corpusgen.WriteDir(corpusDir, big, true); err != nil {
		t.Fatal(err)
	}
	killed := 0
	for attempt := 0; attempt < 3 && killed == 0; attempt++ {
		cmd := metiers(t, "reindex", "--corpus", corpusDir, "--index", indexDir)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until it has started indexing, then SIGKILL it.
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() && ctx.Err() == nil {
			if strings.HasPrefix(sc.Text(), "parsed:") {
				break
			}
		}
		cancel()
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		go io.Copy(io.Discard, stderr)
		if ee, ok := err.(*exec.ExitError); ok && !ee.Exited() {
			killed++
		}
	}
	if killed == 0 {
		t.Skip("the reindex finished before it could be killed")
	}
	now, _ := os.ReadFile(filepath.Join(indexDir, "CURRENT"))
	if string(now) != string(good) {
		t.Fatalf("CURRENT moved from %q to %q after a killed reindex", good, now)
	}
	// The editor's change is rolled back: the server reopens the last good
	// generation from disk as it is (no rebuild), not the half-built one.
	os.RemoveAll(corpusDir)
	if err := corpusgen.WriteDir(corpusDir, small, false); err != nil {
		t.Fatal(err)
	}
	srv, _ := serve(t, "--corpus", corpusDir, "--index", indexDir)
	m := getJSON(t, srv+"/readyz")
	if m["guides"].(float64) != 20 || m["reused"] != true || m["dir"] != strings.TrimSpace(string(good)) {
		t.Errorf("after a killed reindex the server serves %v, want the last good generation %s", m, good)
	}
	if m := getJSON(t, srv+"/api/search?q=codeur"); m["total"].(float64) == 0 {
		t.Errorf("search on the last good index: %v", m)
	}
}

// TestImportNeedsASource: a misspelt or missing source is an error (a
// script's « metiers import rmoe » used to print the help and exit 0).
func TestImportNeedsASource(t *testing.T) {
	for _, args := range [][]string{{"import", "rmoe"}, {"import"}} {
		out, err := runCLI(t, args...)
		if err == nil {
			t.Errorf("%v: no error\n%s", args, out)
		} else if !strings.Contains(err.Error(), "rmoe") && !strings.Contains(err.Error(), "onisep|rome") {
			t.Errorf("%v: %v does not say what is wrong", args, err)
		}
	}
}
