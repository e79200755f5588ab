package server

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// TestInsightsScriptedSession drives a reader session through the HTTP
// API on the sample corpus and reads the report back: the queries with
// no result are exactly those the session typed that found nothing.
func TestInsightsScriptedSession(t *testing.T) {
	ts, _ := newTestServer(t, "secret")
	auth := []string{"Authorization", "Bearer secret"}
	search := func(q string) float64 {
		code, m := do(t, "GET", ts.URL+"/api/search?q="+url.QueryEscape(q), "")
		if code != 200 {
			t.Fatalf("search %q: HTTP %d %v", q, code, m)
		}
		return m["total"].(float64)
	}
	session := []string{"medecin", "Médecin", "codeuse", "astronaute", "plombier zingueur", "astronaute", "xqzwv", "secretaire medicale"}
	wantEmpty := map[string]int{}
	for _, q := range session {
		if search(q) == 0 {
			wantEmpty[strings.ToLower(q)]++
		}
	}
	if len(wantEmpty) == 0 || wantEmpty["astronaute"] != 2 {
		t.Fatalf("the session should hold queries with no result on the sample (astronaute twice): %v", wantEmpty)
	}
	// A reader opens the first result of « codeuse », and a similar guide.
	_, res := do(t, "GET", ts.URL+"/api/search?q=codeuse", "")
	first := res["hits"].([]any)[0].(map[string]any)["id"].(string)
	for _, body := range []string{
		fmt.Sprintf(`{"type":"open","id":%q,"from":"search","query":"codeuse"}`, first),
		fmt.Sprintf(`{"type":"open","id":%q,"from":"similar","source":%q}`, first, first),
	} {
		// As navigator.sendBeacon sends it: text/plain.
		if code, m := do(t, "POST", ts.URL+"/api/events", body, "Content-Type", "text/plain;charset=UTF-8"); code != http.StatusNoContent {
			t.Fatalf("event %s: HTTP %d %v", body, code, m)
		}
	}
	for _, bad := range []struct{ body, field string }{
		{`{"type":"open","id":"nope","from":"search","query":"x"}`, "id"},
		{`{"type":"open","id":"` + first + `","from":"nowhere"}`, "from"},
		{`{"type":"open","id":"` + first + `","from":"search","query":"x","ip":"1.2.3.4"}`, "ip"},
	} {
		code, m := do(t, "POST", ts.URL+"/api/events", bad.body)
		if code != 400 || !strings.Contains(fmt.Sprint(m["error"]), bad.field) {
			t.Errorf("event %s: HTTP %d %v, want 400 naming %s", bad.body, code, m, bad.field)
		}
	}
	if code, _ := do(t, "POST", ts.URL+"/api/events", `{"type":"open","query":"`+strings.Repeat("a", 2000)+`"}`); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 KB beacon: HTTP %d, want 413", code)
	}

	if code, _ := do(t, "GET", ts.URL+"/admin/insights", ""); code != 401 {
		t.Errorf("insights without the token: HTTP %d, want 401", code)
	}
	code, m := do(t, "GET", ts.URL+"/admin/insights?size=50", "", auth...)
	if code != 200 {
		t.Fatalf("insights: HTTP %d %v", code, m)
	}
	day := m["windows"].([]any)[0].(map[string]any)
	gotEmpty := map[string]int{}
	for _, q := range day["no_result"].([]any) {
		q := q.(map[string]any)
		gotEmpty[q["query"].(string)] = int(q["count"].(float64))
	}
	if !reflect.DeepEqual(gotEmpty, wantEmpty) {
		t.Errorf("no_result: got %v, want %v", gotEmpty, wantEmpty)
	}
	tops := map[string]float64{}
	for _, q := range day["top"].([]any) {
		q := q.(map[string]any)
		tops[q["query"].(string)] = q["count"].(float64)
	}
	// Case folds, accents stay: an editor sees what readers typed.
	if tops["codeuse"] != 2 || tops["médecin"] != 1 || tops["medecin"] != 1 {
		t.Errorf("top: %v, want codeuse 2, médecin 1, medecin 1", tops)
	}
	for _, q := range day["unopened"].([]any) {
		if q.(map[string]any)["query"] == "codeuse" {
			t.Errorf("codeuse is listed unopened though its result was opened: %v", day["unopened"])
		}
	}
	if day["searches"].(float64) != float64(len(session)+1) || day["opens"].(float64) != 2 {
		t.Errorf("day: %v searches, %v opens; want %d and 2", day["searches"], day["opens"], len(session)+1)
	}

	// The admin page, opened in a browser with the token as Basic password.
	req, _ := http.NewRequest("GET", ts.URL+"/admin/insights", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("admin page without credentials: HTTP %d, WWW-Authenticate %q; want 401 Basic", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	req.SetBasicAuth("editeur", "secret")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "astronaute") || !strings.Contains(string(page), "Sans résultat") {
		t.Errorf("admin page: HTTP %d\n%s", resp.StatusCode, page)
	}

	_, metrics := get(t, ts.URL+"/metrics")
	for _, want := range []string{"metiers_insights_searches_total 9", `metiers_insights_opens_total{from="search"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
