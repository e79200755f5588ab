//go:build browser

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/rome"
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
	return siteOn(t, "", origin)
}

// siteOn starts the real server over the corpus in dir (the sample when
// empty) and returns its base URL.
func siteOn(t *testing.T, dir, origin string) string {
	t.Helper()
	base, stop, err := startSite(dir, origin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, f := range stop {
			f()
		}
	})
	return base
}

// startSite starts the real server over the corpus in dir and returns
// its base URL and what stops it.
func startSite(dir, origin string) (string, []func(), error) {
	return startSiteWith(dir, origin, nil)
}

// startSiteWith is startSite with the guides linked to a ROME
// referential (none when nil), as `serve --referential` does.
func startSiteWith(dir, origin string, ref *rome.Referential) (string, []func(), error) {
	syn := index.DefaultSynonyms()
	e, err := engine.New(engine.Options{CorpusDir: dir, Synonyms: syn, Search: search.Options{Synonyms: syn, CacheSize: 1000}, Referential: ref})
	if err != nil {
		return "", nil, err
	}
	if err := e.Start(context.Background()); err != nil {
		return "", nil, err
	}
	srv := server.New(e, server.Options{Addr: "127.0.0.1:0", CORSOrigins: []string{origin}})
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, func(u string) { urls <- u }) }()
	select {
	case base := <-urls:
		return strings.TrimSuffix(base, "/"), []func(){func() { cancel(); <-done; e.Close() }}, nil
	case err := <-done:
		cancel()
		e.Close()
		return "", nil, err
	}
}

// chrome is the one headless Chromium the tests share: each test gets
// tabs of its own (separate session storage, viewport and settings), as
// starting a browser per test costs seconds on a shared machine.
var chrome struct {
	once    sync.Once
	ctx     context.Context
	cancel  func()
	profile string
	err     error
}

// browser returns a chromedp context on a new tab of the shared headless
// Chromium, with a viewport of width × height (a phone's below 600 px).
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	path := chromium(t)
	chrome.once.Do(func() {
		// Not t.TempDir: Chromium may still write its profile while it
		// exits, and a failed cleanup would fail the test.
		chrome.profile, chrome.err = os.MkdirTemp("", "metiers-chromium-")
		if chrome.err != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("no-first-run", true),
			chromedp.UserDataDir(chrome.profile),
		)
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelB := chromedp.NewContext(actx)
		chrome.ctx = bctx
		chrome.cancel = func() { cancelB(); cancelA() }
		chrome.err = chromedp.Run(bctx) // starts the browser
	})
	if chrome.err != nil {
		t.Fatalf("chromium: %v", chrome.err)
	}
	ctx, cancelTab := chromedp.NewContext(chrome.ctx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelTab() })
	if err := chromedp.Run(ctx, emulation.SetDeviceMetricsOverride(int64(width), int64(height), 1, width < 600)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	return ctx
}

// closeBrowser stops the shared Chromium and removes its profile.
func closeBrowser() {
	if chrome.cancel != nil {
		chrome.cancel()
	}
	if chrome.profile != "" {
		for i := 0; i < 10 && os.RemoveAll(chrome.profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	}
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
