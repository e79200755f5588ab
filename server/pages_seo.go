package server

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
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

// romeCodes are the ROME codes a guide's source gives: its own id for a
// ROME sheet, the codes it links to for the others (ONISEP's). Codes the
// engine only suggests are not the source's word, and are left out.
func romeCodes(v *guideView) []string {
	var out []string
	if v.M.Source == "rome" && v.M.SourceID != "" {
		out = append(out, v.M.SourceID)
	}
	for _, c := range v.M.RomeCodes {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
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

// itemList describes a page of guides as a schema.org ItemList; link
// writes each guide's address.
func itemList(link func(string) string, name string, items []recommend.ByCriterionItem, from int) map[string]any {
	var list []map[string]any
	for i, it := range items {
		list = append(list, map[string]any{"@type": "ListItem", "position": from + i + 1, "url": link("/metiers/" + url.PathEscape(it.ID)), "name": it.Title})
	}
	return map[string]any{"@context": "https://schema.org", "@type": "ItemList", "name": name, "itemListElement": list}
}

// sitemapURL is one <url> of the sitemap.
type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemap lists the home page, the quiz, every guide and every criterion
// that has guides. A guide is last modified when its file was (or when
// its generation was built, where the corpus gives no time); a criterion
// page when the latest of its guides was; the home page and the quiz,
// which list guides and criteria, when the generation was built (an
// unchanged corpus reopens the same generation, and keeps its date).
func (s *Server) sitemap(c *gin.Context) {
	g, ok := s.pageGeneration(c)
	if !ok {
		return
	}
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	built := stamp(g.Built)
	urls := []sitemapURL{{Loc: s.absolute("/"), LastMod: built}, {Loc: s.absolute("/quiz"), LastMod: built}}
	for _, m := range g.Corpus.Metiers {
		urls = append(urls, sitemapURL{Loc: s.absolute("/metiers/" + url.PathEscape(m.ID)), LastMod: stamp(g.Modified(m.ID))})
	}
	for _, cr := range g.Recommender.Criteria() {
		if cr.Metiers == 0 {
			continue
		}
		_, items, err := g.Recommender.ByCriterion(cr.ID, 0)
		if err != nil {
			s.failPage(c, err)
			return
		}
		var last time.Time
		for _, it := range items {
			if t := g.Modified(it.ID); t.After(last) {
				last = t
			}
		}
		if last.IsZero() {
			last = g.Built
		}
		urls = append(urls, sitemapURL{Loc: s.absolute("/criteres/" + url.PathEscape(cr.ID)), LastMod: stamp(last)})
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
	c.String(http.StatusOK, "User-agent: *\nDisallow: /api/\nDisallow: /admin/\nDisallow: /quiz/resultats\nDisallow: /metiers/*/compatibilite\n\nSitemap: %s\n", s.absolute("/sitemap.xml"))
}
