package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
	"github.com/metiers/metiers/server"
)

// chromium finds Debian's chromium; without it the tests skip, except in
// CI where its absence is a failure (.ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (apt-get install chromium)")
	}
	t.Skip("chromium is not installed; apt-get install chromium to run the browser tests")
	return ""
}

// artifacts is where screenshots go: $METIERS_ARTIFACTS or e2e/artifacts.
func artifacts(t *testing.T) string {
	dir := os.Getenv("METIERS_ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// site starts the real server over the sample corpus, allowing the given
// origin for the widget, and returns its base URL.
func site(t *testing.T, origin string) string {
	t.Helper()
	syn := index.DefaultSynonyms()
	e, err := engine.New(engine.Options{Synonyms: syn, Search: search.Options{Synonyms: syn}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := server.New(e, server.Options{Addr: "127.0.0.1:0", CORSOrigins: []string{origin}})
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, func(u string) { urls <- u }) }()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done; e.Close() })
	return strings.TrimSuffix(base, "/")
}

// browser returns a chromedp context on a fresh headless Chromium.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	// Not t.TempDir: Chromium may still write its profile while it exits,
	// and a failed cleanup would fail the test.
	profile, err := os.MkdirTemp("", "metiers-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelT()
		cancelC()
		cancelA()
		for i := 0; i < 10 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	return ctx
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(artifacts(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("screenshot: %s", path)
}

func TestSearchSuggestsDespiteATypo(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	var suggestions, results string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "tecnicien", chromedp.ByQuery),
		chromedp.WaitVisible(`#suggestions li`, chromedp.ByQuery),
		chromedp.Text(`#suggestions`, &suggestions, chromedp.ByQuery),
		chromedp.WaitVisible(`.hits .hit`, chromedp.ByQuery),
		chromedp.Text(`#results`, &results, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(suggestions, "Technicien de l'information médicale") {
		t.Errorf("suggestions for « tecnicien »: %q", suggestions)
	}
	if !strings.Contains(results, "Technicien de l'information médicale") {
		t.Errorf("results: %q", results)
	}
	// Keyboard: arrow down then Enter opens the suggested guide.
	var title string
	err = chromedp.Run(ctx,
		chromedp.Focus(`#q`, chromedp.ByQuery),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(`h1`, chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Text(`h1`, &title, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(title, "Technicien de l'information médicale") {
		t.Errorf("after ArrowDown + Enter: page %q", title)
	}
	chromedp.Run(ctx, chromedp.Navigate(base+"/?q=codeuse"), chromedp.WaitVisible(`.hits .hit mark`, chromedp.ByQuery))
	screenshot(t, ctx, "search.png")
}

// TestFirstKeystroke types one letter that is a French stop word (« m »,
// on the way to « médecin »): the search box shows guides, where it used
// to show « Oups ! … only stop words ».
func TestFirstKeystroke(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	var results string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q`, "m", chromedp.ByQuery),
		chromedp.WaitVisible(`#results .hits .hit, #results .error`, chromedp.ByQuery),
		chromedp.Text(`#results`, &results, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(results, "Oups") || !strings.Contains(results, "Médecin") {
		t.Errorf("results for « m »: %q", results)
	}
}

func TestGuideShowsSimilarMetiers(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	var similar, tags string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/metiers/codeur-medical"),
		chromedp.WaitVisible(`#similar .similar li`, chromedp.ByQuery),
		chromedp.Text(`#similar`, &similar, chromedp.ByQuery),
		chromedp.WaitVisible(`#tags li`, chromedp.ByQuery),
		chromedp.Text(`#tags`, &tags, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(strings.TrimSpace(similar), "Technicien de l'information médicale") || !strings.Contains(similar, "Critères communs") {
		t.Errorf("similar métiers of the codeur: %q", similar)
	}
	if !strings.Contains(tags, "Secteur santé") {
		t.Errorf("criteria tags: %q", tags)
	}
	screenshot(t, ctx, "guide.png")
}

func TestQuizRanksMatches(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 420, 900) // a phone
	var n int
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/quiz"),
		chromedp.WaitVisible(`.likert input`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('.status').textContent.match(/sur (\d+)/)[1]*1`, &n),
	); err != nil {
		t.Fatal(err)
	}
	if n < 15 {
		t.Fatalf("quiz has %d questions", n)
	}
	// Love people (5) for the first two questions, hate screens (1) for
	// the third, and skip the rest.
	answers := []int{5, 5, 1}
	for i := 0; i < n; i++ {
		var err error
		if i < len(answers) {
			err = chromedp.Run(ctx,
				chromedp.WaitVisible(`#qform`, chromedp.ByQuery),
				chromedp.Click(fmt.Sprintf(`#qform input[value="%d"]`, answers[i]), chromedp.ByQuery),
				chromedp.Sleep(250*time.Millisecond),
			)
		} else {
			err = chromedp.Run(ctx, chromedp.WaitVisible(`#skip`, chromedp.ByQuery), chromedp.Click(`#skip`, chromedp.ByQuery))
		}
		if err != nil {
			t.Fatalf("question %d: %v", i+1, err)
		}
	}
	var first, all string
	err := chromedp.Run(ctx,
		chromedp.WaitVisible(`#xform`, chromedp.ByQuery),
		chromedp.Click(`#xform button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.matches .match`, chromedp.ByQuery),
		chromedp.Text(`.matches .match`, &first, chromedp.ByQuery),
		chromedp.Text(`.matches`, &all, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(all, "%") || strings.Contains(first, "Codeur médical") {
		t.Errorf("quiz results: first %q, all %q", first, all)
	}
	screenshot(t, ctx, "quiz-results.png")
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
		fmt.Fprintf(w, `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Site partenaire</title></head>
<body><h1>Fiche du partenaire</h1>
<script src="%s/widget.js" data-metier="employe-de-mutuelle" data-size="3"></script>
<p id="after">Fin de page</p></body></html>`, base)
	}))
	host.Listener.Close()
	host.Listener = ln
	host.Start()
	defer host.Close()

	ctx := browser(t, 900, 700)
	var count int
	var text string
	err = chromedp.Run(ctx,
		chromedp.Navigate(host.URL),
		chromedp.WaitVisible(`.metiers-widget__item`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('.metiers-widget__item').length`, &count),
		chromedp.Text(`.metiers-widget`, &text, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if count != 3 || !strings.Contains(text, "Métiers similaires") {
		t.Errorf("widget: %d items, text %q", count, text)
	}
	screenshot(t, ctx, "widget.png")
}
