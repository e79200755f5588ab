package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// Bounds of one fuzzed search, far above what any request takes (a
// search of the sample allocates under 2 MB and answers under 30 kB):
// over them, a request does work out of proportion to its input.
const (
	fuzzMaxAllocBytes = 256 << 20
	fuzzMaxBodyBytes  = 1 << 20
)

// FuzzSearch sends fuzzed queries, filters, pages and sizes through the
// real handler (every middleware, the searcher, the response cache) on
// the sample corpus. Whatever the input: no panic, a 200 or a 4xx, a
// JSON body (with "error" on a 4xx, hits no more than asked on a 200),
// and bounded work (bytes allocated, bytes answered).
func FuzzSearch(f *testing.F) {
	for _, s := range []struct {
		q, area, criteria, page, size, extra string
	}{
		{"codeuse", "", "", "", "", ""},
		{"medecin", "Namur", "", "1", "5", "salary_min=6000&study_max=10"},
		{"m", "", "secteur_sante", "2", "2", ""},
		{"l'INAMI", "Liège", "contact_humain", "", "50", "explain=true"},
		{"secretaire medicale ", "", "", "1000", "1", ""},
		{"tecnicien", "Flandre\x00Luxembourg", "", "-1", "0", ""},
		{"a~2 titre:foo *", "", "", "9223372036854775807", "abc", "salary_max=1"},
		{"", "", "", "", "", "q=a&q=b"},
		{"é\u200b’", strings.Repeat("x", 300), "", "", "", ""},
	} {
		f.Add(s.q, s.area, s.criteria, s.page, s.size, s.extra)
	}
	syn := index.DefaultSynonyms()
	e, err := engine.New(engine.Options{Synonyms: syn, Search: search.Options{Synonyms: syn, CacheSize: 100}})
	if err != nil {
		f.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	h := New(e, Options{}).Handler()
	f.Fuzz(func(t *testing.T, q, area, criteria, page, size, extra string) {
		v := url.Values{}
		for _, p := range []struct{ k, v string }{{"q", q}, {"area", area}, {"criteria", criteria}, {"page", page}, {"size", size}} {
			if p.v != "" {
				v.Add(p.k, p.v)
			}
		}
		raw := v.Encode()
		if extra != "" {
			raw += "&" + extra // as sent: duplicates, escapes, separators
		}
		req := httptest.NewRequest(http.MethodGet, "/api/search", nil)
		req.URL.RawQuery = raw
		rec := httptest.NewRecorder()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		h.ServeHTTP(rec, req)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > fuzzMaxAllocBytes {
			t.Errorf("?%.200s allocated %d bytes", raw, n)
		}
		code, body := rec.Code, rec.Body.Bytes()
		if code != http.StatusOK && (code < 400 || code > 499) {
			t.Fatalf("?%.200s: status %d: %.300s", raw, code, body)
		}
		if len(body) > fuzzMaxBodyBytes {
			t.Errorf("?%.200s: a body of %d bytes", raw, len(body))
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("?%.200s: %d with Content-Type %q", raw, code, rec.Header().Get("Content-Type"))
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("?%.200s: %d with a body that is not JSON: %.300s", raw, code, body)
		}
		if code != http.StatusOK {
			if msg, _ := m["error"].(string); msg == "" {
				t.Fatalf("?%.200s: %d without an error: %.300s", raw, code, body)
			}
			return
		}
		hits, ok := m["hits"].([]any)
		asked, _ := m["size"].(float64)
		if !ok || float64(len(hits)) > asked {
			t.Fatalf("?%.200s: %d hits for a page of %v", raw, len(hits), m["size"])
		}
	})
}
