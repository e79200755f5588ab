//go:build browser

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// cspProbe records every Content-Security-Policy violation of a page,
// from before its first script runs.
const cspProbe = `window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.effectiveDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});`

// TestPagesSatisfyTheirCSP opens every kind of page, and uses each as a
// reader would (typing a search, opening a guide, answering the quiz):
// the browser reports no violation of the policy the server sends.
func TestPagesSatisfyTheirCSP(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	if err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(cspProbe).Do(ctx)
		return err
	})); err != nil {
		t.Fatal(err)
	}
	visits := []struct {
		path    string
		actions []chromedp.Action
	}{
		{"/", []chromedp.Action{
			chromedp.WaitVisible(`#q`, chromedp.ByQuery),
			chromedp.SendKeys(`#q`, "codeuse", chromedp.ByQuery),
			chromedp.WaitVisible(`.hits .hit`, chromedp.ByQuery),
		}},
		{"/?q=m%C3%A9dical", []chromedp.Action{chromedp.WaitVisible(`.hits .hit`, chromedp.ByQuery)}},
		{"/metiers/codeur-medical", []chromedp.Action{chromedp.WaitVisible(`#similar li`, chromedp.ByQuery)}},
		{"/metiers/nope", nil},
		{"/criteres/secteur_sante", nil},
		{"/quiz", []chromedp.Action{
			chromedp.WaitVisible(`.likert input`, chromedp.ByQuery),
			chromedp.Click(`.likert input`, chromedp.ByQuery),
		}},
	}
	for _, v := range visits {
		var violations []string
		actions := append([]chromedp.Action{chromedp.Navigate(base + v.path)}, v.actions...)
		actions = append(actions, chromedp.Sleep(300*time.Millisecond), chromedp.Evaluate(`window.__csp`, &violations))
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Errorf("%s: %v", v.path, err)
			continue
		}
		if len(violations) > 0 {
			t.Errorf("%s: %d CSP violations:\n  %s", v.path, len(violations), strings.Join(violations, "\n  "))
		}
	}
}
