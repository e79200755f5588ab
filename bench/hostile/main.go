// Command hostile attacks a running metiers server as the hostile client
// of issue 15 did, and prints what each attack got and what it cost the
// server: statuses, the server's resident memory (from /proc), the size
// of /metrics and of its log, its open file descriptors.
//
//	bin/metiers serve --corpus DIR --index "" --admin-token T 2>serve.log &
//	go run ./bench/hostile -url http://127.0.0.1:8080 -pid $! -log serve.log -token T
//
// Every answer of 400 or more must carry a JSON {"error": …} body; the
// command exits non-zero when one does not, or when the server answers
// 5xx (but 501 to a method HTTP does not define).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the server's base URL")
	pid := flag.Int("pid", 0, "the server's process id, to read its memory and file descriptors (0: not read)")
	logFile := flag.String("log", "", "the server's log file, to measure its growth")
	token := flag.String("token", "", "the admin token, to check the Bearer scheme")
	scale := flag.Int("scale", 1, "multiply every attack's count by this")
	flag.Parse()
	h := &hostile{base: strings.TrimSuffix(*base, "/"), pid: *pid, log: *logFile}
	if err := h.run(*scale, *token); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
	if h.failures > 0 {
		fmt.Fprintf(os.Stderr, "hostile: %d answers were not JSON 4xx (or were 5xx)\n", h.failures)
		os.Exit(1)
	}
}

type hostile struct {
	base, log string
	pid       int
	failures  int
	total     int
}

// result is what one attack got.
type result struct {
	mu      sync.Mutex
	codes   map[int]int
	hangups int
	maxBody int
	sample  string
}

func (r *result) String() string {
	var ks []int
	for k := range r.codes {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%d×%d", r.codes[k], k))
	}
	if r.hangups > 0 {
		parts = append(parts, fmt.Sprintf("%d hung up", r.hangups))
	}
	return strings.Join(parts, " ")
}

// send runs n requests, conc at a time, and records their answers.
func (h *hostile) send(n, conc int, req func(i int) *http.Request) *result {
	r := &result{codes: map[int]int{}}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableKeepAlives: true},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := client.Do(req(i))
			r.mu.Lock()
			defer r.mu.Unlock()
			if err != nil {
				r.hangups++
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			r.codes[res.StatusCode]++
			r.maxBody = max(r.maxBody, len(b))
			if r.sample == "" || res.StatusCode >= 400 {
				r.sample = clip(string(b), 120)
			}
			h.check(res.StatusCode, res.Header.Get("Content-Type"), b)
		}()
	}
	wg.Wait()
	h.total += n
	return r
}

// check counts an answer that breaks the rules: a 5xx, or an error
// without a JSON body.
func (h *hostile) check(code int, ctype string, body []byte) {
	var m map[string]any
	switch {
	case code >= 500 && code != http.StatusNotImplemented:
		h.failures++
	case code >= 400 && (!strings.HasPrefix(ctype, "application/json") || json.Unmarshal(body, &m) != nil || m["error"] == nil):
		h.failures++
	}
}

func (h *hostile) get(path string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, h.base+path, nil)
	return r
}

func unique(i, n int) string { return fmt.Sprintf("%06d", i) + strings.Repeat("x", n) }

// state is what the server holds: resident memory, open descriptors,
// /metrics and log sizes.
func (h *hostile) state() string {
	var parts []string
	if h.pid > 0 {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.pid)); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
					parts = append(parts, "RSS "+strings.TrimSpace(v))
				}
			}
		}
		if fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", h.pid)); err == nil {
			parts = append(parts, fmt.Sprintf("%d fds", len(fds)))
		}
	}
	if res, err := http.Get(h.base + "/metrics"); err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		parts = append(parts, fmt.Sprintf("/metrics %d B", len(b)))
	}
	if h.log != "" {
		if st, err := os.Stat(h.log); err == nil {
			parts = append(parts, fmt.Sprintf("log %d B", st.Size()))
		}
	}
	return strings.Join(parts, ", ")
}

func (h *hostile) report(name string, n int, r *result, took time.Duration) {
	fmt.Printf("%-58s %6d  %-28s max body %7d B  %6.1fs  | %s\n", name, n, r, r.maxBody, took.Seconds(), h.state())
	if r.sample != "" {
		fmt.Printf("%-58s         e.g. %s\n", "", r.sample)
	}
}

func (h *hostile) run(scale int, token string) error {
	if res, err := http.Get(h.base + "/readyz"); err != nil {
		return err
	} else {
		res.Body.Close()
		if res.StatusCode != 200 {
			return fmt.Errorf("/readyz: %s", res.Status)
		}
	}
	fmt.Printf("%-58s %6s  %-28s | %s\n", "attack", "sent", "answers", "server after")
	fmt.Printf("%-58s %6s  %-28s | %s\n", "(start)", "", "", h.state())
	attack := func(name string, n, conc int, req func(i int) *http.Request) {
		n *= scale
		t0 := time.Now()
		r := h.send(n, conc, req)
		h.report(name, n, r, time.Since(t0))
	}
	// Item 5: filter values into cache keys.
	attack("search, unique 900 kB area", 400, 16, func(i int) *http.Request { return h.get("/api/search?q=medecin&area=" + unique(i, 900_000)) })
	attack("search, unique 900 kB criteria", 400, 16, func(i int) *http.Request { return h.get("/api/search?q=medecin&criteria=" + unique(i, 900_000)) })
	attack("search, 32 unique 200 B areas+criteria (at the bounds)", 2500, 16, func(i int) *http.Request {
		var b strings.Builder
		b.WriteString("/api/search?q=m%C3%A9decin")
		for j := range 16 {
			fmt.Fprintf(&b, "&area=%s&criteria=%s", unique(i*100+j, 194), unique(i*100+j, 194))
		}
		return h.get(b.String())
	})
	attack("search, area over 200 B / given 33 times", 200, 16, func(i int) *http.Request {
		if i%2 == 0 {
			return h.get("/api/search?q=a&area=" + unique(i, 300))
		}
		return h.get("/api/search?q=a" + strings.Repeat("&area=x", 33))
	})
	// Item 6: methods into labels and logs.
	attack("unique 500 kB methods", 300, 16, func(i int) *http.Request {
		r := h.get("/api/search?q=medecin")
		r.Method = "M" + unique(i, 500_000)
		return r
	})
	attack("unique 30 kB methods (under the header bound)", 300, 16, func(i int) *http.Request {
		r := h.get("/api/search?q=medecin")
		r.Method = "M" + unique(i, 30_000)
		return r
	})
	// Item 10.
	attack("over 10,000 query parameters", 20, 4, func(int) *http.Request { return h.get("/api/search?q=a&" + strings.Repeat("a=1&", 10_001)) })
	attack("explain=true&size=50", 10, 2, func(int) *http.Request {
		return h.get("/api/search?q=technicien%20de%20laboratoire&explain=true&size=50")
	})
	attack("explain=true (10 hits)", 10, 2, func(int) *http.Request { return h.get("/api/search?q=technicien%20de%20laboratoire&explain=true") })
	var quiz strings.Builder
	quiz.WriteString(`{"answers":{`)
	for i := range 60_000 {
		if i > 0 {
			quiz.WriteByte(',')
		}
		fmt.Fprintf(&quiz, `"u%05d":3`, i)
	}
	quiz.WriteString("}}")
	attack("quiz body of 60,000 unknown answers", 10, 2, func(int) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, h.base+"/api/quiz/match", strings.NewReader(quiz.String()))
		r.Header.Set("Content-Type", "application/json")
		return r
	})
	attack("GET /static/ (redirected to itself)", 10, 2, func(int) *http.Request { return h.get("/static/") })
	attack("GET /static/nope.js", 10, 2, func(int) *http.Request { return h.get("/static/nope.js") })
	if token != "" {
		attack("Authorization: bearer <token> (lower case)", 10, 2, func(int) *http.Request {
			r := h.get("/admin/reindex")
			r.Header.Set("Authorization", "bearer "+token)
			return r
		})
	}
	h.raw()
	h.headers()
	h.connections(2000 * scale)
	fmt.Printf("%d requests in all; %d answers broke the rules (5xx, or an error body that is not JSON)\n", h.total, h.failures)
	return nil
}

// raw sends what net/http itself answers, and bodies over the limit or
// cut short, on connections of its own.
func (h *hostile) raw() {
	addr := strings.TrimPrefix(strings.TrimPrefix(h.base, "http://"), "https://")
	cases := []struct{ name, req string }{
		{"header of 100 kB (net/http: 431)", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 100_000) + "\r\n\r\n"},
		{"no Host header (net/http: 400)", "GET / HTTP/1.1\r\n\r\n"},
		{"malformed request line (net/http: 400)", "GET\r\n\r\n"},
		{"Content-Length: 1e9, no body sent", "POST /api/quiz/match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{"},
		{"body cut short (Content-Length +50, half-closed)", "POST /api/quiz/match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 70\r\n\r\n" + `{"answers":{"q1":5}}`},
	}
	for _, c := range cases {
		t0 := time.Now()
		code, ctype, body, err := rawRequest(addr, c.req)
		h.total++
		if err != nil {
			fmt.Printf("%-58s %6d  error: %v\n", c.name, 1, err)
			h.failures++
			continue
		}
		h.check(code, ctype, []byte(body))
		fmt.Printf("%-58s %6d  %-28s %6.1fs  | %s\n", c.name, 1, fmt.Sprintf("%d %s", code, ctype), time.Since(t0).Seconds(), clip(body, 90))
	}
}

func rawRequest(addr, req string) (int, string, string, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, "", "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	go func() {
		io.WriteString(conn, req)
		if tc, ok := conn.(*net.TCPConn); ok && strings.Contains(req, "Content-Length: 70") {
			tc.CloseWrite()
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, "", "", err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Content-Type"), string(b), nil
}

// headers reports the security headers of the home page.
func (h *hostile) headers() {
	res, err := http.Get(h.base + "/")
	if err != nil {
		fmt.Println("GET /:", err)
		return
	}
	res.Body.Close()
	for _, k := range []string{"X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy", "X-Frame-Options"} {
		fmt.Printf("GET / %-32s %s\n", k+":", res.Header.Get(k))
	}
}

// connections opens n idle connections at once and reports how many
// the server holds (its descriptors), then closes them.
func (h *hostile) connections(n int) {
	addr := strings.TrimPrefix(h.base, "http://")
	var conns []net.Conn
	var errs int
	for range n {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			errs++
			continue
		}
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n") // never finished
		conns = append(conns, c)
	}
	time.Sleep(time.Second)
	fmt.Printf("%-58s %6d  %d dial errors  | %s\n", "idle connections held open", n, errs, h.state())
	// A reader meanwhile: answered once the server sheds the idle ones.
	t0 := time.Now()
	res, err := (&http.Client{Timeout: 60 * time.Second}).Get(h.base + "/healthz")
	if err == nil {
		res.Body.Close()
		fmt.Printf("%-58s %6d  %-28s %6.1fs\n", "a reader's request meanwhile", 1, res.Status, time.Since(t0).Seconds())
	} else if !errors.Is(err, os.ErrDeadlineExceeded) {
		fmt.Printf("%-58s %6d  %v\n", "a reader's request meanwhile", 1, err)
	}
	for _, c := range conns {
		c.Close()
	}
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…(" + strconv.Itoa(len(s)) + " B)"
}
