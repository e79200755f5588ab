package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// TestReadyzWhileLoading queries a server whose first build is held in
// the middle of indexing: /readyz answers 503 with the stage and its
// counts, the API 503, and once the build ends /readyz answers 200.
func TestReadyzWhileLoading(t *testing.T) {
	t.Parallel()
	syn := index.DefaultSynonyms()
	reached, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	e, err := engine.New(engine.Options{Synonyms: syn, Search: search.Options{Synonyms: syn},
		Progress: func(stage string, done, total int) {
			if stage == engine.StageIndexed {
				once.Do(func() { close(reached); <-release })
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(New(e, Options{}).Handler())
	defer ts.Close()
	started := make(chan error, 1)
	go func() { started <- e.Start(context.Background()) }()
	defer e.Close()
	<-reached
	code, body := do(t, "GET", ts.URL+"/readyz", "")
	if code != http.StatusServiceUnavailable || body["status"] != "loading" || body["stage"] != engine.StageIndexed || body["total"] != float64(5) {
		t.Errorf("/readyz while indexing: %d %v, want 503 loading at stage indexed of 5 guides", code, body)
	}
	if code, body := do(t, "GET", ts.URL+"/api/search?q=medecin", ""); code != http.StatusServiceUnavailable {
		t.Errorf("search while loading: %d %v, want 503", code, body)
	}
	close(release)
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	if code, body := do(t, "GET", ts.URL+"/readyz", ""); code != http.StatusOK || body["guides"] != float64(5) || body["failed_build"] != nil {
		t.Errorf("/readyz once started: %d %v", code, body)
	}
}

// TestReadyzReportsFailedBuild restarts on a corpus that no longer
// builds: the server serves the last good generation, and /readyz and
// /metrics say the build failed and why, until a reindex succeeds.
func TestReadyzReportsFailedBuild(t *testing.T) {
	t.Parallel()
	corpusDir, indexDir := t.TempDir(), t.TempDir()
	good := []byte(`{"title": "Infirmier", "title_feminine": "Infirmière", "tagline": "Soigner"}`)
	os.WriteFile(filepath.Join(corpusDir, "infirmier.json"), good, 0o644)
	syn := index.DefaultSynonyms()
	opts := engine.Options{CorpusDir: corpusDir, IndexDir: indexDir, Synonyms: syn, Search: search.Options{Synonyms: syn}}
	first, _ := engine.New(opts)
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	first.Close()

	os.WriteFile(filepath.Join(corpusDir, "infirmier.json"), []byte("{"), 0o644)
	e, _ := engine.New(opts)
	if err := e.Start(context.Background()); err != nil {
		t.Fatalf("start on a broken corpus with a good generation on disk: %v", err)
	}
	defer e.Close()
	ts := httptest.NewServer(New(e, Options{}).Handler())
	defer ts.Close()
	code, body := do(t, "GET", ts.URL+"/readyz", "")
	failed, _ := body["failed_build"].(map[string]any)
	if code != http.StatusOK || body["stale"] != true || body["guides"] != float64(1) || failed == nil ||
		failed["during"] != "start" || !strings.Contains(failed["error"].(string), "infirmier.json") {
		t.Errorf("/readyz after a failed start build: %d %v, want 200, stale, 1 guide and the failure naming the file", code, body)
	}
	if got := metric(t, ts.URL, "metiers_build_failed"); got != "1" {
		t.Errorf("metiers_build_failed %q, want 1", got)
	}

	os.WriteFile(filepath.Join(corpusDir, "infirmier.json"), good, 0o644)
	if _, err := e.ReindexNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, body := do(t, "GET", ts.URL+"/readyz", ""); code != http.StatusOK || body["stale"] != false || body["failed_build"] != nil {
		t.Errorf("/readyz after a good reindex: %d %v", code, body)
	}
	if got := metric(t, ts.URL, "metiers_build_failed"); got != "0" {
		t.Errorf("metiers_build_failed %q after a good reindex, want 0", got)
	}
}

// metric returns the value of an unlabelled metric on /metrics.
func metric(t *testing.T, base, name string) string {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}
