package insights

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// fileVersion is the format of the saved file; a file of another
// version is set aside rather than misread.
const fileVersion = 1

// file is what a Recorder saves: its buckets and when each guide was
// last found. No reader data: queries and counts only.
type file struct {
	Version int              `json:"version"`
	Started time.Time        `json:"started"`
	Hours   []savedBucket    `json:"hours"`
	Days    []savedBucket    `json:"days"`
	Found   map[string]int64 `json:"found"`
}

type savedBucket struct {
	Start    int64   `json:"start"`
	Searches uint64  `json:"searches"`
	Empty    uint64  `json:"empty"`
	Opens    uint64  `json:"opens"`
	Queries  []entry `json:"queries"`
	NoResult []entry `json:"no_result"`
}

func saved(bs []*bucket) []savedBucket {
	out := make([]savedBucket, len(bs))
	for i, b := range bs {
		out[i] = savedBucket{Start: b.start, Searches: b.searches, Empty: b.empty, Opens: b.opens,
			Queries: b.queries.entries(), NoResult: b.noResult.entries()}
	}
	return out
}

func (r *Recorder) restored(sbs []savedBucket) []*bucket {
	var out []*bucket
	for _, sb := range sbs {
		if n := len(out); n > 0 && out[n-1].start >= sb.Start {
			continue // out of order: keep the file's first
		}
		b := r.newBucket(sb.Start)
		b.searches, b.empty, b.opens = sb.Searches, sb.Empty, sb.Opens
		for _, e := range sb.Queries {
			b.queries.restore(e)
		}
		for _, e := range sb.NoResult {
			b.noResult.restore(e)
		}
		out = append(out, b)
	}
	return out
}

// load reads opts.Path; a missing file is a fresh start, an unreadable
// one is renamed FILE.bad and logged.
func (r *Recorder) load() {
	data, err := os.ReadFile(r.opts.Path)
	if os.IsNotExist(err) {
		return
	}
	var f file
	if err == nil {
		err = json.Unmarshal(data, &f)
	}
	if err == nil && f.Version != fileVersion {
		err = fmt.Errorf("version %d, want %d", f.Version, fileVersion)
	}
	if err != nil {
		bad := r.opts.Path + ".bad"
		os.Rename(r.opts.Path, bad)
		r.log.Warn("insights: unreadable file set aside, counting afresh", "file", r.opts.Path, "moved_to", bad, "error", err)
		return
	}
	r.started = f.Started
	r.hours = r.restored(f.Hours)
	r.days = r.restored(f.Days)
	for id, t := range f.Found {
		if len(r.found) < maxFound {
			r.found[id] = t
		}
	}
}

// Save writes the counts to opts.Path atomically (a crash leaves the old
// file or the new one); it does nothing without a path or a change.
func (r *Recorder) Save() error {
	if r.opts.Path == "" {
		return nil
	}
	r.mu.Lock()
	if !r.dirty {
		r.mu.Unlock()
		return nil
	}
	f := file{Version: fileVersion, Started: r.started, Hours: saved(r.hours), Days: saved(r.days), Found: make(map[string]int64, len(r.found))}
	for id, t := range r.found {
		f.Found[id] = t
	}
	r.dirty = false
	r.mu.Unlock()
	data, err := json.Marshal(f)
	if err == nil {
		err = writeAtomic(r.opts.Path, data)
	}
	if err != nil {
		r.mu.Lock()
		r.dirty = true
		r.mu.Unlock()
		return fmt.Errorf("insights: save %s: %w", r.opts.Path, err)
	}
	return nil
}

// Keep saves every interval until ctx is done, then once more.
func (r *Recorder) Keep(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := r.Save(); err != nil {
				r.log.Warn("insights", "error", err)
			}
			return
		case <-t.C:
			if err := r.Save(); err != nil {
				r.log.Warn("insights", "error", err)
			}
		}
	}
}

// writeAtomic writes data to path through a temporary file in the same
// directory, synced, then renamed over path.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
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
	return os.Rename(tmp.Name(), path)
}
