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
// del deleted, reopened read-only as Build leaves its indexes. from is
// not changed (it may be serving): its segment files are hard-linked
// into dir, as scorch never rewrites a segment, and its small bolt root
// copied; the change is one small segment of its own (and the deletions
// a bitmap in the root), not merged back into one: a merge rewrites the
// whole index, seconds at 10,000 guides, which a guide published on its
// own must not wait for. Documents, their text and their terms are the
// same as a fresh build's, but bleve's own BM25 scores may differ from a
// one-segment index's: bleve takes a field's mean length from the size
// of its dictionary, which still holds the terms of a deleted or
// replaced document until its segment is merged. The engine's settle (a
// full build once the changes stop) writes one segment again. On error
// dir is removed.
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
	// No merge of the small segments while the writer is open either:
	// Close would wait for it.
	config["scorchMergePlanOptions"] = map[string]any{"MaxSegmentsPerTier": noMerge, "SegmentsPerMergeTask": noMerge}
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
	select {
	case err := <-async:
		return nil, fmt.Errorf("index: derive: %w", err)
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("index: derive: %w", err)
	}
	closeErr := w.Close()
	w = nil
	if closeErr != nil {
		return nil, fmt.Errorf("index: close: %w", closeErr)
	}
	return Open(dir)
}

// noMerge is more segments than a tier of scorch's merge planner ever
// holds here: it plans no merge.
const noMerge = 1 << 20

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
