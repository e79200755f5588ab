package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// fetchPage fetches a page as a browser without JavaScript would, with extra
// request headers, and returns the response and its (decoded) body.
func fetchPage(t *testing.T, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" { // net/http sends req.Host, not a Host header
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	// No transparent decompression: the tests look at the encoding.
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	return res, string(b)
}

// doc is a parsed page: its head's tags and its text.
type doc struct {
	title, description, canonical, robots string
	ogTitle                               string
	jsonLD                                []map[string]any
	text                                  string
	links                                 []string
	h                                     []int // heading levels in order
}

func parse(t *testing.T, body string) doc {
	t.Helper()
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	var text strings.Builder
	var walk func(n *html.Node, inHead bool)
	attr := func(n *html.Node, k string) string {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val
			}
		}
		return ""
	}
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "title":
				if n.FirstChild != nil {
					d.title = n.FirstChild.Data
				}
			case "meta":
				switch {
				case attr(n, "name") == "description":
					d.description = attr(n, "content")
				case attr(n, "name") == "robots":
					d.robots = attr(n, "content")
				case attr(n, "property") == "og:title":
					d.ogTitle = attr(n, "content")
				}
			case "link":
				if attr(n, "rel") == "canonical" {
					d.canonical = attr(n, "href")
				}
			case "script":
				if attr(n, "type") == "application/ld+json" && n.FirstChild != nil {
					var v map[string]any
					if err := json.Unmarshal([]byte(n.FirstChild.Data), &v); err != nil {
						t.Errorf("JSON-LD does not parse: %v: %s", err, n.FirstChild.Data)
					}
					d.jsonLD = append(d.jsonLD, v)
				}
				return
			case "a":
				d.links = append(d.links, attr(n, "href"))
			case "h1", "h2", "h3", "h4", "h5", "h6":
				d.h = append(d.h, int(n.Data[1]-'0'))
			}
		}
		if n.Type == html.TextNode && !inHead {
			text.WriteString(n.Data)
			text.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHead || n.Type == html.ElementNode && n.Data == "head")
		}
	}
	walk(root, false)
	d.text = normSpaces(text.String())
	return d
}

// contains reports whether the page's text holds s (spaces normalised).
func (d doc) contains(s string) bool {
	return strings.Contains(d.text, normSpaces(s))
}

// spaceBeforeStop is a space before a full stop or a comma, which pages
// leave out where a source writes one (frenchSpacing).
var spaceBeforeStop = regexp.MustCompile(` ([.,])`)

// normSpaces collapses white space (no-break spaces included) and drops
// it before a full stop or a comma.
func normSpaces(s string) string {
	return spaceBeforeStop.ReplaceAllString(strings.Join(strings.Fields(s), " "), "$1")
}

// headingsInOrder reports a skipped heading level (h2 → h4), if any.
func (d doc) skippedLevel() (int, int, bool) {
	prev := 0
	for _, h := range d.h {
		if prev > 0 && h > prev+1 || prev == 0 && h != 1 {
			return prev, h, true
		}
		prev = h
	}
	return 0, 0, false
}

// checkGuidePage checks what a guide page must hold for a reader without
// JavaScript and for a crawler.
func checkGuidePage(t *testing.T, base string, m *corpus.Metier, res *http.Response, body string, titles map[string]string) {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		t.Errorf("%s: HTTP %d", m.ID, res.StatusCode)
		return
	}
	d := parse(t, body)
	if !strings.Contains(strings.ToLower(d.title), strings.ToLower(m.Title)) {
		t.Errorf("%s: <title> %q lacks the title %q", m.ID, d.title, m.Title)
	}
	if other, dup := titles[d.title]; dup {
		t.Errorf("%s and %s share the <title> %q", m.ID, other, d.title)
	}
	titles[d.title] = m.ID
	if d.description == "" {
		t.Errorf("%s: no meta description", m.ID)
	}
	if want := base + "/metiers/" + url.PathEscape(m.ID); d.canonical != want {
		t.Errorf("%s: canonical %q, want %q", m.ID, d.canonical, want)
	}
	if d.ogTitle == "" {
		t.Errorf("%s: no og:title", m.ID)
	}
	if len(d.jsonLD) != 1 || d.jsonLD[0]["@type"] != "Occupation" || d.jsonLD[0]["name"] == "" {
		t.Errorf("%s: JSON-LD %v", m.ID, d.jsonLD)
	} else if m.Salary.Max > 0 && d.jsonLD[0]["estimatedSalary"] == nil {
		t.Errorf("%s: JSON-LD without the salary %d", m.ID, m.Salary.Max)
	}
	if !d.contains(display(m.Title)) || !d.contains(m.Tagline) {
		t.Errorf("%s: the page lacks its title or tagline", m.ID)
	}
	for _, sec := range []struct {
		heading string
		text    string
	}{
		{"Missions quotidiennes", first1(m.Missions)}, {"Études", m.Studies}, {"Conditions de travail", m.Conditions},
		{"Le métier", m.Introduction}, {"Se former", first1(m.TrainingSteps)}, {"Conseils", first1(m.Tips)},
		{"Lieux de travail", first1(m.Workplaces)}, {"Questions fréquentes", faq1(m.FAQ)},
	} {
		if strings.TrimSpace(sec.text) == "" {
			continue
		}
		if p := paragraphs(sec.text)[0]; !d.contains(sec.heading) || !d.contains(p) && !d.contains(display(p)) {
			t.Errorf("%s: section « %s » missing or without its text", m.ID, sec.heading)
		}
	}
	if prev, h, bad := d.skippedLevel(); bad {
		t.Errorf("%s: heading h%d after h%d", m.ID, h, prev)
	}
}

func first1(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func faq1(qs []corpus.QA) string {
	if len(qs) == 0 {
		return ""
	}
	return qs[0].Question
}

func TestPagesWithoutJavaScript(t *testing.T) {
	ts, e := newTestServer(t, "")
	g, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Release()
	titles := map[string]string{}
	for _, m := range g.Corpus.Metiers {
		res, body := fetchPage(t, ts.URL+"/metiers/"+m.ID)
		checkGuidePage(t, "", m, res, body, titles)
	}

	// The codeur's page: criteria, similar guides with their reasons on
	// one line each, its own quiz as a form, no source credit (the
	// sample is the site's own).
	_, body := fetchPage(t, ts.URL+"/metiers/codeur-medical")
	d := parse(t, body)
	for _, want := range []string{"Santé", "Métiers similaires", "Technicien de l'information médicale", "Critères communs", "Êtes-vous fait pour ce métier", "Voir ma compatibilité"} {
		if !d.contains(want) {
			t.Errorf("codeur page lacks %q", want)
		}
	}
	if strings.Contains(body, "Source&nbsp;:") || strings.Contains(body, "class=\"credit\"") {
		t.Errorf("a sample guide carries a source credit")
	}
	if !regexp.MustCompile(`<form[^>]+id="compat-form"[^>]+method="get"[^>]+action="/metiers/codeur-medical/compatibilite`).MatchString(body) {
		t.Errorf("the guide's quiz is not a plain GET form")
	}

	// The guide's quiz without JavaScript: answers in, compatibility out.
	res, body := fetchPage(t, ts.URL+"/metiers/technicien-de-l-information-medicale/compatibilite?a1=5&a2=1")
	if d := parse(t, body); res.StatusCode != 200 || !d.contains("50 % de compatibilité") || d.robots != "noindex" {
		t.Errorf("compatibility page: %d, robots %q, text %.300q", res.StatusCode, d.robots, d.text)
	}

	// Search without JavaScript: results, facets and pages as links.
	res, body = fetchPage(t, ts.URL+"/?q=codeuse")
	d = parse(t, body)
	if res.StatusCode != 200 || !slicesContains(d.links, "/metiers/codeur-medical") || !strings.Contains(body, "<mark>") {
		t.Errorf("/?q=codeuse: %d, links %v", res.StatusCode, d.links)
	}
	if d.robots != "noindex, follow" {
		t.Errorf("a search page is indexable: robots %q", d.robots)
	}
	res, body = fetchPage(t, ts.URL+"/?q=medecin&area=Namur&salary_min=6000")
	d = parse(t, body)
	if res.StatusCode != 200 || !d.contains("1 métier pour") || !d.contains("au moins 6 000 €") || !d.contains("Filtres actifs") {
		t.Errorf("filtered search: %d %.400q", res.StatusCode, d.text)
	}
	if !strings.Contains(body, `href="/?q=medecin&amp;salary_min=6000"`) {
		t.Errorf("the active area filter has no link that removes it")
	}
	res, body = fetchPage(t, ts.URL+"/?q="+strings.Repeat("a", 300))
	if res.StatusCode != 400 || !parse(t, body).contains("Cette recherche n’a pas pu aboutir") {
		t.Errorf("an over-long query: %d", res.StatusCode)
	}

	// The home page links to the criteria and to guides.
	_, body = fetchPage(t, ts.URL+"/")
	d = parse(t, body)
	var crit, guides int
	for _, l := range d.links {
		crit += b2i(strings.HasPrefix(l, "/criteres/"))
		guides += b2i(strings.HasPrefix(l, "/metiers/"))
	}
	if crit < 10 || guides != 5 || len(d.jsonLD) != 1 || d.canonical != "/" {
		t.Errorf("home: %d criterion links, %d guide links, JSON-LD %v, canonical %q", crit, guides, d.jsonLD, d.canonical)
	}

	// A criterion page says how many guides carry it.
	res, body = fetchPage(t, ts.URL+"/criteres/secteur_sante")
	if d := parse(t, body); res.StatusCode != 200 || !regexp.MustCompile(`\d+ métiers? portent? ce critère`).MatchString(d.text) {
		t.Errorf("criterion page: %d %.300q", res.StatusCode, d.text)
	}

	// Unknown pages: a page for a reader, JSON under /api.
	for _, p := range []string{"/metiers/nope", "/nope", "/criteres/nope", "/metiers/codeur-medical/nope"} {
		res, body := fetchPage(t, ts.URL+p)
		if res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !parse(t, body).contains("Page introuvable") {
			t.Errorf("%s: %d %s", p, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	if res, _ := fetchPage(t, ts.URL+"/api/nope"); res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("/api/nope: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestQuizWithoutJavaScript answers the general quiz through its forms:
// each step's address carries the answers so far, a passed question is
// not asked again, and the last step leads to ranked matches.
func TestQuizWithoutJavaScript(t *testing.T) {
	ts, _ := newTestServer(t, "")
	next := "/quiz"
	field := regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	radio := regexp.MustCompile(`<input type="radio" name="(q_[a-z0-9_-]+)" value="5">`)
	asked := map[string]bool{}
	for step := 0; ; step++ {
		res, body := fetchPage(t, ts.URL+next)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", next, res.StatusCode)
		}
		m := radio.FindStringSubmatch(body)
		if m == nil {
			break // no question left: the last precisions
		}
		if asked[m[1]] {
			t.Fatalf("question %s asked twice", m[1])
		}
		asked[m[1]] = true
		v := url.Values{}
		var order []string
		for _, f := range field.FindAllStringSubmatch(body, -1) {
			order = append(order, f[1]+"="+f[2])
			v.Set(f[1], f[2])
		}
		switch step % 3 {
		case 0:
			order = append(order, m[1]+"=5")
		case 1:
			order = append(order, "passer=1")
		case 2:
			// Suivant without an answer: the same question again.
			res, body := fetchPage(t, ts.URL+"/quiz?"+strings.Join(order, "&"))
			if res.StatusCode != 200 || !strings.Contains(body, "Choisissez une réponse") || !strings.Contains(body, `name="`+m[1]+`"`) {
				t.Fatalf("no answer to %s: %d", m[1], res.StatusCode)
			}
			order = append(order, m[1]+"=1")
		}
		next = "/quiz?" + strings.Join(order, "&")
		if step > 100 {
			t.Fatal("the quiz never ends")
		}
	}
	// The adaptive quiz stops when no question tells the sample's five
	// guides apart any more.
	if len(asked) < 5 {
		t.Fatalf("%d questions asked", len(asked))
	}
	res, body := fetchPage(t, ts.URL+next)
	if !strings.Contains(body, `action="/quiz/resultats"`) {
		t.Fatalf("the last step is not the precisions form: %d", res.StatusCode)
	}
	q := strings.TrimPrefix(next, "/quiz?")
	res, body = fetchPage(t, ts.URL+"/quiz/resultats?"+q+"&text=sant%C3%A9&max_study_years=&min_salary=&area=")
	d := parse(t, body)
	if res.StatusCode != 200 || !d.contains("Vos métiers compatibles") || !regexp.MustCompile(`\d+ % `).MatchString(d.text) || d.robots != "noindex" {
		t.Errorf("results: %d %.400q", res.StatusCode, d.text)
	}
	if prev, h, bad := d.skippedLevel(); bad {
		t.Errorf("results: heading h%d after h%d", h, prev)
	}
}

// TestSiteFiles checks the sitemap, robots.txt, compression, validators
// and the cache lifetime of static files.
func TestSiteFiles(t *testing.T) {
	const public = "https://metiers.example.be"
	ts, _ := newTestServerWith(t, Options{PublicURL: public + "/"})
	res, body := fetchPage(t, ts.URL+"/sitemap.xml")
	var sm struct {
		URLs []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(body), &sm); err != nil || res.StatusCode != 200 {
		t.Fatalf("sitemap: %d %v", res.StatusCode, err)
	}
	guides, crit := 0, 0
	for _, u := range sm.URLs {
		guides += b2i(strings.HasPrefix(u.Loc, public+"/metiers/"))
		crit += b2i(strings.HasPrefix(u.Loc, public+"/criteres/"))
		if u.LastMod == "" {
			t.Errorf("%s has no lastmod", u.Loc)
		}
	}
	if guides != 5 || crit < 10 {
		t.Errorf("sitemap: %d guides, %d criteria", guides, crit)
	}
	if _, body := fetchPage(t, ts.URL+"/robots.txt"); !strings.Contains(body, "Sitemap: "+public+"/sitemap.xml") || !strings.Contains(body, "Disallow: /api/") {
		t.Errorf("robots.txt: %q", body)
	}

	// Compressed when asked, for pages, JSON, scripts and styles.
	_, home := fetchPage(t, ts.URL+"/")
	css := regexp.MustCompile(`/static/style\.[0-9a-f]+\.css`).FindString(home)
	js := regexp.MustCompile(`/static/app\.[0-9a-f]+\.js`).FindString(home)
	if css == "" || js == "" {
		t.Fatalf("the page does not link hashed static files")
	}
	for _, p := range []string{"/metiers/codeur-medical", "/?q=medecin", "/api/search?q=medecin", "/sitemap.xml", css, js, "/widget.js"} {
		res, _ := fetchPage(t, ts.URL+p, "Accept-Encoding", "gzip")
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: Content-Encoding %q", p, res.Header.Get("Content-Encoding"))
		}
		if res, _ := fetchPage(t, ts.URL+p); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: encoded without being asked", p)
		}
	}
	for _, p := range []string{css, js} {
		res, _ := fetchPage(t, ts.URL+p)
		if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d, Cache-Control %q", p, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	if res, _ := fetchPage(t, ts.URL+"/static/app.0000.js"); res.StatusCode != 404 {
		t.Errorf("an unknown static file: %d", res.StatusCode)
	}

	// A guide page revalidates with its ETag, compressed or not.
	for _, enc := range []string{"", "gzip"} {
		res, _ := fetchPage(t, ts.URL+"/metiers/codeur-medical", "Accept-Encoding", enc)
		tag := res.Header.Get("ETag")
		if tag == "" {
			t.Fatalf("no ETag on a guide page")
		}
		res, body := fetchPage(t, ts.URL+"/metiers/codeur-medical", "Accept-Encoding", enc, "If-None-Match", tag)
		if res.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("If-None-Match %s (%q): %d", tag, enc, res.StatusCode)
		}
	}
}

// TestWidgetData checks the widget's data route: cacheable, and telling
// a refused origin from an unknown guide.
func TestWidgetData(t *testing.T) {
	ts, _ := newTestServer(t, "")
	res, body := fetchPage(t, ts.URL+"/api/widget/codeur-medical?size=3", "Origin", "https://site.example")
	var out struct {
		Title   string `json:"title"`
		Similar []struct{ ID, Title, URL, Reason string }
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || res.StatusCode != 200 || len(out.Similar) != 3 || out.Similar[0].Reason == "" {
		t.Fatalf("widget data: %d %v %s", res.StatusCode, err, body)
	}
	if res.Header.Get("Access-Control-Allow-Origin") != "https://site.example" || !strings.HasPrefix(res.Header.Get("Cache-Control"), "public") {
		t.Errorf("headers %v", res.Header)
	}
	tag := res.Header.Get("ETag")
	if res, _ := fetchPage(t, ts.URL+"/api/widget/codeur-medical?size=3", "Origin", "https://site.example", "If-None-Match", tag); res.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", res.StatusCode)
	}
	for _, c := range []struct {
		path, origin, reason string
		code                 int
	}{
		{"/api/widget/codeur-medical", "https://evil.example", "origin", 403},
		{"/api/widget/nope", "https://site.example", "unknown_guide", 404},
		{"/api/widget/nope", "", "unknown_guide", 404},
	} {
		var h []string
		if c.origin != "" {
			h = []string{"Origin", c.origin}
		}
		res, body := fetchPage(t, ts.URL+c.path, h...)
		var e struct{ Error, Reason string }
		json.Unmarshal([]byte(body), &e)
		if res.StatusCode != c.code || e.Reason != c.reason || e.Error == "" {
			t.Errorf("%s from %q: %d %s", c.path, c.origin, res.StatusCode, body)
		}
		if c.origin != "" && res.Header.Get("Access-Control-Allow-Origin") != c.origin {
			t.Errorf("%s from %q: the widget cannot read why", c.path, c.origin)
		}
	}
}

// TestSearchAPIFilters checks that each facet value comes with the
// filter that keeps its guides, and that applying it keeps its count.
func TestSearchAPIFilters(t *testing.T) {
	ts, _ := newTestServer(t, "")
	_, body := fetchPage(t, ts.URL+"/api/search?q=medical")
	var res struct {
		Total   int          `json:"total"`
		Filters []facetGroup `json:"filters"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Filters) < 3 {
		t.Fatalf("filters: %v", res.Filters)
	}
	for _, g := range res.Filters {
		for _, v := range g.Values {
			if v.Key == "" || v.Value == "" || v.Label == "" {
				t.Errorf("%s: value %+v without its filter", g.Name, v)
				continue
			}
			_, body := fetchPage(t, ts.URL+"/api/search?q=medical&"+url.QueryEscape(v.Key)+"="+url.QueryEscape(v.Value))
			var f struct {
				Total int `json:"total"`
			}
			json.Unmarshal([]byte(body), &f)
			if f.Total != v.Count {
				t.Errorf("%s « %s » (%s=%s): %d guides, the facet said %d", g.Name, v.Label, v.Key, v.Value, f.Total, v.Count)
			}
		}
	}
}

// TestRemovedGuideIsGone removes a guide from the corpus and reindexes:
// its page answers 410, an id never served 404.
func TestRemovedGuideIsGone(t *testing.T) {
	ts, _ := newCorpusServer(t, Options{AdminToken: "s3cret"})
	if res, _ := fetchPage(t, ts.URL+"/metiers/codeur-medical"); res.StatusCode != 200 {
		t.Fatalf("before: %d", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodDelete, ts.URL+"/admin/metiers/codeur-medical", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		t.Fatalf("DELETE: %d", res.StatusCode)
	}
	res, body := fetchPage(t, ts.URL+"/metiers/codeur-medical")
	if res.StatusCode != http.StatusGone || !parse(t, body).contains("Fiche retirée") {
		t.Errorf("removed guide: %d", res.StatusCode)
	}
	if res, _ := fetchPage(t, ts.URL+"/metiers/never-was"); res.StatusCode != 404 {
		t.Errorf("unknown guide: %d", res.StatusCode)
	}
}

// sharedData finds ../shared/data from a checkout or a worktree beside
// it, or "" when absent.
func sharedData(t testing.TB, name string) string {
	for _, d := range []string{filepath.Join("..", "..", "shared", "data", name), filepath.Join("..", "..", "..", "shared", "data", name)} {
		if _, err := os.Stat(d); err == nil {
			return d
		}
	}
	t.Logf("SKIP: ../shared/data/%s is absent: the real-corpus checks do not run", name)
	t.Skipf("no ../shared/data/%s", name)
	return ""
}

// TestPagesONISEP checks every one of ONISEP's 928 guide pages as a
// crawler reads them, the search for « boulanger » and the sitemap.
func TestPagesONISEP(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: ONISEP's pages are not checked")
	}
	src := sharedData(t, "onisep-ideo")
	res, err := importer.ONISEP(src, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := importer.WriteDir(dir, res.Metiers); err != nil {
		t.Fatal(err)
	}
	ts, e := serveDir(t, dir)
	g, err := e.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Release()
	if len(g.Corpus.Metiers) != 928 {
		t.Errorf("%d guides, want 928", len(g.Corpus.Metiers))
	}
	titles := map[string]string{}
	credited := 0
	for _, m := range g.Corpus.Metiers {
		res, body := fetchPage(t, ts.URL+"/metiers/"+url.PathEscape(m.ID))
		checkGuidePage(t, "", m, res, body, titles)
		if strings.Contains(body, "Onisep, Idéo-Fiches métiers") {
			credited++
		}
		if m.Salary.Min > 0 && m.Salary.Min == m.Salary.Max && strings.Contains(body, euros(m.Salary.Min)+" – "+euros(m.Salary.Max)) {
			t.Errorf("%s: the salary reads « %s – %s »", m.ID, euros(m.Salary.Min), euros(m.Salary.Max))
		}
		if strings.Contains(body, "Expérimenté</dt><dd></dd>") || strings.Contains(body, "Expérimenté : –") {
			t.Errorf("%s: an empty experienced salary", m.ID)
		}
	}
	if credited != len(g.Corpus.Metiers) {
		t.Errorf("%d of %d guide pages credit Onisep", credited, len(g.Corpus.Metiers))
	}

	res2, body := fetchPage(t, ts.URL+"/?q=boulanger", "Accept-Encoding", "gzip")
	d := parse(t, body)
	if res2.StatusCode != 200 || !slicesContains(d.links, "/metiers/boulanger") || !d.contains("Boulanger") || !d.contains("boulangère") || res2.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("/?q=boulanger: %d %s, links %v", res2.StatusCode, res2.Header.Get("Content-Encoding"), d.links[:min(len(d.links), 20)])
	}
	// A facet's values read apart: ONISEP's sector « Social » and the
	// profile « Social » are qualified, not shown as two « Social ».
	_, body = fetchPage(t, ts.URL+"/api/search?q=infirmier")
	var api struct {
		Filters []struct {
			Name   string
			Values []struct{ Label string }
		}
	}
	if err := json.Unmarshal([]byte(body), &api); err != nil {
		t.Fatal(err)
	}
	for _, f := range api.Filters {
		seen := map[string]bool{}
		for _, v := range f.Values {
			if seen[v.Label] {
				t.Errorf("the %s facet of « infirmier » lists « %s » twice", f.Name, v.Label)
			}
			seen[v.Label] = true
		}
	}
	res2, body = fetchPage(t, ts.URL+"/?q=technicien&page=2")
	if d := parse(t, body); res2.StatusCode != 200 || !d.contains("Page 2 sur") || !strings.Contains(body, `rel="prev" href="/?q=technicien"`) {
		t.Errorf("page 2: %d %.300q", res2.StatusCode, d.text)
	}
	_, body = fetchPage(t, ts.URL+"/sitemap.xml")
	if n := strings.Count(body, "<loc>http://127.0.0.1/metiers/"); n != 928 {
		t.Errorf("the sitemap lists %d guides, want 928", n)
	}
	if res, _ := fetchPage(t, ts.URL+"/metiers/pas-un-metier"); res.StatusCode != 404 {
		t.Errorf("unknown guide: %d", res.StatusCode)
	}
}

// fsReadDir reads the files at the root of fsys.
func fsReadDir(fsys fs.FS) (map[string][]byte, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = b
	}
	return out, nil
}

// serveDir serves the corpus in dir.
func serveDir(t *testing.T, dir string) (*httptest.Server, *engine.Engine) {
	t.Helper()
	syn := index.DefaultSynonyms()
	e, err := engine.New(engine.Options{CorpusDir: dir, Synonyms: syn, Search: search.Options{Synonyms: syn}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(New(e, Options{}).Handler())
	t.Cleanup(func() { ts.Close(); e.Close() })
	return ts, e
}
