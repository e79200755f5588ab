package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// putMetier publishes one guide (PUT /admin/metiers/:id, the structured
// JSON format): 201 when it is new, 200 when it replaces one, once this
// replica serves it; 400 naming the bad field, 413 over the body limit.
func (s *Server) putMetier(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	body, err := readBody(c) // a body cut short is a 400, not a 500
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.engine.Put(c.Request.Context(), c.Param("id"), body)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header(generationHeader, p.Generation)
	code := http.StatusOK
	if p.Created {
		code = http.StatusCreated
	}
	c.JSON(code, p)
}

// deleteMetier removes one guide (DELETE /admin/metiers/:id).
func (s *Server) deleteMetier(c *gin.Context) {
	if !s.noParams(c) {
		return
	}
	p, err := s.engine.Delete(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header(generationHeader, p.Generation)
	c.JSON(http.StatusOK, p)
}
