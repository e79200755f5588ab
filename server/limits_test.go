package server

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/search"
)

// runServer runs the real listener (Run) over the sample corpus, with
// the response cache of the default configuration (2,000 entries), and
// returns its base URL, without the trailing slash.
func runServer(t *testing.T, opts Options) string {
	t.Helper()
	syn := index.DefaultSynonyms()
	e, err := engine.New(engine.Options{Synonyms: syn, Search: search.Options{Synonyms: syn, CacheSize: 2000}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	opts.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- New(e, opts).Run(ctx, func(u string) { urls <- u }) }()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done; e.Close() })
	return strings.TrimSuffix(base, "/")
}

// TestConnectionLimit holds MaxConnections connections open: a request
// on one more is not answered until one of them closes.
func TestConnectionLimit(t *testing.T) {
	base := runServer(t, Options{MaxConnections: 2})
	addr := strings.TrimPrefix(base, "http://")
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	// Both are accepted once a request on each is answered.
	for _, c := range held {
		if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 12)
		if _, err := c.Read(buf); err != nil || !strings.HasPrefix(string(buf), "HTTP/1.1 200") {
			t.Fatalf("held connection: %q %v", buf, err)
		}
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	answered := make(chan error, 1)
	go func() {
		res, err := client.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("a third connection was served while two were held (err %v)", err)
	case <-time.After(300 * time.Millisecond):
		// Not served while the limit holds; a slow machine only makes
		// this wait pass more easily, never fail.
	}
	held[0].Close()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("after a held connection closed: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the waiting connection was never served after one closed")
	}
	held[1].Close()
}
