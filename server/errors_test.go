package server

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// raw sends req on a new connection to the server at base and returns
// the response, read whole; half-closes the connection after sending
// when closeWrite is set.
func raw(t *testing.T, base, req string, closeWrite bool) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second)) // a hang fails, never a slow machine
	go func() {
		io.WriteString(conn, req)
		if closeWrite {
			conn.(*net.TCPConn).CloseWrite()
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%.60q: %v", req, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(b)
}

// checkJSONError fails unless the response is code with a JSON error.
func checkJSONError(t *testing.T, what string, res *http.Response, body string, code int) string {
	t.Helper()
	var m map[string]any
	if res.StatusCode != code || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(body), &m) != nil || m["error"] == nil {
		t.Errorf("%s: got %d %s %q, want %d with a JSON error", what, res.StatusCode, res.Header.Get("Content-Type"), clip(body, 200), code)
		return ""
	}
	return m["error"].(string)
}

// TestNetHTTPErrorsAreJSON sends requests net/http refuses before any
// handler runs: its answers are JSON too.
func TestNetHTTPErrorsAreJSON(t *testing.T) {
	base := runServer(t, Options{})
	tests := []struct {
		name, req string
		code      int
		says      string
	}{
		{"huge header", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 100_000) + "\r\n\r\n", 431, "headers too large"},
		{"huge request line", "GET /api/search?q=" + strings.Repeat("a", 100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 431, "headers too large"},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400, "missing required host header"},
		{"bad header", "GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400, "invalid header name"},
		{"bad request line", "GET\r\n\r\n", 400, "bad request"},
		{"bad transfer coding", "POST /api/quiz/match HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "unsupported transfer encoding"},
		{"bad version", "GET / HTTP/9.0\r\nHost: x\r\n\r\n", 505, "unsupported protocol version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := raw(t, base, tt.req, false)
			if msg := checkJSONError(t, tt.name, res, body, tt.code); msg != "" && !strings.Contains(msg, tt.says) {
				t.Errorf("error %q does not say %q", msg, tt.says)
			}
		})
	}
}

// TestBodyOverLimitRefusedAtOnce announces a body over the limit and
// sends none of it: the server answers 413 without waiting for it.
func TestBodyOverLimitRefusedAtOnce(t *testing.T) {
	base := runServer(t, Options{MaxBodyBytes: 4096, AdminToken: "s3cret"})
	for _, p := range []string{"/api/quiz/match", "/api/metiers/codeur-medical/quiz", "/admin/reindex", "/api/search?q=a"} {
		method := "POST"
		if strings.Contains(p, "search") {
			method = "GET"
		}
		req := method + " " + p + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{"
		res, body := raw(t, base, req, false)
		if msg := checkJSONError(t, p, res, body, 413); msg != "" && !strings.Contains(msg, "at most 4096") {
			t.Errorf("%s: error %q does not give the limit", p, msg)
		}
	}
}

// TestTruncatedBody sends less than the Content-Length it announces and
// half-closes: a 400 that says so, with nothing of the socket's own
// error, on every route that reads a body.
func TestTruncatedBody(t *testing.T) {
	base := runServer(t, Options{AdminToken: "s3cret"})
	body := `{"answers":{"q1":5}}`
	for _, p := range []string{"POST /api/quiz/match", "POST /api/quiz/next", "POST /api/metiers/codeur-medical/quiz", "PUT /admin/metiers/codeur-medical"} {
		req := p + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Type: application/json\r\nContent-Length: " +
			strconv.Itoa(len(body)+50) + "\r\n\r\n" + body
		res, out := raw(t, base, req, true)
		msg := checkJSONError(t, p, res, out, 400)
		if !strings.Contains(msg, "ended before") {
			t.Errorf("%s: error %q does not say the body ended early", p, msg)
		}
		for _, leak := range []string{"tcp", "127.0.0.1", "read ", "EOF"} {
			if strings.Contains(msg, leak) {
				t.Errorf("%s: error %q shows %q", p, msg, leak)
			}
		}
	}
}
