package recommend

import (
	"iter"
	"sort"
)

// topK returns the k best items of seq, best first. It keeps a min-heap
// of the k best seen (the weakest on top) rather than sorting them all:
// a similar row holds every guide of the corpus, and n sorted rows of n
// would make the build n² log n.
func topK[T any](seq iter.Seq[T], k int, better func(a, b T) bool) []T {
	h := make([]T, 0, k)
	if k <= 0 {
		return h
	}
	for x := range seq {
		if len(h) < k {
			h = append(h, x)
			for c := len(h) - 1; c > 0; {
				p := (c - 1) / 2
				if !better(h[p], h[c]) {
					break
				}
				h[p], h[c] = h[c], h[p]
				c = p
			}
			continue
		}
		if !better(x, h[0]) {
			continue
		}
		h[0] = x
		for p := 0; ; {
			c := 2*p + 1
			if c >= len(h) {
				break
			}
			if c+1 < len(h) && better(h[c], h[c+1]) {
				c++
			}
			if !better(h[p], h[c]) {
				break
			}
			h[p], h[c] = h[c], h[p]
			p = c
		}
	}
	sort.Slice(h, func(a, b int) bool { return better(h[a], h[b]) })
	return h
}
