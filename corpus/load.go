package corpus

import (
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

//go:embed sample/*.txt
var sample embed.FS

// Sample returns the embedded sample corpus: the five seed guides.
func Sample() fs.FS {
	sub, err := fs.Sub(sample, "sample")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	return sub
}

// Corpus is the result of loading guides: the good ones, in a stable
// order, and one error per bad file or line.
type Corpus struct {
	// Metiers are the guides that loaded, sorted by file name then order.
	Metiers []*Metier
	// Files is how many guide files were read.
	Files int
	// Errors holds a *FileError for every file or line that was skipped.
	Errors []error
	// sums are the files read, for Sums.
	sums map[string][sha256.Size]byte
	// modified are the modification times of the guides' files, by
	// guide id, for Modified.
	modified map[string]time.Time
}

// Modified returns when each guide's file was last modified, by guide
// id (the sitemap's lastmod): a guide of a file system that keeps no
// times (the embedded sample) has none, nor one Merge reported as a
// duplicate.
func (c *Corpus) Modified() map[string]time.Time { return maps.Clone(c.modified) }

// Sums returns the SHA-256 of every guide file the corpus was loaded
// from, good or malformed, by slash path inside the corpus (the files
// that could not be read are not in it): two corpora load the same
// guides when their sums are the same, wherever the directory is. See
// SumFiles.
func (c *Corpus) Sums() map[string][sha256.Size]byte { return maps.Clone(c.sums) }

// sum records the content of a file read, for Sums.
func (c *Corpus) sum(name string, data []byte) {
	if c.sums == nil {
		c.sums = map[string][sha256.Size]byte{}
	}
	c.sums[name] = sha256.Sum256(data)
}

// SumFiles returns what Sums of the corpus Load would read from fsys
// returns, without parsing it: the same walk, the same files.
func SumFiles(ctx context.Context, fsys fs.FS) (map[string][sha256.Size]byte, error) {
	names, _, err := guideFiles(ctx, fsys)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	c := &Corpus{}
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		if data, _, err := readRegular(fsys, n); err == nil {
			c.sum(n, data)
		}
	}
	return c.Sums(), nil
}

// Summary says in one line how many guides loaded and how many files failed.
func (c *Corpus) Summary() string {
	return fmt.Sprintf("%d guide(s) loaded from %d file(s), %d error(s)", len(c.Metiers), c.Files, len(c.Errors))
}

// ByID returns the guide with the given id, or nil.
func (c *Corpus) ByID(id string) *Metier {
	for _, m := range c.Metiers {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Merge appends the guides and errors of others, in order, reporting
// guides whose id is already present as duplicates. Merge many corpora in
// one call: each call indexes the guides already there.
func (c *Corpus) Merge(others ...*Corpus) {
	seen := make(map[string]string, len(c.Metiers))
	for _, m := range c.Metiers {
		seen[m.ID] = m.Source
	}
	for _, other := range others {
		c.Files += other.Files
		for n, sum := range other.sums {
			if c.sums == nil {
				c.sums = map[string][sha256.Size]byte{}
			}
			c.sums[n] = sum
		}
		c.Errors = append(c.Errors, other.Errors...)
		for _, m := range other.Metiers {
			if first, dup := seen[m.ID]; dup {
				c.Errors = append(c.Errors, fileErr(m.Source, 0, fmt.Errorf("%w %q (first in %s)", ErrDuplicateID, m.ID, first)))
				continue
			}
			seen[m.ID] = m.Source
			c.Metiers = append(c.Metiers, m)
			if t, ok := other.modified[m.ID]; ok {
				if c.modified == nil {
					c.modified = map[string]time.Time{}
				}
				c.modified[m.ID] = t
			}
		}
	}
}

// IsGuideFile reports whether name has an extension Load reads.
func IsGuideFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".json", ".jsonl":
		return true
	}
	return false
}

// Ignored reports whether Load passes over a file or directory name
// without a word: hidden names (".git", an editor's lock ".#x.json" or
// swap file ".x.json.swp") and editors' backups and autosaves ("x.json~",
// "#x.json#").
func Ignored(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~")
}

// ErrNotRegular means a guide file is not a regular file (a named pipe, a
// device, a socket): Load never opens one, which could block for ever.
var ErrNotRegular = errors.New("not a regular file")

// ErrDanglingLink means a guide file is a symbolic link to nothing.
var ErrDanglingLink = errors.New("symbolic link to a missing file")

// Load reads every .txt, .json and .jsonl file of fsys (recursively, in
// name order, ignored names skipped), or only the named files when names
// are given. Bad files do not stop the load: each is reported in the
// result's Errors, a file that cannot be read (unreadable, removed while
// the load runs, a dangling symbolic link, not a regular file) like a
// malformed one. The error is for an unreadable directory tree only.
func Load(fsys fs.FS, names ...string) (*Corpus, error) {
	c, err := load(context.Background(), fsys, names, nil)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	return c, nil
}

// LoadContext is Load of every guide file of fsys that stops, with ctx's
// error, when ctx is done, and tells progress, when set, how many files
// are parsed of how many as it goes (not the last count: the result
// holds it).
func LoadContext(ctx context.Context, fsys fs.FS, progress func(done, total int)) (*Corpus, error) {
	c, err := load(ctx, fsys, nil, progress)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	return c, nil
}

func load(ctx context.Context, fsys fs.FS, names []string, progress func(done, total int)) (*Corpus, error) {
	c := &Corpus{}
	if len(names) == 0 {
		var err error
		names, c.Errors, err = guideFiles(ctx, fsys)
		if err != nil {
			return nil, err
		}
		c.Files = len(c.Errors)
	}
	sort.Strings(names)
	// Files are parsed on every core (10,000 guides took 7 s on one),
	// then merged in name order, so the result does not depend on which
	// finished first.
	parsed := make([]*Corpus, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	var done atomic.Int64
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(names)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				parsed[i] = loadFile(fsys, names[i])
				if n := done.Add(1); progress != nil && n%64 == 0 && int(n) < len(names) {
					progress(int(n), len(names))
				}
			}
		}()
	}
	var err error
feed:
	for i := range names {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	c.Merge(parsed...)
	return c, nil
}

// guideFiles walks fsys for guide files: the regular ones (or symbolic
// links to regular ones) to read, and an error for each guide file that
// cannot be read as one. Ignored names are left out.
func guideFiles(ctx context.Context, fsys fs.FS) ([]string, []error, error) {
	var names []string
	var bad []error
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." || d == nil {
				return err
			}
			// A subdirectory that cannot be listed, or an entry that
			// vanished, is one bad entry, not an unreadable tree.
			bad = append(bad, fileErr(p, 0, pathCause(err)))
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p != "." && Ignored(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !IsGuideFile(d.Name()) {
			return nil
		}
		if err := regular(fsys, p, d.Type()); err != nil {
			bad = append(bad, fileErr(p, 0, err))
			return nil
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return names, bad, nil
}

// regular says why the guide file p, of directory entry type typ, cannot
// be read as a regular file, or nil when it can.
func regular(fsys fs.FS, p string, typ fs.FileMode) error {
	if typ&fs.ModeSymlink != 0 {
		st, err := fs.Stat(fsys, p)
		if errors.Is(err, fs.ErrNotExist) {
			return ErrDanglingLink
		}
		if err != nil {
			return pathCause(err)
		}
		typ = st.Mode().Type()
	}
	if !typ.IsRegular() {
		return fmt.Errorf("%w (%s)", ErrNotRegular, kind(typ))
	}
	return nil
}

// kind names a file type for a message.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return m.String()
}

// pathCause drops the operation and path an *fs.PathError repeats (the
// FileError names the file): "permission denied", not "open /c/x.json:
// permission denied".
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// loadFile reads and parses one file, its errors in the result.
func loadFile(fsys fs.FS, name string) *Corpus {
	one := &Corpus{Files: 1}
	data, mod, err := readRegular(fsys, name)
	if err != nil {
		one.Errors = append(one.Errors, fileErr(name, 0, err))
		return one
	}
	one.sum(name, data)
	ms, err := parseFile(name, data)
	one.Metiers = ms
	if !mod.IsZero() {
		one.modified = make(map[string]time.Time, len(ms))
		for _, m := range ms {
			one.modified[m.ID] = mod.UTC()
		}
	}
	if err != nil {
		one.Errors = append(one.Errors, splitJoined(err)...)
	}
	return one
}

// readRegular reads a file that must be a regular one, and returns its
// modification time too: a file replaced by a named pipe since the walk
// is refused, not read (dirFS opens it without blocking).
func readRegular(fsys fs.FS, name string) ([]byte, time.Time, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, time.Time{}, pathCause(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, pathCause(err)
	}
	if !st.Mode().IsRegular() {
		return nil, time.Time{}, fmt.Errorf("%w (%s)", ErrNotRegular, kind(st.Mode().Type()))
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, time.Time{}, pathCause(err)
	}
	return data, st.ModTime(), nil
}

// LoadDir loads the guides of a directory on disk (see Load).
func LoadDir(dir string) (*Corpus, error) {
	return LoadDirContext(context.Background(), dir, nil)
}

// LoadDirContext loads the guides of a directory on disk (see
// LoadContext).
func LoadDirContext(ctx context.Context, dir string, progress func(done, total int)) (*Corpus, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("corpus: %s is not a directory", dir)
	}
	c, err := load(ctx, dirFS(dir), nil, progress)
	if err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", dir, err)
	}
	prefixSources(c, dir)
	return c, nil
}

// DirFS returns the directory dir as the corpus reads it: os.DirFS, but
// files open without blocking (see dirFS).
func DirFS(dir string) fs.FS { return dirFS(dir) }

// dirFS is os.DirFS that opens files without blocking (O_NONBLOCK): a
// named pipe opens at once, to be refused as not regular, instead of
// waiting for ever for a writer.
type dirFS string

func (d dirFS) path(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return filepath.Join(string(d), filepath.FromSlash(name)), nil
}

// Open opens a file for reading, without blocking.
func (d dirFS) Open(name string) (fs.File, error) {
	p, err := d.path("open", name)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Stat returns a file's information, following symbolic links.
func (d dirFS) Stat(name string) (fs.FileInfo, error) {
	p, err := d.path("stat", name)
	if err != nil {
		return nil, err
	}
	return os.Stat(p)
}

// ReadDir lists a directory, sorted by name.
func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := d.path("readdir", name)
	if err != nil {
		return nil, err
	}
	return os.ReadDir(p)
}

// prefixSources makes file names in errors relative to the working
// directory rather than to the corpus directory.
func prefixSources(c *Corpus, dir string) {
	for _, e := range c.Errors {
		var fe *FileError
		if errors.As(e, &fe) {
			fe.File = path.Join(dir, fe.File)
		}
	}
}

// parseFile parses one file by its extension.
func parseFile(name string, data []byte) ([]*Metier, error) {
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		m, err := ParseJSON(name, data)
		if err != nil {
			return nil, err
		}
		m.Source = sourceOr(m.Source, name)
		return []*Metier{m}, nil
	case ".jsonl":
		ms, err := ParseJSONL(name, data)
		for _, m := range ms {
			m.Source = sourceOr(m.Source, name)
		}
		return ms, err
	default:
		m, err := ParseText(name, data)
		if err != nil {
			return nil, err
		}
		if err := m.Validate(); err != nil {
			return nil, fileErr(name, 0, err)
		}
		return []*Metier{m}, nil
	}
}

func sourceOr(s, name string) string {
	if s != "" {
		return s
	}
	return name
}

// splitJoined unpacks an errors.Join into its parts.
func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
