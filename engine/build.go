package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// ErrNoGuides means a build found no loadable guide.
var ErrNoGuides = errors.New("no guide could be loaded")

// The stages of a build, as Options.Progress and Status report them.
const (
	StageReading         = "reading"         // the corpus being read, before any count is known
	StageParsed          = "parsed"          // files read and parsed (done/total files)
	StageIndexed         = "indexed"         // guides indexed
	StageVerified        = "verified"        // the index checked against the guides
	StageRecommendations = "recommendations" // the recommendation tables computed
)

// loadCorpus reads the configured corpus and its fingerprint, reporting
// the files parsed; it stops when ctx is done.
func loadCorpus(ctx context.Context, opts Options, progress func(stage string, done, total int)) (*corpus.Corpus, string, error) {
	parsed := func(done, total int) { progress(StageParsed, done, total) }
	var c *corpus.Corpus
	var err error
	if opts.CorpusDir == "" {
		c, err = corpus.LoadContext(ctx, corpus.Sample(), parsed)
	} else {
		c, err = corpus.LoadDirContext(ctx, opts.CorpusDir, parsed)
	}
	if err != nil {
		return nil, "", err
	}
	progress(StageParsed, c.Files, c.Files)
	return c, fingerprint(c, opts), nil
}

// fingerprint hashes the files the corpus was loaded from and the
// settings (see digest.go): an index built from the same fingerprint can
// be reused as it is, and its first digits name the generation. An
// editor's lock file or backup, which the load passes over, changes
// nothing.
func fingerprint(c *corpus.Corpus, opts Options) string {
	return fileSums(c.Sums()).digest(settingsDigest(opts))
}

// build makes a new generation of the corpus c (of fingerprint fp):
// indexes it (in a new directory beside the current one when on disk and
// not read-only), verifies it and computes the recommendation tables. It
// does not switch to it. On error or cancellation nothing of it is left
// on disk. The errors are c's bad files, skipped.
func build(ctx context.Context, opts Options, c *corpus.Corpus, fp string, progress func(stage string, done, total int)) (*Generation, []error, error) {
	if len(c.Metiers) == 0 {
		if len(c.Errors) > 0 {
			return nil, c.Errors, fmt.Errorf("%w (%s), first: %w", ErrNoGuides, c.Summary(), c.Errors[0])
		}
		return nil, c.Errors, fmt.Errorf("%w (%s)", ErrNoGuides, c.Summary())
	}
	if opts.Strict && len(c.Errors) > 0 {
		return nil, c.Errors, fmt.Errorf("strict mode: %d bad file(s), first: %w", len(c.Errors), c.Errors[0])
	}
	g := newGeneration(c)
	g.Name, g.fingerprint, g.sums = generationName(fp), fp, fileSums(c.Sums())
	// The recommender's tags are indexed for the criteria facet, and its
	// text similarity needs the index: derive vectors first (no text),
	// index with their tags, then compute the blended tables.
	tagger, err := vectors(ctx, opts, c)
	if err != nil {
		return nil, c.Errors, err
	}
	if opts.IndexDir != "" && !opts.ReadOnly {
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
			g.discard()
		}
	}()
	idxDir := ""
	if g.Dir != "" {
		idxDir = filepath.Join(g.Dir, indexSub)
	}
	progress(StageIndexed, 0, len(c.Metiers))
	g.Index, err = index.Build(ctx, c.Metiers, index.Options{
		Dir: idxDir, Synonyms: opts.Synonyms, Tags: tagger.TagIDs,
		Progress: func(done, total int) { progress(StageIndexed, done, total) },
	})
	if err != nil {
		return nil, c.Errors, err
	}
	if err := g.search(opts, tagger.TagIDs); err != nil {
		return nil, c.Errors, err
	}
	if err := verify(ctx, g); err != nil {
		return nil, c.Errors, err
	}
	progress(StageVerified, 1, 1)
	if err := g.recommend(ctx, opts, tagger); err != nil {
		return nil, c.Errors, err
	}
	progress(StageRecommendations, len(c.Metiers), len(c.Metiers))
	if g.Dir != "" {
		if err := writeGuides(g.Dir, c.Metiers); err != nil {
			return nil, c.Errors, fmt.Errorf("index: %w", err)
		}
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
	return recommend.New(ctx, c.Metiers, recommend.Options{Taxonomy: opts.Taxonomy, Analyze: an.Terms, Rome: opts.matcher, VectorsOnly: true})
}

// search binds the generation's searcher to its index and guides (their
// criteria tags for the criteria facet) and warms it (the vocabulary its
// first free-text match would otherwise read).
func (g *Generation) search(opts Options, tags index.Tagger) error {
	so := opts.Search
	so.Guides = g.Corpus.Metiers
	so.Tags = tags
	s, err := search.New(g.Index, so)
	if err != nil {
		return err
	}
	if err := s.Warm(); err != nil {
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
	g.text = NewTextSimilarity(tv, g.Searcher)
	g.Recommender, err = base.WithText(ctx, g.text, opts.Weights)
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
	// The generation's searcher without its response cache: the probes
	// are not readers' queries, neither cached nor counted.
	s := g.Searcher.Uncached()
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
