package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/metiers/metiers/config"
	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/insights"
	"github.com/metiers/metiers/server"
)

// newServeCommand serves the API and the web pages.
func newServeCommand() *cobra.Command {
	var rebuild bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the search API and the web pages (default corpus: the embedded sample)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			log := newLogger(c, stderr)
			serveDebug(log)
			opts, err := engineOptions(c, log, rebuild)
			if err != nil {
				return err
			}
			// The first build's progress on stderr (a bar on a terminal,
			// a line a stage otherwise); /readyz reports every build's.
			var e *engine.Engine
			show := progress(stderr)
			opts.Progress = func(stage string, done, total int) {
				if !e.Ready() {
					show(stage, done, total)
				}
			}
			if e, err = engine.New(opts); err != nil {
				return err
			}
			defer e.Close()
			rec := newInsights(c, log)
			ctx, stop := context.WithCancel(cmd.Context())
			defer stop()
			saved := make(chan struct{})
			go func() { rec.Keep(ctx, time.Minute); close(saved) }()
			srv := server.New(e, server.Options{
				Addr: c.Addr, AdminToken: c.AdminToken, CORSOrigins: c.CORSOrigins,
				RequestTimeout: c.HTTP.RequestTimeout, MaxBodyBytes: c.HTTP.MaxBodyBytes,
				ShutdownTimeout: c.HTTP.ShutdownTimeout, MaxConnections: c.HTTP.MaxConnections, Logger: log, Insights: rec,
				PublicURL: c.PublicURL,
			})
			if c.PublicURL == "" {
				log.Info("public_url is not set: pages link relatively, the sitemap names the address the server listens on (set public_url, --public-url, to the site's address as readers reach it)")
			}
			// Listen first: a busy port fails at once, before any build,
			// and /readyz answers 503 with the build's progress until the
			// first generation serves.
			listening := make(chan string, 1)
			served := make(chan error, 1)
			go func() {
				err := srv.Run(ctx, func(url string) { listening <- url })
				stop() // a server that stopped ends the first build too
				served <- err
			}()
			var url string
			select {
			case url = <-listening:
			case err := <-served:
				<-saved
				return err
			}
			fmt.Fprintf(stderr, "metiers: listening at %s, loading the index (%sreadyz reports its progress)\n", url, url)
			if err := e.Start(ctx); err != nil {
				stop()
				serveErr := <-served
				<-saved
				if cmd.Context().Err() != nil {
					fmt.Fprintln(stderr, "metiers: interrupted during the first build: the partial build was removed, the index on disk is as it was")
					return nil
				}
				if serveErr != nil {
					return serveErr
				}
				return err
			}
			g, err := e.Acquire()
			if err != nil {
				return err
			}
			guides := len(g.Corpus.Metiers)
			if st := e.Status(); g.Stale && st.Failure != nil {
				fmt.Fprintf(stderr, "metiers: the build failed: %s\nmetiers: serving the last good generation, %s (%d guides, built %s), until a reindex succeeds\n",
					st.Failure.Error, g.Dir, guides, g.Built.Format(time.RFC3339))
			}
			g.Release()
			watched := make(chan struct{})
			if c.CorpusWatch > 0 {
				go func() {
					defer close(watched)
					if err := e.Watch(ctx, c.CorpusWatch); err != nil {
						log.Error("watch", "error", err)
					}
				}()
			} else {
				close(watched)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "metiers: serving %d guides at %s\n", guides, url)
			err = <-served
			stop()
			<-saved   // the last counts written before exit
			<-watched // no rebuild under way when the engine closes
			return err
		},
	}
	cmd.Flags().String("addr", config.DefaultAddr, "HOST:PORT to listen on (env METIERS_ADDR)")
	cmd.Flags().String("public-url", "", "the site's root as readers reach it, e.g. https://metiers.example.be, for canonical links and the sitemap (config public_url, env METIERS_PUBLIC_URL; default: relative links, the sitemap names the listen address)")
	cmd.Flags().BoolVar(&rebuild, "rebuild", false, "rebuild the index even if the one on disk matches the corpus")
	cmd.Flags().Duration("watch", 0, "follow the corpus directory: apply changes once no file has changed for DURATION (config corpus_watch; 0: do not watch)")
	return cmd
}

// newInsights returns the reader insights, saved beside the index (in
// memory when the index is).
func newInsights(c config.Config, log *slog.Logger) *insights.Recorder {
	path := ""
	if c.Index != "" {
		path = filepath.Join(c.Index, "insights.json")
	}
	return insights.New(insights.Options{Path: path, Logger: log})
}
