package corpus

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
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
		c.Errors = append(c.Errors, other.Errors...)
		for _, m := range other.Metiers {
			if first, dup := seen[m.ID]; dup {
				c.Errors = append(c.Errors, fileErr(m.Source, 0, fmt.Errorf("%w %q (first in %s)", ErrDuplicateID, m.ID, first)))
				continue
			}
			seen[m.ID] = m.Source
			c.Metiers = append(c.Metiers, m)
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

// Load reads every .txt, .json and .jsonl file of fsys (recursively, in
// name order; hidden files and directories are skipped), or only the
// named files when names are given. Bad files do not stop the load: each
// is reported in the result's Errors. The error is for an unreadable
// directory tree only.
func Load(fsys fs.FS, names ...string) (*Corpus, error) {
	if len(names) == 0 {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			base := d.Name()
			if p != "." && strings.HasPrefix(base, ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !d.IsDir() && IsGuideFile(base) {
				names = append(names, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
	}
	sort.Strings(names)
	// Files are parsed on every core (10,000 guides took 7 s on one),
	// then merged in name order, so the result does not depend on which
	// finished first.
	parsed := make([]*Corpus, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(names)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				parsed[i] = loadFile(fsys, names[i])
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	c := &Corpus{}
	c.Merge(parsed...)
	return c, nil
}

// loadFile reads and parses one file, its errors in the result.
func loadFile(fsys fs.FS, name string) *Corpus {
	one := &Corpus{Files: 1}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		one.Errors = append(one.Errors, fileErr(name, 0, err))
		return one
	}
	ms, err := parseFile(name, data)
	one.Metiers = ms
	if err != nil {
		one.Errors = append(one.Errors, splitJoined(err)...)
	}
	return one
}

// LoadDir loads the guides of a directory on disk (see Load).
func LoadDir(dir string) (*Corpus, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("corpus: %s is not a directory", dir)
	}
	c, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", dir, err)
	}
	prefixSources(c, dir)
	return c, nil
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
