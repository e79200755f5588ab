package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// widgetData answers the « Métiers similaires » widget: the guide's
// title and similar guides, cacheable (ETag, five minutes). A page on an
// origin that is not allowed gets a 403 it can read (the CORS headers
// are sent with it), so that the widget can tell its integrator why,
// rather than the browser's silent refusal that looks like an outage.
func (s *Server) widgetData(c *gin.Context) {
	q, err := query(c, "size")
	if err != nil {
		s.fail(c, err)
		return
	}
	size, err := sizeParam(q, 5, 20)
	if err != nil {
		s.fail(c, err)
		return
	}
	if origin := c.GetHeader("Origin"); origin != "" && !s.originAllowed(c, origin) {
		c.Header("Access-Control-Allow-Origin", origin)
		c.AbortWithStatusJSON(http.StatusForbidden, gin.H{
			"error":  fmt.Sprintf("origin %s may not show the widget: add it to cors_origins", origin),
			"reason": "origin",
		})
		return
	}
	g, ok := s.generation(c)
	if !ok {
		return
	}
	id := c.Param("id")
	m := g.Metier(id)
	if m == nil {
		c.AbortWithStatusJSON(http.StatusNotFound, gin.H{"error": fmt.Sprintf("no guide %q", id), "reason": "unknown_guide"})
		return
	}
	sim, err := g.Recommender.Similar(id, size)
	if err != nil {
		s.fail(c, err)
		return
	}
	type item struct {
		ID     string `json:"id"`
		Title  string `json:"title"`
		URL    string `json:"url"`
		Reason string `json:"reason,omitempty"`
	}
	out := struct {
		ID      string `json:"id"`
		Title   string `json:"title"`
		URL     string `json:"url"`
		Similar []item `json:"similar"`
	}{ID: id, Title: display(m.Title), URL: s.absolute("/metiers/" + url.PathEscape(id)), Similar: []item{}}
	for _, x := range sim {
		it := item{ID: x.ID, Title: display(x.Title), URL: s.absolute("/metiers/" + url.PathEscape(x.ID))}
		if len(x.Reasons) > 0 {
			it.Reason = x.Reasons[0]
		}
		out.Similar = append(out.Similar, it)
	}
	body, err := json.Marshal(out)
	if err != nil {
		s.fail(c, err)
		return
	}
	sum := sha256.Sum256(body)
	etag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", "public, max-age=300")
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// originAllowed reports whether a page on origin may call the API from a
// browser: a configured origin, any with "*", or the site itself.
func (s *Server) originAllowed(c *gin.Context, origin string) bool {
	if slices.Contains(s.opts.CORSOrigins, "*") || slices.Contains(s.opts.CORSOrigins, origin) {
		return true
	}
	host := strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://")
	return host == c.Request.Host
}
