package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/rome"
	"github.com/metiers/metiers/search"
)

// ErrReindexRunning means a reindex is already under way.
var ErrReindexRunning = errors.New("a reindex is already running")

// ErrNotReady means no generation is loaded yet.
var ErrNotReady = errors.New("the index is not loaded yet")

// ErrReadOnly means a read-only engine was asked to reindex.
var ErrReadOnly = errors.New("a read-only engine does not reindex")

// Engine serves the current generation and replaces it with a fresh one
// on demand, without readers ever seeing a half-built index: a reader
// acquires the generation it works on (its guides, index, searcher and
// recommender together), the swap is one atomic pointer, and a replaced
// generation is closed when its last reader releases it.
type Engine struct {
	opts Options
	log  *slog.Logger
	cur  atomic.Pointer[Generation]
	// publish serialises Put and Delete (publish.go); background counts
	// the generations being stored after a change (Close waits for them).
	publish    sync.Mutex
	background sync.WaitGroup
	// switching orders the commits of stored changes and of full builds,
	// builds counts the latter (incremental.go).
	switching sync.Mutex
	builds    int

	mu       sync.Mutex // guards what follows
	starting bool       // Start is loading the first generation
	running  bool       // a reindex job runs
	job      Job
	jobs     int
	done     []Job     // the last keptJobs finished jobs, oldest first
	progress *Progress // of the build under way, nil when none
	failure  *Failure  // of the last build, while what serves predates it
	// settleTimer starts the next settle, settleStop stops the one under
	// way (settle.go); closed is set by Close.
	settleTimer *time.Timer
	settleStop  context.CancelFunc
	closed      bool
	// toStore is the generation of a change waiting to be stored, storing
	// is set while the storer runs, storeKick wakes it when toStore is
	// replaced or the engine closes (incremental.go).
	toStore   *Generation
	storing   bool
	storeKick chan struct{}
}

// keptJobs is how many finished reindex jobs an engine remembers, for a
// client that asks after its own job once others have started.
const keptJobs = 16

// Job is the status of a reindex.
type Job struct {
	ID         int          `json:"id"`
	State      string       `json:"state"` // running, succeeded or failed
	Started    time.Time    `json:"started"`
	Finished   *time.Time   `json:"finished,omitempty"`
	DurationMS int64        `json:"duration_ms"`
	Guides     int          `json:"guides"`
	Skipped    []SkipReason `json:"skipped"`
	Error      string       `json:"error,omitempty"`
}

// SkipReason is a file left out of a build, and why.
type SkipReason struct {
	Error string `json:"error"`
}

// New returns an Engine with no generation; call Start.
func New(opts Options) (*Engine, error) {
	if opts.Generations < 1 {
		opts.Generations = 1
	}
	if opts.Weights == (recommend.Weights{}) {
		opts.Weights = recommend.DefaultWeights()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Referential != nil {
		// The referential's titles and texts are analysed once, for
		// every build.
		an, err := index.NewAnalyzer()
		if err != nil {
			return nil, err
		}
		opts.matcher = rome.NewMatcher(opts.Referential, an.Terms, rome.MatchOptions{})
	}
	if opts.Search.Stats == nil {
		// One set of cache counts for every generation's searcher.
		opts.Search.Stats = &search.CacheStats{}
	}
	return &Engine{opts: opts, log: log, storeKick: make(chan struct{}, 1)}, nil
}

// Start loads the first generation: the current one on disk when it was
// built from the corpus as it is (fast restart), else a fresh build. When
// that build fails (a bad corpus, a full disk), the last good generation
// on disk serves as it was built, and Status reports the failure until a
// reindex succeeds; Start fails only when there is none, or when ctx is
// done. Partial generations that killed builds left behind are removed
// first (and before every reindex). Progress is reported through Status and Options.Progress.
func (e *Engine) Start(ctx context.Context) error {
	start := time.Now()
	e.mu.Lock()
	e.starting = true
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.starting = false
		e.mu.Unlock()
	}()
	e.clean()
	e.building()
	g, err := e.first(ctx)
	if err != nil {
		e.built("start", err)
		return err
	}
	e.install(g)
	if !g.Stale {
		e.built("start", nil)
	}
	level := slog.LevelInfo
	if e.opts.ReadOnly {
		level = slog.LevelDebug // a one-shot command says it in its own words
	}
	e.log.Log(ctx, level, "index ready", "guides", len(g.Corpus.Metiers), "reused", g.Reused, "stale", g.Stale, "dir", g.Dir, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// clean removes the partial generations that killed builds left (see
// removePartial), before a build adds one of its own.
func (e *Engine) clean() {
	if e.opts.IndexDir == "" || e.opts.ReadOnly {
		return
	}
	removed, errs := removePartial(e.opts.IndexDir)
	for _, dir := range removed {
		e.log.Info("removed a partial generation an interrupted build left", "dir", dir)
	}
	for _, err := range errs {
		e.log.Warn("remove partial generation", "error", err)
	}
}

// first returns the generation Start serves (see Start).
func (e *Engine) first(ctx context.Context) (*Generation, error) {
	c, fp, err := loadCorpus(ctx, e.opts, e.report)
	if err == nil {
		if g := reuse(ctx, e.opts, c, fp, e.log); g != nil {
			return g, nil
		}
		if e.opts.ReadOnly && e.opts.IndexDir != "" {
			e.log.Info("no generation on disk matches the corpus: building one in memory, for this process only", "index", e.opts.IndexDir)
		}
		var g *Generation
		var skipped []error
		g, skipped, err = build(ctx, e.opts, c, fp, e.report)
		for _, s := range skipped {
			e.log.Warn("skipped", "error", s)
		}
		if err == nil {
			if err = e.commit(g, false); err == nil {
				return g, nil
			}
			g.discard()
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("build interrupted: %w", err)
	}
	if g := lastGood(ctx, e.opts, e.log); g != nil {
		e.built("start", err)
		e.log.Error("the build failed: serving the last good generation as it was built, until a reindex succeeds",
			"error", err, "dir", g.Dir, "built", g.Built, "guides", len(g.Corpus.Metiers))
		return g, nil
	}
	return nil, fmt.Errorf("build: %w", err)
}

// commit makes an on-disk generation the current one and prunes old ones.
// Before CURRENT moves, the generation records the guides it answers 410
// for (removed.json): a build not served yet carries them from the
// generation it follows (carryRemoved); one already served got them
// when it was installed, and readers may be reading them.
func (e *Engine) commit(g *Generation, served bool) error {
	if g.Dir == "" {
		return nil
	}
	if !served {
		e.carryRemoved(g)
	}
	if err := writeRemoved(g.Dir, g.removed); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := writeCurrent(e.opts.IndexDir, g.Dir); err != nil {
		return fmt.Errorf("index: switch to %s: %w", g.Dir, err)
	}
	for _, err := range prune(e.opts.IndexDir, g.Dir, e.opts.Generations) {
		e.log.Warn("prune", "error", err)
	}
	return nil
}

// carryRemoved records in g, not served yet, the guides the generation
// it follows served or knew as removed and g lacks: the one being served,
// else (the first build after a start) the current one on disk.
func (e *Engine) carryRemoved(g *Generation) {
	if old := e.cur.Load(); old != nil {
		g.inherit(old)
		return
	}
	prev := readCurrent(e.opts.IndexDir)
	if prev == "" || prev == g.Dir {
		return
	}
	for id := range readRemoved(prev) {
		if g.byID[id] == nil {
			g.setRemoved(id)
		}
	}
	ids, err := readGuideIDs(prev)
	if err != nil {
		e.log.Warn("the guides the previous generation served are unknown: none of them is marked removed", "dir", prev, "error", err)
		return
	}
	for _, id := range ids {
		if g.byID[id] == nil {
			g.setRemoved(id)
		}
	}
}

// install serves g (built, verified and warmed) to new readers and drops
// the engine's reference to the previous generation, which closes once
// the readers still holding it release it.
func (e *Engine) install(g *Generation) {
	g.log = e.log
	g.refs.Store(1) // the engine's own, until the next install or Close
	if old := e.cur.Load(); old != nil {
		g.inherit(old) // only installs write e.cur, and they run one at a time
	}
	if old := e.cur.Swap(g); old != nil {
		old.Release()
	}
	// A build leaves hundreds of megabytes of garbage (analysis, segment
	// building) that the runtime would hand back to the system only
	// slowly: hand it back now, once per reindex, so that a serving
	// process's footprint is what it serves. A change applied on its own
	// leaves little, and a forced collection of the whole heap (hundreds
	// of milliseconds at 10,000 guides) is what it must not wait for.
	if !g.derived {
		debug.FreeOSMemory()
	}
}

// Acquire returns the generation being served with a reference held for
// the caller, who must Release it when done; ErrNotReady before the first
// generation is installed or after Close. Whatever the caller reads
// through it (guides, index, searcher, recommender) belongs to that one
// generation, however many reindexes happen meanwhile.
func (e *Engine) Acquire() (*Generation, error) {
	for {
		g := e.cur.Load()
		if g == nil {
			return nil, ErrNotReady
		}
		if g.acquire() {
			return g, nil
		}
		// Released by an install between Load and acquire: its
		// successor is already in e.cur.
	}
}

// CacheStats returns the response cache's counts, over every generation.
func (e *Engine) CacheStats() *search.CacheStats { return e.opts.Search.Stats }

// Ready reports whether an index is loaded.
func (e *Engine) Ready() bool { return e.cur.Load() != nil }

// Reindex starts a rebuild in the background and returns its job. A
// second call while one runs returns ErrReindexRunning with the running
// job. When done is set it is called with the final job.
func (e *Engine) Reindex(ctx context.Context, done func(Job)) (Job, error) {
	j, err := e.startJob()
	if err != nil {
		return j, err
	}
	go func() {
		final, _ := e.runReindex(context.WithoutCancel(ctx), j)
		if done != nil {
			done(final)
		}
	}()
	return j, nil
}

// ReindexNow rebuilds and switches synchronously (the CLI's offline
// reindex), returning the final job and, when it failed, why.
func (e *Engine) ReindexNow(ctx context.Context) (Job, error) {
	j, err := e.startJob()
	if err != nil {
		return j, err
	}
	return e.runReindex(ctx, j)
}

// startJob registers a new running job, or returns the running one with
// ErrReindexRunning; while Start loads the first generation it returns
// ErrNotReady.
func (e *Engine) startJob() (Job, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.opts.ReadOnly {
		return Job{}, ErrReadOnly
	}
	if e.starting && e.cur.Load() == nil {
		return Job{}, ErrNotReady
	}
	if e.running {
		return e.job, ErrReindexRunning
	}
	e.running = true
	e.jobs++
	e.job = Job{ID: e.jobs, State: "running", Started: time.Now().UTC(), Skipped: []SkipReason{}}
	return e.job, nil
}

// runReindex builds, switches to and serves a new generation for job j,
// returning the final job and the build's error.
func (e *Engine) runReindex(ctx context.Context, j Job) (Job, error) {
	start := time.Now()
	e.clean()
	e.building()
	c, fp, err := loadCorpus(ctx, e.opts, e.report)
	var g *Generation
	if err == nil {
		var skipped []error
		g, skipped, err = build(ctx, e.opts, c, fp, e.report)
		for _, s := range skipped {
			j.Skipped = append(j.Skipped, SkipReason{Error: s.Error()})
		}
	}
	if err == nil {
		if err = e.commitBuild(g); err != nil {
			g.discard()
		}
	}
	e.built("reindex", err)
	if err == nil {
		e.install(g)
		j.Guides = len(g.Corpus.Metiers)
		j.State = "succeeded"
		e.log.Info("reindex succeeded", "job", j.ID, "guides", j.Guides, "skipped", len(j.Skipped), "took", time.Since(start).Round(time.Millisecond))
	} else {
		j.State = "failed"
		j.Error = err.Error()
		e.log.Error("reindex failed; the previous index keeps serving", "job", j.ID, "error", err)
	}
	now := time.Now().UTC()
	j.Finished = &now
	j.DurationMS = time.Since(start).Milliseconds()
	e.mu.Lock()
	e.job = j
	e.running = false
	e.done = append(e.done, j)
	if len(e.done) > keptJobs {
		e.done = e.done[len(e.done)-keptJobs:]
	}
	e.mu.Unlock()
	return j, err
}

// JobByID returns the status of reindex job id: the running or last
// one, or one of the last keptJobs finished; false when it is not known
// (never started, or forgotten).
func (e *Engine) JobByID(id int) (Job, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.jobs > 0 && e.job.ID == id {
		return e.job, true
	}
	for _, j := range e.done {
		if j.ID == id {
			return j, true
		}
	}
	return Job{}, false
}

// LastJob returns the status of the last reindex, and false when none ran.
func (e *Engine) LastJob() (Job, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.job, e.jobs > 0
}

// Close stops serving: the current generation closes once its last
// reader releases it (at once when there is none).
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.kickStorer() // a change waiting to be stored is stored now
	e.cancelSettle()
	e.background.Wait()
	if g := e.cur.Swap(nil); g != nil {
		g.Release()
	}
	return nil
}
