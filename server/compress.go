package server

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compress gzip- or zstd-encodes responses for clients that accept it
// (pages, JSON, JavaScript, CSS, the sitemap), from 1 KB on; images and
// other compressed types pass as they are. gzhttp negotiates by q-value,
// sets Vary: Accept-Encoding, keeps ETags (ours are weak: both encodings
// are the same page) and drops Content-Length it can no longer vouch for.
func compress(h http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		panic(err) // only bad options fail, and these are fixed
	}
	return wrap(h)
}
