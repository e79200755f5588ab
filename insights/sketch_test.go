package insights

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSketchBounds checks Space-Saving's guarantees against exact counts
// on a skewed stream: every key seen more than total/capacity times is
// tracked, and a tracked key's true count is within [count-err, count].
func TestSketchBounds(t *testing.T) {
	for _, capacity := range []int{8, 64, 256} {
		t.Run(fmt.Sprint(capacity), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(capacity)))
			zipf := rand.NewZipf(rng, 1.2, 1, 5000)
			s := newSketch(capacity)
			exact := map[string]uint64{}
			const total = 50000
			for range total {
				k := fmt.Sprintf("q%d", zipf.Uint64())
				exact[k]++
				s.add(k, 1)
			}
			if len(s.heap) > capacity {
				t.Fatalf("%d entries, capacity %d", len(s.heap), capacity)
			}
			for k, n := range exact {
				e := s.get(k)
				if n > total/uint64(capacity) && e == nil {
					t.Errorf("%s seen %d times (> %d) is not tracked", k, n, total/capacity)
				}
				if e != nil && (e.Count < n || e.Count-e.Err > n) {
					t.Errorf("%s: count %d err %d, true %d", k, e.Count, e.Err, n)
				}
			}
		})
	}
}

// TestSketchExactUnderCapacity: with fewer distinct keys than counters
// the counts are exact.
func TestSketchExactUnderCapacity(t *testing.T) {
	s := newSketch(4)
	for _, k := range []string{"a", "b", "a", "c", "a", "b"} {
		s.add(k, 1)
	}
	got := s.entries()
	want := []entry{{Key: "a", Count: 3}, {Key: "b", Count: 2}, {Key: "c", Count: 1}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Key != want[i].Key || got[i].Count != want[i].Count || got[i].Err != 0 {
			t.Errorf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestMergeBounds: the merge of several full sketches keeps the bounds
// over the union of their streams.
func TestMergeBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	zipf := rand.NewZipf(rng, 1.1, 1, 2000)
	exact := map[string]uint64{}
	var ss []*sketch
	for range 5 {
		s := newSketch(32)
		for range 5000 {
			k := fmt.Sprintf("q%d", zipf.Uint64())
			exact[k]++
			s.add(k, 1)
		}
		ss = append(ss, s)
	}
	m := merge(32, ss)
	if len(m) != 32 {
		t.Fatalf("merged %d entries, want 32", len(m))
	}
	for _, e := range m {
		n := exact[e.Key]
		if e.Count < n || e.Count-e.Err > n {
			t.Errorf("%s: merged count %d err %d, true %d", e.Key, e.Count, e.Err, n)
		}
	}
	// The heaviest key of the union is first.
	best, bestN := "", uint64(0)
	for k, n := range exact {
		if n > bestN {
			best, bestN = k, n
		}
	}
	if m[0].Key != best {
		t.Errorf("first merged key %s, want the heaviest %s", m[0].Key, best)
	}
}
