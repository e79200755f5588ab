package index

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
)

// TestDerive derives indexes one change at a time from a built one: each
// holds the guides it should (the put one found by its own word, the
// deleted one gone), the index it derives from is left as it was, and
// each opens read-only beside another reader, as a built index does.
func TestDerive(t *testing.T) {
	t.Parallel()
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	from := filepath.Join(dir, "0")
	idx, err := Build(context.Background(), c.Metiers, Options{Dir: from})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	find := func(idx bleve.Index, word string) []string {
		t.Helper()
		q := bleve.NewMatchQuery(word)
		q.SetField(FieldText)
		res, err := idx.Search(bleve.NewSearchRequest(q))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	steps := []struct {
		put  *corpus.Metier
		del  string
		want int
	}{
		{put: &corpus.Metier{ID: "zinc-1", Title: "Zingueur", Tagline: "zorglub un"}, want: len(c.Metiers) + 1},
		{put: &corpus.Metier{ID: c.Metiers[0].ID, Title: c.Metiers[0].Title, Tagline: "zorglub deux"}, want: len(c.Metiers) + 1},
		{del: c.Metiers[1].ID, want: len(c.Metiers)},
		{del: "zinc-1", want: len(c.Metiers) - 1},
	}
	prev := idx
	for i, s := range steps {
		to := filepath.Join(dir, fmt.Sprint(i+1))
		var put []*corpus.Metier
		del := []string{s.del}
		if s.put != nil {
			put, del = []*corpus.Metier{s.put}, []string{s.put.ID}
		}
		before, _ := prev.DocCount()
		next, err := Derive(context.Background(), filepath.Join(dir, fmt.Sprint(i)), to, put, del, nil)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		defer next.Close()
		if n, _ := next.DocCount(); n != uint64(s.want) {
			t.Errorf("step %d: %d guides, want %d", i, n, s.want)
		}
		if n, _ := prev.DocCount(); n != before {
			t.Errorf("step %d: the index derived from holds %d guides, had %d", i, n, before)
		}
		if s.put != nil {
			if got := find(next, s.put.Tagline); len(got) == 0 || got[0] != s.put.ID {
				t.Errorf("step %d: %q finds %v, want %s first", i, s.put.Tagline, got, s.put.ID)
			}
		} else if d, err := next.Document(s.del); err != nil || d != nil {
			t.Errorf("step %d: deleted %s still there (%v)", i, s.del, err)
		}
		other, err := Open(to)
		if err != nil {
			t.Fatalf("step %d: a second reader: %v", i, err)
		}
		other.Close()
		prev = next
	}
}

// BenchmarkDerive derives the index of one guide changed among 2,000
// generated ones, each from the last (segments accumulate).
func BenchmarkDerive(b *testing.B) {
	base, _ := corpus.Load(corpus.Sample())
	ms, err := corpusgen.Generate(base.Metiers, 2000, 1)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	idx, err := Build(context.Background(), ms, Options{Dir: filepath.Join(dir, "0")})
	if err != nil {
		b.Fatal(err)
	}
	idx.Close()
	b.ResetTimer()
	for i := range b.N {
		m := *ms[i%len(ms)]
		m.Tagline = fmt.Sprintf("zorglub %d", i)
		next, err := Derive(context.Background(), filepath.Join(dir, fmt.Sprint(i)), filepath.Join(dir, fmt.Sprint(i+1)), []*corpus.Metier{&m}, []string{m.ID}, nil)
		if err != nil {
			b.Fatal(err)
		}
		next.Close()
	}
}
