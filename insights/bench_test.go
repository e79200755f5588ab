package insights

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// BenchmarkDistinctQueries records a million distinct random queries
// (each 8 to 40 letters, no two alike) over one simulated day and
// reports the heap held once they are counted: bounded by the sketches'
// capacity, not by the traffic. Run:
//
//	go test -run '^$' -bench DistinctQueries -benchtime 1x ./insights
func BenchmarkDistinctQueries(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				c := &clock{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
				rng := rand.New(rand.NewPCG(1, 2))
				var before runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				r := New(Options{Now: c.now})
				buf := make([]byte, 0, 64)
				start := time.Now()
				for i := range n {
					c.t = c.t.Add(24 * time.Hour / time.Duration(n))
					buf = buf[:0]
					for range 8 + rng.IntN(33) {
						buf = append(buf, byte('a'+rng.IntN(26)))
					}
					buf = fmt.Appendf(buf, " %d", i)
					r.RecordSearch(Search{Query: string(buf), Total: uint64(i % 2), Page: 1})
				}
				took := time.Since(start)
				var after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-min(after.HeapAlloc, before.HeapAlloc))/(1<<20), "heap-MB")
				b.ReportMetric(float64(r.Tracked()), "tracked")
				b.ReportMetric(float64(took.Nanoseconds())/float64(n), "ns/query")
				runtime.KeepAlive(r)
			}
		})
	}
}
