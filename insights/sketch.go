package insights

import (
	"container/heap"
	"sort"
)

// sketch is a Space-Saving summary (Metwally, Agrawal, El Abbadi 2005):
// at most capacity counters; a key not tracked when the sketch is full
// takes the place of the smallest counter and inherits its count as its
// error. Any key seen more than total/capacity times is tracked, and a
// tracked key's true count is between count-err and count.
type sketch struct {
	capacity int
	byKey    map[string]*entry
	heap     minHeap
}

// entry is one tracked key. count weighs it in the sketch; empty and
// opened count, among its searches, those with no result and the
// results opened after it (both since the key was last admitted).
type entry struct {
	Key    string `json:"q"`
	Count  uint64 `json:"n"`
	Err    uint64 `json:"err,omitempty"`
	Empty  uint64 `json:"empty,omitempty"`
	Opened uint64 `json:"opened,omitempty"`
	pos    int
}

func newSketch(capacity int) *sketch {
	return &sketch{capacity: capacity, byKey: make(map[string]*entry, capacity)}
}

// add counts n occurrences of key and returns its entry.
func (s *sketch) add(key string, n uint64) *entry {
	if e, ok := s.byKey[key]; ok {
		e.Count += n
		heap.Fix(&s.heap, e.pos)
		return e
	}
	if len(s.heap) < s.capacity {
		e := &entry{Key: key, Count: n}
		heap.Push(&s.heap, e)
		s.byKey[key] = e
		return e
	}
	// Replace the smallest counter: its count becomes the newcomer's
	// error, and what was counted about the evicted key is dropped.
	e := s.heap[0]
	delete(s.byKey, e.Key)
	*e = entry{Key: key, Count: e.Count + n, Err: e.Count, pos: 0}
	s.byKey[key] = e
	heap.Fix(&s.heap, 0)
	return e
}

// get returns the entry of key, or nil when it is not tracked.
func (s *sketch) get(key string) *entry { return s.byKey[key] }

// min is the smallest count when the sketch is full (the most a key it
// does not track can have been seen), else 0.
func (s *sketch) min() uint64 {
	if len(s.heap) < s.capacity || len(s.heap) == 0 {
		return 0
	}
	return s.heap[0].Count
}

// entries returns copies of the tracked entries, largest count first.
func (s *sketch) entries() []entry {
	out := make([]entry, len(s.heap))
	for i, e := range s.heap {
		out[i] = *e
	}
	sortEntries(out)
	return out
}

// sortEntries orders by count, then key, so that reports are stable.
func sortEntries(es []entry) {
	sort.Slice(es, func(i, j int) bool {
		if es[i].Count != es[j].Count {
			return es[i].Count > es[j].Count
		}
		return es[i].Key < es[j].Key
	})
}

// restore admits a saved entry as it was (loading a file).
func (s *sketch) restore(e entry) {
	if _, dup := s.byKey[e.Key]; dup || len(s.heap) >= s.capacity || e.Key == "" {
		return
	}
	c := e
	heap.Push(&s.heap, &c)
	s.byKey[c.Key] = &c
}

// merge sums sketches (the buckets of a window) into one of capacity
// entries. A key missing from a full sketch may have been seen there up
// to that sketch's min times: it is added to the key's error, so that
// count-err stays a lower bound and count an upper one.
func merge(capacity int, sketches []*sketch) []entry {
	type sum struct {
		entry
		mins uint64 // the mins of the sketches that track the key
	}
	sums := map[string]*sum{}
	var mins uint64
	for _, s := range sketches {
		m := s.min()
		mins += m
		for _, e := range s.heap {
			t, ok := sums[e.Key]
			if !ok {
				t = &sum{entry: entry{Key: e.Key}}
				sums[e.Key] = t
			}
			t.Count += e.Count
			t.Err += e.Err
			t.Empty += e.Empty
			t.Opened += e.Opened
			t.mins += m
		}
	}
	out := make([]entry, 0, len(sums))
	for _, t := range sums {
		e := t.entry
		e.Count += mins - t.mins
		e.Err += mins - t.mins
		out = append(out, e)
	}
	sortEntries(out)
	if len(out) > capacity {
		out = out[:capacity]
	}
	return out
}

// minHeap orders entries by count, smallest first.
type minHeap []*entry

func (h minHeap) Len() int { return len(h) }
func (h minHeap) Less(i, j int) bool {
	if h[i].Count != h[j].Count {
		return h[i].Count < h[j].Count
	}
	return h[i].Key > h[j].Key // of equal counts, evict the last key first
}
func (h minHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos, h[j].pos = i, j
}
func (h *minHeap) Push(x any) {
	e := x.(*entry)
	e.pos = len(*h)
	*h = append(*h, e)
}
func (h *minHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
