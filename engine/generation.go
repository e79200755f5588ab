package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/gofrs/flock"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// Options configures an Engine.
type Options struct {
	// CorpusDir is the corpus directory; empty means the embedded sample.
	CorpusDir string
	// IndexDir holds the index generations; empty keeps the index in memory.
	IndexDir string
	// Generations is how many generations are kept on disk (at least 1).
	Generations int
	// Strict fails a build when any guide fails to load.
	Strict bool
	// Rebuild ignores an existing index at start.
	Rebuild bool
	// Synonyms, Taxonomy and Weights configure search and recommendations.
	Synonyms []index.SynonymGroup
	Taxonomy *recommend.Taxonomy
	Weights  recommend.Weights
	Search   search.Options
	// Logger receives progress and errors; nil discards them.
	Logger *slog.Logger
	// Progress, when set, is told of the build's progress.
	Progress func(stage string, done, total int)
}

// Generation is one complete, immutable build of the corpus: its guides,
// their index, the searcher bound to that index and the recommendation
// tables computed from them. The engine hands it out reference-counted
// (Engine.Acquire, Generation.Release): it is closed when the engine has
// moved on to a newer one and its last reader has released it, so a
// reader holds one consistent set of guides, index and tables for as long
// as it needs them.
type Generation struct {
	Corpus      *corpus.Corpus
	Index       bleve.Index
	Searcher    *search.Searcher
	Recommender *recommend.Recommender
	// Dir is the generation's directory, empty in memory.
	Dir string
	// Built is when the generation was built.
	Built time.Time
	// Reused is true when the generation was opened from disk, not built.
	Reused bool
	byID   map[string]*corpus.Metier
	// lock is this process's shared lock on Dir (nil in memory).
	lock *flock.Flock
	// refs counts the engine's reference (while it serves g) and its
	// readers'; the last Release closes g.
	refs atomic.Int64
	// log receives the error of closing g once released.
	log *slog.Logger
}

// acquire takes a reference, unless g is already closed or closing.
func (g *Generation) acquire() bool {
	for {
		n := g.refs.Load()
		if n <= 0 {
			return false
		}
		if g.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Release drops a reference taken by Engine.Acquire. The last reference
// of a generation the engine no longer serves closes it.
func (g *Generation) Release() {
	if g.refs.Add(-1) == 0 {
		if err := g.close(); err != nil && g.log != nil {
			g.log.Warn("close generation", "dir", g.Dir, "error", err)
		}
	}
}

// close closes the generation's index and releases its directory to
// prune. Only the last reference, or a build that never served, calls it.
func (g *Generation) close() error {
	err := g.Index.Close()
	if g.lock != nil {
		g.lock.Unlock()
	}
	return err
}

// Metier returns the guide with the given id, or nil.
func (g *Generation) Metier(id string) *corpus.Metier { return g.byID[id] }

// meta is written beside each generation's index.
type meta struct {
	Fingerprint string    `json:"fingerprint"`
	Guides      int       `json:"guides"`
	Built       time.Time `json:"built"`
}

const (
	currentFile = "CURRENT"
	metaFile    = "meta.json"
	indexSub    = "index"
	genPrefix   = "gen-"
)

// ErrNoGuides means a build found no loadable guide.
var ErrNoGuides = errors.New("no guide could be loaded")

// loadCorpus reads the configured corpus and its fingerprint.
func loadCorpus(opts Options) (*corpus.Corpus, string, error) {
	var fsys fs.FS
	if opts.CorpusDir == "" {
		fsys = corpus.Sample()
	} else {
		st, err := os.Stat(opts.CorpusDir)
		if err != nil {
			return nil, "", fmt.Errorf("corpus: %w", err)
		}
		if !st.IsDir() {
			return nil, "", fmt.Errorf("corpus: %s is not a directory", opts.CorpusDir)
		}
		fsys = os.DirFS(opts.CorpusDir)
	}
	fp, err := fingerprint(fsys, opts)
	if err != nil {
		return nil, "", err
	}
	var c *corpus.Corpus
	if opts.CorpusDir == "" {
		c, err = corpus.Load(fsys)
	} else {
		c, err = corpus.LoadDir(opts.CorpusDir)
	}
	if err != nil {
		return nil, "", err
	}
	return c, fp, nil
}

// fingerprint hashes the corpus files, the mapping version and the
// search and recommendation settings: an index built from the same
// fingerprint can be reused as it is.
func fingerprint(fsys fs.FS, opts Options) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "mapping %s\n", index.MappingVersion)
	syn, _ := json.Marshal(opts.Synonyms)
	tax, _ := json.Marshal(opts.Taxonomy)
	w, _ := json.Marshal(opts.Weights)
	fmt.Fprintf(h, "%s\n%s\n%s\n", syn, tax, w)
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && corpus.IsGuideFile(p) {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("corpus: %w", err)
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", fmt.Errorf("corpus: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", n, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

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
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(root, currentFile)); err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(root); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func readMeta(dir string) (meta, error) {
	var m meta
	b, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

func writeMeta(dir string, m meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, metaFile), b, 0o644)
}

// build makes a new generation: loads the corpus, indexes it (in a new
// directory beside the current one when on disk), verifies it and
// computes the recommendation tables. It does not switch to it.
func build(ctx context.Context, opts Options) (*Generation, []error, error) {
	progress := opts.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	c, fp, err := loadCorpus(opts)
	if err != nil {
		return nil, nil, err
	}
	progress("parsed", len(c.Metiers), len(c.Metiers)+len(c.Errors))
	if len(c.Metiers) == 0 {
		return nil, c.Errors, fmt.Errorf("%w (%s)", ErrNoGuides, c.Summary())
	}
	if opts.Strict && len(c.Errors) > 0 {
		return nil, c.Errors, fmt.Errorf("strict mode: %d bad file(s), first: %w", len(c.Errors), c.Errors[0])
	}
	g := &Generation{Corpus: c, Built: time.Now().UTC(), byID: make(map[string]*corpus.Metier, len(c.Metiers))}
	for _, m := range c.Metiers {
		g.byID[m.ID] = m
	}
	// The recommender's tags are indexed for the criteria facet, and its
	// text similarity needs the index: derive vectors first (no text),
	// index with their tags, then compute the blended tables.
	tagger, err := vectors(ctx, opts, c)
	if err != nil {
		return nil, c.Errors, err
	}
	if opts.IndexDir != "" {
		if err := os.MkdirAll(opts.IndexDir, 0o755); err != nil {
			return nil, c.Errors, fmt.Errorf("index: %w", err)
		}
		g.Dir = filepath.Join(opts.IndexDir, fmt.Sprintf("%s%d", genPrefix, time.Now().UnixNano()))
		if err := os.Mkdir(g.Dir, 0o755); err != nil {
			return nil, c.Errors, fmt.Errorf("index: %w", err)
		}
		// Held from the start, so that another process's prune does not
		// take the build under way for an interrupted one.
		if g.lock, err = holdGeneration(g.Dir); err != nil {
			os.RemoveAll(g.Dir)
			return nil, c.Errors, fmt.Errorf("index: %w", err)
		}
	}
	ok := false
	defer func() {
		if !ok {
			if g.Index != nil {
				g.Index.Close()
			}
			if g.Dir != "" {
				os.RemoveAll(g.Dir)
			}
			if g.lock != nil {
				g.lock.Unlock()
			}
		}
	}()
	idxDir := ""
	if g.Dir != "" {
		idxDir = filepath.Join(g.Dir, indexSub)
	}
	g.Index, err = index.Build(ctx, c.Metiers, index.Options{
		Dir: idxDir, Synonyms: opts.Synonyms, Tags: tagger.TagIDs,
		Progress: func(done, total int) { progress("indexed", done, total) },
	})
	if err != nil {
		return nil, c.Errors, err
	}
	if err := g.search(opts); err != nil {
		return nil, c.Errors, err
	}
	if err := verify(ctx, g); err != nil {
		return nil, c.Errors, err
	}
	if err := g.recommend(ctx, opts, tagger); err != nil {
		return nil, c.Errors, err
	}
	progress("recommendations", len(c.Metiers), len(c.Metiers))
	if g.Dir != "" {
		if err := writeMeta(g.Dir, meta{Fingerprint: fp, Guides: len(c.Metiers), Built: g.Built}); err != nil {
			return nil, c.Errors, fmt.Errorf("index: %w", err)
		}
	}
	ok = true
	return g, c.Errors, nil
}

// vectors derives the criterion vectors of the guides (no tables yet).
func vectors(ctx context.Context, opts Options, c *corpus.Corpus) (*recommend.Recommender, error) {
	an, err := index.NewAnalyzer()
	if err != nil {
		return nil, err
	}
	return recommend.New(ctx, c.Metiers, recommend.Options{Taxonomy: opts.Taxonomy, Analyze: an.Terms, VectorsOnly: true})
}

// search binds the generation's searcher to its index and warms it (the
// vocabulary, document frequencies, facet table and title terms its first
// reader would otherwise wait for).
func (g *Generation) search(opts Options) error {
	so := opts.Search
	so.Guides = g.Corpus.Metiers
	s, err := search.New(g.Index, so)
	if err != nil {
		return err
	}
	if err := s.Warm(g.Index); err != nil {
		return fmt.Errorf("warm searcher: %w", err)
	}
	g.Searcher = s
	return nil
}

// recommend computes the recommendation tables from the vectors already
// derived, the text neighbours matched through the generation's own
// searcher.
func (g *Generation) recommend(ctx context.Context, opts Options, base *recommend.Recommender) error {
	an, err := index.NewAnalyzer()
	if err != nil {
		return err
	}
	tv, err := recommend.NewTextVectors(ctx, g.Corpus.Metiers, recommend.TextVectorOptions{Analyze: an.Terms})
	if err != nil {
		return err
	}
	g.Recommender, err = base.WithText(ctx, NewTextSimilarity(tv, g.Searcher), opts.Weights)
	return err
}

// verify checks a fresh index before anyone is switched to it: every
// guide is in it, and a probe query finds the first guide by its title.
func verify(ctx context.Context, g *Generation) error {
	n, err := g.Index.DocCount()
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if int(n) != len(g.Corpus.Metiers) {
		return fmt.Errorf("verify: the index holds %d guides, want %d", n, len(g.Corpus.Metiers))
	}
	// A searcher of its own, without the response cache: the probes are
	// not readers' queries, neither cached nor counted.
	s, err := search.New(g.Index, search.Options{})
	if err != nil {
		return err
	}
	// A few guides must find themselves by their titles. A title of stop
	// words only (« De la », a valid guide) is no query, and a title that
	// 50 guides share does not say which: both are passed over rather than
	// failing the whole build on one odd guide.
	probed := 0
	for _, probe := range g.Corpus.Metiers {
		if probed == verifyProbes {
			break
		}
		res, err := s.Search(ctx, search.Request{Query: probe.Title, Size: probeSize})
		if errors.Is(err, search.ErrBadQuery) {
			continue
		}
		if err != nil {
			return fmt.Errorf("verify: probe query %q: %w", probe.Title, err)
		}
		found := false
		for _, h := range res.Hits {
			found = found || h.ID == probe.ID
		}
		if !found {
			if res.Total >= uint64(probeSize) {
				continue // a title too many guides share
			}
			return fmt.Errorf("verify: probe query %q does not find %s", probe.Title, probe.ID)
		}
		probed++
	}
	return nil
}

// verifyProbes is how many guides verify searches by their titles, and
// probeSize how many hits it reads (a search's largest page by default).
const (
	verifyProbes = 3
	probeSize    = 50
)

// open reopens the current on-disk generation when its fingerprint
// matches the corpus; it returns nil, nil when there is none to reuse.
func open(ctx context.Context, opts Options, log *slog.Logger) (*Generation, error) {
	if opts.IndexDir == "" || opts.Rebuild {
		return nil, nil
	}
	dir := readCurrent(opts.IndexDir)
	if dir == "" {
		return nil, nil
	}
	m, err := readMeta(dir)
	if err != nil {
		return nil, nil
	}
	c, fp, err := loadCorpus(opts)
	if err != nil {
		return nil, err
	}
	if fp != m.Fingerprint || len(c.Metiers) != m.Guides {
		return nil, nil // the corpus changed: rebuild
	}
	lock, err := holdGeneration(dir)
	if err != nil {
		return nil, nil // being removed: rebuild
	}
	idx, err := index.Open(filepath.Join(dir, indexSub))
	if err != nil {
		lock.Unlock()
		if errors.Is(err, index.ErrInUse) {
			log.Info("index in use by another process (a server?): building a fresh generation", "dir", dir)
		}
		return nil, nil // unreadable or held: rebuild rather than fail
	}
	g := &Generation{Corpus: c, Index: idx, Dir: dir, Built: m.Built, Reused: true, byID: map[string]*corpus.Metier{}, lock: lock}
	for _, mt := range c.Metiers {
		g.byID[mt.ID] = mt
	}
	if err := g.search(opts); err != nil {
		g.close()
		return nil, err
	}
	if err := verify(ctx, g); err != nil {
		g.close()
		return nil, nil
	}
	base, err := vectors(ctx, opts, c)
	if err == nil {
		err = g.recommend(ctx, opts, base)
	}
	if err != nil {
		g.close()
		return nil, err
	}
	return g, nil
}

// prune removes generation directories beyond the newest keep, never the
// current one, and leftovers of interrupted builds (no meta.json); a
// generation some process holds (serving it, or still building it) is
// left for a later prune.
func prune(root, current string, keep int) []error {
	entries, err := os.ReadDir(root)
	if err != nil {
		return []error{err}
	}
	var gens []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), genPrefix) {
			gens = append(gens, e.Name())
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(gens))) // newest first: names hold nanoseconds
	var errs []error
	kept := 0
	for _, name := range gens {
		dir := filepath.Join(root, name)
		if dir == current {
			kept++
			continue
		}
		if _, err := readMeta(dir); err == nil && kept < keep {
			kept++
			continue
		}
		if _, err := removeUnused(dir); err != nil {
			errs = append(errs, err)
		}
	}
	removeStaleTemps(root)
	return errs
}
