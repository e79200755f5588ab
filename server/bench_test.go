package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/importer"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// benchSearchQueries are what readers type, from a word being typed to a
// job title of a dozen words.
var benchSearchQueries = []string{
	"infirm", "infirmier", "secretaire medicale", "mutuele", "tech", "technicien de maintenance",
	"Technicien de prévention et lutte contre les sinistres", "Monteur calorifugeur sur tuyauteries",
	"Conductrice de travaux second œuvre du bâtiment et des travaux publics en région",
}

// BenchmarkSearchHTTP runs GET /api/search through the whole handler
// (middleware, search, JSON, gzip) without the response cache: on the
// sample, and on ONISEP when ../shared/data is beside the repository.
func BenchmarkSearchHTTP(b *testing.B) {
	b.Run("sample", func(b *testing.B) { benchSearchHTTP(b, "") })
	b.Run("onisep", func(b *testing.B) {
		src := sharedData(b, "onisep-ideo")
		res, err := importer.ONISEP(src, importer.Options{})
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		if err := importer.WriteDir(dir, res.Metiers); err != nil {
			b.Fatal(err)
		}
		benchSearchHTTP(b, dir)
	})
}

func benchSearchHTTP(b *testing.B, dir string) {
	syn := index.DefaultSynonyms()
	// CacheSize 0: no response cache, every request is searched.
	e, err := engine.New(engine.Options{CorpusDir: dir, Synonyms: syn, Search: search.Options{Synonyms: syn, CacheSize: 0}})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	h := New(e, Options{}).Handler()
	reqs := make([]*http.Request, len(benchSearchQueries))
	for i, q := range benchSearchQueries {
		reqs[i] = httptest.NewRequest(http.MethodGet, "/api/search?q="+url.QueryEscape(q), nil)
		reqs[i].Header.Set("Accept-Encoding", "gzip")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := reqs[i%len(reqs)]
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: HTTP %d %s", r.URL, w.Code, w.Body)
		}
	}
}
