package server

import (
	"encoding/json"
	"encoding/xml"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
)

// TestAddressesIgnoreHost sends every page that writes the site's own
// address with a Host header a client made up: without a public address
// configured, none of them repeats it (a shared cache would hand the
// made-up address to every reader and crawler); the pages link
// relatively, the sitemap and robots.txt name the server's own address.
func TestAddressesIgnoreHost(t *testing.T) {
	ts, _ := newTestServer(t, "")
	const evil = "evil.example"
	for _, p := range []string{"/", "/?q=medecin", "/metiers/codeur-medical", "/criteres/secteur_sante", "/quiz", "/sitemap.xml", "/robots.txt", "/api/widget/codeur-medical", "/metiers/nope"} {
		res, body := fetchPage(t, ts.URL+p, "Host", evil, "X-Forwarded-Host", evil, "X-Forwarded-Proto", "https")
		if strings.Contains(body, evil) {
			i := strings.Index(body, evil)
			t.Errorf("%s (HTTP %d) repeats the request's Host: …%s…", p, res.StatusCode, body[max(0, i-80):min(len(body), i+40)])
		}
	}
	_, body := fetchPage(t, ts.URL+"/metiers/codeur-medical", "Host", evil)
	d := parse(t, body)
	if d.canonical != "/metiers/codeur-medical" {
		t.Errorf("canonical %q, want the relative /metiers/codeur-medical", d.canonical)
	}
	if strings.Contains(body, `property="og:url"`) {
		t.Errorf("an og:url without a public address to write it from")
	}
	if len(d.jsonLD) != 1 || d.jsonLD[0]["url"] != "/metiers/codeur-medical" {
		t.Errorf("JSON-LD url %v", d.jsonLD)
	}
	_, body = fetchPage(t, ts.URL+"/sitemap.xml", "Host", evil)
	if !strings.Contains(body, "<loc>http://127.0.0.1/metiers/codeur-medical</loc>") {
		t.Errorf("the sitemap does not name the server's own address: %.300s", body)
	}
}

// TestPublicURLAddresses: with a public address, the pages' addresses
// are absolute from it, whatever the request's Host.
func TestPublicURLAddresses(t *testing.T) {
	const public = "https://metiers.example.be"
	ts, _ := newTestServerWith(t, Options{PublicURL: public})
	_, body := fetchPage(t, ts.URL+"/metiers/codeur-medical", "Host", "evil.example")
	d := parse(t, body)
	if d.canonical != public+"/metiers/codeur-medical" || !strings.Contains(body, `<meta property="og:url" content="`+public+`/metiers/codeur-medical">`) {
		t.Errorf("canonical %q; og:url missing or wrong", d.canonical)
	}
	if len(d.jsonLD) != 1 || d.jsonLD[0]["url"] != public+"/metiers/codeur-medical" {
		t.Errorf("JSON-LD url %v", d.jsonLD)
	}
	_, body = fetchPage(t, ts.URL+"/", "Host", "evil.example")
	home := parse(t, body)
	if len(home.jsonLD) != 1 || !strings.Contains(jsonString(home.jsonLD[0]), `"target":"`+public+`/?q={search_term_string}"`) {
		t.Errorf("home JSON-LD %v", home.jsonLD)
	}
	_, body = fetchPage(t, ts.URL+"/api/widget/codeur-medical")
	var w struct {
		URL     string `json:"url"`
		Similar []struct {
			URL string `json:"url"`
		} `json:"similar"`
	}
	if err := json.Unmarshal([]byte(body), &w); err != nil || w.URL != public+"/metiers/codeur-medical" || len(w.Similar) == 0 || !strings.HasPrefix(w.Similar[0].URL, public+"/metiers/") {
		t.Errorf("widget addresses: %v %+v", err, w)
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return strings.ReplaceAll(string(b), `\u0026`, "&")
}

// TestSitemapDatesEachGuide: a guide's lastmod is its file's
// modification time, not the time the index was built.
func TestSitemapDatesEachGuide(t *testing.T) {
	dir := t.TempDir()
	files, _ := fs.Glob(corpus.Sample(), "*.txt")
	for _, f := range files {
		data, _ := fs.ReadFile(corpus.Sample(), f)
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Date(2024, 6, 25, 9, 30, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(dir, "codeur-medical.txt"), old, old); err != nil {
		t.Fatal(err)
	}
	ts, _ := serveDir(t, dir)
	res, body := fetchPage(t, ts.URL+"/sitemap.xml")
	var sm struct {
		URLs []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(body), &sm); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("sitemap: %d %v", res.StatusCode, err)
	}
	dates := map[string]string{}
	for _, u := range sm.URLs {
		dates[strings.TrimPrefix(u.Loc, "http://127.0.0.1")] = u.LastMod
	}
	if got := dates["/metiers/codeur-medical"]; got != "2024-06-25T09:30:00Z" {
		t.Errorf("codeur-medical lastmod %q, want its file's 2024-06-25T09:30:00Z", got)
	}
	if got := dates["/metiers/employe-de-mutuelle"]; got == "" || got == "2024-06-25T09:30:00Z" {
		t.Errorf("employe-de-mutuelle lastmod %q", got)
	}
	if got := dates["/criteres/secteur_sante"]; got == "" || got < dates["/metiers/employe-de-mutuelle"] && got < dates["/metiers/codeur-medical"] {
		t.Errorf("a criterion page's lastmod %q predates its guides'", got)
	}
}
