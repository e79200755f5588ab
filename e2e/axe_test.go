//go:build browser

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release the accessibility gate runs, from
// npm, installed into e2e/.vendor (git-ignored) on first use.
const axeVersion = "4.10.3"

var axe struct {
	once sync.Once
	src  string
	err  error
}

// axeSource returns axe.min.js, installing the pinned axe-core with npm
// when it is missing; without npm the gate skips loudly (fails in CI).
func axeSource(t *testing.T) string {
	t.Helper()
	axe.once.Do(func() {
		dir := ".vendor"
		pkg := filepath.Join(dir, "node_modules", "axe-core")
		if !hasVersion(pkg, axeVersion) {
			npm, err := exec.LookPath("npm")
			if err != nil {
				axe.err = fmt.Errorf("npm is not installed (apt-get install npm) to fetch axe-core@%s", axeVersion)
				return
			}
			cmd := exec.Command(npm, "install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock", "--prefix", dir, "axe-core@"+axeVersion)
			if out, err := cmd.CombinedOutput(); err != nil {
				axe.err = fmt.Errorf("npm install axe-core@%s: %v\n%s", axeVersion, err, out)
				return
			}
		}
		b, err := os.ReadFile(filepath.Join(pkg, "axe.min.js"))
		axe.src, axe.err = string(b), err
	})
	if axe.err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(axe.err)
		}
		t.Logf("SKIP: %v", axe.err)
		t.Skip(axe.err)
	}
	return axe.src
}

func hasVersion(pkg, version string) bool {
	b, err := os.ReadFile(filepath.Join(pkg, "package.json"))
	if err != nil {
		return false
	}
	var p struct{ Version string }
	return json.Unmarshal(b, &p) == nil && p.Version == version
}

// axeViolation is one rule axe-core found broken.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// checkAxe runs axe-core on the page in ctx and fails on any serious or
// critical violation; lesser ones are logged.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	src := axeSource(t)
	var vs []axeViolation
	run(t, ctx, "axe on "+page, chromedp.Evaluate(src, nil),
		chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({ID: v.id, Impact: v.impact, Help: v.help, Nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`, &vs, awaitPromise))
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe on %s: %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, v.Nodes)
		} else {
			t.Logf("axe on %s: %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
}

// fourPages visits the search page, a guide, one of its criteria, the
// quiz and its results, calling visit on each.
func fourPages(t *testing.T, ctx context.Context, base, query, guide string, visit func(name string)) {
	t.Helper()
	run(t, ctx, "search page", chromedp.Navigate(base+"/?q="+query), chromedp.WaitVisible(`#found .hit`, chromedp.ByQuery))
	visit("search")
	run(t, ctx, "guide page", chromedp.Navigate(base+"/metiers/"+guide), chromedp.WaitVisible(`#similar`, chromedp.ByQuery))
	visit("guide")
	// The guide's first criterion: the page a tag leads to.
	run(t, ctx, "criterion page", chromedp.Click(`ul.tags a[href^="/criteres/"]`, chromedp.ByQuery), chromedp.WaitVisible(`body[data-page=criterion] h1`, chromedp.ByQuery))
	visit("criterion")
	run(t, ctx, "quiz", chromedp.Navigate(base+"/quiz"), chromedp.WaitVisible(`#quiz-form`, chromedp.ByQuery))
	visit("quiz")
	run(t, ctx, "quiz results", chromedp.Click(`#quiz-form input[value="5"]`, chromedp.ByQuery), chromedp.Click(`#next`, chromedp.ByQuery))
	waitFor(t, ctx, "the second question", `location.search.includes("=5")`)
	run(t, ctx, "see the matches", chromedp.Click(`#quiz-form input[value="2"]`, chromedp.ByQuery),
		chromedp.Click(`button[formaction="/quiz/resultats"]`, chromedp.ByQuery), chromedp.WaitVisible(`.matches .match`, chromedp.ByQuery))
	visit("quiz-results")
}

// TestAccessibility runs axe-core on the four pages (and the quiz's
// results), on the sample and on ONISEP when present, at desktop and
// phone widths, and screenshots them.
func TestAccessibility(t *testing.T) {
	axeSource(t)
	corpora := []struct{ name, base, query, guide string }{{"sample", site(t, "http://127.0.0.1"), "medecin", "codeur-medical"}}
	if onisepDir(t) != "" {
		corpora = append(corpora, struct{ name, base, query, guide string }{"onisep", onisepBase(t), "infirmier", "boulanger"})
	}
	for _, c := range corpora {
		base := c.base
		for _, w := range []struct {
			name          string
			width, height int
		}{{"desktop", 1280, 900}, {"375", 375, 812}} {
			ctx := browser(t, w.width, w.height)
			fourPages(t, ctx, base, c.query, c.guide, func(page string) {
				checkAxe(t, ctx, c.name+" "+page+" "+w.name)
				if c.name == corpora[len(corpora)-1].name {
					screenshot(t, ctx, page+"-"+w.name+".png")
				}
			})
		}
	}
}

// onisepDir is onisepCorpus without the skip: "" when absent.
func onisepDir(t *testing.T) string {
	if sharedData("onisep-ideo") != "" {
		return onisepCorpus(t)
	}
	t.Log("../shared/data/onisep-ideo is absent: the sample corpus only")
	return ""
}

// TestGuideLayoutIsStable measures the guide page's cumulative layout
// shift in Chromium, on the sample and on ONISEP (boulanger) when present:
// everything is in the HTML the server sends, so
// nothing arrives later to push the text down.
func TestGuideLayoutIsStable(t *testing.T) {
	pages := []struct{ name, base, guide string }{{"sample", site(t, "http://127.0.0.1"), "codeur-medical"}}
	if onisepDir(t) != "" {
		pages = append(pages, struct{ name, base, guide string }{"onisep", onisepBase(t), "boulanger"})
	}
	for _, p := range pages {
		for _, w := range []int{1280, 375} {
			ctx := browser(t, w, 900)
			var cls float64
			run(t, ctx, "open a guide", chromedp.Navigate(p.base+"/metiers/"+p.guide), chromedp.WaitVisible(`#similar`, chromedp.ByQuery),
				chromedp.Evaluate(`new Promise(done => { let cls = 0; new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) cls += e.value; }).observe({type: "layout-shift", buffered: true}); setTimeout(() => done(cls), 1000); })`, &cls, awaitPromise))
			t.Logf("%s guide page at %d px: cumulative layout shift %.4f", p.name, w, cls)
			if cls > 0.01 {
				t.Errorf("%s guide page at %d px: cumulative layout shift %.3f", p.name, w, cls)
			}
		}
	}
}

// TestTypingLatency measures, in Chromium on ONISEP, the time from a key
// pressed in the search box to its results drawn (the frame after they
// are in the page), typing « boulanger » one key at a time, twice: the
// second pass is the warm case (server caches filled). It asserts
// nothing about time (machines here are shared); it writes the figures
// to artifacts/typing-latency.json and the log.
func TestTypingLatency(t *testing.T) {
	base := onisepBase(t)
	ctx := browser(t, 1280, 900)
	run(t, ctx, "open the search page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.Evaluate(`window.__kd = 0; window.__lat = {}; document.getElementById("q").addEventListener("keydown", () => { window.__kd = performance.now(); }, true);
			new PerformanceObserver(l => { for (const m of l.getEntries()) if (m.name === "metiers:results") window.__lat[m.detail.q] = m.startTime - window.__kd; }).observe({entryTypes: ["mark"]}); true`, nil))
	word := "boulanger"
	passes := map[string][]float64{}
	for _, pass := range []string{"first", "warm"} {
		run(t, ctx, "clear", chromedp.Evaluate(`document.getElementById("q").value = ""; window.__lat = {}; true`, nil), chromedp.Focus(`#q`, chromedp.ByQuery))
		for i := range word {
			typed := word[:i+1]
			run(t, ctx, "type "+typed, chromedp.KeyEvent(string(word[i])))
			waitFor(t, ctx, "results for "+typed, `window.__lat[`+jsonOf(typed)+`] !== undefined`)
			passes[pass] = append(passes[pass], eval[float64](t, ctx, `window.__lat[`+jsonOf(typed)+`]`))
			time.Sleep(150 * time.Millisecond) // a reader's pace between keys
		}
	}
	if !strings.Contains(eval[string](t, ctx, `document.getElementById("found").textContent`), "Boulanger") {
		t.Errorf("typing « boulanger » does not show the boulanger")
	}
	out := map[string]any{"word": word, "measured": time.Now().UTC().Format(time.RFC3339), "ms": passes}
	for pass, ms := range passes {
		s := append([]float64(nil), ms...)
		sort.Float64s(s)
		out[pass+"_median_ms"] = s[len(s)/2]
		out[pass+"_max_ms"] = s[len(s)-1]
		t.Logf("typing « %s » on ONISEP, %s pass: keypress to results drawn, median %.0f ms, max %.0f ms (%v)", word, pass, s[len(s)/2], s[len(s)-1], ms)
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	if err := os.WriteFile(filepath.Join(artifacts(t), "typing-latency.json"), b, 0o644); err != nil {
		t.Error(err)
	}
}
