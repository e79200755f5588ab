package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/gofrs/flock"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/rome"
	"github.com/metiers/metiers/search"
)

// Options configures an Engine.
type Options struct {
	// CorpusDir is the corpus directory; empty means the embedded sample.
	CorpusDir string
	// IndexDir holds the index generations; empty keeps the index in memory.
	IndexDir string
	// Generations is how many generations are kept on disk (at least 1).
	Generations int
	// Strict fails a build when any guide fails to load.
	Strict bool
	// Rebuild ignores an existing index at start.
	Rebuild bool
	// ReadOnly never writes to IndexDir (the one-shot commands, beside a
	// server): Start reads the current generation read-only when it
	// matches the corpus, else builds one in memory; it never moves
	// CURRENT, prunes nor cleans, and Reindex is refused.
	ReadOnly bool
	// Synonyms, Taxonomy and Weights configure search and recommendations.
	Synonyms []index.SynonymGroup
	Taxonomy *recommend.Taxonomy
	Weights  recommend.Weights
	Search   search.Options
	// Referential, when set, links the guides to ROME 4.0: their criteria
	// come from the linked sheets (codes the guides give, or codes the
	// engine suggests from their titles and text).
	Referential *rome.Referential
	// matcher links guides to Referential, made once by New.
	matcher *rome.Matcher
	// Logger receives progress and errors; nil discards them.
	Logger *slog.Logger
	// Settle is how long the corpus must stay unchanged after guides
	// applied on their own before the engine rebuilds the guides it
	// serves in the background, to answer exactly as a rebuild does
	// (settle.go); 0 means DefaultSettle, a negative value never.
	Settle time.Duration
	// Progress, when set, is told of every build's progress (stage, one
	// of the Stage constants, and done of total in that stage). Status
	// reports the same.
	Progress func(stage string, done, total int)
	// poll makes Watch poll even where inotify works (tests).
	poll bool
	// storeQuiet overrides storeQuiet (tests); 0 means storeQuiet.
	storeQuiet time.Duration
}

// Generation is one complete, immutable build of the corpus: its guides,
// their index, the searcher bound to that index and the recommendation
// tables computed from them. The engine hands it out reference-counted
// (Engine.Acquire, Generation.Release): it is closed when the engine has
// moved on to a newer one and its last reader has released it, so a
// reader holds one consistent set of guides, index and tables for as long
// as it needs them.
type Generation struct {
	Corpus      *corpus.Corpus
	Index       bleve.Index
	Searcher    *search.Searcher
	Recommender *recommend.Recommender
	// Name is the generation's content digest (see digest.go): replicas
	// serving the same corpus with the same settings have the same name.
	Name string
	// Dir is the generation's directory, empty in memory.
	Dir string
	// Built is when the generation was built.
	Built time.Time
	// Reused is true when the generation was opened from disk, not built.
	Reused bool
	// Stale is true when it was opened from disk as it was built, its
	// guides stored with it, because the corpus as it is now does not
	// build (Status says why).
	Stale bool
	byID  map[string]*corpus.Metier
	// removed holds the ids earlier generations of this engine served
	// and this one does not (a guide deleted from the corpus): the pages
	// answer 410 Gone for them rather than 404.
	removed map[string]bool
	// modified dates each guide by its file's last modification, where
	// the corpus says (not a stale generation's stored guides).
	modified map[string]time.Time
	// fingerprint is the full digest Name abbreviates, and sums the
	// digests of the files it was built from (nil when unknown: a
	// generation reopened from disk), which a guide applied on its own
	// updates (incremental.go).
	fingerprint string
	sums        fileSums
	// text is the text similarity of Recommender (its TF-IDF vectors,
	// which a guide applied on its own updates).
	text *TextSimilarity
	// derived is set when a change applied on its own made g from the
	// generation before it (incremental.go), until a settle rebuilds it.
	derived bool
	// builds is the engine's count of full builds committed when a
	// change served g: g is stored only if none came since.
	builds int
	// lock is this process's shared lock on Dir (nil in memory).
	lock *flock.Flock
	// refs counts the engine's reference (while it serves g) and its
	// readers'; the last Release closes g.
	refs atomic.Int64
	// log receives the error of closing g once released.
	log *slog.Logger
}

// newGeneration returns a generation of c's guides, not indexed yet.
func newGeneration(c *corpus.Corpus) *Generation {
	g := &Generation{Corpus: c, Built: time.Now().UTC(), byID: make(map[string]*corpus.Metier, len(c.Metiers)), modified: c.Modified()}
	for _, m := range c.Metiers {
		g.byID[m.ID] = m
	}
	return g
}

// acquire takes a reference, unless g is already closed or closing.
func (g *Generation) acquire() bool {
	for {
		n := g.refs.Load()
		if n <= 0 {
			return false
		}
		if g.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Release drops a reference taken by Engine.Acquire. The last reference
// of a generation the engine no longer serves closes it.
func (g *Generation) Release() {
	if g.refs.Add(-1) == 0 {
		if err := g.close(); err != nil && g.log != nil {
			g.log.Warn("close generation", "dir", g.Dir, "error", err)
		}
	}
}

// close closes the generation's index and releases its directory to
// prune. Only the last reference, or a build that never served, calls it.
func (g *Generation) close() error {
	var err error
	if g.Index != nil {
		err = g.Index.Close()
	}
	if g.lock != nil {
		g.lock.Unlock()
	}
	return err
}

// discard closes a generation that never served and removes its
// directory: a build that failed, or one that could not be switched to.
func (g *Generation) discard() {
	if g.Index != nil {
		g.Index.Close()
		g.Index = nil
	}
	if g.Dir != "" {
		os.RemoveAll(g.Dir)
	}
	if g.lock != nil {
		g.lock.Unlock()
		g.lock = nil
	}
}

// Metier returns the guide with the given id, or nil.
func (g *Generation) Metier(id string) *corpus.Metier { return g.byID[id] }

// Modified returns when guide id last changed: its file's modification
// time when the corpus gives one, else when the generation was built.
func (g *Generation) Modified(id string) time.Time {
	if t, ok := g.modified[id]; ok {
		return t
	}
	return g.Built
}

// Removed reports whether id is a guide an earlier generation served and
// this one no longer has. The engine carries it from generation to
// generation, and stores it with each one on disk (removed.json), so
// that a restart keeps it; a guide back in the corpus is no longer
// removed.
func (g *Generation) Removed(id string) bool { return g.removed[id] }

// inherit records in g the guides old served, or knew as removed, that g
// does not have.
func (g *Generation) inherit(old *Generation) {
	for id := range old.removed {
		if g.byID[id] == nil {
			g.setRemoved(id)
		}
	}
	for id := range old.byID {
		if g.byID[id] == nil {
			g.setRemoved(id)
		}
	}
}

func (g *Generation) setRemoved(id string) {
	if g.removed == nil {
		g.removed = map[string]bool{}
	}
	g.removed[id] = true
}

// reuse reopens the current on-disk generation when it was built from
// the corpus c (of fingerprint fp); it returns nil when there is none to
// reuse.
func reuse(ctx context.Context, opts Options, c *corpus.Corpus, fp string, log *slog.Logger) *Generation {
	if opts.IndexDir == "" || opts.Rebuild {
		return nil
	}
	dir := readCurrent(opts.IndexDir)
	if dir == "" {
		return nil
	}
	m, err := readMeta(dir)
	if err != nil {
		return nil
	}
	if fp != m.Fingerprint || len(c.Metiers) != m.Guides {
		log.Info("the corpus changed since the current generation was built", "dir", dir)
		return nil
	}
	g, err := openGeneration(ctx, opts, dir, m, c)
	if err != nil {
		log.Info("the current generation cannot be reused", "dir", dir, "error", err)
		return nil
	}
	return g
}

// lastGood opens the newest complete generation of IndexDir as it was
// built, with the guides stored beside its index (the corpus as it is
// now does not build): CURRENT's first, then the others newest first.
// It returns nil when none opens.
func lastGood(ctx context.Context, opts Options, log *slog.Logger) *Generation {
	if opts.IndexDir == "" {
		return nil
	}
	dirs, _ := generations(opts.IndexDir)
	if cur := readCurrent(opts.IndexDir); cur != "" {
		dirs = append([]string{cur}, dirs...)
	}
	tried := map[string]bool{}
	for _, dir := range dirs {
		if tried[dir] || ctx.Err() != nil {
			continue
		}
		tried[dir] = true
		m, err := readMeta(dir)
		if err != nil {
			continue // partial
		}
		ms, err := readGuides(dir)
		if err != nil {
			log.Warn("a generation without its guides cannot be served as it was built", "dir", dir, "error", err)
			continue
		}
		g, err := openGeneration(ctx, opts, dir, m, &corpus.Corpus{Metiers: ms, Files: len(ms)})
		if err != nil {
			log.Warn("the last good generation does not open", "dir", dir, "error", err)
			continue
		}
		g.Stale = true
		return g
	}
	return nil
}

// openGeneration opens the generation in dir, built from the guides of c,
// read-only, and prepares its searcher and recommender.
func openGeneration(ctx context.Context, opts Options, dir string, m meta, c *corpus.Corpus) (*Generation, error) {
	if len(c.Metiers) != m.Guides {
		return nil, fmt.Errorf("%d guides, its meta.json says %d", len(c.Metiers), m.Guides)
	}
	lock, err := holdGeneration(dir)
	if err != nil {
		return nil, err // being removed
	}
	idx, err := index.Open(filepath.Join(dir, indexSub))
	if err != nil {
		lock.Unlock()
		if errors.Is(err, index.ErrInUse) {
			err = fmt.Errorf("%w (a server of an older version?)", err)
		}
		return nil, err
	}
	g := newGeneration(c)
	g.Index, g.Dir, g.Built, g.Reused, g.lock = idx, dir, m.Built, true, lock
	g.removed = readRemoved(dir)
	g.Name, g.fingerprint = generationName(m.Fingerprint), m.Fingerprint
	if sums := c.Sums(); len(sums) > 0 {
		// Reopened for the corpus as it is (not as it was built): a
		// guide published next applies on its own.
		g.sums = fileSums(sums)
	}
	base, err := vectors(ctx, opts, c)
	if err != nil {
		g.close()
		return nil, err
	}
	if err := g.search(opts, base.TagIDs); err != nil {
		g.close()
		return nil, err
	}
	if err := verify(ctx, g); err != nil {
		g.close()
		return nil, err
	}
	if err := g.recommend(ctx, opts, base); err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}
