package server

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/metiers/metiers/engine"
)

// metrics are the server's Prometheus metrics, in a registry of its own.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	reindex  *prometheus.CounterVec
	lastTime prometheus.Gauge
	lastDur  prometheus.Gauge
}

func newMetrics(reg *prometheus.Registry, e *engine.Engine) *metrics {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "metiers_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "metiers_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		reindex: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "metiers_reindex_total", Help: "Reindex jobs by result.",
		}, []string{"result"}),
		lastTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "metiers_reindex_last_timestamp_seconds", Help: "When the last reindex finished (Unix time).",
		}),
		lastDur: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "metiers_reindex_last_duration_seconds", Help: "How long the last reindex took.",
		}),
	}
	docs := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "metiers_index_documents", Help: "Guides in the served index.",
	}, func() float64 {
		g, err := e.Acquire()
		if err != nil {
			return 0
		}
		defer g.Release()
		return float64(len(g.Corpus.Metiers))
	})
	failed := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "metiers_build_failed",
		Help: "1 when the last build (at start or by a reindex) failed, the generation served predating the corpus (/readyz says why); 0 once one succeeds.",
	}, func() float64 {
		if e.Status().Failure != nil {
			return 1
		}
		return 0
	})
	stats := e.CacheStats()
	var cache []prometheus.Collector
	for _, c := range []struct {
		kind, result string
		n            *atomic.Uint64
	}{
		{"search", "hit", &stats.SearchHits}, {"search", "miss", &stats.SearchMisses},
		{"suggest", "hit", &stats.SuggestHits}, {"suggest", "miss", &stats.SuggestMisses},
	} {
		n := c.n
		cache = append(cache, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "metiers_cache_lookups_total",
			Help:        "Response cache lookups by kind (search, suggest) and result (hit, miss).",
			ConstLabels: prometheus.Labels{"kind": c.kind, "result": c.result},
		}, func() float64 { return float64(n.Load()) }))
	}
	reg.MustRegister(cache...)
	reg.MustRegister(m.requests, m.latency, m.reindex, m.lastTime, m.lastDur, docs, failed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe counts each request under its route template, its method (one
// of HTTP's, or "other") and its status: every label takes a bounded set
// of values, whatever a client sends.
func (m *metrics) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := routeOf(c)
		m.requests.WithLabelValues(route, methodLabel(c.Request.Method), strconv.Itoa(c.Writer.Status())).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	}
}

// reindexDone records a finished reindex job.
func (m *metrics) reindexDone(j engine.Job) {
	m.reindex.WithLabelValues(j.State).Inc()
	if j.Finished != nil {
		m.lastTime.Set(float64(j.Finished.Unix()))
	}
	m.lastDur.Set(float64(j.DurationMS) / 1000)
}

func (m *metrics) handler() gin.HandlerFunc {
	return gin.WrapH(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}
