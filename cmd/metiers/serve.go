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
			log := newLogger(c, cmd.ErrOrStderr())
			opts, err := engineOptions(c, log, rebuild)
			if err != nil {
				return err
			}
			e, err := engine.New(opts)
			if err != nil {
				return err
			}
			defer e.Close()
			if err := e.Start(cmd.Context()); err != nil {
				return err
			}
			g, err := e.Acquire()
			if err != nil {
				return err
			}
			guides := len(g.Corpus.Metiers)
			g.Release()
			rec := newInsights(c, log)
			ctx, stop := context.WithCancel(cmd.Context())
			defer stop()
			saved := make(chan struct{})
			go func() { rec.Keep(ctx, time.Minute); close(saved) }()
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
			srv := server.New(e, server.Options{
				Addr: c.Addr, AdminToken: c.AdminToken, CORSOrigins: c.CORSOrigins,
				RequestTimeout: c.HTTP.RequestTimeout, MaxBodyBytes: c.HTTP.MaxBodyBytes,
				ShutdownTimeout: c.HTTP.ShutdownTimeout, MaxConnections: c.HTTP.MaxConnections, Logger: log, Insights: rec,
			})
			err = srv.Run(ctx, func(url string) {
				fmt.Fprintf(cmd.OutOrStdout(), "metiers: serving %d guides at %s\n", guides, url)
			})
			stop()
			<-saved   // the last counts written before exit
			<-watched // no rebuild under way when the engine closes
			return err
		},
	}
	cmd.Flags().String("addr", config.DefaultAddr, "HOST:PORT to listen on (env METIERS_ADDR)")
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
