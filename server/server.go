package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/netutil"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/insights"
)

// Options configures the HTTP server.
type Options struct {
	// Addr is the HOST:PORT to listen on; port 0 picks a free port.
	Addr string
	// AdminToken enables the admin routes; empty disables them (404).
	AdminToken string
	// CORSOrigins may call the API from a browser; "*" allows all.
	CORSOrigins []string
	// RequestTimeout bounds one request; MaxBodyBytes one request body.
	RequestTimeout time.Duration
	MaxBodyBytes   int64
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
	// MaxConnections bounds the connections served at once (default
	// 1024); the next ones wait in the kernel's accept queue.
	MaxConnections int
	// Logger receives one line per request and the errors.
	Logger *slog.Logger
	// Insights counts what readers search for; nil counts in memory.
	Insights *insights.Recorder
	// PublicURL is the site's root as readers reach it
	// ("https://metiers.example.be"), for canonical links, Open Graph,
	// JSON-LD and the sitemap; empty, pages link relatively and the
	// sitemap names the address Run listens on (never a request's Host).
	PublicURL string
}

// Server is the HTTP face of an Engine.
type Server struct {
	opts     Options
	engine   *engine.Engine
	log      *slog.Logger
	insights *insights.Recorder
	metrics  *metrics
	pages    *pages
	handler  http.Handler
	// listening is the base URL Run listens on, once it does.
	listening atomic.Value
	// labels are the criterion labels of the generation served last.
	labels labelCache
}

// New builds the routes over e.
func New(e *engine.Engine, opts Options) *Server {
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 15 * time.Second
	}
	if opts.MaxConnections <= 0 {
		opts.MaxConnections = 1024
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// gin's mode is process-wide; release mode silences its debug output.
	gin.SetMode(gin.ReleaseMode)
	if opts.Insights == nil {
		opts.Insights = insights.New(insights.Options{Logger: opts.Logger})
	}
	p, err := newPages()
	if err != nil {
		panic(err) // the templates are part of the binary: any test catches a bad one
	}
	s := &Server{opts: opts, engine: e, log: opts.Logger, insights: opts.Insights, metrics: newMetrics(prometheus.NewRegistry(), e), pages: p}
	insightsMetrics(s.metrics.reg, s.insights)
	s.handler = compress(secure(s.routes()))
	return s
}

// Handler returns the server's http.Handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on Options.Addr, calls ready with the base URL once it
// accepts connections, and serves until ctx is done; then it stops
// accepting and waits for the requests under way (up to ShutdownTimeout).
func (s *Server) Run(ctx context.Context, ready func(url string)) error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("listen %s: the address is already in use (another server?): stop it or choose another --addr: %w", s.opts.Addr, syscall.EADDRINUSE)
	}
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.opts.Addr, err)
	}
	ln = jsonErrorListener{netutil.LimitListener(ln, s.opts.MaxConnections)}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		ReadTimeout:       s.opts.RequestTimeout + 5*time.Second,
		WriteTimeout:      s.opts.RequestTimeout + 5*time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.listening.Store(baseURL(ln.Addr()))
	if ready != nil {
		ready(baseURL(ln.Addr()))
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", s.opts.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// maxHeaderBytes bounds a request's line and headers (net/http's default
// is 1 MiB): a browser sends a few kilobytes, and the longest address the
// API takes is maxQueryBytes of query string. Over it, net/http answers
// 431 (made JSON by jsonErrorListener).
const maxHeaderBytes = 64 << 10

// baseURL turns a listener address into the URL a reader opens.
func baseURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
