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
// deleted, without rebuilding the corpus: the new generation's index is
// derived from the sealed one (index.Derive: the guide's document
// indexed or deleted, one segment again), its searcher and recommender
// computed over the new guides, its name the digest of the files with
// this one changed — the generation a rebuild of the same files gives,
// to the answer (TestIncrementalMatchesRebuild). Readers of the previous
// generation are not disturbed: nothing of it is written.
func (e *Engine) applyChange(ctx context.Context, ch change) (_ *Generation, err error) {
	if !e.lockBuild() {
		return nil, ErrReindexRunning
	}
	// The slot is held until the new generation is stored (below).
	stored := false
	defer func() {
		if !stored {
			e.unlockBuild()
		}
	}()
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
	tagger, err := vectors(ctx, e.opts, c)
	if err != nil {
		return nil, err
	}
	mark("vectors")
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
	var put []*corpus.Metier
	if ch.m != nil {
		put = append(put, ch.m)
	}
	g.Index, err = index.Derive(ctx, filepath.Join(base.Dir, indexSub), filepath.Join(g.Dir, indexSub), put, []string{ch.id}, tagger.TagIDs)
	if err != nil {
		return nil, err
	}
	mark("index")
	if n, err := g.Index.DocCount(); err != nil || int(n) != len(c.Metiers) {
		return nil, fmt.Errorf("verify: the derived index holds %d guides, want %d (%v)", n, len(c.Metiers), err)
	}
	if err := g.search(e.opts, tagger.TagIDs); err != nil {
		return nil, err
	}
	mark("search")
	if err := g.recommend(ctx, e.opts, tagger); err != nil {
		return nil, err
	}
	mark("recommend")
	ok = true
	e.install(g)
	g.acquire() // the caller's
	e.log.Info("guide applied", append([]any{"id", ch.id, "deleted", ch.m == nil, "generation", g.Name, "took", time.Since(start).Round(time.Millisecond)}, stages...)...)
	// Served: store it (its guides, 1 s for 10,000, then meta.json and
	// CURRENT) without keeping the editor waiting, the build slot held
	// meanwhile so that no other build or change starts on a generation
	// not yet stored. A crash before CURRENT moves leaves the previous
	// generation current; the corpus file is written, so the next start
	// sees the change and rebuilds.
	stored = true
	g.acquire()
	e.background.Add(1)
	go func() {
		defer e.background.Done()
		defer e.unlockBuild()
		defer g.Release()
		if err := e.store(g); err != nil {
			e.log.Error("store the generation of a guide applied on its own", "dir", g.Dir, "error", err)
		}
	}()
	return g, nil
}

// store writes a served generation's guides and meta.json and points
// CURRENT at it.
func (e *Engine) store(g *Generation) error {
	if err := writeGuides(g.Dir, g.Corpus.Metiers); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := writeMeta(g.Dir, meta{Fingerprint: g.fingerprint, Guides: len(g.Corpus.Metiers), Built: g.Built}); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return e.commit(g)
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
