package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/metiers/metiers/server/web"
)

// mountWeb serves the reader's pages and the embeddable widget.
func (s *Server) mountWeb(r *gin.Engine) {
	h := gin.WrapH(web.Handler())
	for _, p := range []string{"/", "/quiz", "/metiers/:id", "/criteres/:id", "/widget.js"} {
		r.GET(p, h)
		r.HEAD(p, h)
	}
	r.GET("/static/*file", h)
	r.HEAD("/static/*file", h)
	r.GET("/favicon.ico", func(c *gin.Context) { c.Status(http.StatusNoContent) })
}
