package index

import (
	"context"
	"errors"
	"fmt"
	"os"
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

// Build indexes the guides into a new index. On error or cancellation the
// partial index is closed and, on disk, removed.
func Build(ctx context.Context, metiers []*corpus.Metier, opts Options) (idx bleve.Index, err error) {
	m, err := NewMapping(opts.Synonyms)
	if err != nil {
		return nil, err
	}
	if opts.Dir == "" {
		// Scorch without a path keeps its segments in memory; unlike
		// bleve.NewMemOnly (upsidedown) it supports BM25.
		idx, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	} else {
		if _, statErr := os.Stat(opts.Dir); statErr == nil {
			return nil, fmt.Errorf("index: build: %s already exists", opts.Dir)
		}
		idx, err = bleve.NewUsing(opts.Dir, m, scorch.Name, scorch.Name, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("index: create: %w", err)
	}
	defer func(created bleve.Index) {
		if err != nil {
			created.Close()
			if opts.Dir != "" {
				os.RemoveAll(opts.Dir)
			}
			idx = nil
		}
	}(idx)
	size := opts.BatchSize
	if size <= 0 {
		size = 256
	}
	batch := idx.NewBatch()
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
			if err := idx.Batch(batch); err != nil {
				return nil, fmt.Errorf("index: batch: %w", err)
			}
			batch.Reset()
			if opts.Progress != nil {
				opts.Progress(i+1, len(metiers))
			}
		}
	}
	return idx, nil
}

// Open opens an index built by Build in dir.
func Open(dir string) (bleve.Index, error) {
	registerFilters()
	// Another process serving the index holds its bolt file's lock: wait
	// for it a moment, not for ever (a one-shot command beside a server
	// used to hang, deaf to SIGTERM), and let the caller build its own.
	idx, err := bleve.OpenUsing(dir, map[string]any{"bolt_timeout": openTimeout.String()})
	if errors.Is(err, bbolterrors.ErrTimeout) {
		return nil, fmt.Errorf("index: open %s: %w", dir, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("index: open %s: %w", dir, err)
	}
	return idx, nil
}
