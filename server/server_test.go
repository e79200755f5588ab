package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// newTestServer serves the sample corpus from memory.
func newTestServer(t *testing.T, token string) (*httptest.Server, *engine.Engine) {
	t.Helper()
	return newTestServerWith(t, Options{AdminToken: token, CORSOrigins: []string{"https://site.example"}, MaxBodyBytes: 4096})
}

// newTestServerWith serves the sample corpus with the given options.
func newTestServerWith(t *testing.T, opts Options) (*httptest.Server, *engine.Engine) {
	t.Helper()
	syn := index.DefaultSynonyms()
	e, err := engine.New(engine.Options{Synonyms: syn, Search: search.Options{Synonyms: syn, CacheSize: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(New(e, opts).Handler())
	t.Cleanup(func() { ts.Close(); e.Close() })
	return ts, e
}

func do(t *testing.T, method, url, body string, header ...string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", method, url, b)
		}
	}
	return res.StatusCode, out
}

func TestAPI(t *testing.T) {
	ts, _ := newTestServer(t, "")
	u := ts.URL
	tests := []struct {
		method, path, body string
		status             int
		check              func(map[string]any) bool
	}{
		{"GET", "/api/search?q=codeuse", "", 200, func(m map[string]any) bool {
			h := m["hits"].([]any)[0].(map[string]any)
			hl := fmt.Sprint(h["highlights"])
			return h["id"] == "codeur-medical" && m["facets"] != nil && strings.Contains(hl, "<mark>Codeur</mark>")
		}},
		{"GET", "/api/search?q=medecin&salary_min=6000&study_max=10&area=Namur&page=1&size=5", "", 200, func(m map[string]any) bool { return m["total"].(float64) == 1 }},
		{"GET", "/api/suggest?q=assis&size=3", "", 200, func(m map[string]any) bool {
			return m["suggestions"].([]any)[0].(map[string]any)["id"] == "assistant-administratif-medical"
		}},
		{"GET", "/api/metiers", "", 200, func(m map[string]any) bool {
			first := m["metiers"].([]any)[0].(map[string]any)
			_, hasSource := first["source_id"]
			return m["total"].(float64) == 5 && len(m["metiers"].([]any)) == 5 && hasSource
		}},
		{"GET", "/api/metiers?page=2&size=2", "", 200, func(m map[string]any) bool { return len(m["metiers"].([]any)) == 2 }},
		{"GET", "/api/metiers/medecin-conseil-mutuelle-assurance", "", 200, func(m map[string]any) bool {
			_, links := m["rome"].([]any) // no referential: no link, but the field
			return m["salary"].(map[string]any)["max"].(float64) == 9500 && len(m["faq"].([]any)) == 8 && links
		}},
		{"GET", "/api/metiers/codeur-medical/similar?size=2", "", 200, func(m map[string]any) bool {
			s := m["similar"].([]any)
			return len(s) == 2 && s[0].(map[string]any)["id"] == "technicien-de-l-information-medicale" && len(s[0].(map[string]any)["reasons"].([]any)) > 0
		}},
		{"GET", "/api/metiers/employe-de-mutuelle/criteria", "", 200, func(m map[string]any) bool { return len(m["tags"].([]any)) > 0 }},
		{"GET", "/api/quiz", "", 200, func(m map[string]any) bool {
			q := m["questions"].([]any)[0].(map[string]any)
			return len(m["questions"].([]any)) >= 10 && len(q["criteria"].(map[string]any)) > 0 && m["max_questions"].(float64) == 15
		}},
		{"POST", "/api/quiz/next", `{"answers":{}}`, 200, func(m map[string]any) bool {
			q, _ := m["question"].(map[string]any)
			return q != nil && q["id"] != "" && m["answered"].(float64) == 0 && m["settled"] == false
		}},
		{"POST", "/api/quiz/next", `{"answers":{"q_contact_humain":5,"q_travail_bureau":1}}`, 200, func(m map[string]any) bool {
			q, _ := m["question"].(map[string]any)
			return q != nil && q["id"] != "q_contact_humain" && m["answered"].(float64) == 2
		}},
		{"POST", "/api/quiz/match", `{"answers":{"q_contact_humain":5,"q_travail_bureau":1},"size":3}`, 200, func(m map[string]any) bool {
			ms := m["matches"].([]any)
			c := ms[0].(map[string]any)["compatibility"].(float64)
			return len(ms) == 3 && c > 50 && c <= 100 && m["answered"].(float64) == 2
		}},
		{"POST", "/api/quiz/match", `{"answers":{}}`, 200, func(m map[string]any) bool {
			return len(m["matches"].([]any)) == 0 && len(m["notes"].([]any)) == 1
		}},
		{"GET", "/api/metiers/technicien-de-l-information-medicale/quiz", "", 200, func(m map[string]any) bool {
			return len(m["questions"].([]any)) > 6 && m["source"] == "auto-evaluation"
		}},
		{"POST", "/api/metiers/technicien-de-l-information-medicale/quiz", `{"answers":{"a1":5,"a2":1}}`, 200, func(m map[string]any) bool { return m["compatibility"].(float64) == 50 }},
		{"POST", "/api/metiers/technicien-de-l-information-medicale/quiz", `{"answers":{}}`, 200, func(m map[string]any) bool { return m["compatibility"] == nil }},
		{"GET", "/api/criteria", "", 200, func(m map[string]any) bool { return len(m["criteria"].([]any)) > 24 }},
		{"GET", "/api/criteria/secteur_assurance/metiers", "", 200, func(m map[string]any) bool { return len(m["metiers"].([]any)) >= 2 }},
		{"GET", "/healthz", "", 200, nil},
		{"GET", "/readyz", "", 200, func(m map[string]any) bool { return m["guides"].(float64) == 5 }},

		// Bad input: 4xx with a JSON error, never 5xx.
		{"GET", "/api/search", "", 400, nil},
		{"GET", "/api/search?q=", "", 400, nil},
		{"GET", "/api/search?q=" + strings.Repeat("a", 201), "", 400, nil},
		{"GET", "/api/search?q=%FF%FE", "", 400, nil},
		{"GET", "/api/search?q=a&size=0", "", 400, nil},
		{"GET", "/api/search?q=a&size=51", "", 400, nil},
		{"GET", "/api/search?q=a&page=-1", "", 400, nil},
		{"GET", "/api/search?q=a&page=abc", "", 400, nil},
		{"GET", "/api/search?q=a&color=red", "", 400, nil},
		{"GET", "/api/search?q=a&study_max=NaN", "", 400, nil},
		{"GET", "/api/search?q=a&explain=maybe", "", 400, nil},
		{"GET", "/api/suggest?q=", "", 400, nil},
		{"GET", "/api/suggest?q=ab&size=100", "", 400, nil},
		{"GET", "/api/metiers/nope", "", 404, nil},
		{"GET", "/api/metiers/nope/similar", "", 404, nil},
		{"GET", "/api/metiers/codeur-medical/similar?size=x", "", 400, nil},
		{"GET", "/api/criteria/nope/metiers", "", 404, nil},
		{"POST", "/api/quiz/match", `{"answers":{"q_contact_humain":9}}`, 400, nil},
		{"POST", "/api/quiz/next", `{"answers":{"nope":4}}`, 400, nil},
		{"POST", "/api/quiz/next", `{"answers":`, 400, nil},
		{"POST", "/api/quiz/next?x=1", `{"answers":{}}`, 400, nil},
		{"POST", "/api/quiz/match", `{"answers":{"nope":3}}`, 400, nil},
		{"POST", "/api/quiz/match", `{"answers":`, 400, nil},
		{"POST", "/api/quiz/match", `{"answers":{},"extra":1}`, 400, nil},
		{"POST", "/api/quiz/match", `{"answers":{"q_contact_humain":"five"}}`, 400, nil},
		{"POST", "/api/quiz/match", "", 400, nil},
		{"POST", "/api/quiz/match", `{"text":"` + strings.Repeat("x", 5000) + `"}`, 413, nil},
		{"POST", "/api/metiers/codeur-medical/quiz", `{"answers":{"zz":3}}`, 400, nil},
		{"POST", "/api/metiers/nope/quiz", `{"answers":{}}`, 404, nil},
		{"GET", "/api/metiers?size=0", "", 400, nil},
		{"GET", "/api/metiers?page=0", "", 400, nil},
		{"GET", "/api/metiers?page=9223372036854775807&size=1000", "", 400, nil}, // (page-1)·size overflowed: 500
		{"GET", "/api/metiers?page=1000&size=1000", "", 200, func(m map[string]any) bool { return len(m["metiers"].([]any)) == 0 && m["total"].(float64) == 5 }},
		{"GET", "/api/metiers/codeur-medical/criteria?x=1", "", 400, nil},
		{"GET", "/api/metiers/codeur-medical/quiz?x=1", "", 400, nil},
		{"POST", "/api/metiers/codeur-medical/quiz?x=1", `{"answers":{}}`, 400, nil},
		{"GET", "/api/quiz?x=1", "", 400, nil},
		{"POST", "/api/quiz/match?x=1", `{"answers":{}}`, 400, nil},
		{"GET", "/api/criteria?x=1", "", 400, nil},
		{"GET", "/api/nope", "", 404, nil},
		{"DELETE", "/api/search", "", 405, nil},
		{"POST", "/admin/reindex", "", 404, nil}, // no token configured: the admin routes do not exist
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			code, body := do(t, tt.method, u+tt.path, tt.body)
			if code != tt.status {
				t.Fatalf("got %d %v, want %d", code, body, tt.status)
			}
			if code >= 400 {
				if msg, _ := body["error"].(string); msg == "" {
					t.Errorf("error body %v has no \"error\"", body)
				}
			}
			if tt.check != nil && !tt.check(body) {
				t.Errorf("unexpected body: %v", body)
			}
		})
	}
}

// TestWeirdQueriesNever5xx throws odd input at every GET route.
func TestWeirdQueriesNever5xx(t *testing.T) {
	ts, _ := newTestServer(t, "")
	weird := []string{"%00", "%22%27%3C%3E", "a%20b%20c%20d%20e%20f%20g%20h%20i%20j%20k%20l%20m%20n", "*", "~", "a~2",
		"%2B%2D%21", "()", "%5B%5D", "titre:foo", "-", "'", "’", "%C3%A9%C3%A9%C3%A9", "l'", "d%E2%80%99", "12345", ".", "%E2%80%8B"}
	for _, q := range weird {
		for _, path := range []string{"/api/search?q=", "/api/suggest?q=", "/api/metiers/", "/api/criteria/"} {
			code, body := do(t, "GET", ts.URL+path+q, "")
			if code >= 500 {
				t.Errorf("%s%s: got %d %v", path, q, code, body)
			}
		}
	}
}

func TestCORS(t *testing.T) {
	ts, _ := newTestServer(t, "")
	req, _ := http.NewRequest("OPTIONS", ts.URL+"/api/metiers/codeur-medical/similar", nil)
	req.Header.Set("Origin", "https://site.example")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "https://site.example" {
		t.Errorf("preflight: %d %v", res.StatusCode, res.Header)
	}
	req, _ = http.NewRequest("GET", ts.URL+"/api/metiers", nil)
	req.Header.Set("Origin", "https://evil.example")
	res, _ = http.DefaultClient.Do(req)
	res.Body.Close()
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("an unlisted origin was allowed")
	}
}

func TestAdminAndReindexUnderLoad(t *testing.T) {
	ts, _ := newTestServer(t, "s3cret")
	u := ts.URL
	if code, _ := do(t, "POST", u+"/admin/reindex", ""); code != 401 {
		t.Errorf("no token: got %d, want 401", code)
	}
	if code, _ := do(t, "POST", u+"/admin/reindex", "", "Authorization", "Bearer wrong"); code != 401 {
		t.Errorf("wrong token: got %d, want 401", code)
	}
	auth := []string{"Authorization", "Bearer s3cret"}

	// Readers hammer the search while reindexes run: no error, and the
	// probe's total never drops.
	_, first := do(t, "GET", u+"/api/search?q=m%C3%A9dical", "")
	want := first["total"].(float64)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := http.Get(u + "/api/search?q=m%C3%A9dical")
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					continue
				}
				var m map[string]any
				json.NewDecoder(res.Body).Decode(&m)
				res.Body.Close()
				if res.StatusCode != 200 || m["total"].(float64) < want {
					mu.Lock()
					failures = append(failures, res.Status)
					mu.Unlock()
				}
			}
		}()
	}
	conflicts := 0
	for i := 0; i < 10; i++ {
		code, job := do(t, "POST", u+"/admin/reindex", "", auth...)
		if code != 202 {
			t.Fatalf("reindex %d: got %d %v", i, code, job)
		}
		// A second request while it runs is refused with the running job.
		if code, body := do(t, "POST", u+"/admin/reindex", "", auth...); code == 409 {
			conflicts++
			if body["job"] == nil {
				t.Errorf("409 without the running job: %v", body)
			}
		}
		for deadline := time.Now().Add(30 * time.Second); ; {
			_, st := do(t, "GET", u+"/admin/reindex", "", auth...)
			if st["state"] == "succeeded" && st["id"].(float64) >= float64(i+1) {
				break
			}
			if st["state"] == "failed" || time.Now().After(deadline) {
				t.Fatalf("reindex %d: %v", i, st)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	close(stop)
	wg.Wait()
	if len(failures) > 0 {
		t.Errorf("%d failed reads during reindexes, first: %s", len(failures), failures[0])
	}
	// Each job by its id, after the others ran (reindex --remote polls
	// for its own).
	for id := 1; id <= 10; id++ {
		code, st := do(t, "GET", fmt.Sprintf("%s/admin/reindex?id=%d", u, id), "", auth...)
		if code != 200 || st["id"] != float64(id) || st["state"] != "succeeded" {
			t.Errorf("job %d: %d %v", id, code, st)
		}
	}
	for _, q := range []string{"?id=99", "?id=x", "?id=0", "?job=1"} {
		if code, _ := do(t, "GET", u+"/admin/reindex"+q, "", auth...); code != 404 && code != 400 {
			t.Errorf("GET /admin/reindex%s: %d, want 4xx", q, code)
		}
	}
	if conflicts == 0 {
		t.Log("no 409 seen: every reindex finished before the second request")
	}
	res, err := http.Get(u + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, m := range []string{`metiers_reindex_total{result="succeeded"} 10`, "metiers_index_documents 5", `metiers_http_requests_total{method="GET",route="/api/search",status="200"}`} {
		if !strings.Contains(string(b), m) {
			t.Errorf("metrics lack %q", m)
		}
	}
}

func TestWebPages(t *testing.T) {
	ts, _ := newTestServer(t, "")
	for _, p := range []string{"/", "/quiz", "/metiers/codeur-medical", "/widget.js", "/static/app.js", "/static/style.css"} {
		res, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s: got %d", p, res.StatusCode)
		}
	}
}

// TestCacheMetrics checks that the response cache answers a repeated
// search and that /metrics counts it.
func TestCacheMetrics(t *testing.T) {
	ts, _ := newTestServer(t, "")
	for i := 0; i < 3; i++ {
		if code, _ := do(t, http.MethodGet, ts.URL+"/api/search?q=codeur", ""); code != http.StatusOK {
			t.Fatalf("search: HTTP %d", code)
		}
	}
	if code, _ := do(t, http.MethodGet, ts.URL+"/api/suggest?q=cod", ""); code != http.StatusOK {
		t.Fatalf("suggest: HTTP %d", code)
	}
	res, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, m := range []string{
		`metiers_cache_lookups_total{kind="search",result="hit"} 2`,
		`metiers_cache_lookups_total{kind="search",result="miss"} 1`,
		`metiers_cache_lookups_total{kind="suggest",result="miss"} 1`,
	} {
		if !strings.Contains(string(b), m) {
			t.Errorf("metrics lack %q", m)
		}
	}
}

// TestTimeoutIs503 runs a search over a request timeout that has passed
// before it starts: the reader gets 503 and a message saying to try
// again, not a 500 « internal error ».
func TestTimeoutIs503(t *testing.T) {
	ts, _ := newTestServerWith(t, Options{RequestTimeout: time.Nanosecond})
	code, body := do(t, "GET", ts.URL+"/api/search?q=m%C3%A9decin", "")
	if code != http.StatusServiceUnavailable {
		t.Fatalf("got %d %v, want 503", code, body)
	}
	if msg, _ := body["error"].(string); !strings.Contains(msg, "try again") {
		t.Errorf("error %q does not say to try again", msg)
	}
}
