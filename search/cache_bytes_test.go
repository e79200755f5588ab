package search

import (
	"fmt"
	"strings"
	"testing"
)

// TestSizedLRUBoundsBytes fills a cache of many entries but few bytes
// with large values: it keeps within its byte bound, keeps the latest,
// counts a replaced entry once, skips a value larger than the bound, and
// Purge gives every byte back.
func TestSizedLRUBoundsBytes(t *testing.T) {
	c, err := newSizedLRU[[]Suggestion](1000, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	big := func(i int) []Suggestion {
		return []Suggestion{{ID: fmt.Sprint(i), Title: strings.Repeat("x", 900)}}
	}
	for i := range 100 {
		c.Add(fmt.Sprintf("k%03d", i), big(i))
		if b := c.Bytes(); b > 10_000 {
			t.Fatalf("after %d adds: %d bytes, over the bound of 10000", i+1, b)
		}
	}
	if n := c.Len(); n < 5 || n > 10 {
		t.Errorf("holds %d entries of ~1 kB in 10 kB, want 5 to 10", n)
	}
	if _, ok := c.Get("k099"); !ok {
		t.Error("the latest entry was evicted")
	}
	if _, ok := c.Get("k000"); ok {
		t.Error("the oldest entry is still there")
	}
	before := c.Bytes()
	for range 10 {
		c.Add("k099", big(99))
	}
	if b := c.Bytes(); b != before {
		t.Errorf("replacing an entry moved the count from %d to %d bytes", before, b)
	}
	c.Add("huge", []Suggestion{{Title: strings.Repeat("y", 20_000)}})
	if _, ok := c.Get("huge"); ok {
		t.Error("a value over the whole bound was cached")
	}
	if _, ok := c.Get("k099"); !ok {
		t.Error("a value over the bound evicted the others")
	}
	c.Purge()
	if n, b := c.Len(), c.Bytes(); n != 0 || b != 0 {
		t.Errorf("after Purge: %d entries, %d bytes", n, b)
	}
}

// TestCacheKeysCountInBytes adds responses under keys of 900 kB, as a
// request with a huge area value would make: the cache of 2,000 entries
// stays within its byte bound.
func TestCacheKeysCountInBytes(t *testing.T) {
	c, err := newCacheBytes(2000, 4<<20, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 400 {
		r := Request{Query: "médecin", Page: 1, Size: 10, Filters: Filters{Areas: []string{fmt.Sprint(i) + strings.Repeat("a", 900_000)}}}
		key, _ := searchKey(r, true)
		c.search.Add(key, &Response{Page: 1, Size: 10})
	}
	if b := c.search.Bytes(); b > 4<<20 {
		t.Errorf("%d bytes cached, over the bound of %d", b, 4<<20)
	}
	if n := c.search.Len(); n > 5 {
		t.Errorf("%d entries of 900 kB kept in 4 MiB", n)
	}
}
