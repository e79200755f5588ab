package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/metiers/metiers/config"
	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/index"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/rome"
	"github.com/metiers/metiers/search"
)

// newLogger builds the slog logger the configuration asks for.
func newLogger(c config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// engineOptions turns the configuration into the engine's options,
// reading the synonym and criteria files it names.
func engineOptions(c config.Config, log *slog.Logger, rebuild bool) (engine.Options, error) {
	syn := index.DefaultSynonyms()
	if c.SynonymsFile != "" {
		var err error
		if syn, err = index.LoadSynonyms(c.SynonymsFile); err != nil {
			var ref *rome.Referential
			if c.Referential != "" {
				var err error
				if ref, err = rome.Load(c.Referential); err != nil {
					return engine.Options{}, fmt.Errorf("config: referential: %w", err)
				}
				log.Info("referential loaded", "dir", c.Referential, "sheets", ref.Len())
			}
			return engine.Options{
				Referential: ref}, fmt.Errorf("config: synonyms_file: %w", err)
		}
	}
	tax := recommend.DefaultTaxonomy()
	if c.CriteriaFile != "" {
		var err error
		if tax, err = recommend.LoadTaxonomy(c.CriteriaFile); err != nil {
			var ref *rome.Referential
			if c.Referential != "" {
				var err error
				if ref, err = rome.Load(c.Referential); err != nil {
					return engine.Options{}, fmt.Errorf("config: referential: %w", err)
				}
				log.Info("referential loaded", "dir", c.Referential, "sheets", ref.Len())
			}
			return engine.Options{
				Referential: ref}, fmt.Errorf("config: criteria_file: %w", err)
		}
	}
	var ref *rome.Referential
	if c.Referential != "" {
		var err error
		if ref, err = rome.Load(c.Referential); err != nil {
			return engine.Options{}, fmt.Errorf("config: referential: %w", err)
		}
		log.Info("referential loaded", "dir", c.Referential, "sheets", ref.Len())
	}
	return engine.Options{
		Referential: ref,
		CorpusDir:   c.Corpus,
		IndexDir:    c.Index,
		Generations: c.Generations,
		Strict:      c.Strict,
		Rebuild:     rebuild,
		Synonyms:    syn,
		Taxonomy:    tax,
		Weights:     recommend.Weights{Criteria: c.Ranking.Criteria, Text: c.Ranking.Text, Curated: c.Ranking.Curated},
		Search:      search.Options{Synonyms: syn, DefaultSize: c.Search.DefaultSize, MaxSize: c.Search.MaxSize, CacheSize: c.Search.CacheSize, Ranking: searchRanking(c.Search.Ranking)},
		Logger:      log,
	}, nil
}

// searchRanking turns the configured weights into the search ranking.
func searchRanking(r config.SearchRanking) search.Ranking {
	var out search.Ranking
	for _, w := range r.Weights() {
		out = append(out, search.Stage{Name: w.Stage, Weight: w.Weight})
	}
	return out
}
