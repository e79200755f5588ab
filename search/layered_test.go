package search

import (
	"fmt"
	"maps"
	"testing"
)

// TestLayered drives a layered map and a plain one through the same
// sets and deletes over many derivations (folding the top several
// times): every derived map reads as the plain one did at its time, and
// deriving never changes what the parent reads.
func TestLayered(t *testing.T) {
	t.Parallel()
	m := newLayered[uint32]()
	want := map[string]uint32{}
	for i := range 100 {
		k := fmt.Sprint("k", i)
		m.set(k, uint32(i))
		want[k] = uint32(i)
	}
	type snap struct {
		m    *layered[uint32]
		want map[string]uint32
	}
	var snaps []snap
	cur := &m
	for step := range 200 {
		n := cur.derive()
		snaps = append(snaps, snap{cur, maps.Clone(want)})
		k := fmt.Sprint("k", (step*37)%150)
		if step%3 == 0 {
			n.del(k)
			delete(want, k)
		} else {
			n.set(k, uint32(1000+step))
			want[k] = uint32(1000 + step)
		}
		cur = &n
	}
	snaps = append(snaps, snap{cur, want})
	for i, s := range snaps {
		for j := range 160 {
			k := fmt.Sprint("k", j)
			v, ok := s.m.get(k)
			w, wok := s.want[k]
			if ok != wok || v != w {
				t.Fatalf("derivation %d: %s = %d, %v; want %d, %v", i, k, v, ok, w, wok)
			}
		}
	}
	if folded := len(cur.top) * foldShare; folded > len(cur.base)+foldShare*2 {
		t.Errorf("the top layer holds %d keys over a base of %d: never folded", len(cur.top), len(cur.base))
	}
}
