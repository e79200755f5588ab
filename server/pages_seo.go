package server

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/metiers/metiers/recommend"
)

// occupation is a guide as schema.org describes a job: an Occupation
// with its names, salary, education and ROME code where one is known.
func occupation(v *guideView, canonical string) map[string]any {
	m := v.M
	o := map[string]any{
		"@context":    "https://schema.org",
		"@type":       "Occupation",
		"name":        v.Title,
		"url":         canonical,
		"description": m.Tagline,
	}
	var alt []string
	if v.Feminine != "" {
		alt = append(alt, display(v.Feminine))
	}
	for _, t := range v.AltTitles {
		alt = append(alt, display(t))
	}
	if len(alt) > 0 {
		o["alternateName"] = alt
	}
	s := m.Salary
	lo, hi := first(s.Min, s.Max), max(s.Max, s.Min)
	if hi > 0 {
		o["estimatedSalary"] = []map[string]any{{
			"@type": "MonetaryAmountDistribution", "name": "brut mensuel",
			"currency": "EUR", "duration": "P1M", "minValue": lo, "maxValue": hi,
		}}
	}
	switch {
	case m.Studies != "":
		o["educationRequirements"] = truncate(m.Studies, 300)
	case m.StudyYears > 0:
		o["educationRequirements"] = years(m.StudyYears) + " d’études après le secondaire"
	}
	if codes := romeCodes(v); len(codes) > 0 {
		var cat []map[string]any
		for _, c := range codes {
			cat = append(cat, map[string]any{
				"@type": "CategoryCode", "codeValue": c,
				"inCodeSet": map[string]any{"@type": "CategoryCodeSet", "name": "ROME (France Travail)"},
			})
		}
		o["occupationalCategory"] = cat
	}
	if len(m.Qualities) > 0 {
		o["skills"] = strings.Join(m.Qualities, ", ")
	}
	if len(m.Missions) > 0 {
		o["responsibilities"] = m.Missions[:min(len(m.Missions), 5)]
	}
	o["occupationLocation"] = location(v)
	return o
}

// romeCodes are the ROME codes of a guide: its own id for a ROME sheet.
func romeCodes(v *guideView) []string {
	if v.M.Source == "rome" && v.M.SourceID != "" {
		return []string{v.M.SourceID}
	}
	return nil
}

// location is where a guide's figures apply: its employment areas, or the
// country its source describes.
func location(v *guideView) []map[string]any {
	var out []map[string]any
	for _, a := range v.M.EmploymentAreas {
		out = append(out, map[string]any{"@type": "AdministrativeArea", "name": a})
	}
	if len(out) > 0 {
		return out
	}
	country := "Belgique"
	if v.M.Source == "onisep" || v.M.Source == "rome" {
		country = "France"
	}
	return []map[string]any{{"@type": "Country", "name": country}}
}

// itemList describes a page of guides as a schema.org ItemList.
func itemList(site, name string, items []recommend.ByCriterionItem, from int) map[string]any {
	var list []map[string]any
	for i, it := range items {
		list = append(list, map[string]any{"@type": "ListItem", "position": from + i + 1, "url": site + "/metiers/" + url.PathEscape(it.ID), "name": it.Title})
	}
	return map[string]any{"@context": "https://schema.org", "@type": "ItemList", "name": name, "itemListElement": list}
}

// sitemapURL is one <url> of the sitemap.
type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemap lists the home page, the quiz, every guide and every criterion
// that has guides, each last modified when its generation was built (the
// corpus changed then; an unchanged corpus reopens the same generation).
func (s *Server) sitemap(c *gin.Context) {
	g, ok := s.pageGeneration(c)
	if !ok {
		return
	}
	site := s.site(c)
	mod := g.Built.UTC().Format(time.RFC3339)
	urls := []sitemapURL{{Loc: site + "/", LastMod: mod}, {Loc: site + "/quiz", LastMod: mod}}
	for _, m := range g.Corpus.Metiers {
		urls = append(urls, sitemapURL{Loc: site + "/metiers/" + url.PathEscape(m.ID), LastMod: mod})
	}
	for _, cr := range g.Recommender.Criteria() {
		if cr.Metiers > 0 {
			urls = append(urls, sitemapURL{Loc: site + "/criteres/" + url.PathEscape(cr.ID), LastMod: mod})
		}
	}
	out, err := xml.MarshalIndent(struct {
		XMLName xml.Name     `xml:"urlset"`
		NS      string       `xml:"xmlns,attr"`
		URLs    []sitemapURL `xml:"url"`
	}{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", URLs: urls}, "", " ")
	if err != nil {
		s.failPage(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "application/xml; charset=utf-8", append([]byte(xml.Header), out...))
}

// robots lets crawlers read the pages, not the API, the admin routes or
// the pages of a reader's answers, and points them at the sitemap.
func (s *Server) robots(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.String(http.StatusOK, "User-agent: *\nDisallow: /api/\nDisallow: /admin/\nDisallow: /quiz/resultats\nDisallow: /metiers/*/compatibilite\n\nSitemap: %s/sitemap.xml\n", s.site(c))
}
