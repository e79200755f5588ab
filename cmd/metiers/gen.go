package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/corpusgen"
)

// newGenCommand writes a synthetic corpus for scale tests.
func newGenCommand() *cobra.Command {
	var (
		n     int
		seed  int64
		out   string
		force bool
	)
	cmd := &cobra.Command{
		Use:   "gen --n N --seed S --out DIR",
		Short: "Write N synthetic guides (marked synthetic) recombined from the sample corpus, for scale tests",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("gen: --out DIR is required")
			}
			if n < 1 {
				return fmt.Errorf("gen: --n must be at least 1, got %d", n)
			}
			base, err := corpus.Load(corpus.Sample())
			if err != nil {
				return err
			}
			ms, err := corpusgen.Generate(base.Metiers, n, seed)
			if err != nil {
				return err
			}
			if err := corpusgen.WriteDir(out, ms, force); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d synthetic guides written to %s (seed %d)\n", len(ms), out, seed)
			return nil
		},
	}
	cmd.Flags().IntVar(&n, "n", 1000, "number of guides")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed (same seed, same corpus)")
	cmd.Flags().StringVar(&out, "out", "", "output directory (must be empty unless --force)")
	cmd.Flags().BoolVar(&force, "force", false, "write into a non-empty directory")
	return cmd
}
