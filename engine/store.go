package engine

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/metiers/metiers/corpus"
)

// An index directory holds generations, each in a directory of its own,
// and CURRENT, the name of the one to serve:
//
//	CURRENT             gen-1796165205155174369
//	gen-…/index/        the bleve index, sealed read-only once built
//	gen-…/guides.json.gz the guides it was built from, one JSON a line
//	gen-…/removed.json  the ids of guides earlier generations served and
//	                    this one lacks (410 Gone), written before CURRENT
//	gen-…/meta.json     written last: a generation without it is partial
//	gen-…/.lock         held (flock) by every process building or serving it
//
// A generation carries its guides so that it can be served as it was
// built when the corpus has changed since and no longer builds.

// meta is written beside each generation's index.
type meta struct {
	Fingerprint string    `json:"fingerprint"`
	Guides      int       `json:"guides"`
	Built       time.Time `json:"built"`
}

const (
	currentFile = "CURRENT"
	metaFile    = "meta.json"
	removedFile = "removed.json"
	guidesFile  = "guides.json.gz"
	indexSub    = "index"
	genPrefix   = "gen-"
)

// readCurrent returns the directory of the current generation, or "".
func readCurrent(root string) string {
	b, err := os.ReadFile(filepath.Join(root, currentFile))
	if err != nil {
		return ""
	}
	name := strings.TrimSpace(string(b))
	if name == "" || strings.ContainsAny(name, `/\`) || !strings.HasPrefix(name, genPrefix) {
		return ""
	}
	return filepath.Join(root, name)
}

// writeCurrent points CURRENT at dir atomically: a crash leaves either the
// old pointer or the new one, never a torn file.
func writeCurrent(root, dir string) error {
	// A name of its own: another process may be switching too.
	tmp := filepath.Join(root, fmt.Sprintf("%s.tmp-%d-%d", currentFile, os.Getpid(), time.Now().UnixNano()))
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(filepath.Base(dir) + "\n"); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, filepath.Join(root, currentFile)); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(root)
	return nil
}

// syncDir flushes a directory's entries (a rename, a new file) to disk.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func readMeta(dir string) (meta, error) {
	var m meta
	b, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

// writeMeta writes meta.json, the mark of a complete generation, and
// flushes it and the generation's files to disk first.
func writeMeta(dir string, m meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileSync(filepath.Join(dir, metaFile), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// writeFileSync writes a file through fill and flushes it to disk; on
// error the file is removed.
func writeFileSync(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// writeGuides stores the guides a generation is built from.
func writeGuides(dir string, ms []*corpus.Metier) error {
	return writeFileSync(filepath.Join(dir, guidesFile), func(w io.Writer) error {
		// The fastest level: 10,000 generated guides are 140 MB of JSON,
		// which it writes in about a second, a tenth of the size.
		zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
		if err != nil {
			return err
		}
		bw := bufio.NewWriter(zw)
		enc := json.NewEncoder(bw)
		for _, m := range ms {
			if err := enc.Encode(m); err != nil {
				return err
			}
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return zw.Close()
	})
}

// readGuides reads the guides stored with a generation, in their order.
func readGuides(dir string) ([]*corpus.Metier, error) {
	f, err := os.Open(filepath.Join(dir, guidesFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	dec := json.NewDecoder(bufio.NewReader(zr))
	var ms []*corpus.Metier
	for {
		m := new(corpus.Metier)
		if err := dec.Decode(m); errors.Is(err, io.EOF) {
			return ms, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name(), err)
		}
		ms = append(ms, m)
	}
}

// readGuideIDs reads the ids of the guides stored with a generation,
// without the rest of them.
func readGuideIDs(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, guidesFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	dec := json.NewDecoder(bufio.NewReader(zr))
	var ids []string
	for {
		var m struct {
			ID string `json:"id"`
		}
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return ids, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name(), err)
		}
		ids = append(ids, m.ID)
	}
}

// removedList is removed.json: the ids of the guides a generation
// answers 410 Gone for, so that a restart keeps saying so.
type removedList struct {
	Removed []string `json:"removed"`
}

// writeRemoved writes removed.json into dir, flushed to disk.
func writeRemoved(dir string, removed map[string]bool) error {
	l := removedList{Removed: make([]string, 0, len(removed))}
	for id := range removed {
		l.Removed = append(l.Removed, id)
	}
	sort.Strings(l.Removed)
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return writeFileSync(filepath.Join(dir, removedFile), func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// readRemoved reads removed.json of dir; a generation without one (or
// with a damaged one: the 410s are a courtesy, not data) knows none.
func readRemoved(dir string) map[string]bool {
	b, err := os.ReadFile(filepath.Join(dir, removedFile))
	if err != nil {
		return nil
	}
	var l removedList
	if json.Unmarshal(b, &l) != nil || len(l.Removed) == 0 {
		return nil
	}
	out := make(map[string]bool, len(l.Removed))
	for _, id := range l.Removed {
		out[id] = true
	}
	return out
}

// generations lists the generation directories of root, newest first
// (their names hold nanoseconds).
func generations(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var gens []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), genPrefix) {
			gens = append(gens, filepath.Join(root, e.Name()))
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(gens)))
	return gens, nil
}

// prune removes generation directories beyond the newest keep, never the
// current one, and leftovers of interrupted builds (no meta.json); a
// generation some process holds (serving it, or still building it) is
// left for a later prune.
func prune(root, current string, keep int) []error {
	gens, err := generations(root)
	if err != nil {
		return []error{err}
	}
	var errs []error
	kept := 0
	for _, dir := range gens {
		if dir == current {
			kept++
			continue
		}
		if _, err := readMeta(dir); err == nil && kept < keep {
			kept++
			continue
		} else if err != nil && young(dir) {
			continue // being created: its builder is about to lock it
		}
		if _, err := removeUnused(dir); err != nil {
			errs = append(errs, err)
		}
	}
	removeStaleTemps(root)
	return errs
}

// removePartial removes the partial generations of root, those without
// meta.json that no process holds: what builds killed before they
// finished left behind (a build that fails removes its own). It returns
// the directories removed.
func removePartial(root string) ([]string, []error) {
	gens, err := generations(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, []error{err}
	}
	var removed []string
	var errs []error
	for _, dir := range gens {
		if _, err := os.Stat(filepath.Join(dir, metaFile)); err == nil {
			continue
		}
		if young(dir) {
			continue // being created: its builder is about to lock it
		}
		ok, err := removeUnused(dir)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			removed = append(removed, dir)
		}
	}
	removeStaleTemps(root)
	return removed, errs
}

// young reports whether a generation directory has no lock file yet and
// was made in the last minute: a build creates the directory, then locks
// it, and must not lose it in between.
func young(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, lockFile)); err == nil {
		return false
	}
	st, err := os.Stat(dir)
	return err == nil && time.Since(st.ModTime()) < time.Minute
}
