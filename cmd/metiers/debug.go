package main

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

// debugAddrEnv names the environment variable that, when set, serves Go's
// profiles (net/http/pprof) at that address, beside the server: for
// profiling the real server under load. Off by default; bind it to a
// loopback address, the profiles say much about the process.
const debugAddrEnv = "METIERS_DEBUG_ADDR"

// serveDebug serves the profiles when debugAddrEnv is set; it returns at
// once, and the listener lives as long as the process.
func serveDebug(log *slog.Logger) {
	addr := os.Getenv(debugAddrEnv)
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Error("debug listener", "addr", addr, "error", err)
		return
	}
	log.Info("serving profiles", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	go func() {
		if err := http.Serve(ln, mux); err != nil && !errors.Is(err, net.ErrClosed) {
			log.Error("debug listener", "error", err)
		}
	}()
}
