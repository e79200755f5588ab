package index

import (
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// A scorch index being written persists and merges its segments in the
// background, and reports the errors of that work only to a callback
// named in its configuration and looked up in scorch's global registry.
// Without one, a merge that fails (a full disk) is retried at once, for
// ever: the build spins and a ForceMerge waits behind it for ever. Every
// index written here (Build, Derive) names the callback below, which
// hands the first error to the writer of that directory, who then gives
// up and closes the index.

// asyncCallback is the name of the callback in scorch's registry.
const asyncCallback = "metiers-index"

var (
	// asyncOnce registers the callback, once per process (the registry
	// is scorch's, read when an index is created).
	asyncOnce sync.Once
	// writers maps the directory of each index being written to the
	// channel its writer reads the background errors from.
	writers sync.Map // string → chan error
)

// watchWriter routes the background errors of the index written in dir
// to the returned channel (the first one is kept), and returns the
// configuration that names the callback; stop ends the routing.
func watchWriter(dir string) (errs <-chan error, config map[string]any, stop func()) {
	asyncOnce.Do(func() {
		scorch.RegistryAsyncErrorCallbacks[asyncCallback] = routeAsync
	})
	ch := make(chan error, 1)
	dir = filepath.Clean(dir)
	writers.Store(dir, ch)
	return ch, map[string]any{"asyncErrorCallbackName": asyncCallback}, func() { writers.Delete(dir) }
}

// routeAsync hands a background error of the index stored under path
// (the index directory or its store/ subdirectory) to its writer.
func routeAsync(err error, path string) {
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		if ch, ok := writers.Load(p); ok {
			select {
			case ch.(chan error) <- err:
			default: // the writer has one already
			}
			return
		}
		if filepath.Dir(p) == p {
			return
		}
	}
}
