package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/metiers/metiers/corpus"
)

// waitFor polls cond until it holds, failing after a generous bound (a
// loaded machine may take seconds to rebuild; this is no timing test).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func serves(e *Engine, id string) bool {
	g, err := e.Acquire()
	if err != nil {
		return false
	}
	defer g.Release()
	return g.Metier(id) != nil
}

// writeGuide writes a guide as an editor's tool would: a temporary
// hidden file renamed into place.
func writeGuide(t *testing.T, dir string, m *corpus.Metier) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "."+m.ID+".json.tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, m.ID+".json")); err != nil {
		t.Fatal(err)
	}
}

// TestWatch: an engine watching its corpus (inotify, then polling)
// follows an added, a changed and a removed guide, and ends on the
// generation a fresh build of the same files is named.
func TestWatch(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"inotify", "poll"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			writeCorpus(t, dir, 2)
			opts := options(dir, "")
			opts.poll = mode == "poll"
			e := start(t, opts)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- e.Watch(ctx, 100*time.Millisecond) }()
			defer func() { cancel(); <-done }()

			c, _ := corpus.Load(corpus.Sample())
			m := *c.Metiers[0]
			m.ID, m.Title, m.Source = "plombier", "Plombier", ""
			writeGuide(t, dir, &m)
			// A sub-directory created after the watch started is watched.
			sub := filepath.Join(dir, "nouveaux")
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			n := m
			n.ID, n.Title = "zingueur", "Zingueur"
			writeGuide(t, sub, &n)
			waitFor(t, "the added guides", func() bool { return serves(e, "plombier") && serves(e, "zingueur") })

			m.Tagline = "Installe et répare les canalisations"
			writeGuide(t, dir, &m)
			waitFor(t, "the changed guide", func() bool {
				g, err := e.Acquire()
				if err != nil {
					return false
				}
				defer g.Release()
				p := g.Metier("plombier")
				return p != nil && p.Tagline == m.Tagline
			})
			if err := os.Remove(filepath.Join(sub, "zingueur.json")); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the removed guide gone", func() bool { return !serves(e, "zingueur") })

			want := startName(t, options(dir, ""))
			waitFor(t, "the fresh build's generation", func() bool {
				g, err := e.Acquire()
				if err != nil {
					return false
				}
				defer g.Release()
				return g.Name == want
			})
		})
	}
}

func TestWatchNeedsADirectory(t *testing.T) {
	t.Parallel()
	e := start(t, options("", ""))
	if err := e.Watch(context.Background(), time.Second); err == nil {
		t.Error("watching the embedded sample: no error")
	}
}
