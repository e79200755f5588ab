package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// hostileHeapGrowth bounds the heap the attacks of TestHostileClient may
// leave behind, measured after a GC: the response cache full of the
// largest requests the bounds let through keeps 15 MB; before the bounds,
// the same attacks kept 250 MB (900 kB filter values in cache keys,
// 500 kB methods in metrics labels).
const hostileHeapGrowth = 64 << 20

// heap returns the live heap after a full collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestHostileClient attacks the real server (its listener, every
// middleware, the response cache of the default size) as the issue's
// hostile client did: unique huge area and criteria values, unique huge
// methods, then the same at the largest size the bounds let through.
// The heap it keeps is bounded, /metrics stays small, every refusal is
// a JSON 4xx (or 501 for a method), and the server still answers a
// reader.
func TestHostileClient(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the hostile client sends 350 MB")
	}
	base := runServer(t, Options{})
	start := heap()

	var mu sync.Mutex
	codes := map[int]int{}
	hangups := 0
	// send runs n requests, 32 at a time, counting the statuses; a
	// connection the server closed while the client still wrote (it
	// answers 431 after 64 KiB of headers and hangs up) counts apart.
	send := func(n int, req func(i int) *http.Request) {
		sem := make(chan struct{}, 32)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				res, err := client.Do(req(i))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || isClosed(err) {
						hangups++
						return
					}
					t.Errorf("request %d: %v", i, err)
					return
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				codes[res.StatusCode]++
				bad := res.StatusCode >= 500 && res.StatusCode != http.StatusNotImplemented // 501: a method HTTP does not define
				if bad || res.StatusCode >= 400 && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					t.Errorf("request %d: %d %s %.200s", i, res.StatusCode, res.Header.Get("Content-Type"), b)
				}
			}()
		}
		wg.Wait()
	}
	get := func(rawQuery string) *http.Request {
		r, _ := http.NewRequest("GET", base+"/api/search?"+rawQuery, nil)
		return r
	}
	huge := func(i, n int) string { return fmt.Sprintf("%06d", i) + strings.Repeat("x", n) }

	// The largest the bounds let through: unique methods under the
	// header bound, and searches of 32 unique 200-byte areas and
	// criteria, each a new cache entry (2,500 > the cache's 2,000).
	// First, so that the huge values come last and, were they cached,
	// would still be.
	send(300, func(i int) *http.Request {
		r := get("q=medecin")
		r.Method = "M" + huge(i, 30_000)
		return r
	})
	send(2500, func(i int) *http.Request {
		var b strings.Builder
		b.WriteString("q=m%C3%A9dical")
		for j := range 16 {
			fmt.Fprintf(&b, "&area=%s&criteria=%s", huge(i*100+j, 194), huge(i*100+j, 194))
		}
		return get(b.String())
	})

	// The attacks: unique 900 kB values, unique 500 kB methods.
	send(100, func(i int) *http.Request { return get("q=medecin&area=" + huge(i, 900_000)) })
	send(100, func(i int) *http.Request { return get("q=medecin&criteria=" + huge(i, 900_000)) })
	send(100, func(i int) *http.Request {
		r := get("q=medecin")
		r.Method = "M" + huge(i, 500_000)
		return r
	})
	grown := int64(heap()) - int64(start)
	t.Logf("statuses %v, %d connections hung up by the server; heap grew by %.1f MB", codes, hangups, float64(grown)/(1<<20))
	if grown > hostileHeapGrowth {
		t.Errorf("the heap grew by %d MB, over the bound of %d MB", grown>>20, hostileHeapGrowth>>20)
	}
	if codes[http.StatusOK] < 2500 {
		t.Errorf("%d searches at the bounds answered 200, want 2500", codes[http.StatusOK])
	}
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if len(b) > 1<<20 {
		t.Errorf("/metrics is %d bytes, over 1 MB", len(b))
	}
	if code, body := do(t, "GET", base+"/api/search?q=codeuse", ""); code != 200 || body["total"].(float64) < 1 {
		t.Errorf("a reader after the attack: %d %v", code, body)
	}
}

// isClosed reports a client error of a connection the server closed.
func isClosed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) || strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe") ||
		strings.Contains(err.Error(), "server closed")
}
