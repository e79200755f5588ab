package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/metiers/metiers/engine"
	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/search"
)

// startEngine loads the configured index for the one-shot commands,
// read-only: the current generation on disk when it matches the corpus
// (a server may be serving it: both read it at once), else a build in
// memory for this command alone. It never writes a generation nor moves
// CURRENT, and says on stderr which index it reads.
func startEngine(cmd *cobra.Command) (*engine.Engine, error) {
	c, err := loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	stderr := cmd.ErrOrStderr()
	opts, err := engineOptions(c, newLogger(c, stderr), false)
	if err != nil {
		return nil, err
	}
	opts.ReadOnly = true
	opts.Progress = progress(stderr)
	e, err := engine.New(opts)
	if err != nil {
		return nil, err
	}
	if err := e.Start(cmd.Context()); err != nil {
		e.Close()
		return nil, err
	}
	g, err := e.Acquire()
	if err != nil {
		e.Close()
		return nil, err
	}
	defer g.Release()
	describe(stderr, c.Index, g, e.Status())
	return e, nil
}

// describe says which index a one-shot command reads.
func describe(w io.Writer, indexDir string, g *engine.Generation, st engine.Status) {
	n := len(g.Corpus.Metiers)
	switch {
	case g.Stale && st.Failure != nil:
		fmt.Fprintf(w, "metiers: the corpus does not build (%s): reading the last good generation %s (%d guides, built %s) read-only\n",
			st.Failure.Error, g.Dir, n, g.Built.Format(time.RFC3339))
	case g.Reused:
		fmt.Fprintf(w, "metiers: reading %s (%d guides, built %s) read-only\n", g.Dir, n, g.Built.Format(time.RFC3339))
	case indexDir == "":
		fmt.Fprintf(w, "metiers: indexed %d guides in memory (--index is empty)\n", n)
	default:
		fmt.Fprintf(w, "metiers: no generation in %s matches the corpus: indexed %d guides in memory for this command (`metiers reindex` writes one)\n", indexDir, n)
	}
}

// withRecommender runs f with the recommender of the loaded index.
func withRecommender(cmd *cobra.Command, f func(*recommend.Recommender) error) error {
	e, err := startEngine(cmd)
	if err != nil {
		return err
	}
	defer e.Close()
	g, err := e.Acquire()
	if err != nil {
		return err
	}
	defer g.Release()
	return f(g.Recommender)
}

// printRanked prints one ranked guide and its reasons.
func printRanked(w io.Writer, i int, title, score, id string, reasons []string) {
	fmt.Fprintf(w, "%2d. %-45s %s  %s\n", i+1, title, score, id)
	for _, r := range reasons {
		fmt.Fprintf(w, "      %s\n", r)
	}
}

// newSearchCommand prints the top hits of a query.
func newSearchCommand() *cobra.Command {
	var size int
	cmd := &cobra.Command{
		Use:   "search QUERY...",
		Short: "Print the top hits of a query",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := startEngine(cmd)
			if err != nil {
				return err
			}
			defer e.Close()
			g, err := e.Acquire()
			if err != nil {
				return err
			}
			defer g.Release()
			res, err := g.Searcher.Search(cmd.Context(), search.Request{Query: strings.Join(args, " "), Size: size})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%d result(s) in %.1f ms\n", res.Total, res.TookMS)
			for i, h := range res.Hits {
				fmt.Fprintf(w, "%2d. %-45s %6.3f  %s\n", i+1, h.Title, h.Score, h.ID)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&size, "size", 10, "number of hits")
	return cmd
}

// newSimilarCommand prints the « Métiers similaires » of a guide.
func newSimilarCommand() *cobra.Command {
	var size int
	cmd := &cobra.Command{
		Use:   "similar ID",
		Short: "Print the most similar guides of a guide, with their reasons",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := startEngine(cmd)
			if err != nil {
				return err
			}
			defer e.Close()
			g, err := e.Acquire()
			if err != nil {
				return err
			}
			defer g.Release()
			sim, err := g.Recommender.Similar(args[0], size)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for i, s := range sim {
				fmt.Fprintf(w, "%2d. %-45s %.3f  %s\n", i+1, s.Title, s.Score, s.ID)
				for _, r := range s.Reasons {
					fmt.Fprintf(w, "      %s\n", r)
				}
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&size, "size", 5, "number of similar guides")
	return cmd
}

// newQuizCommand ranks guides for quiz answers read from a JSON file.
func newQuizCommand() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "quiz --answers FILE",
		Short: "Rank guides for quiz answers (JSON: {\"answers\": {\"q_riasec_s\": 5}, \"text\": \"…\", \"constraints\": {…}, \"size\": 10}; - reads stdin)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if file == "" {
				return fmt.Errorf("quiz: --answers FILE is required (see GET /api/quiz for the questions)")
			}
			var data []byte
			var err error
			if file == "-" {
				data, err = io.ReadAll(cmd.InOrStdin())
			} else {
				data, err = os.ReadFile(file)
			}
			if err != nil {
				return fmt.Errorf("quiz: %w", err)
			}
			var req recommend.MatchRequest
			dec := json.NewDecoder(strings.NewReader(string(data)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&req); err != nil {
				return fmt.Errorf("quiz: %s: %w", file, err)
			}
			return withRecommender(cmd, func(r *recommend.Recommender) error {
				res, err := r.Match(cmd.Context(), req)
				if err != nil {
					return err
				}
				for _, n := range res.Notes {
					fmt.Fprintln(cmd.OutOrStdout(), n)
				}
				for i, m := range res.Matches {
					printRanked(cmd.OutOrStdout(), i, m.Title, fmt.Sprintf("%3d %%", m.Compatibility), m.ID, m.Reasons)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&file, "answers", "", "JSON file of answers, or - for standard input")
	return cmd
}
