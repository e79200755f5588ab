package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// contentSecurityPolicy is sent with every response; it matters for the
// pages. Every page must satisfy it: scripts and style sheets from our
// own origin only (no inline <script> or <style>, no on…= handlers, no
// style="" attribute: a class, or el.style.x = … from a script, which
// the policy allows), no plugins, no <base>, forms posting to us, and no
// framing by any site. The embeddable widget is a script that another
// site includes, not a frame, so frame-ancestors 'none' does not reach
// it; the JSON it fetches is not framed either. Data blocks such as
// <script type="application/ld+json"> are not run, so not blocked.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secure wraps the whole handler, so that gin's own answers (its
// trailing-slash redirects run no middleware) carry the security
// headers too.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Frame-Options", "DENY")
		// Searches are in the page's address: other sites are not told.
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// methodLabel is a request's method as a metrics label: one of the
// methods HTTP defines (RFC 9110, and PATCH), or "other". Any other
// method is answered 501 before routing: a client inventing methods must
// not create a metrics label, a log line or a cache key per method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "other"
}

// methods answers 501 Not Implemented to a method HTTP does not define
// (405 is for a known method the route does not take).
func (s *Server) methods() gin.HandlerFunc {
	return func(c *gin.Context) {
		if methodLabel(c.Request.Method) == "other" {
			c.Header("Allow", "GET, HEAD, POST, OPTIONS")
			c.AbortWithStatusJSON(http.StatusNotImplemented, gin.H{"error": "method not implemented"})
			return
		}
		c.Next()
	}
}

// requestID tags each request with an id, echoed in X-Request-Id: the
// client's when it is a short token of letters, digits, '.', '_' or
// '-' (it is logged and echoed), else a random one.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if !validRequestID(id) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set("request_id", id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Bounds of what a request's values may put in a log line.
const (
	logMethodBytes = 16
	logPathBytes   = 256
	logValueBytes  = 128
)

// clip shortens a value for a log line, on a rune boundary, saying how
// long it was: a client's 500 kB method or path is not logged whole.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:cut], len(s))
}

// logRequests writes one structured line per request, every value the
// client chose clipped.
func (s *Server) logRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := routeOf(c)
		attrs := []any{"id", c.GetString("request_id"), "method", clip(c.Request.Method, logMethodBytes), "route", route,
			"status", c.Writer.Status(), "duration_ms", float64(time.Since(start).Microseconds()) / 1000}
		if route == "unmatched" {
			attrs = append(attrs, "path", clip(c.Request.URL.Path, logPathBytes))
		}
		if ua := c.Request.UserAgent(); ua != "" {
			attrs = append(attrs, "user_agent", clip(ua, logValueBytes))
		}
		s.log.Info("request", attrs...)
	}
}

// routeOf is the route template of a request ("/api/metiers/:id"), or
// "unmatched": never the raw path, which would grow label sets unbounded.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// recovery turns a panic into a JSON 500, logged with the request id.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic", "id", c.GetString("request_id"), "path", clip(c.Request.URL.Path, logPathBytes), "panic", clip(fmt.Sprint(r), 1024))
				c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": "internal error"})
			}
		}()
		c.Next()
	}
}

// maxQueryBytes bounds a request's query string. The longest a reader
// sends is a search of 200 characters (800 bytes of UTF-8, three times
// that percent-encoded) with a few filters; 8 KiB leaves room and stops
// a client before url.ParseQuery builds maps of ten thousand values.
const maxQueryBytes = 8 << 10

// limits bounds each request's time, body and query string: a body whose
// Content-Length is over the limit is refused before it is read (413,
// and the connection is closed rather than drained), a longer body of
// unknown length fails when read past the limit, a query string over
// maxQueryBytes or that url.ParseQuery refuses (more than 10,000
// parameters, a ';' separator, a bad escape) is a 400 saying so.
func (s *Server) limits() gin.HandlerFunc {
	return func(c *gin.Context) {
		if n := c.Request.ContentLength; n > s.opts.MaxBodyBytes {
			c.Header("Connection", "close")
			s.fail(c, fmt.Errorf("%w: the body is %d bytes, at most %d are allowed", errTooLarge, n, s.opts.MaxBodyBytes))
			return
		}
		if err := checkQuery(c.Request.URL.RawQuery); err != nil {
			s.fail(c, err)
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), s.opts.RequestTimeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.opts.MaxBodyBytes)
		}
		c.Next()
	}
}

// checkQuery refuses a query string too long to be a reader's, or one
// that does not parse: url.URL.Query drops the error, so that a query of
// 10,001 parameters read as none (« the query is empty »).
func checkQuery(raw string) error {
	if len(raw) > maxQueryBytes {
		return fmt.Errorf("%w: the query string is %d bytes, at most %d are allowed", errBadRequest, len(raw), maxQueryBytes)
	}
	if _, err := url.ParseQuery(raw); err != nil {
		return fmt.Errorf("%w: the query string does not parse: %v", errBadRequest, err)
	}
	return nil
}

// cors lets the configured origins call the API from a browser (the
// embeddable widget), answering preflight requests.
func (s *Server) cors() gin.HandlerFunc {
	all := slices.Contains(s.opts.CORSOrigins, "*")
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		c.Header("Vary", "Origin")
		if origin != "" && (all || slices.Contains(s.opts.CORSOrigins, origin)) {
			if all {
				c.Header("Access-Control-Allow-Origin", "*")
			} else {
				c.Header("Access-Control-Allow-Origin", origin)
			}
			c.Header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			c.Header("Access-Control-Allow-Headers", "Content-Type")
			c.Header("Access-Control-Max-Age", "600")
			if c.Request.Method == http.MethodOptions {
				c.AbortWithStatus(http.StatusNoContent)
				return
			}
		}
		c.Next()
	}
}
