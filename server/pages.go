package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/server/web"
)

// The reader's pages are rendered here with html/template, from the same
// data the JSON API answers; the page's JavaScript then enhances them
// (suggestions, live results, the stepwise quiz) and asks for a page's
// parts again with the X-Partial header rather than building HTML itself.

// partialHeader names the part of a page a script asks for ("found",
// "quiz", "compat"); absent, the whole page is sent.
const partialHeader = "X-Partial"

// siteName ends every <title>.
const siteName = "Métiers.be"

// pages holds the parsed template set and the static files.
type pages struct {
	tmpl   *template.Template
	assets *web.Assets
}

func newPages() (*pages, error) {
	assets, err := web.NewAssets()
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset":     assets.URL,
		"display":   display,
		"fr":        frenchSpacing,
		"euros":     euros,
		"years":     years,
		"plural":    plural,
		"thousands": thousands,
		"snippet":   snippet,
		"percent":   percent,
		"paras":     paragraphs,
		"studies":   studyBlocks,
		"path":      url.PathEscape,
		"add":       func(a, b int) int { return a + b },
	}
	tmpl, err := template.New("pages").Funcs(funcs).ParseFS(web.Templates(), "*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	return &pages{tmpl: tmpl, assets: assets}, nil
}

// pageData is what the layout reads: the page's own head (title,
// description, canonical address, Open Graph, JSON-LD) and its content.
type pageData struct {
	// Page names the template of the content ("guide", "search"…).
	Page string
	// Title is the page's own title, without the site's name.
	Title       string
	Description string
	// Canonical is the page's absolute address, without its query
	// unless the query is what the page is.
	Canonical string
	// Robots is the robots meta tag, empty for an indexable page.
	Robots string
	// OGType is the Open Graph type ("website", "article").
	OGType string
	// JSONLD is the schema.org description of the page, nil for none.
	JSONLD any
	// Query fills the header's search box.
	Query string
	// Nav marks the current item of the main navigation.
	Nav string
	// Data is the content's own view.
	Data any
	// Partials are the parts a script may ask for instead of the page.
	Partials []string
	// ETag asks for a validator: a page that only changes with the
	// corpus (a guide) is answered 304 when the reader has it already.
	ETag bool
	// OGURL is the page's absolute address for Open Graph, empty when
	// the public address is not configured.
	OGURL string
}

// render writes a page, or the part of it the request asks for.
func (s *Server) render(c *gin.Context, code int, pd *pageData) {
	if strings.HasPrefix(pd.Canonical, "http://") || strings.HasPrefix(pd.Canonical, "https://") {
		pd.OGURL = pd.Canonical
	}
	name := "layout"
	if p := c.GetHeader(partialHeader); p != "" && slices.Contains(pd.Partials, p) {
		name = p
	}
	var buf bytes.Buffer
	if err := s.pages.tmpl.ExecuteTemplate(&buf, name, pd); err != nil {
		s.log.Error("render page", "page", pd.Page, "error", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Erreur interne : la page n’a pas pu être affichée.\n"))
		c.Abort()
		return
	}
	h := c.Writer.Header()
	h.Add("Vary", partialHeader)
	h.Set("Cache-Control", "no-cache")
	if pd.ETag && code == http.StatusOK {
		sum := sha256.Sum256(buf.Bytes())
		// Weak: the gzip and identity encodings are the same page.
		etag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
		h.Set("ETag", etag)
		if etagMatches(c.GetHeader("If-None-Match"), etag) {
			c.Status(http.StatusNotModified)
			c.Abort()
			return
		}
	}
	c.Data(code, "text/html; charset=utf-8", buf.Bytes())
}

// etagMatches is If-None-Match's weak comparison.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// The pages' own addresses (canonical links, Open Graph, JSON-LD, the
// sitemap) never come from the request's Host header, which a client
// chooses: a page cached under one address would carry the address
// another client made up. With Options.PublicURL they are written from
// it; without, a page links relatively (a crawler resolves the canonical
// link against the address it fetched, which is right behind any proxy)
// and leaves out what must be absolute (og:url, the search action), and
// the sitemap and robots.txt, which must be absolute, name the address
// the server listens on.

// link is the address of a page of the site, absolute when the public
// address is known, else relative to the site's root.
func (s *Server) link(path string) string {
	if s.opts.PublicURL != "" {
		return strings.TrimSuffix(s.opts.PublicURL, "/") + path
	}
	return path
}

// absolute is the absolute address of a page of the site: from the
// public address, else from the address the server listens on.
func (s *Server) absolute(path string) string {
	if s.opts.PublicURL != "" {
		return strings.TrimSuffix(s.opts.PublicURL, "/") + path
	}
	return s.listenURL() + path
}

// listenURL is the server's own address, without the final slash: the
// one Run listens on, else the one Options.Addr names (a server mounted
// through Handler), else loopback.
func (s *Server) listenURL() string {
	if u, ok := s.listening.Load().(string); ok && u != "" {
		return strings.TrimSuffix(u, "/")
	}
	if host, port, err := net.SplitHostPort(s.opts.Addr); err == nil && port != "" && port != "0" {
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			host = "127.0.0.1"
		}
		return "http://" + net.JoinHostPort(host, port)
	}
	return "http://127.0.0.1"
}

// pageGeneration is generation for the pages: its failure is a page.
func (s *Server) pageGeneration(c *gin.Context) (*engine.Generation, bool) {
	return s.acquire(c, s.failPage)
}

// errGone marks a guide that was removed (410).
var errGone = errors.New("gone")

// errorView is the content of an error page.
type errorView struct {
	Code    int
	Heading string
	Message string
}

// failPage answers a reader's page with an error page of the error's
// status; internal errors are logged and not shown.
func (s *Server) failPage(c *gin.Context, err error) {
	code := status(err)
	if errors.Is(err, errGone) {
		code = http.StatusGone
	}
	v := errorView{Code: code}
	switch code {
	case http.StatusNotFound:
		v.Heading = "Page introuvable"
		v.Message = "Cette page n’existe pas. Cherchez un métier ci-dessous, ou parcourez les critères depuis l’accueil."
	case http.StatusGone:
		v.Heading = "Fiche retirée"
		v.Message = "Cette fiche métier a été retirée du site. Cherchez un métier proche ci-dessous."
	case http.StatusBadRequest:
		v.Heading = "Demande incomplète"
		v.Message = "Cette adresse contient une valeur que le site ne comprend pas. Revenez à l’accueil ou reformulez votre recherche."
	case http.StatusServiceUnavailable:
		v.Heading = "Le site démarre"
		v.Message = "Les fiches métiers sont en cours de chargement. Réessayez dans quelques instants."
	default:
		code = http.StatusInternalServerError
		v.Code = code
		v.Heading = "Erreur interne"
		v.Message = "Une erreur nous empêche d’afficher cette page. Réessayez plus tard."
		s.log.Error("page failed", "path", c.Request.URL.Path, "error", err)
	}
	if code == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	s.render(c, code, &pageData{Page: "error", Title: v.Heading, Robots: "noindex", Data: v})
	c.Abort()
}

// isAPI reports whether a path belongs to the JSON API (or the admin and
// operations routes), whose errors are JSON rather than pages.
func isAPI(p string) bool {
	for _, pre := range []string{"/api/", "/admin/", "/api", "/admin"} {
		if p == pre || strings.HasPrefix(p, pre) && strings.HasSuffix(pre, "/") {
			return true
		}
	}
	return p == "/metrics" || p == "/healthz" || p == "/readyz"
}

// noRoute answers an unknown address: JSON under /api, a 404 page for a
// reader everywhere else.
func (s *Server) noRoute(c *gin.Context) {
	err := fmt.Errorf("%w: no route %s", errNotFound, c.Request.URL.Path)
	if isAPI(c.Request.URL.Path) {
		s.fail(c, err)
		return
	}
	s.failPage(c, err)
}
