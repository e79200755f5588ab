//go:build browser

package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOpensAreCounted: a reader who opens a search result, then a
// « Métier similaire », sends one beacon each (POST /api/events), which
// the insights count (their Prometheus counters, read without a token).
func TestOpensAreCounted(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	run(t, ctx, "search « codeuse » and open the first result",
		chromedp.Navigate(base+"/?q=codeuse"),
		chromedp.WaitVisible(`.hits .hit a`, chromedp.ByQuery),
		chromedp.Click(`.hits .hit a`, chromedp.ByQuery),
		chromedp.WaitVisible(`body[data-page=guide] #similar li a`, chromedp.ByQuery),
		chromedp.Click(`#similar li a`, chromedp.ByQuery),
		chromedp.WaitVisible(`body[data-page=guide] h1`, chromedp.ByQuery),
	)
	want := []string{`metiers_insights_opens_total{from="search"} 1`, `metiers_insights_opens_total{from="similar"} 1`}
	var metrics string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		res, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		metrics = string(b)
		if strings.Contains(metrics, want[0]) && strings.Contains(metrics, want[1]) {
			return
		}
	}
	for _, w := range want {
		if !strings.Contains(metrics, w) {
			t.Errorf("after a result and a similar guide opened, the metrics lack %q", w)
		}
	}
}
