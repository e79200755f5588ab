//go:build cluster

package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
)

const token = "cluster-test-token"

// replica is one `metiers serve` process.
type replica struct {
	name, addr, index string
	log               *os.File
	cmd               *exec.Cmd
}

func (r *replica) url() string { return "http://" + r.addr }

// cluster is the processes of the test and their settings.
type cluster struct {
	t        *testing.T
	bin      string
	corpus   string
	replicas []*replica
	lb       string
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (c *cluster) start(r *replica) {
	c.t.Helper()
	cmd := exec.Command(c.bin, "serve", "--addr", r.addr, "--corpus", c.corpus, "--index", r.index, "--watch", "300ms")
	cmd.Env = append(os.Environ(), "METIERS_ADMIN_TOKEN="+token, "METIERS_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = r.log, r.log
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	r.cmd = cmd
}

func (c *cluster) kill(r *replica) {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Signal(syscall.SIGKILL)
		r.cmd.Wait()
		r.cmd = nil
	}
}

// waitReady polls url/readyz until it answers 200 and returns its body.
func waitReady(t *testing.T, url string, within time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		res, err := http.Get(url + "/readyz")
		if err == nil {
			var m map[string]any
			json.NewDecoder(res.Body).Decode(&m)
			res.Body.Close()
			if res.StatusCode == 200 {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %s (%v)", url, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// haproxyConfig is deploy/haproxy.cfg from its defaults section on, with
// the frontend bound to lb and the servers at the replicas' addresses,
// under a global section fit for a test (foreground, no chroot, a stats
// socket).
func haproxyConfig(t *testing.T, lb, sock string, replicas []*replica) string {
	t.Helper()
	data, err := os.ReadFile("../haproxy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(data)
	i := strings.Index(cfg, "\ndefaults")
	if i < 0 {
		t.Fatal("deploy/haproxy.cfg has no defaults section")
	}
	cfg = cfg[i:]
	cfg = regexp.MustCompile(`(?m)^\s*log global\n`).ReplaceAllString(cfg, "")
	cfg = regexp.MustCompile(`(?m)^(\s*bind) \S+`).ReplaceAllString(cfg, "${1} "+lb)
	n := 0
	cfg = regexp.MustCompile(`(?m)^(\s*server (\S+)) \S+`).ReplaceAllStringFunc(cfg, func(line string) string {
		if n >= len(replicas) {
			t.Fatalf("deploy/haproxy.cfg has more servers than the test's %d replicas", len(replicas))
		}
		f := strings.Fields(line)
		f[2] = replicas[n].addr
		n++
		return "\t" + strings.Join(f, " ")
	})
	if n != len(replicas) {
		t.Fatalf("deploy/haproxy.cfg has %d servers, want %d", n, len(replicas))
	}
	return "global\n\tmaxconn 4096\n\tstats socket " + sock + " mode 600 level admin\n" + cfg
}

// serversUp asks HAProxy's stats socket how many servers of the backend
// are up.
func serversUp(sock string) int {
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return 0
	}
	defer conn.Close()
	fmt.Fprintln(conn, "show stat")
	up := 0
	sc := bufio.NewScanner(conn)
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) > 17 && f[0] == "replicas" && f[1] != "BACKEND" && strings.HasPrefix(f[17], "UP") {
			up++
		}
	}
	return up
}

// load is the readers' traffic through the load balancer.
type load struct {
	requests, failures atomic.Int64
	mu                 sync.Mutex
	errors             []string
	latencies          []time.Duration
}

func (l *load) fail(format string, args ...any) {
	l.failures.Add(1)
	l.mu.Lock()
	if len(l.errors) < 20 {
		l.errors = append(l.errors, fmt.Sprintf(format, args...))
	}
	l.mu.Unlock()
}

// drive sends readers' requests (searches typed so far, suggestions,
// guides, similar guides) through base until ctx is done.
func (l *load) drive(ctx context.Context, base string, ids []string, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	client := &http.Client{Timeout: 20 * time.Second}
	queries := []string{"medecin", "méd", "codeuse", "l'INAMI", "mutuelle", "secretaire medicale", "infirmier", "soins", "plombier", "codeur medical", "hopital", "tim", "assistant"}
	for ctx.Err() == nil {
		var path string
		switch rng.IntN(4) {
		case 0, 1:
			path = "/api/search?q=" + urlEscape(queries[rng.IntN(len(queries))])
		case 2:
			path = "/api/suggest?q=" + urlEscape(queries[rng.IntN(len(queries))][:3])
		default:
			path = "/api/metiers/" + ids[rng.IntN(len(ids))] + "/similar"
		}
		start := time.Now()
		res, err := client.Get(base + path)
		l.requests.Add(1)
		if err != nil {
			if ctx.Err() == nil {
				l.fail("%s: %v", path, err)
			}
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			l.fail("%s: HTTP %d", path, res.StatusCode)
			continue
		}
		if res.Header.Get("X-Metiers-Generation") == "" {
			l.fail("%s: no X-Metiers-Generation header", path)
		}
		l.mu.Lock()
		l.latencies = append(l.latencies, time.Since(start))
		l.mu.Unlock()
		// A reader's pace, not a flood: the replicas' rebuilds share
		// the machine's cores with the clients.
		time.Sleep(time.Duration(5+rng.IntN(10)) * time.Millisecond)
	}
}

func urlEscape(s string) string { return strings.ReplaceAll((&urlValues{s}).String(), "+", "%20") }

type urlValues struct{ s string }

func (u *urlValues) String() string {
	var b strings.Builder
	for _, c := range []byte(u.s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func do(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

// Figures is what the cluster test measured (README, docs/scaling.md).
type Figures struct {
	Guides     int     `json:"guides"`
	Requests   int64   `json:"requests"`
	Failures   int64   `json:"failures"`
	Seconds    float64 `json:"seconds"`
	P50MS      float64 `json:"p50_ms"`
	P99MS      float64 `json:"p99_ms"`
	PublishMS  float64 `json:"publish_ms"`       // PUT through the LB until its replica served it
	ConvergeMS float64 `json:"converge_ms"`      // PUT until all three served it
	RestartMS  float64 `json:"restart_ready_ms"` // SIGKILLed replica restarted until ready
	ReindexMS  float64 `json:"reindex_ms"`
	Generation string  `json:"generation"`
	MeasuredOn string  `json:"measured_on"`
}

// TestCluster: three replicas behind deploy/haproxy.cfg; readers'
// traffic never fails while a guide is published through the load
// balancer, a replica is SIGKILLed and restarted and a reindex runs; the
// guide is served by every replica within 5 s; all end on one generation.
func TestCluster(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("SKIP: haproxy is not installed (apt-get install haproxy; .ci/run installs it)")
	}
	dir := t.TempDir()
	c := &cluster{t: t, bin: filepath.Join(dir, "metiers"), corpus: filepath.Join(dir, "corpus")}
	if out, err := exec.Command("go", "build", "-o", c.bin, "../../cmd/metiers").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	base, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	gen, err := corpusgen.Generate(base.Metiers, 40, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := corpusgen.WriteDir(c.corpus, gen, false); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(gen))
	for i, m := range gen {
		ids[i] = m.ID
	}
	for i := range 3 {
		r := &replica{name: fmt.Sprintf("r%d", i+1), addr: freePort(t), index: filepath.Join(dir, fmt.Sprintf("index%d", i+1))}
		if r.log, err = os.Create(filepath.Join(dir, r.name+".log")); err != nil {
			t.Fatal(err)
		}
		c.replicas = append(c.replicas, r)
		c.start(r)
	}
	t.Cleanup(func() {
		for _, r := range c.replicas {
			c.kill(r)
		}
	})
	defer func() {
		if t.Failed() {
			for _, r := range c.replicas {
				b, _ := os.ReadFile(r.log.Name())
				t.Logf("%s log:\n%s", r.name, tail(string(b), 3000))
			}
		}
	}()
	for _, r := range c.replicas {
		waitReady(t, r.url(), 120*time.Second)
	}

	c.lb = freePort(t)
	sock := filepath.Join(dir, "haproxy.sock")
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(haproxyConfig(t, c.lb, sock, c.replicas)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(haproxy, "-c", "-f", cfg).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	hlog, _ := os.Create(filepath.Join(dir, "haproxy.log"))
	lbCmd := exec.Command(haproxy, "-db", "-f", cfg)
	lbCmd.Stdout, lbCmd.Stderr = hlog, hlog
	if err := lbCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lbCmd.Process.Kill(); lbCmd.Wait() })
	waitUp := func(n int, within time.Duration) {
		deadline := time.Now().Add(within)
		for serversUp(sock) < n {
			if time.Now().After(deadline) {
				t.Fatalf("HAProxy sees %d servers up after %s, want %d", serversUp(sock), within, n)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitUp(3, 30*time.Second)
	lb := "http://" + c.lb

	// Readers' traffic, through the load balancer, all along.
	l := &load{}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	started := time.Now()
	for i := range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); l.drive(ctx, lb, ids, uint64(i)) }()
	}
	stopLoad := func() { stop(); wg.Wait() }
	defer stopLoad()
	time.Sleep(time.Second)

	// (a) An editor publishes a guide through the load balancer.
	f := Figures{Guides: len(gen) + 1}
	guide := `{"title": "Plombier chauffagiste", "tagline": "Installe et entretient le chauffage et les sanitaires", "missions": ["Poser une chaudière", "Réparer une fuite"]}`
	put := time.Now()
	code, p := do(t, "PUT", lb+"/admin/metiers/plombier-chauffagiste", guide)
	if code != 201 {
		t.Fatalf("PUT through the load balancer: HTTP %d %v", code, p)
	}
	f.PublishMS = ms(time.Since(put))
	pending := map[*replica]bool{}
	for _, r := range c.replicas {
		pending[r] = true
	}
	for len(pending) > 0 {
		for r := range pending {
			if res, err := http.Get(r.url() + "/api/metiers/plombier-chauffagiste"); err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					delete(pending, r)
				}
			}
		}
		if time.Since(put) > 30*time.Second {
			t.Fatalf("after 30 s the guide is not served by %d replica(s)", len(pending))
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.ConvergeMS = ms(time.Since(put))
	if f.ConvergeMS > 5000 {
		t.Errorf("the guide reached every replica in %.0f ms, want ≤ 5 s", f.ConvergeMS)
	}

	// (b) A replica is SIGKILLed under load, then restarted.
	r2 := c.replicas[1]
	c.kill(r2)
	time.Sleep(time.Second)
	restart := time.Now()
	c.start(r2)
	waitReady(t, r2.url(), 120*time.Second)
	f.RestartMS = ms(time.Since(restart))
	waitUp(3, 30*time.Second)

	// (c) A reindex runs on one replica, traffic going on.
	r3 := c.replicas[2]
	reindex := time.Now()
	code, job := do(t, "POST", r3.url()+"/admin/reindex", "")
	if code != 202 {
		t.Fatalf("reindex: HTTP %d %v", code, job)
	}
	for {
		_, j := do(t, "GET", fmt.Sprintf("%s/admin/reindex?id=%v", r3.url(), job["id"]), "")
		if j["state"] == "succeeded" {
			break
		}
		if j["state"] == "failed" || time.Since(reindex) > 120*time.Second {
			t.Fatalf("reindex: %v", j)
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.ReindexMS = ms(time.Since(reindex))
	time.Sleep(time.Second)
	stopLoad()
	f.Seconds = time.Since(started).Seconds()
	f.Requests, f.Failures = l.requests.Load(), l.failures.Load()

	// Every replica ends on one generation.
	names := map[string]bool{}
	for _, r := range c.replicas {
		m := waitReady(t, r.url(), 10*time.Second)
		names[fmt.Sprint(m["generation"])] = true
		f.Generation = fmt.Sprint(m["generation"])
	}
	if len(names) != 1 {
		t.Errorf("the replicas end on generations %v, want one", names)
	}
	sort.Slice(l.latencies, func(i, j int) bool { return l.latencies[i] < l.latencies[j] })
	if n := len(l.latencies); n > 0 {
		f.P50MS, f.P99MS = ms(l.latencies[n/2]), ms(l.latencies[n*99/100])
	}
	f.MeasuredOn = time.Now().UTC().Format("2006-01-02")
	if f.Failures > 0 {
		t.Errorf("%d of %d requests failed: %v", f.Failures, f.Requests, l.errors)
	}
	if f.Requests < 100 {
		t.Errorf("only %d requests were sent", f.Requests)
	}
	out, _ := json.MarshalIndent(f, "", "  ")
	t.Logf("cluster figures:\n%s", out)
	if path := os.Getenv("CLUSTER_JSON"); path != "" {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
			t.Errorf("write the figures: %v", err)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
