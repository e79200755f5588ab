// Package web holds the reader's pages as html/template files, the
// JavaScript that enhances them, their style sheet and the embeddable
// « Métiers similaires » widget, embedded in the binary: no build step, no
// CDN. Static files are served under names that carry a hash of their
// content, so that a browser may keep them for a year.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static templates
var files embed.FS

// Templates returns the page templates (templates/*.html).
func Templates() fs.FS {
	sub, err := fs.Sub(files, "templates")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	return sub
}

// asset is one static file with its hashed name.
type asset struct {
	name, hashed, etag, ctype string
	data                      []byte
}

// Assets serves the static files: "/static/<name>.<hash>.<ext>" with a
// year-long immutable cache, "/static/<name>" (the unhashed name, for
// old pages) revalidated on every use, and "/widget.js", whose address
// integrators embed and which therefore cannot carry a hash.
type Assets struct {
	byURL  map[string]*asset
	byName map[string]*asset
}

// NewAssets reads and hashes the embedded static files.
func NewAssets() (*Assets, error) {
	a := &Assets{byURL: map[string]*asset{}, byName: map[string]*asset{}}
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(name)
		as := &asset{name: name, hashed: strings.TrimSuffix(name, ext) + "." + h + ext, etag: `"` + h + `"`, ctype: contentType(ext), data: data}
		a.byName[name] = as
		a.byURL["/static/"+as.hashed] = as
		a.byURL["/static/"+name] = as
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return a, nil
}

// URL returns the hashed address of a static file ("app.js" →
// "/static/app.3f2a1b0c9d8e.js"); an unknown name is a programming error
// in a template, shown as its unhashed address.
func (a *Assets) URL(name string) string {
	if as, ok := a.byName[name]; ok {
		return "/static/" + as.hashed
	}
	return "/static/" + name
}

// Has reports whether p is the address of a static file.
func (a *Assets) Has(p string) bool {
	_, ok := a.byURL[p]
	return ok || p == "/widget.js"
}

// ServeHTTP serves the static file at r.URL.Path, or 404.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	var as *asset
	h := w.Header()
	switch {
	case p == "/widget.js":
		as = a.byName["widget.js"]
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("Access-Control-Allow-Origin", "*")
	case a.byURL[p] != nil:
		as = a.byURL[p]
		if strings.HasSuffix(p, "/"+as.hashed) {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
	default:
		http.NotFound(w, r)
		return
	}
	h.Set("Content-Type", as.ctype)
	h.Set("ETag", as.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	// ServeContent answers If-None-Match with 304 and HEAD without a body.
	http.ServeContent(w, r, as.name, time.Time{}, bytes.NewReader(as.data))
}

func contentType(ext string) string {
	switch ext {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	}
	return "application/octet-stream"
}
