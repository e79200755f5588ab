// Package web holds the reader's pages (search, guide, quiz, criterion),
// the embeddable « Métiers similaires » widget and their assets, embedded
// in the binary: plain HTML, CSS and JavaScript, no build step, no CDN.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// FS returns the embedded files (index.html, app.js, style.css, …).
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	return sub
}

// Handler serves the pages: "/", "/quiz", "/metiers/{id}" and
// "/criteres/{id}" get the single-page shell (its script reads the path),
// "/widget.js" the widget, "/static/…" the assets.
func Handler() http.Handler {
	files := http.FileServer(http.FS(FS()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/widget.js":
			w.Header().Set("Cache-Control", "public, max-age=300")
			w.Header().Set("Access-Control-Allow-Origin", "*")
			serveFile(w, r, "widget.js")
		case strings.HasPrefix(p, "/static/"):
			w.Header().Set("Cache-Control", "public, max-age=300")
			name := path.Clean(strings.TrimPrefix(p, "/static/"))
			// No directory listings: "/static/" cleaned to "." made the
			// file server redirect to "./", that is to itself, for ever.
			if st, err := fs.Stat(FS(), name); err != nil || st.IsDir() {
				http.NotFound(w, r)
				return
			}
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + name
			files.ServeHTTP(w, r2)
		default:
			w.Header().Set("Cache-Control", "no-cache")
			serveFile(w, r, "index.html")
		}
	})
}

func serveFile(w http.ResponseWriter, r *http.Request, name string) {
	data, err := fs.ReadFile(FS(), name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	w.Write(data)
}
