package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/metiers/metiers/corpus"
)

// Errors of Put and Delete.
var (
	// ErrBadGuide wraps what is wrong with a guide sent to Put.
	ErrBadGuide = errors.New("bad guide")
	// ErrUnknownGuide means Delete was given an id no guide has.
	ErrUnknownGuide = errors.New("unknown guide")
	// ErrReadOnlyCorpus means the corpus cannot be written: the embedded
	// sample is served, or the guide shares its file with others.
	ErrReadOnlyCorpus = errors.New("the corpus cannot be changed here")
)

// Published says what Put or Delete did.
type Published struct {
	ID string `json:"id"`
	// File is the guide's file, relative to the corpus directory.
	File string `json:"file"`
	// Created is true when Put added a guide that did not exist.
	Created bool `json:"created,omitempty"`
	// Deleted is true for Delete.
	Deleted bool `json:"deleted,omitempty"`
	// Generation is the name of the generation serving the change.
	Generation string `json:"generation"`
	// Guides is how many guides that generation serves.
	Guides int `json:"guides"`
	// Applied is "incremental" (the one guide indexed or deleted) or
	// "rebuild" (the corpus rebuilt: the served generation could not
	// take it on its own, or a rebuild was under way).
	Applied string `json:"applied"`
	// TookMS is the time from the request to the change being served.
	TookMS float64 `json:"took_ms"`
}

// Put publishes one guide, given in the structured JSON format: it is
// validated, written atomically into the corpus directory (so that every
// replica watching the directory follows) and served by this engine
// before Put returns. The guide's id is id; a body giving another id is
// refused. A guide read from a page or a JSON file of its own is
// replaced by ID.json; one sharing a .jsonl file with others cannot be
// (ErrReadOnlyCorpus).
func (e *Engine) Put(ctx context.Context, id string, body []byte) (Published, error) {
	start := time.Now()
	m, err := corpus.ParseJSON(id+".json", body)
	if err != nil {
		return Published{}, fmt.Errorf("%w: %w", ErrBadGuide, err)
	}
	if m.ID != id {
		// An id left out defaults to the title's slug: the path's wins.
		var raw struct {
			ID *string `json:"id"`
		}
		json.Unmarshal(body, &raw)
		if raw.ID != nil {
			return Published{}, fmt.Errorf("%w: id: the body says %q, the path %q", ErrBadGuide, m.ID, id)
		}
		m.ID = id
		if err := m.Validate(); err != nil {
			return Published{}, fmt.Errorf("%w: %w", ErrBadGuide, err)
		}
	}
	m.Source = ""
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Published{}, err
	}
	data = append(data, '\n')

	e.publish.Lock()
	defer e.publish.Unlock()
	old, file, err := e.fileOf(id)
	if err != nil {
		return Published{}, err
	}
	target := id + ".json"
	if err := writeAtomic(filepath.Join(e.opts.CorpusDir, target), data); err != nil {
		return Published{}, fmt.Errorf("corpus: write %s: %w", target, err)
	}
	if old && file != target {
		// The guide moves from its page (or another name) to ID.json.
		if err := os.Remove(filepath.Join(e.opts.CorpusDir, filepath.FromSlash(file))); err != nil && !os.IsNotExist(err) {
			return Published{}, fmt.Errorf("corpus: remove %s: %w", file, err)
		}
	}
	p := Published{ID: id, File: target, Created: !old}
	// The guide as a replica loading the file reads it.
	loaded, err := corpus.ParseJSON(target, data)
	if err != nil {
		return p, fmt.Errorf("corpus: reread %s: %w", target, err)
	}
	loaded.Source = target
	ch := change{id: id, file: target, data: data, m: loaded}
	if old && file != target {
		ch.moved = file
	}
	return e.apply(ctx, ch, p, start)
}

// apply serves a change on its own when it can, else by a rebuild.
func (e *Engine) apply(ctx context.Context, ch change, p Published, start time.Time) (Published, error) {
	g, err := e.applyChange(ctx, ch)
	// The slot may be held for a moment by a change the watcher applies
	// or a settle switching to its build: wait for it rather than
	// rebuild. (Storing a change does not hold it.)
	for waited := time.Duration(0); errors.Is(err, ErrReindexRunning) && waited < applyWait; waited += 20 * time.Millisecond {
		select {
		case <-ctx.Done():
			return p, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		g, err = e.applyChange(ctx, ch)
	}
	if errors.Is(err, errNoIncremental) || errors.Is(err, ErrReindexRunning) {
		p.Applied = "rebuild"
		return e.served(ctx, p, start)
	}
	if err != nil {
		e.log.Warn("applying a guide on its own failed; rebuilding", "id", ch.id, "error", err)
		p.Applied = "rebuild"
		return e.served(ctx, p, start)
	}
	defer g.Release()
	p.Applied = "incremental"
	p.Generation, p.Guides = g.Name, len(g.Corpus.Metiers)
	p.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return p, nil
}

// Delete removes the file of guide id from the corpus directory and
// serves the corpus without it before returning.
func (e *Engine) Delete(ctx context.Context, id string) (Published, error) {
	start := time.Now()
	e.publish.Lock()
	defer e.publish.Unlock()
	ok, file, err := e.fileOf(id)
	if err != nil {
		return Published{}, err
	}
	if !ok {
		return Published{}, fmt.Errorf("%w: %q", ErrUnknownGuide, id)
	}
	if err := os.Remove(filepath.Join(e.opts.CorpusDir, filepath.FromSlash(file))); err != nil && !os.IsNotExist(err) {
		return Published{}, fmt.Errorf("corpus: remove %s: %w", file, err)
	}
	syncDir(e.opts.CorpusDir)
	return e.apply(ctx, change{id: id, file: file}, Published{ID: id, File: file, Deleted: true}, start)
}

// served waits until the engine serves the corpus as it is on disk.
func (e *Engine) served(ctx context.Context, p Published, start time.Time) (Published, error) {
	g, err := e.sync(ctx)
	if err != nil {
		return p, err
	}
	defer g.Release()
	p.Generation, p.Guides = g.Name, len(g.Corpus.Metiers)
	p.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return p, nil
}

// fileOf finds the corpus file of guide id in the served generation:
// whether it exists, and its file (slash path in the corpus directory).
// The guide's file is where it was loaded from; a guide that shares it
// with others cannot be written alone.
func (e *Engine) fileOf(id string) (bool, string, error) {
	if e.opts.CorpusDir == "" {
		return false, "", fmt.Errorf("%w: the embedded sample corpus is served (serve --corpus DIR to publish guides)", ErrReadOnlyCorpus)
	}
	if !validID(id) {
		return false, "", fmt.Errorf("%w: id %q is not a lower-case ASCII slug", ErrBadGuide, id)
	}
	g, err := e.Acquire()
	if err != nil {
		return false, "", err
	}
	defer g.Release()
	m := g.Metier(id)
	if m == nil {
		return false, "", nil
	}
	file := filepath.ToSlash(m.Source)
	if _, err := os.Stat(filepath.Join(e.opts.CorpusDir, filepath.FromSlash(file))); file == "" || err != nil {
		// A source that names no file (« onisep »): the guide's file is
		// ID.json when there is one.
		file = id + ".json"
		if _, err := os.Stat(filepath.Join(e.opts.CorpusDir, file)); err != nil {
			return false, "", fmt.Errorf("%w: guide %q was not read from a file of its own (source %q)", ErrReadOnlyCorpus, id, m.Source)
		}
	}
	if strings.HasSuffix(strings.ToLower(file), ".jsonl") {
		return false, "", fmt.Errorf("%w: guide %q lives in %s with others: edit that file", ErrReadOnlyCorpus, id, file)
	}
	return true, file, nil
}

// validID is corpus' rule for ids: a lower-case ASCII slug.
func validID(id string) bool {
	m := corpus.Metier{ID: id, Title: "x"}
	return m.Validate() == nil
}

// sync makes the engine serve the corpus as it is on disk, rebuilding
// when its digest is not the served generation's (waiting for a rebuild
// under way first), and returns the generation served, acquired.
func (e *Engine) sync(ctx context.Context) (*Generation, error) {
	for attempt := 0; ; attempt++ {
		sums, err := sumFiles(os.DirFS(e.opts.CorpusDir))
		if err != nil {
			return nil, err
		}
		fp := sums.digest(settingsDigest(e.opts))
		g, err := e.Acquire()
		if err != nil {
			return nil, err
		}
		// Others writing the corpus all along (another replica's
		// editor) must not keep this request rebuilding for ever.
		if g.fingerprint == fp || attempt == maxSyncs {
			return g, nil
		}
		g.Release()
		// The rebuild goes on if the request gives up waiting: the file
		// is written, and it is what the corpus now says.
		done := make(chan Job, 1)
		_, err = e.Reindex(context.WithoutCancel(ctx), func(j Job) { done <- j })
		if errors.Is(err, ErrReindexRunning) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case j := <-done:
			if j.State != "succeeded" {
				return nil, errors.New(j.Error)
			}
		}
	}
}

// applyWait bounds the wait for the build slot before a change falls
// back to waiting for the rebuild that holds it.
const applyWait = 5 * time.Second

// maxSyncs bounds the rebuilds one Put or Delete waits for.
const maxSyncs = 3

// writeAtomic writes data to path through a hidden temporary file in the
// same directory (which Load and the watcher skip), synced, then renamed
// over path, and syncs the directory.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}
