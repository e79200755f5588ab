package engine

import (
	"context"
	"time"
)

// A guide applied on its own (incremental.go) is served in well under a
// second, its searcher exact but its « similaires » and quiz computed
// with the corpus-wide weights of the build it derives from: the idf of
// the text vectors and the rarity of the criteria move a little with
// every guide added or removed, and recomputing them moves every row of
// the corpus, which is what a change applied on its own must not pay
// for. So once the corpus has stayed unchanged for Options.Settle, the
// engine rebuilds the guides it serves (in memory: the corpus is not
// read again) in the background, exactly as a reindex builds them, and
// serves that build instead, under the same name: from then on every
// answer is the rebuild's, and the index is one segment again. A change
// arriving meanwhile stops the settle (its build would be out of date)
// and schedules another; readers are served throughout.

// DefaultSettle is Options.Settle's default: a burst of publications by
// one editor is usually over well within it, and a settle at 10,000
// guides is a full build (about 50 s of one core).
const DefaultSettle = 30 * time.Second

// scheduleSettle (re)starts the settle's timer after a change applied
// on its own.
func (e *Engine) scheduleSettle() {
	delay := e.opts.Settle
	if delay < 0 {
		return
	}
	if delay == 0 {
		delay = DefaultSettle
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	if e.settleTimer != nil {
		e.settleTimer.Stop()
	}
	e.settleTimer = time.AfterFunc(delay, func() {
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		e.settleStop = cancel
		e.background.Add(1)
		e.mu.Unlock()
		defer e.background.Done()
		defer cancel()
		if err := e.settle(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("settle: the guides applied on their own could not be rebuilt; they keep serving", "error", err)
		}
	})
}

// cancelSettle stops the settle's timer and the settle under way.
func (e *Engine) cancelSettle() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.settleTimer != nil {
		e.settleTimer.Stop()
		e.settleTimer = nil
	}
	if e.settleStop != nil {
		e.settleStop()
		e.settleStop = nil
	}
}

// settle rebuilds the guides of the generation served when changes
// applied on their own made it, and serves the build unless another
// change came meanwhile. It returns nil when there is nothing to do or
// the build was overtaken.
func (e *Engine) settle(ctx context.Context) error {
	base, err := e.Acquire()
	if err != nil {
		return nil
	}
	defer base.Release()
	if !base.derived {
		return nil
	}
	start := time.Now()
	g, _, err := build(ctx, e.opts, base.Corpus, base.fingerprint, func(string, int, int) {})
	if err != nil {
		return err
	}
	// The corpus is base's: its files' digests and dates too.
	g.sums, g.modified = base.sums, base.modified
	// The slot may be held by a change being applied (which stops this
	// settle) or a reindex (whose build overtakes it).
	for !e.lockBuild() {
		select {
		case <-ctx.Done():
			g.discard()
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	defer e.unlockBuild()
	if e.cur.Load() != base {
		g.discard() // overtaken: the change that came settles in its turn
		return nil
	}
	if err := e.commitBuild(g); err != nil {
		g.discard()
		return err
	}
	e.install(g)
	e.log.Info("settled: the guides applied on their own rebuilt", "generation", g.Name, "guides", len(g.Corpus.Metiers), "took", time.Since(start).Round(time.Millisecond))
	return nil
}
