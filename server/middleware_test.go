package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// TestParameterBounds sends every kind of over-long or over-repeated
// parameter: each is a 400 with a short JSON error saying what is over;
// the largest legitimate requests still pass.
func TestParameterBounds(t *testing.T) {
	ts, _ := newTestServer(t, "")
	many := func(name string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "&%s=v%d", name, i)
		}
		return b.String()
	}
	params := strings.Repeat("a=1&", 10_001)
	tests := []struct {
		path   string
		status int
		says   string
	}{
		{"/api/search?q=a&area=" + strings.Repeat("x", 201), 400, "area is 201 bytes long"},
		{"/api/search?q=a&criteria=" + strings.Repeat("x", 201), 400, "criteria is 201 bytes long"},
		{"/api/search?q=a" + many("area", 33), 400, "area is given 33 times"},
		{"/api/search?q=a" + many("criteria", 33), 400, "criteria is given 33 times"},
		{"/api/search?q=a&q=b", 400, "q is given 2 times"},
		{"/api/search?q=a&page=1&page=2", 400, "page is given 2 times"},
		{"/api/search?q=" + strings.Repeat("%C3%A9", 401), 400, "q is 802 bytes long"},
		{"/api/search?q=a&size=" + strings.Repeat("9", 201), 400, "size is 201 bytes long"},
		{"/api/search?q=a&" + strings.Repeat("x", 9000) + "=1", 400, "the query string is 9006 bytes"},
		{"/api/suggest?q=" + strings.Repeat("a", 9000), 400, "the query string is"},
		{"/api/metiers?" + params, 400, "the query string is"},
		{"/api/search?q=a;b", 400, "semicolon"},
		{"/api/search?q=a&" + strings.Repeat("z", 5000) + "=1", 400, "unknown filter or parameter"},
		{"/api/metiers/codeur-medical/similar?size=1&size=2", 400, "size is given 2 times"},
		// The largest legitimate requests.
		{"/api/search?q=m%C3%A9dical" + many("area", 32), 200, ""},
		{"/api/search?q=" + strings.Repeat("%C3%A9", 200), 200, ""},
	}
	for _, tt := range tests {
		name := tt.path
		if len(name) > 80 {
			name = name[:80]
		}
		t.Run(name, func(t *testing.T) {
			res, err := http.Get(ts.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Fatalf("got %d %s, want %d", res.StatusCode, clip(string(b), 300), tt.status)
			}
			if tt.status >= 400 {
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(b), tt.says) {
					t.Errorf("got %s %s, want JSON saying %q", res.Header.Get("Content-Type"), clip(string(b), 300), tt.says)
				}
				if len(b) > 300 {
					t.Errorf("error body of %d bytes", len(b))
				}
			}
		})
	}
}

// TestTenThousandParameters is the case url.URL.Query hid: over 10,000
// parameters parsed as none, « the query is empty ». The query string
// bound (8 KiB) is raised past it here by sending short parameters
// through a route that reads them (url.ParseQuery refuses them itself).
func TestTenThousandParameters(t *testing.T) {
	if err := checkQuery(strings.Repeat("a&", 10_001)); err == nil || !strings.Contains(err.Error(), "query string") {
		t.Errorf("got %v, want the query string refused", err)
	}
	// Under the byte bound, url.ParseQuery's own limit would not be
	// reached; the count of values is then bounded by query's rules.
	ts, _ := newTestServer(t, "")
	code, body := do(t, "GET", ts.URL+"/api/search?q=a&"+strings.Repeat("area=x&", 1000), "")
	if code != 400 || strings.Contains(fmt.Sprint(body), "empty") {
		t.Errorf("got %d %v", code, body)
	}
}

// TestUnknownMethods sends methods HTTP does not define, each unique and
// long: each is a 501 JSON error, and /metrics counts them all under
// one label.
func TestUnknownMethods(t *testing.T) {
	ts, _ := newTestServer(t, "")
	for i := range 50 {
		method := fmt.Sprintf("X%d%s", i, strings.Repeat("M", 10_000))
		for _, p := range []string{"/api/search?q=a", "/nope", "/"} {
			code, body := do(t, method, ts.URL+p, "")
			if code != http.StatusNotImplemented || body["error"] == nil {
				t.Fatalf("%s…: got %d %v, want 501 with a JSON error", p, code, body)
			}
		}
	}
	if code, body := do(t, "DELETE", ts.URL+"/api/search", ""); code != 405 || body["error"] == nil {
		t.Errorf("DELETE /api/search: got %d %v, want 405", code, body)
	}
	res, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if len(b) > 100_000 {
		t.Errorf("/metrics is %d bytes after 150 unique methods", len(b))
	}
	if !strings.Contains(string(b), `method="other",route="unmatched",status="501"} 150`) {
		t.Errorf("metrics do not count the 150 requests under method=\"other\":\n%s", grep(string(b), "metiers_http_requests_total"))
	}
	if strings.Contains(string(b), "MMMM") {
		t.Error("a raw method is in /metrics")
	}
}

// grep keeps the lines of s that contain sub.
func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogsClipClientValues sends huge methods, paths and user agents:
// no log line grows with them.
func TestLogsClipClientValues(t *testing.T) {
	var buf syncBuffer
	ts, _ := newTestServerWith(t, Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	huge := strings.Repeat("Z", 20_000)
	do(t, "M"+huge, ts.URL+"/api/search?q=a", "")
	do(t, "GET", ts.URL+"/"+huge, "")
	do(t, "GET", ts.URL+"/api/nope/"+huge, "")
	do(t, "GET", ts.URL+"/api/search?q=a", "", "User-Agent", huge, "X-Request-Id", "a b<script>")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) < 4 {
		t.Fatalf("got %d log lines, want 4 at least:\n%s", len(lines), buf.String())
	}
	for _, l := range lines {
		if len(l) > 1000 {
			t.Errorf("log line of %d bytes: %.200s…", len(l), l)
		}
	}
	if strings.Contains(buf.String(), "<script>") {
		t.Error("a client's X-Request-Id that is not a short token was logged")
	}
	if !strings.Contains(buf.String(), "bytes)") {
		t.Errorf("no clipped value says its length:\n%.2000s", buf.String())
	}
}

// TestSecurityHeaders checks the headers of pages, API answers, assets,
// errors and gin's own redirects.
func TestSecurityHeaders(t *testing.T) {
	ts, _ := newTestServer(t, "")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range []string{"/", "/quiz", "/static/app.js", "/widget.js", "/api/search?q=a", "/api/nope", "/api/search/?q=a", "/static/nope"} {
		res, err := client.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		if h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(csp, "frame-ancestors 'none'") ||
			!strings.Contains(csp, "script-src 'self'") || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s (%d): headers %v", p, res.StatusCode, h)
		}
	}
}

// TestBearerCaseInsensitive: the scheme of Authorization is
// case-insensitive; the token is not.
func TestBearerCaseInsensitive(t *testing.T) {
	ts, _ := newTestServer(t, "s3cret")
	for _, h := range []string{"Bearer s3cret", "bearer s3cret", "BEARER s3cret", "bEaReR  s3cret "} {
		if code, body := do(t, "GET", ts.URL+"/admin/reindex", "", "Authorization", h); code != 200 {
			t.Errorf("%q: got %d %v, want 200", h, code, body)
		}
	}
	for _, h := range []string{"Bearer S3CRET", "Bearers3cret", "Basic s3cret", "s3cret", "Bearer"} {
		if code, _ := do(t, "GET", ts.URL+"/admin/reindex", "", "Authorization", h); code != 401 {
			t.Errorf("%q: got %d, want 401", h, code)
		}
	}
}

// TestQuizBodyBounds sends quiz bodies of many unknown answers: the
// error is short, naming a few and counting the rest.
func TestQuizBodyBounds(t *testing.T) {
	ts, _ := newTestServerWith(t, Options{MaxBodyBytes: 4 << 20})
	answers := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"answers":{`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"unknown%05d":3`, i)
		}
		b.WriteString("}}")
		return b.String()
	}
	for _, tt := range []struct {
		path, body, says string
	}{
		{"/api/quiz/match", answers(60_000), "60000 answers, at most 200"},
		{"/api/metiers/codeur-medical/quiz", answers(60_000), "60000 answers, at most 200"},
		{"/api/quiz/next", answers(60_000), "60000 answers, at most 200"},
		{"/api/quiz/next", answers(150), "and 145 more"},
		{"/api/quiz/match", answers(150), "and 145 more"},
		{"/api/quiz/match", `{"answers":{"` + strings.Repeat("q", 70_000) + `":3}}`, "is over 64 bytes"},
	} {
		res, err := http.Post(ts.URL+tt.path, "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 400 || len(b) > 1200 || !strings.Contains(string(b), tt.says) {
			t.Errorf("%s with %d bytes: got %d, %d bytes: %.300s; want a short 400 saying %q", tt.path, len(tt.body), res.StatusCode, len(b), b, tt.says)
		}
	}
}

// TestExplainBounded: explain=true pages are short.
func TestExplainBounded(t *testing.T) {
	ts, _ := newTestServer(t, "")
	if code, body := do(t, "GET", ts.URL+"/api/search?q=m%C3%A9dical&explain=true&size=50", ""); code != 400 {
		t.Errorf("explain with 50 hits: got %d %v, want 400", code, body)
	}
	code, body := do(t, "GET", ts.URL+"/api/search?q=m%C3%A9dical&explain=true", "")
	if code != 200 || len(body["hits"].([]any)) > maxExplainHits {
		t.Errorf("explain: got %d with %d hits", code, len(body["hits"].([]any)))
	}
}

// TestStaticDirectoryIsNotFound: "/static/" used to redirect to itself.
func TestStaticDirectoryIsNotFound(t *testing.T) {
	ts, _ := newTestServer(t, "")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range []string{"/static/", "/static/.", "/static//", "/static/nope.js", "/static/" + url.PathEscape("../web.go")} {
		res, err := client.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(b), `"error"`) {
			t.Errorf("%s: got %d %s %q, want a JSON 404", p, res.StatusCode, res.Header.Get("Content-Type"), b)
		}
	}
}

// TestPageFiltersBounded: a page writes its filters again into each of
// its links, so it keeps at most maxFilterValues of each, within
// maxValueBytes, once each; 700 values made a page of 6.4 MB.
func TestPageFiltersBounded(t *testing.T) {
	ts, _ := newTestServer(t, "")
	var b strings.Builder
	for i := range 700 {
		fmt.Fprintf(&b, "&area=%d", i)
	}
	b.WriteString("&area=" + strings.Repeat("x", 300) + "&area=Namur&area=Namur")
	res, err := http.Get(ts.URL + "/?q=medecin" + b.String())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || len(page) > 200_000 {
		t.Errorf("got %d, a page of %d bytes", res.StatusCode, len(page))
	}
	got := pageFilter(append([]string{"", "a", "a", strings.Repeat("x", maxValueBytes+1)}, strings.Fields(strings.Repeat("v ", 40))...))
	if len(got) != 2 || got[0] != "a" || got[1] != "v" {
		t.Errorf("pageFilter kept %q", got)
	}
}
