//go:build browser

package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/metiers/metiers/corpus"
)

// documents records the status and content encoding of every page the
// tab in ctx loads, by URL.
type documents struct {
	mu   sync.Mutex
	seen map[string]network.Response
}

func watchDocuments(ctx context.Context) *documents {
	d := &documents{seen: map[string]network.Response{}}
	chromedp.ListenTarget(ctx, func(ev any) {
		if r, ok := ev.(*network.EventResponseReceived); ok && r.Type == network.ResourceTypeDocument && r.Response != nil {
			d.mu.Lock()
			d.seen[r.Response.URL] = *r.Response
			d.mu.Unlock()
		}
	})
	return d
}

// get returns the status and Content-Encoding the page at u came with.
func (d *documents) get(u string) (int64, string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.seen[u]
	if !ok {
		return 0, "", false
	}
	for k, v := range r.Headers {
		if strings.EqualFold(k, "Content-Encoding") {
			return r.Status, fmt.Sprint(v), true
		}
	}
	return r.Status, "", true
}

// crawled is what a guide page holds, read with scripts off.
type crawled struct {
	Title, Description, Canonical, H1, Main string
	JSONLD                                  []map[string]any
	H2                                      []string
}

// readDoc is a script's function that reads a guide page's document.
const readDoc = `(doc) => {
  const attr = (sel, a) => { const e = doc.querySelector(sel); return e ? e.getAttribute(a) || "" : ""; };
  const ld = [...doc.querySelectorAll('script[type="application/ld+json"]')].map(s => { try { return JSON.parse(s.textContent); } catch (e) { return {error: String(e)}; } });
  return {Title: doc.title, Description: attr('meta[name=description]', 'content'), Canonical: attr('link[rel=canonical]', 'href'),
    H1: (doc.querySelector('h1') || {}).textContent || "", Main: (doc.querySelector('main') || doc.body).textContent.replace(/\s+/g, ' '),
    JSONLD: ld, H2: [...doc.querySelectorAll('main h2')].map(h => h.textContent.trim())};
}`

// fetched is a guide page as the tab's own fetch received it, parsed by
// Chromium's HTML parser (which runs none of its scripts).
type fetched struct {
	Status   int
	Encoding string
	Page     crawled
}

// TestEveryGuideWithoutJavaScript reads ONISEP as a crawler does, in
// Chromium with scripts off: the sitemap lists the 928 guides, and each
// of them is a compressed HTTP 200 page with its title and tagline, its
// sections, a <title> of its own, a meta description, a canonical link
// and an Occupation in JSON-LD. Every 25th guide is opened as a page;
// the others, to keep the test in seconds on a shared machine, are
// fetched by the page and read by Chromium's parser, which is what the
// browser would show: the page's scripts never run either way.
func TestEveryGuideWithoutJavaScript(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: ONISEP's 928 pages are not crawled")
	}
	base := onisepBase(t)
	c, err := corpus.LoadDir(onisepCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser(t, 1280, 900)
	docs := watchDocuments(ctx)
	run(t, ctx, "scripts off", emulation.SetScriptExecutionDisabled(true))

	// The sitemap, as the browser receives it.
	run(t, ctx, "open the sitemap", chromedp.Navigate(base+"/sitemap.xml"))
	body := eval[string](t, ctx, `new XMLSerializer().serializeToString(document)`)
	var guides []string
	for _, part := range strings.Split(body, "<loc>")[1:] {
		loc, _, _ := strings.Cut(part, "</loc>")
		if path, ok := strings.CutPrefix(loc, base+"/metiers/"); ok {
			guides = append(guides, path)
		}
	}
	if len(guides) != 928 || len(c.Metiers) != 928 {
		t.Errorf("the sitemap lists %d guides, the corpus holds %d; want 928", len(guides), len(c.Metiers))
	}
	if status, _, _ := docs.get(base + "/sitemap.xml"); status != 200 {
		t.Errorf("sitemap: HTTP %d", status)
	}

	// Every guide, read by Chromium's parser, four requests at a time.
	var all map[string]fetched
	start := time.Now()
	run(t, ctx, "fetch every guide", chromedp.Evaluate(`(async () => {
	  const read = `+readDoc+`;
	  const ids = `+jsonOf(guides)+`, out = {};
	  let next = 0;
	  const worker = async () => {
	    while (next < ids.length) {
	      const id = ids[next++];
	      const r = await fetch("/metiers/" + id, {headers: {"Accept": "text/html"}});
	      out[id] = {Status: r.status, Encoding: r.headers.get("Content-Encoding") || "",
	        Page: read(new DOMParser().parseFromString(await r.text(), "text/html"))};
	    }
	  };
	  await Promise.all([worker(), worker(), worker(), worker()]);
	  return out;
	})()`, &all, awaitPromise))
	fetchedIn := time.Since(start)

	byID := map[string]*corpus.Metier{}
	for _, m := range c.Metiers {
		byID[m.ID] = m
	}
	titles := map[string]string{}
	encodings := map[string]int{}
	bad := 0
	for i, id := range guides {
		if bad >= 10 {
			t.Fatalf("stopping after 10 guide pages with faults")
		}
		u := base + "/metiers/" + id
		f, ok := all[id]
		if i%25 == 0 { // opened as a page
			if err := chromedp.Run(ctx, chromedp.Navigate(u), chromedp.Evaluate("("+readDoc+")(document)", &f.Page)); err != nil {
				t.Errorf("%s: %v", id, err)
				bad++
				continue
			}
			status, enc, seen := docs.get(u)
			f.Status, f.Encoding, ok = int(status), enc, seen
		}
		var faults []string
		if !ok || f.Status != 200 {
			faults = append(faults, fmt.Sprintf("HTTP %d", f.Status))
		}
		encodings[f.Encoding]++
		if m := byID[id]; m == nil {
			faults = append(faults, "not in the corpus")
		} else {
			faults = append(faults, guideFaults(m, f.Page, u)...)
		}
		if other, dup := titles[f.Page.Title]; dup {
			faults = append(faults, "shares its <title> with "+other)
		}
		titles[f.Page.Title] = id
		if len(faults) > 0 {
			t.Errorf("/metiers/%s: %s", id, strings.Join(faults, "; "))
			bad++
		}
	}
	if encodings[""] > 0 {
		t.Errorf("guide pages by Content-Encoding: %v (Chromium asks for gzip)", encodings)
	}
	t.Logf("%d guide pages read with scripts off (fetched and parsed in %v, then checked and every 25th opened in %v); Content-Encoding: %v",
		len(guides), fetchedIn.Round(time.Millisecond), time.Since(start.Add(fetchedIn)).Round(time.Millisecond), encodings)

	// Asked for gzip alone, a page comes gzipped (a search page: the
	// guides' may be in the browser's cache by now).
	run(t, ctx, "ask for gzip only", network.SetExtraHTTPHeaders(network.Headers{"Accept-Encoding": "gzip"}), chromedp.Navigate(base+"/?q=boulanger"))
	if status, enc, _ := docs.get(base + "/?q=boulanger"); status != 200 || enc != "gzip" {
		t.Errorf("asked for gzip: HTTP %d, Content-Encoding %q", status, enc)
	}
}

// guideFaults lists what the page p at u lacks of the guide m.
func guideFaults(m *corpus.Metier, p crawled, u string) []string {
	var out []string
	title := capitalised(m.Title)
	if !strings.HasPrefix(p.H1, title) {
		out = append(out, fmt.Sprintf("heading %q, want %q", p.H1, title))
	}
	if !strings.Contains(strings.ToLower(p.Title), strings.ToLower(m.Title)) {
		out = append(out, fmt.Sprintf("<title> %q", p.Title))
	}
	if p.Description == "" {
		out = append(out, "no meta description")
	}
	if p.Canonical != strings.TrimPrefix(u, baseOf(u)) && p.Canonical != u {
		out = append(out, fmt.Sprintf("canonical %q", p.Canonical))
	}
	if len(p.JSONLD) != 1 || p.JSONLD[0]["@type"] != "Occupation" || p.JSONLD[0]["name"] == "" {
		out = append(out, fmt.Sprintf("JSON-LD %v", p.JSONLD))
	}
	if m.Tagline != "" && !strings.Contains(spaces(p.Main), spaces(m.Tagline)) {
		out = append(out, "no tagline")
	}
	for _, sec := range []struct{ heading, text string }{
		{"Le métier", m.Introduction}, {"Missions quotidiennes", strings.Join(m.Missions, "\n")},
		{"Études", m.Studies}, {"Conditions de travail", m.Conditions},
		{"Se former", strings.Join(m.TrainingSteps, "\n")}, {"Conseils", strings.Join(m.Tips, "\n")},
	} {
		line, _, _ := strings.Cut(strings.TrimSpace(sec.text), "\n")
		if line == "" {
			continue
		}
		has := false
		for _, h := range p.H2 {
			has = has || h == sec.heading
		}
		if !has || !strings.Contains(strings.ToLower(spaces(p.Main)), strings.ToLower(spaces(line))) {
			out = append(out, "section « "+sec.heading+" » missing or without its text")
		}
	}
	return out
}

// baseOf is the scheme and host of an absolute URL.
func baseOf(u string) string {
	i := strings.Index(u, "://")
	if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
		return u[:i+3+j]
	}
	return u
}

// capitalised is how a page writes a title: first letter upper case.
func capitalised(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// spaces collapses runs of white space (no-break ones included) and
// drops them before a full stop or a comma, as the pages set a source's
// « Smic . »: what a page's text is compared with.
func spaces(s string) string {
	return strings.NewReplacer(" .", ".", " ,", ",").Replace(strings.Join(strings.Fields(s), " "))
}
