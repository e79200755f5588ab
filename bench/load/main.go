// Command load drives a real metiers server over loopback with a reader's
// mix of requests (search 60 %, suggest 25 %, similar 10 %, quiz 5 %), or
// searches only (-mix search), for a fixed time, while asking it to
// reindex every few seconds. Queries are drawn from a pool built from the
// corpus's own titles as readers type them: every prefix of every title,
// whole titles, and one-typo variants, so that a response cache meets a
// realistic share of new queries. The load generator runs on one CPU
// (-client-cpu) so that it cannot starve the server. It reports
// throughput, p50/p99 latency, non-2xx responses and connection errors,
// and checks that a probe query's total never drops (every response comes
// from a complete index). It exits non-zero on any error.
//
//	go run ./bench/load -bin bin/metiers -corpus DIR -duration 30s [-mix search] [-cache 0]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/metiers/metiers/bench/pgpeer"
	"golang.org/x/sys/unix"
)

func main() {
	var (
		bin      = flag.String("bin", "bin/metiers", "metiers binary to start")
		corpus   = flag.String("corpus", "", "corpus directory (default: the embedded sample)")
		duration = flag.Duration("duration", 30*time.Second, "how long to drive the server")
		workers  = flag.Int("workers", 16, "concurrent clients")
		every    = flag.Duration("reindex-every", 2*time.Second, "time between reindex requests (0: none)")
		jsonOut  = flag.String("json", "", "write the report as JSON to this file")
		mix      = flag.String("mix", "reader", "reader (search, suggest, similar, quiz) or search (searches only)")
		cache    = flag.Int("cache", -1, "the server's search.cache_size (-1: its default)")
		cpu      = flag.Int("client-cpu", 0, "CPU the load generator is pinned to (-1: not pinned)")
		rome     = flag.String("rome", filepath.Join("..", "shared", "data", "rome4"), "ROME 4 directory, for -mix jobtitles")
		titles   = flag.Int("titles", 400, "ROME job titles sampled for -mix jobtitles (each with its prefixes)")
		pg       = flag.Bool("pg", false, "also drive PostgreSQL full-text search with pgbench on the same queries, in the same run (-mix jobtitles)")
		maxWords = flag.Int("max-words", 0, "keep only the queries of at most this many words (0: all)")
	)
	flag.Parse()
	if *mix != "reader" && *mix != "search" && *mix != "jobtitles" {
		fmt.Fprintln(os.Stderr, "load: -mix must be reader, search or jobtitles")
		os.Exit(2)
	}
	opts := options{rome: *rome, titles: *titles, pg: *pg, maxWords: *maxWords}
	if err := run(*bin, *corpus, *duration, *workers, *every, *jsonOut, *mix, *cache, *cpu, opts); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// Report is what a run measured.
type Report struct {
	Corpus      string  `json:"corpus"`
	Guides      int     `json:"guides"`
	Seconds     float64 `json:"seconds"`
	Requests    int64   `json:"requests"`
	RPS         float64 `json:"rps"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	Non2xx      int64   `json:"non_2xx"`
	ConnErrors  int64   `json:"connection_errors"`
	Reindexes   int     `json:"reindexes"`
	ProbeTotal  float64 `json:"probe_total"`
	ProbeDrops  int64   `json:"probe_drops"`
	ByKindP99ms map[string]float64
	Mix         string  `json:"mix"`
	Cache       int     `json:"cache_size"`
	Queries     int     `json:"distinct_queries"`
	HitRate     float64 `json:"cache_hit_rate"`
	// ServerCPUms is the server process's CPU time (user and system,
	// every thread) over the measured window divided by its requests:
	// what a request costs whatever the machine's other load.
	ServerCPUms float64 `json:"server_cpu_ms_per_request,omitempty"`
	// ClientCPUms is the same for the load generator itself, pinned to
	// one CPU: near 1 ms / (requests per second per client CPU), the
	// client, not the server, bounds the throughput.
	ClientCPUms float64 `json:"client_cpu_ms_per_request,omitempty"`
	// PostgreSQL is the pgbench run of the same queries (-pg), Ratio
	// metiers' throughput over PostgreSQL's.
	PostgreSQL *pgpeer.BenchResult `json:"postgresql,omitempty"`
	Ratio      float64             `json:"ratio_to_postgresql,omitempty"`
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// options are the job-title mix's settings.
type options struct {
	rome     string
	titles   int
	pg       bool
	maxWords int
}

func run(bin, corpus string, duration time.Duration, workers int, every time.Duration, jsonOut, mix string, cacheSize, cpu int, opts options) error {
	addr, err := freePort()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "metiers-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	token := fmt.Sprintf("load-%d", time.Now().UnixNano())
	args := []string{"serve", "--addr", addr, "--index", dir + "/index"}
	if corpus != "" {
		args = append(args, "--corpus", corpus)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "METIERS_ADMIN_TOKEN="+token, "METIERS_LOG_LEVEL=warn")
	if cacheSize >= 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("METIERS_SEARCH_CACHE_SIZE=%d", cacheSize))
	}

	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	// Pinned once the server has started (a child inherits its parent's
	// CPUs): the server may use every CPU, the load generator only one.
	if cpu >= 0 {
		if err := pin(cpu); err != nil {
			fmt.Fprintln(os.Stderr, "load: not pinned:", err)
		}
	}
	base := "http://" + addr
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers * 2}}
	if err := waitReady(client, base, 120*time.Second); err != nil {
		return err
	}

	// What to ask: guide ids and the probe's total before any reindex.
	var list struct {
		Total   int `json:"total"`
		Metiers []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"metiers"`
	}
	if err := getJSON(client, base+"/api/metiers", &list); err != nil {
		return err
	}
	probe := base + "/api/search?q=m%C3%A9dical&size=1"
	var p struct {
		Total float64 `json:"total"`
	}
	if err := getJSON(client, probe, &p); err != nil {
		return err
	}
	rep := &Report{Corpus: corpus, Guides: list.Total, ProbeTotal: p.Total, Mix: mix, Cache: cacheSize}
	if rep.Corpus == "" {
		rep.Corpus = "sample"
	}

	titles := make([]string, len(list.Metiers))
	for i, m := range list.Metiers {
		titles[i] = m.Title
	}
	// Only the queries the server answers: a prefix that is a stop word
	// (« la ») rightly gets a 400, which is not what is measured here.
	// Checked with another page size, so that the run starts with a cold
	// cache.
	pool := queryPool(titles)
	if mix == "jobtitles" {
		if pool, err = jobTitlePool(opts.rome, opts.titles); err != nil {
			return err
		}
	}
	if opts.maxWords > 0 {
		var kept []string
		for _, q := range pool {
			if len(strings.Fields(q)) <= opts.maxWords {
				kept = append(kept, q)
			}
		}
		pool = kept
	}
	var queries []string
	for _, q := range pool {
		if status, err := do(client, base+"/api/search?size=1&q="+esc(q), ""); err == nil && status == http.StatusOK {
			queries = append(queries, q)
		}
	}
	if len(queries) == 0 {
		return errors.New("no query of the pool is answered")
	}
	prefixes := queries
	rep.Queries = len(queries)
	quizBody := `{"answers":{"q_contact_humain":5,"q_riasec_s":4,"q_teletravail":1,"q_etudes":2,"q_riasec_i":5},"size":10}`

	cpu0, cpuErr := pgpeer.ProcessCPU(cmd.Process.Pid, false)
	self0, selfErr := pgpeer.ProcessCPU(os.Getpid(), false)
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var (
		mu        sync.Mutex
		lat       []time.Duration
		byKind    = map[string][]time.Duration{}
		requests  atomic.Int64
		non2xx    atomic.Int64
		connErr   atomic.Int64
		drops     atomic.Int64
		firstErrs []string
	)
	record := func(kind string, d time.Duration, err error, status int) {
		requests.Add(1)
		mu.Lock()
		defer mu.Unlock()
		lat = append(lat, d)
		byKind[kind] = append(byKind[kind], d)
		switch {
		case err != nil:
			connErr.Add(1)
			if len(firstErrs) < 5 {
				firstErrs = append(firstErrs, kind+": "+err.Error())
			}
		case status/100 != 2:
			non2xx.Add(1)
			if len(firstErrs) < 5 {
				firstErrs = append(firstErrs, fmt.Sprintf("%s: HTTP %d", kind, status))
			}
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			for ctx.Err() == nil {
				var (
					kind, url, body string
				)
				x := r.Intn(100)
				if mix != "reader" {
					x = 0
				}
				switch {
				case x < 60:
					kind, url = "search", base+"/api/search?q="+esc(queries[r.Intn(len(queries))])
				case x < 85:
					kind, url = "suggest", base+"/api/suggest?q="+esc(prefixes[r.Intn(len(prefixes))])
				case x < 95:
					kind, url = "similar", base+"/api/metiers/"+list.Metiers[r.Intn(len(list.Metiers))].ID+"/similar?size=5"
				default:
					kind, url, body = "quiz", base+"/api/quiz/match", quizBody
				}
				start := time.Now()
				status, err := do(client, url, body)
				record(kind, time.Since(start), err, status)
				if r.Intn(50) == 0 { // now and then, the probe
					var pp struct {
						Total float64 `json:"total"`
					}
					if err := getJSON(client, probe, &pp); err == nil && pp.Total < rep.ProbeTotal {
						drops.Add(1)
					}
				}
			}
		}(int64(w))
	}
	reindexes := 0
	if every > 0 {
		tick := time.NewTicker(every)
		defer tick.Stop()
	loop:
		for {
			select {
			case <-ctx.Done():
				break loop
			case <-tick.C:
				req, _ := http.NewRequest(http.MethodPost, base+"/admin/reindex", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := client.Do(req)
				if err != nil {
					return fmt.Errorf("reindex request: %w", err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusAccepted {
					reindexes++
				} else if res.StatusCode != http.StatusConflict {
					return fmt.Errorf("reindex request: HTTP %d", res.StatusCode)
				}
			}
		}
	}
	wg.Wait()
	if cpu1, err := pgpeer.ProcessCPU(cmd.Process.Pid, false); err == nil && cpuErr == nil && requests.Load() > 0 {
		rep.ServerCPUms = float64((cpu1 - cpu0).Microseconds()) / 1000 / float64(requests.Load())
	}
	if self1, err := pgpeer.ProcessCPU(os.Getpid(), false); err == nil && selfErr == nil && requests.Load() > 0 {
		rep.ClientCPUms = float64((self1 - self0).Microseconds()) / 1000 / float64(requests.Load())
	}

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	rep.Seconds = duration.Seconds()
	rep.Requests = requests.Load()
	rep.RPS = float64(rep.Requests) / rep.Seconds
	if len(lat) > 0 {
		rep.P50ms, rep.P99ms = ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100])
	}
	rep.ByKindP99ms = map[string]float64{}
	for k, v := range byKind {
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		rep.ByKindP99ms[k] = ms(v[len(v)*99/100])
	}
	rep.Non2xx, rep.ConnErrors, rep.ProbeDrops, rep.Reindexes = non2xx.Load(), connErr.Load(), drops.Load(), reindexes
	rep.HitRate = cacheHitRate(client, base)
	cacheNote := "default"
	if cacheSize >= 0 {
		cacheNote = fmt.Sprint(cacheSize)
	}
	fmt.Printf("corpus %s (%d guides), %s mix over %d distinct queries, cache %s, %d workers, %s, reindex every %s\n", rep.Corpus, rep.Guides, mix, rep.Queries, cacheNote, workers, duration, every)
	fmt.Printf("requests %d  throughput %.0f req/s  p50 %.2f ms  p99 %.2f ms\n", rep.Requests, rep.RPS, rep.P50ms, rep.P99ms)
	fmt.Printf("p99 by kind (ms): search %.2f  suggest %.2f  similar %.2f  quiz %.2f\n",
		rep.ByKindP99ms["search"], rep.ByKindP99ms["suggest"], rep.ByKindP99ms["similar"], rep.ByKindP99ms["quiz"])
	if rep.ServerCPUms > 0 {
		fmt.Printf("CPU per request (user + system, all threads): server %.2f ms, load generator %.2f ms\n", rep.ServerCPUms, rep.ClientCPUms)
	}
	fmt.Printf("reindexes %d  non-2xx %d  connection errors %d  probe drops %d  cache hit rate %.0f %%\n", rep.Reindexes, rep.Non2xx, rep.ConnErrors, rep.ProbeDrops, 100*rep.HitRate)
	if opts.pg {
		pg, err := pgBench(corpus, queries, workers, int(duration.Seconds()), cpu)
		if err != nil {
			fmt.Println("PostgreSQL peer: skipped:", err)
		} else {
			rep.PostgreSQL = pg
			rep.Ratio = rep.RPS / pg.TPS
			fmt.Printf("PostgreSQL FTS (pgbench, same queries, %d clients): %.0f req/s  p50 %.2f ms  p99 %.2f ms; metiers/PostgreSQL %.2f×\n", workers, pg.TPS, pg.P50ms, pg.P99ms, rep.Ratio)
			if pg.ServerCPUms > 0 && rep.ServerCPUms > 0 {
				fmt.Printf("server CPU per request: PostgreSQL backends %.2f ms, metiers %.2f ms (PostgreSQL/metiers %.2f×)\n", pg.ServerCPUms, rep.ServerCPUms, pg.ServerCPUms/rep.ServerCPUms)
			}
		}
	}
	if jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.MkdirAll(filepath.Dir(jsonOut), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(jsonOut, b, 0o644); err != nil {
			return err
		}
	}
	if rep.Non2xx > 0 || rep.ConnErrors > 0 || rep.ProbeDrops > 0 {
		return fmt.Errorf("%d non-2xx, %d connection errors, %d probe drops; first: %s", rep.Non2xx, rep.ConnErrors, rep.ProbeDrops, strings.Join(firstErrs, "; "))
	}
	return nil
}

func esc(s string) string { return url.QueryEscape(s) }

func do(c *http.Client, url, body string) (int, error) {
	var res *http.Response
	var err error
	if body != "" {
		res, err = c.Post(url, "application/json", strings.NewReader(body))
	} else {
		res, err = c.Get(url)
	}
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

func getJSON(c *http.Client, url string, v any) error {
	res, err := c.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", url, res.StatusCode)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

func waitReady(c *http.Client, base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		res, err := c.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("the server did not become ready")
}

// queryPool returns what readers type to find these titles, as a search
// box sends it: every prefix of two letters or more of each title (word
// by word, as typed), each whole title in lower case without accents,
// and each title with one letter dropped from its longest word; plus a
// few fixed queries (acronyms, elision, words from the guides' text).
// Duplicates are removed; the order is deterministic.
func queryPool(titles []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(q string) {
		q = strings.TrimSpace(q)
		if q != "" && !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	for _, q := range []string{"médecin", "secretaire medicale", "mutuele", "codeuse", "l'INAMI", "incapacité de travail", "RIM", "technicien"} {
		add(q)
	}
	for _, t := range titles {
		runes := []rune(t)
		for n := 2; n <= len(runes); n++ {
			if runes[n-1] != ' ' {
				add(string(runes[:n]))
			}
		}
		add(strings.ToLower(fold(t)))
		words := strings.Fields(t)
		long := 0
		for i, w := range words {
			if len([]rune(w)) > len([]rune(words[long])) {
				long = i
			}
		}
		if w := []rune(words[long]); len(w) >= 5 {
			typo := append([]string{}, words...)
			typo[long] = string(append(append([]rune{}, w[:len(w)/2]...), w[len(w)/2+1:]...))
			add(strings.Join(typo, " "))
		}
	}
	return out
}

// fold drops the accents of French letters.
func fold(s string) string {
	return strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "î", "i", "ï", "i", "ô", "o", "ù", "u", "û", "u", "ç", "c",
		"É", "E", "È", "E", "À", "A", "Ç", "C").Replace(s)
}

// pin binds every thread of this process (and so the threads it will
// start) to one CPU, and tells the Go scheduler it has one.
func pin(cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		var tid int
		if _, err := fmt.Sscan(t.Name(), &tid); err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &set); err != nil {
			return fmt.Errorf("CPU %d: %w", cpu, err)
		}
	}
	runtime.GOMAXPROCS(1)
	return nil
}

// cacheHitRate reads the server's response cache hits and misses (search
// and suggest) from /metrics; 0 when it cannot.
func cacheHitRate(c *http.Client, base string) float64 {
	res, err := c.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0
	}
	var hits, all float64
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "metiers_cache_lookups_total{") {
			continue
		}
		var n float64
		if _, err := fmt.Sscan(line[strings.LastIndex(line, " ")+1:], &n); err != nil {
			continue
		}
		all += n
		if strings.Contains(line, `result="hit"`) {
			hits += n
		}
	}
	if all == 0 {
		return 0
	}
	return hits / all
}
