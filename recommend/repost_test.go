package recommend

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/metiers/metiers/corpus"
)

// TestApplyPostings checks the posting lists Apply keeps up to date
// without rebuilding them, through puts, replacements and removals (a
// removed guide's place taken by the last one): each term's list is what
// the vectors of the guides, in their new places, give, for the terms
// the build counted; the lists of the model applied to are left as they
// were.
func TestApplyPostings(t *testing.T) {
	ms := sampleFourTimes(t)
	ctx := context.Background()
	tv, err := NewTextVectors(ctx, ms, TextVectorOptions{Analyze: FoldAnalyzer})
	if err != nil {
		t.Fatal(err)
	}
	replaced := *ms[3]
	replaced.Tagline = "Répare les toitures en zinc"
	steps := []struct {
		put    []*corpus.Metier
		remove []string
	}{
		{remove: []string{ms[0].ID}},
		{put: []*corpus.Metier{&replaced}},
		{put: []*corpus.Metier{{ID: "zingueur", Title: "Zingueur", Tagline: "Pose le zinc des toitures"}}},
		{remove: []string{ms[5].ID, "zingueur"}},
		{remove: []string{ms[len(ms)-1].ID}},
	}
	for n, s := range steps {
		before := clonePostings(tv.postings)
		next, err := tv.Apply(ctx, s.put, s.remove)
		if err != nil {
			t.Fatal(err)
		}
		if !equalPostings(tv.postings, before) {
			t.Fatalf("step %d: Apply changed the posting lists of the model it applied to", n)
		}
		want := make([][]entry, len(next.postings))
		for i, v := range next.vecs {
			for _, e := range v {
				if tv.postings[e.id] != nil {
					want[e.id] = append(want[e.id], entry{int32(i), e.w})
				}
			}
		}
		if !equalPostings(next.postings, want) {
			t.Fatalf("step %d: the posting lists are not those of the guides' vectors in their places", n)
		}
		for i, id := range next.ids {
			if next.byID[id] != i {
				t.Fatalf("step %d: %s at %d, byID says %d", n, id, i, next.byID[id])
			}
		}
		tv = next
	}
}

func clonePostings(p [][]entry) [][]entry {
	out := make([][]entry, len(p))
	for i, l := range p {
		out[i] = slices.Clone(l)
	}
	return out
}

// equalPostings compares posting lists as sets of entries.
func equalPostings(a, b [][]entry) bool {
	if len(a) != len(b) {
		return false
	}
	by := func(x, y entry) int { return cmp.Compare(x.id, y.id) }
	for i := range a {
		x, y := slices.SortedFunc(slices.Values(a[i]), by), slices.SortedFunc(slices.Values(b[i]), by)
		if !slices.Equal(x, y) {
			return false
		}
	}
	return true
}

// TestApplyCriteriaPostings checks the criteria similarity's posting
// lists Apply keeps up to date without rebuilding them: through puts,
// replacements and removals each dimension's list is what the guides'
// vectors in their new places give, and the lists of the recommender
// applied to are left as they were.
func TestApplyCriteriaPostings(t *testing.T) {
	ms := sampleFourTimes(t)
	ctx := context.Background()
	r, err := New(ctx, ms, Options{Analyze: FoldAnalyzer})
	if err != nil {
		t.Fatal(err)
	}
	if r.emb == nil {
		t.Fatal("no criteria similarity built")
	}
	replaced := *ms[3]
	replaced.Studies = "Master en sciences informatiques"
	replaced.Sectors = append(slices.Clone(replaced.Sectors), "Construction")
	steps := []struct {
		put    []*corpus.Metier
		remove []string
	}{
		{remove: []string{ms[0].ID}},
		{put: []*corpus.Metier{&replaced}},
		{put: []*corpus.Metier{{ID: "zingueur", Title: "Zingueur", Tagline: "Pose le zinc des toitures", Sectors: []string{"Construction"}, Criteria: map[string]float64{"contact_humain": 0.2}}}},
		{remove: []string{ms[5].ID, "zingueur"}},
		{remove: []string{ms[len(ms)-1].ID}},
	}
	for n, s := range steps {
		before := clonePostings(r.emb.postings)
		next, err := r.Apply(ctx, s.put, s.remove, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !equalPostings(r.emb.postings, before) {
			t.Fatalf("step %d: Apply changed the posting lists of the recommender it applied to", n)
		}
		want := make([][]entry, len(next.emb.postings))
		for i, v := range next.emb.vecs {
			for _, e := range v {
				want[e.id] = append(want[e.id], entry{int32(i), e.w})
			}
		}
		if !equalPostings(next.emb.postings, want) {
			t.Fatalf("step %d: the posting lists are not those of the guides' vectors in their places", n)
		}
		r = next
	}
}

// sampleFourTimes is the sample's guides four times over, ids numbered.
func sampleFourTimes(t *testing.T) []*corpus.Metier {
	c, err := corpus.Load(corpus.Sample())
	if err != nil {
		t.Fatal(err)
	}
	var ms []*corpus.Metier
	for i := range 4 {
		for _, m := range c.Metiers {
			x := *m
			x.ID = fmt.Sprintf("%s-%d", m.ID, i)
			ms = append(ms, &x)
		}
	}
	return ms
}
