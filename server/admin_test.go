package server

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// newCorpusServer serves a copy of the sample corpus from a directory.
func newCorpusServer(t *testing.T, opts Options) (*httptest.Server, string) {
	t.Helper()
	dir := t.TempDir()
	files, _ := fs.Glob(corpus.Sample(), "*.txt")
	for _, f := range files {
		data, _ := fs.ReadFile(corpus.Sample(), f)
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	syn := index.DefaultSynonyms()
	e, err := engine.New(engine.Options{CorpusDir: dir, Synonyms: syn, Search: search.Options{Synonyms: syn, CacheSize: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(New(e, opts).Handler())
	t.Cleanup(func() { ts.Close(); e.Close() })
	return ts, dir
}

const plombier = `{"title": "Plombier", "title_feminine": "Plombière", "tagline": "Installe et répare les canalisations et les sanitaires",
 "missions": ["Poser des canalisations", "Réparer une fuite"], "salary": {"min": 2000, "max": 3000}}`

func TestPutDeleteMetier(t *testing.T) {
	ts, dir := newCorpusServer(t, Options{AdminToken: "secret", MaxBodyBytes: 8192})
	auth := []string{"Authorization", "Bearer secret"}
	u := ts.URL + "/admin/metiers/plombier"

	if code, _ := do(t, "PUT", u, plombier); code != 401 {
		t.Errorf("PUT without the token: HTTP %d, want 401", code)
	}
	code, m := do(t, "PUT", u, plombier, auth...)
	if code != 201 || m["generation"] == "" || m["file"] != "plombier.json" {
		t.Fatalf("PUT a new guide: HTTP %d %v, want 201 with the generation", code, m)
	}
	if _, err := os.Stat(filepath.Join(dir, "plombier.json")); err != nil {
		t.Errorf("the guide's file: %v", err)
	}
	_, res := do(t, "GET", ts.URL+"/api/search?q=plombier", "")
	if hits := res["hits"].([]any); len(hits) == 0 || hits[0].(map[string]any)["id"] != "plombier" {
		t.Errorf("search plombier after PUT: %v", res["hits"])
	}
	_, ready := do(t, "GET", ts.URL+"/readyz", "")
	if ready["generation"] != m["generation"] || ready["guides"].(float64) != 6 {
		t.Errorf("readyz %v, want generation %v and 6 guides", ready, m["generation"])
	}
	// Replacing it: 200, the new text served.
	code, _ = do(t, "PUT", u, strings.Replace(plombier, "Installe", "Conçoit", 1), auth...)
	if code != 200 {
		t.Errorf("PUT over a guide: HTTP %d, want 200", code)
	}
	if _, g := do(t, "GET", ts.URL+"/api/metiers/plombier", ""); !strings.HasPrefix(g["tagline"].(string), "Conçoit") {
		t.Errorf("after the second PUT: %v", g["tagline"])
	}

	for _, bad := range []struct{ body, field string }{
		{`{"title": "Plombier", "salaire": 3}`, "salaire"},
		{`{"title": "Plombier", "salary": {"min": "beaucoup"}}`, "salary.min"},
		{`{"tagline": "sans titre"}`, "title"},
		{`{"id": "zingueur", "title": "Zingueur"}`, "id"},
		{`{"title": "Plombier",`, "unexpected EOF"},
		{`{"title": "Plombier", "criteria": {"contact_humain": 3}}`, "criteria"},
	} {
		code, m := do(t, "PUT", u, bad.body, auth...)
		if code != 400 || !strings.Contains(m["error"].(string), bad.field) {
			t.Errorf("PUT %s: HTTP %d %v, want 400 naming %s", bad.body, code, m, bad.field)
		}
	}
	if code, _ := do(t, "PUT", ts.URL+"/admin/metiers/Pas%20un%20slug", plombier, auth...); code != 400 {
		t.Errorf("PUT with a bad id in the path: HTTP %d, want 400", code)
	}
	big := `{"title": "Plombier", "introduction": "` + strings.Repeat("x", 9000) + `"}`
	if code, _ := do(t, "PUT", u, big, auth...); code != http.StatusRequestEntityTooLarge {
		t.Errorf("PUT over the body limit: HTTP %d, want 413", code)
	}

	// A text page's guide moves to ID.json.
	_, list := do(t, "GET", ts.URL+"/api/metiers", "")
	page := list["metiers"].([]any)[0].(map[string]any)["id"].(string)
	_, before := do(t, "GET", ts.URL+"/api/metiers/"+page, "")
	if code, m := do(t, "PUT", ts.URL+"/admin/metiers/"+page, `{"title": "`+before["title"].(string)+`", "tagline": "Revu"}`, auth...); code != 200 {
		t.Fatalf("PUT over a text page's guide: HTTP %d %v", code, m)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 6 {
		t.Errorf("after replacing a page's guide the corpus holds %v, want 6 files (the page replaced by its JSON)", files)
	}

	code, m = do(t, "DELETE", u, "", auth...)
	if code != 200 || m["deleted"] != true {
		t.Fatalf("DELETE: HTTP %d %v", code, m)
	}
	if code, _ := do(t, "GET", ts.URL+"/api/metiers/plombier", ""); code != 404 {
		t.Errorf("the deleted guide: HTTP %d, want 404", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "plombier.json")); !os.IsNotExist(err) {
		t.Errorf("the deleted guide's file: %v", err)
	}
	if code, _ := do(t, "DELETE", u, "", auth...); code != 404 {
		t.Errorf("DELETE an unknown guide: HTTP %d, want 404", code)
	}

	// The embedded sample cannot be written.
	sample, _ := newTestServer(t, "secret")
	if code, m := do(t, "PUT", sample.URL+"/admin/metiers/plombier", plombier, auth...); code != 409 {
		t.Errorf("PUT on the embedded sample: HTTP %d %v, want 409", code, m)
	}
}
