package server

import (
	"github.com/gin-gonic/gin"
)

// mountWeb serves the reader's pages, the site files crawlers read, the
// static files and the embeddable widget.
func (s *Server) mountWeb(r *gin.Engine) {
	get := func(p string, h gin.HandlerFunc) {
		r.GET(p, h)
		r.HEAD(p, h)
	}
	get("/", s.searchPage)
	get("/metiers/:id", s.guidePage)
	get("/metiers/:id/compatibilite", s.compatPage)
	get("/criteres/:id", s.criterionPage)
	get("/quiz", s.quizPage)
	get("/quiz/resultats", s.quizResults)
	get("/sitemap.xml", s.sitemap)
	get("/robots.txt", s.robots)
	static := gin.WrapH(s.pages.assets)
	get("/static/*file", static)
	get("/widget.js", static)
	get("/favicon.ico", func(c *gin.Context) { c.Redirect(301, s.pages.assets.URL("favicon.svg")) })
}
