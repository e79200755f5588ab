package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/metiers/metiers/corpus"
)

// TestBuildFailureCleansUp fails a build part-way, as a cancelled reindex
// or a full disk does: Build returns the error (it used to panic closing
// the index its own error return had set to nil) and removes the partial
// directory.
func TestBuildFailureCleansUp(t *testing.T) {
	t.Parallel()
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		metiers func() []*corpus.Metier
		ctx     func() context.Context
		want    error
	}{
		{
			name:    "cancelled",
			metiers: func() []*corpus.Metier { return c.Metiers },
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
			want: context.Canceled,
		},
		{
			name: "guide without id",
			metiers: func() []*corpus.Metier {
				bad := *c.Metiers[0]
				bad.ID = ""
				return append([]*corpus.Metier{c.Metiers[1]}, &bad)
			},
			ctx: context.Background,
		},
	}
	for _, tt := range tests {
		for _, inMemory := range []bool{false, true} {
			t.Run(tt.name, func(t *testing.T) {
				dir := ""
				if !inMemory {
					dir = filepath.Join(t.TempDir(), "idx")
				}
				idx, err := Build(tt.ctx(), tt.metiers(), Options{Dir: dir, BatchSize: 1})
				if err == nil {
					idx.Close()
					t.Fatal("Build succeeded, want an error")
				}
				if idx != nil {
					t.Errorf("Build returned an index with its error %v", err)
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("Build: %v, want %v", err, tt.want)
				}
				if dir != "" {
					if _, statErr := os.Stat(dir); !errors.Is(statErr, os.ErrNotExist) {
						t.Errorf("partial index %s left behind (%v)", dir, statErr)
					}
				}
			})
		}
	}
}
