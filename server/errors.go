package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// errBadRequest marks input errors found by the handlers themselves.
var errBadRequest = errors.New("bad request")

// errNotFound marks an unknown id or route.
var errNotFound = errors.New("not found")

// status maps an error to its HTTP status: the one place that does.
func status(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, search.ErrBadQuery), errors.Is(err, recommend.ErrBadAnswers), errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, recommend.ErrUnknownMetier), errors.Is(err, recommend.ErrUnknownCriterion), errors.Is(err, errNotFound):
		return http.StatusNotFound
	case errors.Is(err, engine.ErrReindexRunning):
		return http.StatusConflict
	case errors.Is(err, engine.ErrNotReady), errors.Is(err, context.DeadlineExceeded):
		// Not ready yet, or over http.request_timeout: the request may
		// succeed later, and nothing is wrong with it.
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail answers with {"error": "..."}; internal errors are logged and not
// shown.
func (s *Server) fail(c *gin.Context, err error) {
	code := status(err)
	msg := err.Error()
	if code == http.StatusInternalServerError {
		s.log.Error("request failed", "path", c.Request.URL.Path, "error", err)
		msg = "internal error"
	}
	if code == http.StatusRequestEntityTooLarge {
		msg = "request body too large"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("request timed out", "path", c.Request.URL.Path)
		msg = "the request took longer than the server allows; try again"
	}
	c.AbortWithStatusJSON(code, gin.H{"error": msg})
}
