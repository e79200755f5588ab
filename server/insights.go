package server

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/metiers/metiers/insights"
	"github.com/metiers/metiers/search"
)

// maxEventBytes bounds a beacon's body: an event is a few ids and a query.
const maxEventBytes = 1 << 10

// recordSearch counts a search the server answered (a page of hits).
func (s *Server) recordSearch(req search.Request, res *search.Response) {
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	s.insights.RecordSearch(insights.Search{Query: req.Query, Total: res.Total, IDs: ids, Page: max(req.Page, 1)})
}

// recordSuggestions marks the suggested guides as found.
func (s *Server) recordSuggestions(sug []search.Suggestion) {
	ids := make([]string, len(sug))
	for i, x := range sug {
		ids[i] = x.ID
	}
	s.insights.RecordFound(ids)
}

// event records a beacon (POST /api/events): the page or the widget
// says a reader opened a result or a similar guide. navigator.sendBeacon
// sends text/plain (no CORS preflight from the widget's site), so the
// body is read as JSON whatever its type.
func (s *Server) event(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxEventBytes)
	var ev insights.Event
	if err := decode(c, &ev); err != nil {
		s.fail(c, err)
		return
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	known := func(id string) bool { return g.Metier(id) != nil }
	if err := s.insights.RecordOpen(ev, known); err != nil {
		s.fail(c, fmt.Errorf("%w: %w", errBadRequest, err))
		return
	}
	c.Status(http.StatusNoContent)
}

// insightsReport answers GET /admin/insights: JSON, or the admin page
// for a browser.
func (s *Server) insightsReport(c *gin.Context) {
	q, err := query(c, "size")
	if err != nil {
		s.fail(c, err)
		return
	}
	size, err := sizeParam(q, 20, 1000)
	if err != nil {
		s.fail(c, err)
		return
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	ids := make([]string, len(g.Corpus.Metiers))
	for i, m := range g.Corpus.Metiers {
		ids[i] = m.ID
	}
	ws := s.insights.Report(ids, size)
	if !wantsHTML(c) {
		c.JSON(http.StatusOK, gin.H{"windows": ws, "guides": len(ids)})
		return
	}
	titles := map[string]string{}
	for _, w := range ws {
		for _, id := range w.NeverFound {
			if m := g.Metier(id); m != nil {
				titles[id] = m.Title
			}
		}
	}
	var buf bytes.Buffer
	if err := insightsPage.Execute(&buf, struct {
		Windows []insights.Window
		Titles  map[string]string
		Guides  int
	}{ws, titles, len(ids)}); err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
}

// wantsHTML reports whether the client prefers HTML to JSON (a browser).
func wantsHTML(c *gin.Context) bool {
	a := c.GetHeader("Accept")
	h, j := strings.Index(a, "text/html"), strings.Index(a, "application/json")
	return h >= 0 && (j < 0 || h < j)
}

// insightsMetrics exports the recorder's counts as Prometheus counters.
// Queries are not labels: their number is unbounded.
func insightsMetrics(reg *prometheus.Registry, r *insights.Recorder) {
	for _, c := range []struct {
		name, help string
		labels     prometheus.Labels
		n          func() uint64
	}{
		{"metiers_insights_searches_total", "Searches counted by the insights (first pages).", nil, r.Totals.Searches.Load},
		{"metiers_insights_empty_searches_total", "Searches that found no guide.", nil, r.Totals.EmptySearches.Load},
		{"metiers_insights_opens_total", "Guides opened from a list, by list (beacons).", prometheus.Labels{"from": "search"}, r.Totals.OpensSearch.Load},
		{"metiers_insights_opens_total", "Guides opened from a list, by list (beacons).", prometheus.Labels{"from": "similar"}, r.Totals.OpensSimilar.Load},
	} {
		n := c.n
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: c.name, Help: c.help, ConstLabels: c.labels},
			func() float64 { return float64(n()) }))
	}
}

var insightsPage = template.Must(template.New("insights").Parse(`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ce que cherchent les lecteurs — metiers</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<main class="admin">
<h1>Ce que cherchent les lecteurs</h1>
<p>{{.Guides}} fiches servies. Les comptes viennent d’un résumé borné (les requêtes les plus fréquentes de chaque heure et de chaque jour)&nbsp;: « ± » dit de combien un compte peut être surestimé. Aucune adresse ni aucun identifiant de lecteur n’est conservé.</p>
{{range .Windows}}
<section>
<h2>{{if eq .Name "day"}}Dernières 24 heures{{else if eq .Name "week"}}7 derniers jours{{else}}30 derniers jours{{end}}</h2>
<p>Depuis le {{.Since.Format "02/01/2006 15:04"}} UTC&nbsp;: {{.Searches}} recherches, dont {{.EmptySearches}} sans résultat&nbsp;; {{.Opens}} fiches ouvertes depuis une liste.</p>
<div class="admin-grid">
<table><caption>Requêtes les plus fréquentes</caption>
<thead><tr><th scope="col">Requête</th><th scope="col">Recherches</th><th scope="col">Fiches ouvertes</th></tr></thead>
<tbody>{{range .Top}}<tr><td>{{.Query}}</td><td>{{.Count}}{{if .Error}} ±{{.Error}}{{end}}</td><td>{{.Opened}}</td></tr>{{else}}<tr><td colspan="3">Aucune recherche.</td></tr>{{end}}</tbody></table>
<table><caption>Sans résultat (synonymes ou fiches à écrire)</caption>
<thead><tr><th scope="col">Requête</th><th scope="col">Recherches</th></tr></thead>
<tbody>{{range .NoResult}}<tr><td>{{.Query}}</td><td>{{.Count}}{{if .Error}} ±{{.Error}}{{end}}</td></tr>{{else}}<tr><td colspan="2">Aucune.</td></tr>{{end}}</tbody></table>
<table><caption>Des résultats, aucun ouvert</caption>
<thead><tr><th scope="col">Requête</th><th scope="col">Recherches</th></tr></thead>
<tbody>{{range .Unopened}}<tr><td>{{.Query}}</td><td>{{.Count}}{{if .Error}} ±{{.Error}}{{end}}</td></tr>{{else}}<tr><td colspan="2">Aucune.</td></tr>{{end}}</tbody></table>
</div>
<h3>Fiches jamais trouvées ({{.NeverFoundTotal}})</h3>
{{if .NeverFound}}<ul>{{range .NeverFound}}<li><a href="/metiers/{{.}}">{{with index $.Titles .}}{{.}}{{else}}{{.}}{{end}}</a></li>{{end}}</ul>{{else}}<p>Toutes les fiches ont été proposées par une recherche.</p>{{end}}
</section>
{{end}}
</main>
</body>
</html>
`))
