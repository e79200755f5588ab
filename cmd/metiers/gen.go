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
		from  string
	)
	cmd := &cobra.Command{
		Use:   "gen --n N --seed S --out DIR [--from DIR]",
		Short: "Write N synthetic guides (marked synthetic) recombined from the sample corpus or another one, for scale tests",
		Long: `Write N synthetic guides, marked synthetic, recombined from the sections
of real ones: the embedded sample (five guides: every word ends up in most
generated guides, the worst case for search), or the corpus in --from (an
imported ONISEP directory gives a vocabulary as varied as a real site's).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("gen: --out DIR is required")
			}
			if n < 1 {
				return fmt.Errorf("gen: --n must be at least 1, got %d", n)
			}
			var base *corpus.Corpus
			var err error
			if from == "" {
				base, err = corpus.Load(corpus.Sample())
			} else {
				base, err = corpus.LoadDir(from)
			}
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
	cmd.Flags().StringVar(&from, "from", "", "corpus directory to recombine (default: the embedded sample)")
	return cmd
}
