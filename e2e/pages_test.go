//go:build browser

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/metiers/metiers/importer"
)

// awaitPromise makes Evaluate wait for the promise the script returns.
func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// run runs actions or fails the test with what was being done.
func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a script and returns its value.
func eval[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	var v T
	if err := chromedp.Run(ctx, chromedp.Evaluate(script, &v)); err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return v
}

// waitFor polls a script until it is true (at most 10 s).
func waitFor(t *testing.T, ctx context.Context, what, script string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ok bool
		if err := chromedp.Run(ctx, chromedp.Evaluate("!!("+script+")", &ok)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still false after 10 s: %s", what, script)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var onisep struct {
	once sync.Once
	dir  string
	err  error
}

// onisepCorpus imports ONISEP once into a temporary directory, or skips
// loudly when ../shared/data lacks it.
func onisepCorpus(t *testing.T) string {
	t.Helper()
	src := sharedData("onisep-ideo")
	if src == "" {
		t.Log("SKIP: ../shared/data/onisep-ideo is absent: the ONISEP browser checks do not run")
		t.Skip("no ONISEP corpus")
	}
	onisep.once.Do(func() {
		res, err := importer.ONISEP(src, importer.Options{})
		if err != nil {
			onisep.err = err
			return
		}
		onisep.dir, onisep.err = os.MkdirTemp("", "metiers-e2e-onisep-")
		if onisep.err == nil {
			onisep.err = importer.WriteDir(onisep.dir, res.Metiers)
		}
	})
	if onisep.err != nil {
		t.Fatal(onisep.err)
	}
	return onisep.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	closeBrowser()
	for _, stop := range onisepSite.stop {
		stop()
	}
	if onisep.dir != "" {
		os.RemoveAll(onisep.dir)
	}
	os.Exit(code)
}

// onisepSite is one server over ONISEP for every test that reads it.
var onisepSite struct {
	once sync.Once
	base string
	err  error
	stop []func()
}

// onisepBase returns the address of the server over ONISEP, started on
// first use, or skips when ../shared/data lacks ONISEP.
func onisepBase(t *testing.T) string {
	t.Helper()
	dir := onisepCorpus(t)
	onisepSite.once.Do(func() {
		onisepSite.base, onisepSite.stop, onisepSite.err = startSite(dir, "http://127.0.0.1")
	})
	if onisepSite.err != nil {
		t.Fatal(onisepSite.err)
	}
	return onisepSite.base
}

func TestSearchSuggestsDespiteATypo(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	var suggestions, results string
	run(t, ctx, "type « tecnicien »",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "tecnicien", chromedp.ByQuery),
		chromedp.WaitVisible(`#suggestions li`, chromedp.ByQuery),
		chromedp.Text(`#suggestions`, &suggestions, chromedp.ByQuery),
		chromedp.WaitVisible(`#found .hits .hit`, chromedp.ByQuery),
		chromedp.Text(`#found`, &results, chromedp.ByQuery),
	)
	if !strings.Contains(suggestions, "Technicien de l'information médicale") {
		t.Errorf("suggestions for « tecnicien »: %q", suggestions)
	}
	if !strings.Contains(results, "Technicien de l'information médicale") {
		t.Errorf("results: %q", results)
	}
	// Keyboard: arrow down then Enter opens the suggested guide.
	var title string
	run(t, ctx, "ArrowDown + Enter",
		chromedp.Focus(`#q`, chromedp.ByQuery),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`body[data-page=guide] h1`, chromedp.ByQuery),
		chromedp.Text(`h1`, &title, chromedp.ByQuery),
	)
	if !strings.HasPrefix(title, "Technicien de l'information médicale") {
		t.Errorf("after ArrowDown + Enter: page %q", title)
	}
}

// TestSuggestionsSayBothForms checks that a suggestion with a feminine
// form reads with a separator (it used to read « codeur médicalcodeuse
// médicale »).
func TestSuggestionsSayBothForms(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	run(t, ctx, "type « codeu »", chromedp.Navigate(base+"/"), chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "codeu", chromedp.ByQuery), chromedp.WaitVisible(`#suggestions li`, chromedp.ByQuery))
	first := eval[string](t, ctx, `document.querySelector('#suggestions li').textContent`)
	if first != "Codeur médical, Codeuse médicale" {
		t.Errorf("first suggestion reads %q", first)
	}
}

// TestSuggestionsSayBothFormsOnONISEP: on ONISEP the issue saw
// « infirmierinfirmière ».
func TestSuggestionsSayBothFormsOnONISEP(t *testing.T) {
	base := onisepBase(t)
	ctx := browser(t, 1200, 1000)
	run(t, ctx, "type « infirm »", chromedp.Navigate(base+"/"), chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "infirm", chromedp.ByQuery), chromedp.WaitVisible(`#suggestions li`, chromedp.ByQuery))
	got := eval[[]string](t, ctx, `[...document.querySelectorAll('#suggestions li')].map(li => li.textContent)`)
	if len(got) == 0 || !strings.EqualFold(got[0], "Infirmier, infirmière") {
		t.Errorf("suggestions for « infirm »: %q", got)
	}
	for _, s := range got {
		if strings.Contains(strings.ToLower(s), "infirmierinfirmière") {
			t.Errorf("a suggestion reads %q", s)
		}
	}
}

// TestFirstKeystroke types one letter that is a French stop word (« m »,
// on the way to « médecin »): the search box shows guides.
func TestFirstKeystroke(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	var results string
	run(t, ctx, "type « m »",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "m", chromedp.ByQuery),
		chromedp.WaitVisible(`#found .hits .hit, #found .error`, chromedp.ByQuery),
		chromedp.Text(`#found`, &results, chromedp.ByQuery),
	)
	if strings.Contains(results, "n’a pas pu aboutir") || !strings.Contains(results, "Médecin") {
		t.Errorf("results for « m »: %q", results)
	}
}

// TestEscapeKeepsTheQuery: Escape closes the suggestions and nothing
// else (a search box used to clear itself, its results and the address).
func TestEscapeKeepsTheQuery(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	run(t, ctx, "type « codeu »", chromedp.Navigate(base+"/"), chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "codeu", chromedp.ByQuery),
		chromedp.WaitVisible(`#suggestions li`, chromedp.ByQuery), chromedp.WaitVisible(`#found .hit`, chromedp.ByQuery))
	waitFor(t, ctx, "the address follows the query", `location.search === "?q=codeu"`)
	run(t, ctx, "Escape", chromedp.KeyEvent(kb.Escape))
	waitFor(t, ctx, "the list closes", `document.getElementById('suggestions').hidden`)
	time.Sleep(300 * time.Millisecond) // anything Escape would set off
	if v := eval[string](t, ctx, `document.getElementById('q').value`); v != "codeu" {
		t.Errorf("after Escape the box holds %q", v)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#found .hit').length`); n == 0 {
		t.Errorf("after Escape the results are gone")
	}
	if s := eval[string](t, ctx, `location.search`); s != "?q=codeu" {
		t.Errorf("after Escape the address is %q", s)
	}
	if e := eval[string](t, ctx, `document.getElementById('q').getAttribute('aria-expanded')`); e != "false" {
		t.Errorf("aria-expanded %q after Escape", e)
	}
}

// TestLiveRegionSaysTheCount: only the count is announced while typing,
// not the whole results area.
func TestLiveRegionSaysTheCount(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	run(t, ctx, "type « codeuse »", chromedp.Navigate(base+"/"), chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "codeuse", chromedp.ByQuery), chromedp.WaitVisible(`#found .hit`, chromedp.ByQuery))
	waitFor(t, ctx, "the count", `document.getElementById('count').textContent.includes('codeuse')`)
	if s := eval[string](t, ctx, `document.getElementById('count').textContent`); !regexp.MustCompile(`^\d+\x{a0}métiers? pour «\x{a0}codeuse\x{a0}»$`).MatchString(s) {
		t.Errorf("live region says %q", s)
	}
	live := eval[[]string](t, ctx, `[...document.querySelectorAll('[aria-live],[role=status],[role=alert],[role=log]')].map(e => e.id || e.tagName)`)
	if len(live) != 1 || live[0] != "count" {
		t.Errorf("live regions on the search page: %v", live)
	}
	if n := eval[int](t, ctx, `document.getElementById('count').querySelectorAll('*').length`); n != 0 {
		t.Errorf("the live region holds %d elements", n)
	}
}

// TestBackToResultsKeepsTheQuery: « ← Recherche » on a guide goes back to
// the results of the reader's query, and so does the browser's back.
func TestBackToResultsKeepsTheQuery(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	run(t, ctx, "search, open a result", chromedp.Navigate(base+"/"), chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "codeuse", chromedp.ByQuery), chromedp.WaitVisible(`#found .hit a`, chromedp.ByQuery))
	waitFor(t, ctx, "the address follows the query", `location.search === "?q=codeuse"`)
	run(t, ctx, "open the guide", chromedp.Click(`#found .hit a`, chromedp.ByQuery), chromedp.WaitVisible(`body[data-page=guide] #back-to-search`, chromedp.ByQuery))
	if href := eval[string](t, ctx, `document.getElementById('back-to-search').getAttribute('href')`); href != "/?q=codeuse" {
		t.Errorf("« ← Recherche » goes to %q", href)
	}
	run(t, ctx, "back to the search", chromedp.Click(`#back-to-search`, chromedp.ByQuery), chromedp.WaitVisible(`body[data-page=search] #found .hit`, chromedp.ByQuery))
	if v := eval[string](t, ctx, `document.getElementById('q').value`); v != "codeuse" {
		t.Errorf("back on the search page the box holds %q", v)
	}
	run(t, ctx, "open the guide again", chromedp.Click(`#found .hit a`, chromedp.ByQuery), chromedp.WaitVisible(`body[data-page=guide]`, chromedp.ByQuery),
		chromedp.Evaluate(`history.back()`, nil))
	waitFor(t, ctx, "the search page again", `document.body.dataset.page === "search" && document.querySelector("#found .hit")`)
	if v := eval[string](t, ctx, `document.getElementById('q').value`); v != "codeuse" {
		t.Errorf("after the browser's back the box holds %q", v)
	}
}

// TestFiltersWithoutReload: a filter narrows the results in place, keeps
// the query in the address and the focus on the filter.
func TestFiltersWithoutReload(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	run(t, ctx, "search « medecin »", chromedp.Navigate(base+"/?q=medecin"), chromedp.WaitVisible(`#found .hit`, chromedp.ByQuery))
	eval[bool](t, ctx, `window.__same = true`)
	run(t, ctx, "pick « au moins 6 000 € »", chromedp.Click(`#found a[data-key=salary_min][data-value="6000"]`, chromedp.ByQuery))
	waitFor(t, ctx, "the filter applies", `location.search === "?q=medecin&salary_min=6000" && document.querySelectorAll('#found .hit').length === 1`)
	if !eval[bool](t, ctx, `window.__same === true`) {
		t.Errorf("the page reloaded")
	}
	if f := eval[string](t, ctx, `document.activeElement.dataset.key + '=' + document.activeElement.dataset.value`); f != "salary_min=6000" {
		t.Errorf("focus on %q after the filter", f)
	}
}

// TestMobileFiltersFromTheTop: on a phone the filters are one tap from
// the top of the results, not below them all.
func TestMobileFiltersFromTheTop(t *testing.T) {
	t.Run("sample", func(t *testing.T) { mobileFilters(t, site(t, "http://127.0.0.1"), "m%C3%A9dical") })
	// ONISEP's 29 results for « infirmier » once pushed them 6,000 px down.
	t.Run("onisep", func(t *testing.T) { mobileFilters(t, onisepBase(t), "infirmier") })
}

func mobileFilters(t *testing.T, base, query string) {
	ctx := browser(t, 375, 812)
	run(t, ctx, "search on a phone", chromedp.Navigate(base+"/?q="+query), chromedp.WaitVisible(`#found .hit`, chromedp.ByQuery))
	top := eval[float64](t, ctx, `document.querySelector('details.filters > summary').getBoundingClientRect().top`)
	if top > 812 {
		t.Errorf("the filters' toggle is %.0f px down", top)
	}
	if eval[bool](t, ctx, `document.querySelector('details.filters').open`) {
		t.Errorf("the filters start open on a phone, pushing the results down")
	}
	run(t, ctx, "open the filters", chromedp.Click(`details.filters > summary`, chromedp.ByQuery), chromedp.WaitVisible(`details.filters a[data-key]`, chromedp.ByQuery))
	if y := eval[float64](t, ctx, `document.querySelector('details.filters a[data-key]').getBoundingClientRect().top`); y > 812 {
		t.Errorf("the first filter is %.0f px down once open", y)
	}
}

func TestGuideShowsSimilarMetiers(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	var similar, tags string
	run(t, ctx, "open the codeur's guide",
		chromedp.Navigate(base+"/metiers/codeur-medical"),
		chromedp.WaitVisible(`#similar li`, chromedp.ByQuery),
		chromedp.Text(`#similar`, &similar, chromedp.ByQuery),
		chromedp.Text(`.tags`, &tags, chromedp.ByQuery),
	)
	if !strings.HasPrefix(strings.TrimSpace(similar), "Technicien de l'information médicale") || !strings.Contains(similar, "Critères communs") {
		t.Errorf("similar métiers of the codeur: %q", similar)
	}
	if !strings.Contains(tags, "Santé") {
		t.Errorf("criteria tags: %q", tags)
	}
	// Reasons are a line under their guide, not bordered boxes.
	if b := eval[string](t, ctx, `getComputedStyle(document.querySelector('#similar .reasons')).borderTopWidth`); b != "0px" {
		t.Errorf("a reason has a %s border", b)
	}
	// The guide's own quiz, in place.
	run(t, ctx, "answer the guide's quiz",
		chromedp.Click(`#compat-form input[value="5"]`, chromedp.ByQuery),
		chromedp.Click(`#compat-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#resultat .pct`, chromedp.ByQuery))
	if s := eval[string](t, ctx, `document.querySelector('#resultat .pct').textContent`); !strings.Contains(s, "% de compatibilité") {
		t.Errorf("compatibility: %q", s)
	}
	if p := eval[string](t, ctx, `location.pathname`); p != "/metiers/codeur-medical" {
		t.Errorf("the guide's quiz left the page for %s", p)
	}
}

func TestWidgetOnAHostPage(t *testing.T) {
	// The host page lives on another origin (another port).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hostOrigin := "http://" + ln.Addr().String()
	base := site(t, hostOrigin)
	host := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		id := r.URL.Query().Get("id")
		if id == "" {
			id = "employe-de-mutuelle"
		}
		fmt.Fprintf(w, `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Site partenaire</title></head>
<body><h1>Fiche du partenaire</h1>
<script src="%s/widget.js" data-metier="%s" data-size="3"></script>
<p id="after">Fin de page</p></body></html>`, base, id)
	}))
	host.Listener.Close()
	host.Listener = ln
	host.Start()
	defer host.Close()

	ctx := browser(t, 900, 700)
	var count int
	var text string
	run(t, ctx, "the widget on an allowed host",
		chromedp.Navigate(host.URL),
		chromedp.WaitVisible(`.metiers-widget__item`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('.metiers-widget__item').length`, &count),
		chromedp.Text(`.metiers-widget`, &text, chromedp.ByQuery),
	)
	if count != 3 || !strings.Contains(text, "Métiers similaires") {
		t.Errorf("widget: %d items, text %q", count, text)
	}
	screenshot(t, ctx, "widget.png")
	run(t, ctx, "the widget for an unknown guide", chromedp.Navigate(host.URL+"/?id=nope"), chromedp.WaitVisible(`.metiers-widget__error`, chromedp.ByQuery), chromedp.Text(`.metiers-widget__error`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "aucune fiche") || !strings.Contains(text, "nope") {
		t.Errorf("unknown guide: %q", text)
	}

	// The same page on an origin the server does not allow.
	other := httptest.NewServer(host.Config.Handler)
	defer other.Close()
	run(t, ctx, "the widget on a refused host", chromedp.Navigate(other.URL), chromedp.WaitVisible(`.metiers-widget__error`, chromedp.ByQuery), chromedp.Text(`.metiers-widget__error`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "n’est pas autorisé") || !strings.Contains(text, other.URL) {
		t.Errorf("refused origin: %q", text)
	}
}

// TestWithoutJavaScript reads the site as a browser with scripts off, on
// ONISEP: a search lists and links the guide, the guide page holds its
// text, an unknown guide is a 404 page, and the quiz works as forms.
func TestWithoutJavaScript(t *testing.T) {
	base := onisepBase(t)
	ctx := browser(t, 1200, 1000)
	run(t, ctx, "scripts off", emulation.SetScriptExecutionDisabled(true))
	var h1 string
	run(t, ctx, "search « boulanger »", chromedp.Navigate(base+"/?q=boulanger"),
		chromedp.WaitVisible(`#found a[href="/metiers/boulanger"]`, chromedp.ByQuery),
		chromedp.Click(`#found a[href="/metiers/boulanger"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`body[data-page=guide] h1`, chromedp.ByQuery), chromedp.Text(`h1`, &h1, chromedp.ByQuery))
	if h1 != "Boulanger, boulangère" {
		t.Errorf("the guide's heading reads %q", h1)
	}
	var body string
	run(t, ctx, "read the guide", chromedp.Text(`main`, &body, chromedp.ByQuery))
	for _, want := range []string{"Baguettes, pains spéciaux", "Missions quotidiennes", "Métiers similaires", "Source\u00a0: Onisep", "À partir du Smic"} {
		if !strings.Contains(body, want) {
			t.Errorf("the boulanger's page lacks %q", want)
		}
	}
	run(t, ctx, "an unknown guide", chromedp.Navigate(base+"/metiers/pas-un-metier"), chromedp.WaitVisible(`body[data-page=error] h1`, chromedp.ByQuery), chromedp.Text(`h1`, &h1, chromedp.ByQuery))
	if h1 != "Page introuvable" {
		t.Errorf("unknown guide: %q", h1)
	}
	var q1, q2 string
	run(t, ctx, "the quiz as forms", chromedp.Navigate(base+"/quiz"), chromedp.WaitVisible(`#quiz-form`, chromedp.ByQuery),
		chromedp.Text(`#question`, &q1, chromedp.ByQuery),
		chromedp.Click(`#quiz-form input[value="4"]`, chromedp.ByQuery), chromedp.Click(`#next`, chromedp.ByQuery))
	waitFor(t, ctx, "the next step loads", `location.search.includes("=4") && document.readyState === "complete"`)
	run(t, ctx, "read the second question", chromedp.WaitVisible(`#quiz-form`, chromedp.ByQuery), chromedp.Text(`#question`, &q2, chromedp.ByQuery))
	if q1 == q2 || !strings.Contains(eval[string](t, ctx, `location.search`), "=4") {
		t.Errorf("after « Suivant »: %q then %q at %s", q1, q2, eval[string](t, ctx, `location.search`))
	}
	var res string
	run(t, ctx, "results without JavaScript", chromedp.Click(`button[formaction="/quiz/resultats"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.matches .match`, chromedp.ByQuery), chromedp.Text(`.matches`, &res, chromedp.ByQuery))
	if !strings.Contains(res, "%") {
		t.Errorf("quiz results: %q", res)
	}
}

// jsonOf marshals v for a failure message.
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
