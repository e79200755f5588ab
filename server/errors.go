package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// errBadRequest marks input errors found by the handlers themselves.
var errBadRequest = errors.New("bad request")

// errNotFound marks an unknown id or route.
var errNotFound = errors.New("not found")

// errTooLarge marks a request body over the limit, refused before it is
// read (its Content-Length says so).
var errTooLarge = errors.New("request body too large")

// status maps an error to its HTTP status: the one place that does.
func status(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, search.ErrBadQuery), errors.Is(err, recommend.ErrBadAnswers), errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, recommend.ErrUnknownMetier), errors.Is(err, recommend.ErrUnknownCriterion), errors.Is(err, errNotFound):
		return http.StatusNotFound
	case errors.Is(err, engine.ErrBadGuide):
		return http.StatusBadRequest
	case errors.Is(err, engine.ErrUnknownGuide):
		return http.StatusNotFound
	case errors.Is(err, engine.ErrReindexRunning), errors.Is(err, engine.ErrReadOnlyCorpus):
		return http.StatusConflict
	case errors.Is(err, engine.ErrNotReady), errors.Is(err, context.DeadlineExceeded):
		// Not ready yet, or over http.request_timeout: the request may
		// succeed later, and nothing is wrong with it.
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// maxErrorBytes bounds the message of an error body: a message quotes
// the reader's input, which is bounded, but a bound here keeps any
// message that lists too much (every unknown name of a large body) from
// becoming a response of megabytes.
const maxErrorBytes = 1 << 10

// fail answers with {"error": "..."}; internal errors are logged and not
// shown.
func (s *Server) fail(c *gin.Context, err error) {
	code := status(err)
	msg := err.Error()
	var mbe *http.MaxBytesError
	switch {
	case code == http.StatusInternalServerError:
		s.log.Error("request failed", "path", clip(c.Request.URL.Path, logPathBytes), "error", clip(err.Error(), maxErrorBytes))
		msg = "internal error"
	case errors.As(err, &mbe):
		msg = "request body too large: at most " + strconv.FormatInt(mbe.Limit, 10) + " bytes are allowed"
	case errors.Is(err, context.DeadlineExceeded):
		s.log.Warn("request timed out", "path", clip(c.Request.URL.Path, logPathBytes))
		msg = "the request took longer than the server allows; try again"
	}
	c.AbortWithStatusJSON(code, gin.H{"error": clip(msg, maxErrorBytes)})
}

// jsonErrorBodies makes every error body JSON, whoever wrote it: a
// handler that answers a status of 400 or more with a plain-text body
// (http.FileServer's 404, http.Error, gin's own 404 and 405) or with no
// body at all gets {"error": "<status text>"} instead. An HTML error
// page meant for a reader is left alone.
func jsonErrorBodies() gin.HandlerFunc {
	return func(c *gin.Context) {
		w := &jsonErrorWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		if !w.Written() && w.Status() >= 400 && c.Request.Method != http.MethodHead {
			w.replace()
		}
	}
}

// jsonErrorWriter replaces a plain-text error body when its first byte
// is written: gin sets a response's status before its Content-Type, so
// only then is it known which body it is.
type jsonErrorWriter struct {
	gin.ResponseWriter
	decided, swallow bool
}

func (w *jsonErrorWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	if w.Status() < 400 {
		return
	}
	ct := w.Header().Get("Content-Type")
	if ct == "" || strings.HasPrefix(ct, "text/plain") {
		w.replace()
		w.swallow = true
	}
}

// replace writes the JSON error body of the response's status.
func (w *jsonErrorWriter) replace() {
	w.decided = true
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Del("Content-Length")
	body, _ := json.Marshal(gin.H{"error": strings.ToLower(http.StatusText(w.Status()))})
	w.ResponseWriter.Write(body)
}

func (w *jsonErrorWriter) Write(b []byte) (int, error) {
	w.decide()
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *jsonErrorWriter) WriteString(s string) (int, error) {
	w.decide()
	if w.swallow {
		return len(s), nil
	}
	return w.ResponseWriter.WriteString(s)
}

// jsonErrorListener makes JSON the error responses that net/http writes
// on the connection itself, before any handler runs: 431 for headers
// over http.Server.MaxHeaderBytes, 400 for a malformed request (a bad
// request line, header or Host), 501 for an unknown transfer coding, 505
// for an unknown protocol version. net/http writes each in one Write of
// a fixed shape (see net/http's conn.serve), which no response of a
// handler has (those always carry a Date header), so a connection
// wrapper can recognise and rewrite it.
type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &jsonErrorConn{Conn: c}, nil
}

type jsonErrorConn struct{ net.Conn }

// plainConnError is the shape of net/http's own error responses.
var plainConnError = regexp.MustCompile(`^HTTP/1\.1 ([45]\d\d) ([^\r\n]*)\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n([^\r\n]*)$`)

func (c *jsonErrorConn) Write(b []byte) (int, error) {
	if len(b) > 512 || !bytes.HasPrefix(b, []byte("HTTP/1.1 ")) {
		return c.Conn.Write(b)
	}
	m := plainConnError.FindSubmatch(b)
	if m == nil {
		return c.Conn.Write(b)
	}
	code, _ := strconv.Atoi(string(m[1]))
	msg := strings.ToLower(http.StatusText(code))
	// The body repeats the status line, with net/http's own detail after
	// a colon ("400 Bad Request: missing required Host header"), or is
	// the detail alone ("Unsupported transfer encoding").
	detail := strings.TrimPrefix(string(m[3]), string(m[1])+" "+http.StatusText(code))
	detail = strings.TrimPrefix(detail, ": ")
	if detail != "" {
		msg += ": " + strings.ToLower(detail)
	}
	if code == http.StatusRequestHeaderFieldsTooLarge {
		msg = "request headers too large (the request line, address included, counts)"
	}
	body, _ := json.Marshal(gin.H{"error": msg})
	resp := "HTTP/1.1 " + string(m[1]) + " " + http.StatusText(code) + "\r\nContent-Type: application/json; charset=utf-8\r\n" +
		"Connection: close\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + string(body)
	if _, err := c.Conn.Write([]byte(resp)); err != nil {
		return 0, err
	}
	return len(b), nil
}
