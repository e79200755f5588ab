package engine

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/metiers/metiers/corpus"
)

// Watch follows the corpus directory until ctx is done: once guide files
// have changed and then stayed unchanged for settle, the engine compares
// the corpus' digest with the served generation's and, when they differ,
// applies the change (see follow). Replicas watching one corpus thus
// converge on the same generation. Changes are seen through inotify
// where the filesystem reports them, else (a network filesystem, or no
// inotify) by polling the files' names, sizes and times every settle.
func (e *Engine) Watch(ctx context.Context, settle time.Duration) error {
	dir := e.opts.CorpusDir
	if dir == "" {
		return errors.New("watch: no corpus directory (the embedded sample does not change)")
	}
	if settle <= 0 {
		return fmt.Errorf("watch: the settle time must be positive, got %s", settle)
	}
	changes := make(chan struct{}, 1)
	mode, err := e.notify(ctx, dir, changes)
	if err != nil {
		e.log.Info("watch: inotify unavailable, polling", "dir", dir, "reason", err)
		mode = "poll"
		// The first look is taken here, before the first follow below:
		// a change made after it is seen by the next look, one made
		// before it by that follow. Taken in the goroutine, it could
		// come after both a guide's write and the first follow, and
		// that change would never be seen.
		go poll(ctx, dir, settle, stamp(dir), changes)
	}
	e.log.Info("watching the corpus", "dir", dir, "mode", mode, "settle", settle)
	// The corpus may have changed since the generation was built.
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-changes:
			timer.Reset(settle)
		case <-timer.C:
			if e.follow(ctx) {
				timer.Reset(settle) // a reindex was under way: look again
			}
		}
	}
}

// follow applies the corpus as it is on disk when its digest is not the
// served generation's, and reports whether it should be tried again
// later (another reindex was running).
func (e *Engine) follow(ctx context.Context) (again bool) {
	sums, err := sumFiles(corpus.DirFS(e.opts.CorpusDir))
	if err != nil {
		e.log.Warn("watch: read the corpus", "error", err)
		return false
	}
	fp := sums.digest(settingsDigest(e.opts))
	g, err := e.Acquire()
	if err != nil {
		return true // not serving yet: Start is still building
	}
	same := g.fingerprint == fp
	ch, one := oneChange(g, e.opts.CorpusDir, sums)
	g.Release()
	if same {
		return false
	}
	if one {
		// One guide file changed (another replica's editor): apply it
		// on its own, as the replica that took the PUT did.
		ng, err := e.applyChange(ctx, ch)
		if err == nil {
			ng.Release()
			return false
		}
		if errors.Is(err, ErrReindexRunning) {
			return true
		}
		if !errors.Is(err, errNoIncremental) {
			e.log.Warn("watch: applying a guide on its own failed; rebuilding", "file", ch.file, "error", err)
		}
	}
	e.log.Info("watch: the corpus changed, rebuilding", "generation", generationName(fp))
	job, err := e.ReindexNow(ctx)
	if errors.Is(err, ErrReindexRunning) {
		return true
	}
	if err != nil {
		e.log.Error("watch: rebuild failed; the previous generation keeps serving", "job", job.ID, "error", err)
	}
	return false
}

// notify starts an inotify watch of dir and its subdirectories, telling
// changes of guide files on changes; an error means polling is needed.
func (e *Engine) notify(ctx context.Context, dir string, changes chan<- struct{}) (string, error) {
	if e.opts.poll {
		return "", errors.New("polling asked for")
	}
	if fsType, remote := networkFS(dir); remote {
		return "", fmt.Errorf("%s is a network filesystem (%s): inotify does not see other hosts' writes", dir, fsType)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return "", err
	}
	if err := addTree(w, dir); err != nil {
		w.Close()
		return "", err
	}
	signal := func() {
		select {
		case changes <- struct{}{}:
		default:
		}
	}
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if hidden(dir, ev.Name) {
					continue // an atomic write's temporary file
				}
				if ev.Has(fsnotify.Create) {
					if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
						if err := addTree(w, ev.Name); err != nil {
							e.log.Warn("watch: new directory", "dir", ev.Name, "error", err)
						}
						signal()
						continue
					}
				}
				// A removed or renamed directory sends its own name:
				// let the digest tell whether guides went with it.
				if corpus.IsGuideFile(ev.Name) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
					signal()
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				// An overflow loses events: compare digests anyway.
				e.log.Warn("watch: inotify", "error", err)
				signal()
			}
		}
	}()
	return "inotify", nil
}

// addTree watches dir and the directories under it, hidden ones aside.
func addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		return w.Add(p)
	})
}

// hidden reports whether p, inside root, is or lies in a hidden file or
// directory (which Load skips).
func hidden(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(part, ".") && part != "." && part != ".." {
			return true
		}
	}
	return false
}

// poll tells changes when the guide files' names, sizes or modification
// times differ from the previous look (first the stamp last), every
// interval.
func poll(ctx context.Context, dir string, every time.Duration, last string, changes chan<- struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if now := stamp(dir); now != last {
				last = now
				select {
				case changes <- struct{}{}:
				default:
				}
			}
		}
	}
}

// stamp summarises the guide files' names, sizes and modification times.
func stamp(dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			fmt.Fprintf(&b, "error %v\n", err)
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !corpus.IsGuideFile(p) {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

// oneChange tells whether the corpus on disk (of sums) differs from g's
// by one file holding one guide (added, changed or removed), and that
// change.
func oneChange(g *Generation, dir string, sums fileSums) (change, bool) {
	if g.sums == nil {
		return change{}, false
	}
	var changed []string
	for name, sum := range sums {
		if old, ok := g.sums[name]; !ok || old != sum {
			changed = append(changed, name)
		}
	}
	for name := range g.sums {
		if _, ok := sums[name]; !ok {
			changed = append(changed, name)
		}
	}
	if len(changed) != 1 || strings.HasSuffix(strings.ToLower(changed[0]), ".jsonl") {
		return change{}, false
	}
	name := changed[0]
	if _, ok := sums[name]; !ok {
		// Removed: the guide read from it.
		for _, m := range g.Corpus.Metiers {
			if fileKey(m) == name {
				return change{id: m.ID, file: name}, true
			}
		}
		return change{}, false
	}
	data, err := fs.ReadFile(corpus.DirFS(dir), name)
	if err != nil || sha256.Sum256(data) != sums[name] {
		return change{}, false // changed again since: the next look sees it
	}
	c, err := corpus.Load(memFile{name: name, data: data}, name)
	if err != nil || len(c.Errors) > 0 || len(c.Metiers) != 1 {
		return change{}, false
	}
	m := c.Metiers[0]
	if old := g.Metier(m.ID); old != nil && fileKey(old) != name {
		return change{}, false // the guide moved files: a rebuild sorts it out
	}
	for _, x := range g.Corpus.Metiers {
		if fileKey(x) == name && x.ID != m.ID {
			return change{}, false // the file now holds another guide
		}
	}
	if fileKey(m) != name {
		return change{}, false // a source naming another file: rebuild
	}
	return change{id: m.ID, file: name, data: data, m: m}, true
}

// memFile is a one-file fs.FS over data already read.
type memFile struct {
	name string
	data []byte
}

func (f memFile) Open(name string) (fs.File, error) {
	return fstest.MapFS{f.name: &fstest.MapFile{Data: f.data}}.Open(name)
}
