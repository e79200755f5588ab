//go:build faults

package faults

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
)

// bin is the metiers binary the tests run, built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "metiers-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Chmod(dir, 0o755) // run by an unprivileged user too
	bin = filepath.Join(dir, "metiers")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/metiers").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// token is the admin token of the servers the tests start.
const token = "faults-token"

// guides returns n generated guides (recombined from the sample, seed 1:
// the first k of n are the k of a smaller call).
func guides(t *testing.T, n int) []*corpus.Metier {
	t.Helper()
	base, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	ms, err := corpusgen.Generate(base.Metiers, n, 1)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// writeGuides writes guides into dir (created, or added to).
func writeGuides(t *testing.T, dir string, ms []*corpus.Metier) {
	t.Helper()
	if err := corpusgen.WriteDir(dir, ms, true); err != nil {
		t.Fatal(err)
	}
}

// tmpfs mounts a tmpfs of the given size (mount's -o size=) for the test,
// or skips it when that is impossible here (not root, no mount).
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("SKIPPED: a full disk is simulated with a tmpfs, which only root can mount; CI runs this as root")
	}
	dir := filepath.Join(t.TempDir(), "tmpfs")
	os.Mkdir(dir, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("SKIPPED: cannot mount a tmpfs to fill (%v: %s)", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// output collects what a process writes, safe to read while it runs.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// process is a metiers command the test started.
type process struct {
	cmd    *exec.Cmd
	stdout output
	stderr output
	lines  chan string // stdout and stderr, line by line
	exited chan struct{}
	err    error // once exited
}

// start runs metiers with args; it is killed when the test ends.
func start(t *testing.T, as *syscall.Credential, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), lines: make(chan string, 1024), exited: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "METIERS_ADMIN_TOKEN="+token)
	if as != nil {
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: as}
	}
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	p.cmd.Stdout = io.MultiWriter(&p.stdout, outW)
	p.cmd.Stderr = io.MultiWriter(&p.stderr, errW)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, r := range []io.Reader{outR, errR} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				select {
				case p.lines <- sc.Text():
				default: // nobody is waiting for lines any more
				}
			}
		}()
	}
	go func() {
		p.err = p.cmd.Wait()
		outW.Close()
		errW.Close()
		wg.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("%v\nstdout:\n%s\nstderr:\n%s", args, p.stdout.String(), p.stderr.String())
		}
	})
	return p
}

// waitLine waits for a line holding substr and returns it.
func (p *process) waitLine(t *testing.T, substr string) string {
	t.Helper()
	deadline := time.After(3 * time.Minute)
	for {
		select {
		case l := <-p.lines:
			if strings.Contains(l, substr) {
				return l
			}
		case <-p.exited:
			// The line may be among the last ones.
			for {
				select {
				case l := <-p.lines:
					if strings.Contains(l, substr) {
						return l
					}
				default:
					t.Fatalf("%s exited (%v) before printing %q", p.cmd.Path, p.err, substr)
				}
			}
		case <-deadline:
			t.Fatalf("no line with %q", substr)
		}
	}
}

// wait waits for the process to exit and returns its exit code (-1 when
// a signal killed it).
func (p *process) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(3 * time.Minute):
		t.Fatal("the process does not exit")
	}
	return p.cmd.ProcessState.ExitCode()
}

// alive fails the test when the process has exited.
func (p *process) alive(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		t.Fatalf("the server died: %v", p.err)
	default:
	}
}

// run runs metiers to its end and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	p := start(t, nil, args...)
	code := p.wait(t)
	return code, p.stdout.String() + p.stderr.String()
}

// server is a running `metiers serve`.
type server struct {
	*process
	url string
}

// serve starts `metiers serve` on a free port and waits until it serves.
func serve(t *testing.T, as *syscall.Credential, args ...string) *server {
	t.Helper()
	p := start(t, as, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	line := p.waitLine(t, "guides at ")
	_, url, _ := strings.Cut(line, "guides at ")
	return &server{process: p, url: strings.TrimSuffix(strings.TrimSpace(url), "/")}
}

// call sends a request (with the admin token) and decodes the JSON answer.
func call(t *testing.T, method, url string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %s", method, url, res.StatusCode, b)
	}
	return res.StatusCode, m
}

// reindex asks the server to reindex and returns the finished job.
func (s *server) reindex(t *testing.T) map[string]any {
	t.Helper()
	code, job := call(t, "POST", s.url+"/admin/reindex")
	if code != http.StatusAccepted {
		t.Fatalf("POST /admin/reindex: %d %v", code, job)
	}
	for {
		code, st := call(t, "GET", fmt.Sprintf("%s/admin/reindex?id=%v", s.url, job["id"]))
		if code != http.StatusOK {
			t.Fatalf("GET /admin/reindex: %d %v", code, st)
		}
		if st["state"] != "running" {
			return st
		}
		s.alive(t)
		time.Sleep(100 * time.Millisecond)
	}
}

// serving checks that the server is up and serves every one of want
// guides: /readyz counts them, /api/metiers lists them, a search finds
// them; it returns /readyz's answer.
func (s *server) serving(t *testing.T, want int) map[string]any {
	t.Helper()
	s.alive(t)
	code, ready := call(t, "GET", s.url+"/readyz")
	if code != http.StatusOK || ready["guides"] != float64(want) {
		t.Errorf("/readyz: %d %v, want 200 with %d guides", code, ready, want)
	}
	if code, list := call(t, "GET", s.url+"/api/metiers"); code != http.StatusOK || list["total"] != float64(want) {
		t.Errorf("/api/metiers: %d, total %v; want %d guides", code, list["total"], want)
	}
	if code, res := call(t, "GET", s.url+"/api/search?q=m%C3%A9dical"); code != http.StatusOK || res["total"].(float64) == 0 {
		t.Errorf("search: %d %v", code, res)
	}
	return ready
}

// metric returns the value of an unlabelled metric on /metrics.
func (s *server) metric(t *testing.T, name string) string {
	t.Helper()
	res, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}

// generations lists an index directory's generations, and those of
// them that are partial (no meta.json).
func generations(t *testing.T, indexDir string) (all, partial []string) {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(indexDir, "gen-*"))
	for _, d := range dirs {
		all = append(all, filepath.Base(d))
		if _, err := os.Stat(filepath.Join(d, "meta.json")); err != nil {
			partial = append(partial, filepath.Base(d))
		}
	}
	return all, partial
}

// current returns the name CURRENT holds.
func current(t *testing.T, indexDir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(indexDir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
