package search

import (
	"strconv"
	"strings"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
)

// cache remembers the latest responses of a Searcher. A search box sends
// the same few prefixes again and again (every reader typing « infi »
// sends « i », « in », « inf »…); a response is only valid for the index
// it was computed on, and a Searcher lives as long as one index
// generation, so the cache needs no invalidation of its own.
type cache struct {
	search  *lru.Cache[string, *Response]
	suggest *lru.Cache[string, []Suggestion]
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

// newCache returns a cache of at most size responses of each kind, or
// nil (no caching) when size is 0.
func newCache(size int) (*cache, error) {
	if size <= 0 {
		return nil, nil
	}
	s, err := lru.New[string, *Response](size)
	if err != nil {
		return nil, err
	}
	g, err := lru.New[string, []Suggestion](size)
	if err != nil {
		return nil, err
	}
	return &cache{search: s, suggest: g}, nil
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
