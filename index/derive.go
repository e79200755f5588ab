package index

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/blevesearch/bleve/v2"

	"github.com/metiers/metiers/corpus"
)

// Derive makes in dir a new sealed index: the sealed index of from with
// the guides of put indexed (replacing any of the same id) and the ids of
// del deleted, merged into one segment and reopened read-only as Build
// leaves its indexes, so that it answers as an index built from scratch
// from the same guides does. from is not changed (it may be serving):
// its segment files are hard-linked into dir, as scorch never rewrites a
// segment, and its small bolt root copied. On error dir is removed.
func Derive(ctx context.Context, from, dir string, put []*corpus.Metier, del []string, tags Tagger) (_ bleve.Index, err error) {
	if _, statErr := os.Stat(dir); statErr == nil {
		return nil, fmt.Errorf("index: derive: %s already exists", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index: derive: %w", err)
	}
	var w bleve.Index
	defer func() {
		if err != nil {
			if w != nil {
				w.Close()
			}
			os.RemoveAll(dir)
		}
	}()
	err = filepath.WalkDir(from, func(src string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, src)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if strings.HasSuffix(d.Name(), ".zap") && os.Link(src, dst) == nil {
			return nil
		}
		return copyFile(src, dst)
	})
	if err != nil {
		return nil, fmt.Errorf("index: derive: %w", err)
	}
	registerFilters()
	async, config, stop := watchWriter(dir)
	defer stop()
	opened, err := bleve.OpenUsing(dir, config)
	if err != nil {
		return nil, fmt.Errorf("index: derive: open %s: %w", dir, err)
	}
	w = opened
	batch := w.NewBatch()
	for _, id := range del {
		batch.Delete(id)
	}
	for _, g := range put {
		if err := batch.Index(g.ID, newDoc(g, tags)); err != nil {
			return nil, fmt.Errorf("index: %s: %w", g.ID, err)
		}
	}
	if err := w.Batch(batch); err != nil {
		return nil, fmt.Errorf("index: batch: %w", err)
	}
	if err := merge(ctx, w, async); err != nil {
		return nil, fmt.Errorf("index: merge: %w", err)
	}
	closeErr := w.Close()
	w = nil
	if closeErr != nil {
		return nil, fmt.Errorf("index: close: %w", closeErr)
	}
	return Open(dir)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
