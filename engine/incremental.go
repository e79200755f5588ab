package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
)

// errNoIncremental means a change cannot be applied on its own to the
// generation served (in memory, or reopened from disk without its files'
// sums): the corpus is rebuilt instead.
var errNoIncremental = errors.New("the served generation cannot take a guide on its own")

// change is one guide put or deleted, as written in the corpus directory.
type change struct {
	id string
	// file is the guide's file (slash path in the corpus directory) and
	// data its new content; data nil deletes the file.
	file string
	data []byte
	// moved is the guide's previous file when it changes files ("").
	moved string
	// m is the guide as Load reads it from file; nil for a delete.
	m *corpus.Metier
}

// applyChange serves the generation served with one guide put or
// deleted, doing work in proportion to the change, not to the corpus:
// the new generation's index is derived from the sealed one
// (index.Derive: the guide's document in a small segment of its own),
// its searcher's tables from the served searcher's (search.Searcher.Derive:
// the guide's entries out, its new ones in, the rest shared), its text
// vectors and recommender from the served ones (recommend's Apply: the
// guide's vector and row computed, the rows it enters or leaves
// patched), its name the digest of the files with this one changed —
// the name a rebuild of the same files gives. Searches then answer as
// that rebuild does; the « similaires » and the quiz keep the served
// build's corpus-wide weights (rarity, idf, the taxonomy's labels) until
// the settle (settle.go), a full build of the same guides once the
// changes stop, makes them exact again (TestIncrementalMatchesRebuild).
// Readers of the previous generation are not disturbed: nothing of it is
// written.
func (e *Engine) applyChange(ctx context.Context, ch change) (_ *Generation, err error) {
	if !e.lockBuild() {
		return nil, ErrReindexRunning
	}
	// A settle under way builds what this change makes out of date.
	e.cancelSettle()
	defer e.unlockBuild()
	base, err := e.Acquire()
	if err != nil {
		return nil, err
	}
	defer base.Release()
	if base.Dir == "" || base.sums == nil || base.Stale || e.opts.ReadOnly {
		return nil, errNoIncremental
	}
	start := time.Now()
	sums := base.sums.with(ch.file, ch.data)
	if ch.moved != "" {
		sums = sums.with(ch.moved, nil)
	}
	c := &corpus.Corpus{Metiers: withGuide(base.Corpus.Metiers, ch.id, ch.m), Files: len(sums), Errors: base.Corpus.Errors}
	fp := sums.digest(settingsDigest(e.opts))
	g := newGeneration(c)
	g.Name, g.fingerprint, g.sums = generationName(fp), fp, sums
	// The other guides keep their dates; the one changed was written now.
	g.modified = maps.Clone(base.modified)
	if g.modified == nil {
		g.modified = map[string]time.Time{}
	}
	delete(g.modified, ch.id)
	if ch.m != nil {
		g.modified[ch.id] = g.Built
	}
	var stages []any
	mark := func(stage string) {
		stages = append(stages, stage, time.Since(start).Round(time.Millisecond))
	}
	if base.text == nil {
		return nil, errNoIncremental
	}
	var put []*corpus.Metier
	var remove []string
	if ch.m != nil {
		put = []*corpus.Metier{ch.m}
	} else {
		remove = []string{ch.id}
	}
	tv, err := base.text.TextVectors.Apply(ctx, put, remove)
	if err != nil {
		return nil, err
	}
	g.text = &TextSimilarity{TextVectors: tv} // its searcher set below, before anyone reads it
	if g.Recommender, err = base.Recommender.Apply(ctx, put, remove, g.text); err != nil {
		return nil, err
	}
	mark("recommend")
	g.Dir = filepath.Join(e.opts.IndexDir, fmt.Sprintf("%s%d", genPrefix, time.Now().UnixNano()))
	if err := os.Mkdir(g.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	if g.lock, err = holdGeneration(g.Dir); err != nil {
		os.RemoveAll(g.Dir)
		return nil, fmt.Errorf("index: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			g.discard()
		}
	}()
	g.Index, err = index.Derive(ctx, filepath.Join(base.Dir, indexSub), filepath.Join(g.Dir, indexSub), put, []string{ch.id}, g.Recommender.TagIDs)
	if err != nil {
		return nil, err
	}
	mark("index")
	if n, err := g.Index.DocCount(); err != nil || int(n) != len(c.Metiers) {
		return nil, fmt.Errorf("verify: the derived index holds %d guides, want %d (%v)", n, len(c.Metiers), err)
	}
	if g.Searcher, err = base.Searcher.Derive(g.Index, put, remove, g.Recommender.TagIDs); err != nil {
		return nil, err
	}
	g.text.s = g.Searcher
	g.derived = true
	mark("search")
	ok = true
	g.builds = e.builds // stable: builds commit holding the slot, as this change does
	e.install(g)
	g.acquire() // the caller's
	e.log.Info("guide applied", append([]any{"id", ch.id, "deleted", ch.m == nil, "generation", g.Name, "took", time.Since(start).Round(time.Millisecond)}, stages...)...)
	e.queueStore(g)
	e.scheduleSettle()
	return g, nil
}

// storeQuiet is how long the storer waits after a change before
// storing its generation: a change coming meanwhile replaces it, so that
// a burst of publications is stored once, after it, and its changes are
// not slowed by storing generations the next change replaces (storing
// 10,000 guides takes about a second of a core).
const storeQuiet = time.Second

// queueStore stores a generation a change made (its guides, then
// meta.json and CURRENT) in the background, without keeping the editor
// waiting nor the next change: one storer writes the generations in the
// order they were served, once no change has come for storeQuiet (at
// once when the engine closes), and one that a newer change replaced
// before its turn is not stored at all (its directory is pruned). A
// crash before CURRENT moves leaves an older generation current; the
// corpus files are written, so the next start sees the changes and
// rebuilds.
func (e *Engine) queueStore(g *Generation) {
	g.acquire()
	e.mu.Lock()
	old := e.toStore
	e.toStore = g
	run := !e.storing
	if run {
		e.storing = true
		e.background.Add(1)
	}
	e.mu.Unlock()
	if old != nil {
		old.Release()
	}
	if run {
		go e.storeQueued()
	} else {
		e.kickStorer()
	}
}

// kickStorer wakes the storer waiting for the quiet: to wait again for
// a newer generation, or to store at once when the engine closes.
func (e *Engine) kickStorer() {
	select {
	case e.storeKick <- struct{}{}:
	default:
	}
}

// storeQueued stores the queued generations until there is none.
func (e *Engine) storeQueued() {
	defer e.background.Done()
	quiet := e.opts.storeQuiet
	if quiet == 0 {
		quiet = storeQuiet
	}
	for {
		e.mu.Lock()
		g, closed := e.toStore, e.closed
		if g == nil {
			e.storing = false
			e.mu.Unlock()
			return
		}
		e.mu.Unlock()
		if !closed {
			t := time.NewTimer(quiet)
			select {
			case <-e.storeKick:
				t.Stop()
				continue // a newer change, or Close: look again
			case <-t.C:
			}
		}
		e.mu.Lock()
		if e.toStore != g {
			e.mu.Unlock()
			continue // replaced meanwhile (queueStore released it)
		}
		e.toStore = nil
		e.mu.Unlock()
		if err := e.store(g); err != nil {
			e.log.Error("store the generation of a guide applied on its own", "dir", g.Dir, "error", err)
		}
		g.Release()
	}
}

// store writes a served generation's guides and meta.json and points
// CURRENT at it, unless a build (a reindex, a settle) has replaced it
// meanwhile: CURRENT then names that build.
//
// A generation a build has overtaken (a reindex or a settle committed
// since it was served) is never stored: without meta.json it reads as
// a leftover, which prune removes once no process holds it and which
// lastGood never picks over the build that replaced it.
func (e *Engine) store(g *Generation) error {
	if e.overtaken(g) {
		return nil
	}
	if err := writeGuides(g.Dir, g.Corpus.Metiers); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := writeMeta(g.Dir, meta{Fingerprint: g.fingerprint, Guides: len(g.Corpus.Metiers), Built: g.Built}); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	e.switching.Lock()
	defer e.switching.Unlock()
	if e.builds != g.builds { // overtaken while its files were written
		if err := os.Remove(filepath.Join(g.Dir, metaFile)); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		return nil
	}
	return e.commit(g, true)
}

// overtaken reports whether a build committed since g was served.
func (e *Engine) overtaken(g *Generation) bool {
	e.switching.Lock()
	defer e.switching.Unlock()
	return e.builds != g.builds
}

// commitBuild commits a full build (a reindex, a settle): from now on
// the generations of changes served before it are not stored.
func (e *Engine) commitBuild(g *Generation) error {
	e.switching.Lock()
	defer e.switching.Unlock()
	if err := e.commit(g, false); err != nil {
		return err
	}
	e.builds++
	return nil
}

// withGuide returns a copy of ms without the guide id, and with m (when
// not nil) where Load would place it: guides are in the order of their
// files' names.
func withGuide(ms []*corpus.Metier, id string, m *corpus.Metier) []*corpus.Metier {
	out := make([]*corpus.Metier, 0, len(ms)+1)
	for _, x := range ms {
		if x.ID != id {
			out = append(out, x)
		}
	}
	if m == nil {
		return out
	}
	key := fileKey(m)
	i := sort.Search(len(out), func(i int) bool { return fileKey(out[i]) > key })
	out = append(out, nil)
	copy(out[i+1:], out[i:])
	out[i] = m
	return out
}

// fileKey is the file a guide was read from, as far as the guide says:
// its source when that names a guide file (pages and JSON files without
// a source of their own), else ID.json (importers and the generator
// name their files so).
func fileKey(m *corpus.Metier) string {
	if corpus.IsGuideFile(m.Source) {
		return path.Clean(m.Source)
	}
	return m.ID + ".json"
}

// lockBuild takes the engine's one build slot (a reindex job's) for a
// change applied on its own; false when a build holds it.
func (e *Engine) lockBuild() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.running {
		return false
	}
	e.running = true
	return true
}

func (e *Engine) unlockBuild() {
	e.mu.Lock()
	e.running = false
	e.mu.Unlock()
}
