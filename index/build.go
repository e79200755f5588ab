package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bbolterrors "go.etcd.io/bbolt/errors"

	"github.com/metiers/metiers/corpus"
)

// ErrInUse is returned by Open when another process holds the index.
var ErrInUse = errors.New("the index is in use by another process")

// openTimeout is how long Open waits for another process's lock.
const openTimeout = time.Second

// Options configures Build.
type Options struct {
	// Dir is where the scorch index is written; it must not exist yet.
	// Empty keeps the index in memory.
	Dir string
	// Synonyms are passed to NewMapping.
	Synonyms []SynonymGroup
	// Tags, when set, gives the criteria tags indexed for each guide (the
	// recommender's "Critères du métier"); else explicit criteria ≥ 0.5.
	Tags Tagger
	// Progress, when set, is called after each batch with the number of
	// guides indexed so far and the total.
	Progress func(done, total int)
	// BatchSize is the number of guides per batch (default 256).
	BatchSize int
}

// Build indexes the guides into a new index. On disk, the index is then
// merged into one segment and reopened read-only (Open): a built index is
// never written again, and any number of processes may read it at once.
// On error or cancellation the partial index is closed and, on disk,
// removed.
func Build(ctx context.Context, metiers []*corpus.Metier, opts Options) (_ bleve.Index, err error) {
	m, err := NewMapping(opts.Synonyms)
	if err != nil {
		return nil, err
	}
	var w bleve.Index      // the index being written, closed on error
	var async <-chan error // its background errors (persisting, merging)
	if opts.Dir == "" {
		// Scorch without a path keeps its segments in memory; unlike
		// bleve.NewMemOnly (upsidedown) it supports BM25.
		w, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	} else {
		if _, statErr := os.Stat(opts.Dir); statErr == nil {
			return nil, fmt.Errorf("index: build: %s already exists", opts.Dir)
		}
		errs, config, stop := watchWriter(opts.Dir)
		defer stop()
		async = errs
		w, err = bleve.NewUsing(opts.Dir, m, scorch.Name, scorch.Name, config)
	}
	if err != nil {
		if opts.Dir != "" {
			os.RemoveAll(opts.Dir)
		}
		return nil, fmt.Errorf("index: create: %w", err)
	}
	defer func() {
		if err != nil {
			if w != nil {
				w.Close()
			}
			if opts.Dir != "" {
				os.RemoveAll(opts.Dir)
			}
		}
	}()
	size := opts.BatchSize
	if size <= 0 {
		size = 256
	}
	batch := w.NewBatch()
	for i, g := range metiers {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("index: build: %w", err)
		}
		if g.ID == "" {
			return nil, fmt.Errorf("index: build: guide %d (%q) has no id", i, g.Title)
		}
		if err := batch.Index(g.ID, newDoc(g, opts.Tags)); err != nil {
			return nil, fmt.Errorf("index: %s: %w", g.ID, err)
		}
		if batch.Size() >= size || i == len(metiers)-1 {
			if err := w.Batch(batch); err != nil {
				return nil, fmt.Errorf("index: batch: %w", err)
			}
			select {
			case err := <-async:
				return nil, fmt.Errorf("index: merge: %w", err)
			default:
			}
			batch.Reset()
			if opts.Progress != nil {
				opts.Progress(i+1, len(metiers))
			}
		}
	}
	if opts.Dir == "" {
		return w, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("index: build: %w", err)
	}
	if err := merge(ctx, w, async); err != nil {
		return nil, fmt.Errorf("index: merge: %w", err)
	}
	closeErr := w.Close()
	w = nil
	if closeErr != nil {
		return nil, fmt.Errorf("index: close: %w", closeErr)
	}
	return Open(opts.Dir)
}

// scorchMergeDone is the context key under which scorch's merger sends
// the result of a merge it was asked for (bleve index/scorch/merge.go,
// mergeDoneKey): without it, a merge that fails (a full disk) is retried
// for ever and ForceMerge never returns.
const scorchMergeDone = "mergeDone"

// merge merges a freshly built on-disk index into one segment, the
// fastest to search and the smallest, before it is sealed read-only
// (nothing would merge it afterwards). It gives up on the first error of
// the index's background work (async, see watchWriter), or when ctx is
// done: the caller then closes the index, which releases ForceMerge.
func merge(ctx context.Context, idx bleve.Index, async <-chan error) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	done := make(chan error, 1)
	mctx := context.WithValue(ctx, scorchMergeDone, done)
	forced := make(chan error, 1)
	go func() { forced <- s.ForceMerge(mctx, nil) }()
	select {
	case err := <-done:
		if err != nil {
			// ForceMerge waits for a completion that a failed merge
			// never signals.
			return err
		}
		if err := <-forced; err != nil {
			return err
		}
	case err := <-forced:
		if err != nil {
			return err
		}
	case err := <-async:
		// A background merge failed: the merger retries it for ever,
		// and ForceMerge waits behind it.
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
	return persisted(ctx, s, async)
}

// persisted waits until scorch's persister has written the root that a
// merge introduced. ForceMerge returns once the merged segment is in the
// in-memory root, and Close does not persist what is left: closing at
// once could leave the previous snapshot, of several segments, on disk
// (seen on a loaded machine as a sealed index of 2 or 3 segments).
func persisted(ctx context.Context, s *scorch.Scorch, async <-chan error) error {
	st, ok := s.Stats().(*scorch.Stats)
	if !ok {
		return nil
	}
	want := atomic.LoadUint64(&st.CurRootEpoch)
	if atomic.LoadUint64(&st.LastPersistedEpoch) >= want {
		return nil
	}
	// The persister reports its progress only through these counters
	// (or a callback in scorch's global registry): look every few ms.
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for atomic.LoadUint64(&st.LastPersistedEpoch) < want {
		select {
		case err := <-async:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// Open opens an index built by Build in dir, read-only: a server and
// one-shot commands beside it read the same index at once (scorch takes
// a shared lock on its bolt file for readers, an exclusive one for a
// writer).
func Open(dir string) (bleve.Index, error) {
	registerFilters()
	// A process writing the index (an older binary's server, which kept
	// it open for writing) holds its bolt file's lock: wait for it a
	// moment, not for ever (a one-shot command beside a server used to
	// hang, deaf to SIGTERM), and let the caller decide.
	idx, err := bleve.OpenUsing(dir, map[string]any{"read_only": true, "bolt_timeout": openTimeout.String()})
	if errors.Is(err, bbolterrors.ErrTimeout) {
		return nil, fmt.Errorf("index: open %s: %w", dir, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("index: open %s: %w", dir, err)
	}
	return idx, nil
}

// Put indexes one guide into idx, replacing the guide of the same id:
// the update of a guide in place (the searcher's tables follow through
// search.Searcher.Apply).
func Put(idx bleve.Index, m *corpus.Metier, tags Tagger) error {
	if m.ID == "" {
		return fmt.Errorf("index: put: guide %q has no id", m.Title)
	}
	if err := idx.Index(m.ID, newDoc(m, tags)); err != nil {
		return fmt.Errorf("index: put %s: %w", m.ID, err)
	}
	return nil
}

// Delete removes one guide from idx.
func Delete(idx bleve.Index, id string) error {
	if err := idx.Delete(id); err != nil {
		return fmt.Errorf("index: delete %s: %w", id, err)
	}
	return nil
}
