package search

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// cache remembers the latest responses of a Searcher. A search box sends
// the same few prefixes again and again (every reader typing « infi »
// sends « i », « in », « inf »…); a response is only valid for the index
// it was computed on, and a Searcher lives as long as one index
// generation, so the cache needs no invalidation of its own.
type cache struct {
	search  *sizedLRU[*Response]
	suggest *sizedLRU[[]Suggestion]
}

// CacheStats counts the lookups of response caches. One CacheStats may be
// shared by the searchers of successive index generations (Options.Stats),
// so that its counts only grow, as Prometheus counters must.
type CacheStats struct {
	SearchHits, SearchMisses, SuggestHits, SuggestMisses atomic.Uint64
}

// count records one lookup in a pair of CacheStats counters.
func count(hit bool, hits, misses *atomic.Uint64) {
	if hit {
		hits.Add(1)
	} else {
		misses.Add(1)
	}
}

// Byte bounds of a searcher's caches, beside their bound in entries
// (Options.CacheSize). On ONISEP (928 guides) a page of 10 hits is 15 kB
// of JSON, of 50 hits 70 kB, a list of suggestions under 2 kB: 2,000
// pages of 10 fit in 32 MB. A bound in entries alone let responses of
// unbounded size (keys spelling 900 kB filter values) grow the cache to
// gigabytes.
const (
	searchCacheBytes  = 64 << 20
	suggestCacheBytes = 8 << 20
)

// newCache returns a cache of at most size responses of each kind, or
// nil (no caching) when size is 0.
func newCache(size int) (*cache, error) {
	return newCacheBytes(size, searchCacheBytes, suggestCacheBytes)
}

// newCacheBytes is newCache with the byte bounds given.
func newCacheBytes(size int, searchBytes, suggestBytes int64) (*cache, error) {
	if size <= 0 {
		return nil, nil
	}
	s, err := newSizedLRU[*Response](size, searchBytes)
	if err != nil {
		return nil, err
	}
	g, err := newSizedLRU[[]Suggestion](size, suggestBytes)
	if err != nil {
		return nil, err
	}
	return &cache{search: s, suggest: g}, nil
}

// sizedLRU is a least-recently-used cache bounded both in entries and in
// bytes. An entry's bytes are its key's length plus its value's length
// as JSON (what the server sends; the value's memory is of the same
// order), measured once when it is added.
type sizedLRU[V any] struct {
	mu       sync.Mutex
	lru      *simplelru.LRU[string, sized[V]]
	bytes    int64
	maxBytes int64
}

// sized is a cached value with its cost in bytes.
type sized[V any] struct {
	v V
	n int64
}

func newSizedLRU[V any](entries int, maxBytes int64) (*sizedLRU[V], error) {
	c := &sizedLRU[V]{maxBytes: maxBytes}
	l, err := simplelru.NewLRU(entries, func(_ string, e sized[V]) { c.bytes -= e.n })
	if err != nil {
		return nil, err
	}
	c.lru = l
	return c, nil
}

// Get returns the value cached under key, marking it recently used.
func (c *sizedLRU[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.lru.Get(key)
	return e.v, ok
}

// Add caches v under key, evicting the least recently used entries until
// the cache is within its bounds again. A value larger than the whole
// byte bound is not cached.
func (c *sizedLRU[V]) Add(key string, v V) {
	n := int64(len(key))
	if b, err := json.Marshal(v); err == nil {
		n += int64(len(b))
	}
	if n > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.lru.Peek(key); ok {
		c.bytes -= old.n // replaced without the eviction callback
	}
	c.lru.Add(key, sized[V]{v, n})
	c.bytes += n
	for c.bytes > c.maxBytes {
		if _, _, ok := c.lru.RemoveOldest(); !ok {
			break
		}
	}
}

// Purge empties the cache.
func (c *sizedLRU[V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Purge() // the eviction callback takes each entry's bytes off
}

// Len returns the number of entries.
func (c *sizedLRU[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// Bytes returns the bytes the entries hold.
func (c *sizedLRU[V]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// searchKey is the cache key of a validated request, whose last word is
// a prefix or not; explained requests are not cached (their answer is
// large and rarely asked twice). Every string is written with its length
// first, so no value can spell another request's key: separators alone
// let « area=Flandre%00Luxembourg » (one area, no guide) share the key of
// « area=Flandre&area=Luxembourg » and answer it wrongly until the next
// reindex.
func searchKey(r Request, prefix bool) (string, bool) {
	if r.Explain {
		return "", false
	}
	var b strings.Builder
	str := func(v string) {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	str(r.Query)
	b.WriteString(strconv.FormatBool(prefix))
	for _, n := range []int{r.Page, r.Size, r.Filters.SalaryMin, r.Filters.SalaryMax} {
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(n))
	}
	b.WriteByte(',')
	b.WriteString(strconv.FormatFloat(r.Filters.StudyMax, 'g', -1, 64))
	for _, list := range [][]string{r.Filters.Areas, r.Filters.Criteria} {
		b.WriteByte(',')
		b.WriteString(strconv.Itoa(len(list)))
		for _, v := range list {
			str(v)
		}
	}
	return b.String(), true
}

// copyResponse returns a response to hand out: the cached one is shared,
// so the caller gets its own top level (hits and facets are read-only).
func copyResponse(r *Response, tookMS float64) *Response {
	c := *r
	c.TookMS = tookMS
	return &c
}
