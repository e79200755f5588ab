package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/metiers/metiers/importer"
)

// newImportCommand imports a public referential as structured guides.
func newImportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import onisep|rome --from DIR --out DIR [--no-links] [--force]",
		Short: "Import ONISEP Idéo-Fiches métiers or ROME 4.0 as JSON guides",
		// Without a source, or with a misspelt one, say so and fail: a
		// script's « metiers import rmoe » used to print the help and
		// exit 0.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return errors.New("import: name the source: metiers import onisep|rome --from DIR --out DIR")
		},
	}
	for _, src := range []struct {
		name, file string
		run        func(string, importer.Options) (*importer.Result, error)
	}{
		{"onisep", importer.ONISEPFile, importer.ONISEP},
		{"rome", importer.ROMEFile, importer.ROME},
	} {
		var from, out string
		var noLinks, force bool
		sub := &cobra.Command{
			Use:   src.name + " --from DIR --out DIR",
			Short: fmt.Sprintf("Import %s (reads %s in --from)", src.name, src.file),
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				if from == "" || out == "" {
					return fmt.Errorf("import %s: --from and --out are required", src.name)
				}
				input := filepath.Join(from, src.file)
				res, err := src.run(from, importer.Options{NoLinks: noLinks})
				if err != nil {
					return err
				}
				for _, w := range res.Warnings {
					fmt.Fprintln(cmd.ErrOrStderr(), "skipped:", w)
				}
				if len(res.Metiers) == 0 {
					why := "only blank lines"
					if len(res.Warnings) > 0 {
						why = fmt.Sprintf("%d record(s) skipped, the first: %s", len(res.Warnings), res.Warnings[0])
					}
					return fmt.Errorf("import %s: %s yields no guide (%s): %s is left as it was", src.name, input, why, out)
				}
				if err := importer.Write(out, res.Metiers, importer.WriteOptions{Input: src.name + " " + input, Force: force}); err != nil {
					return err
				}
				links := 0
				for _, m := range res.Metiers {
					links += len(m.Similar)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%d guides (%d links) written to %s, %d record(s) skipped\n", len(res.Metiers), links, out, len(res.Warnings))
				return nil
			},
		}
		sub.Flags().StringVar(&from, "from", "", "directory holding "+src.file)
		sub.Flags().StringVar(&out, "out", "", "output directory of JSON guides")
		sub.Flags().BoolVar(&noLinks, "no-links", false, "leave the curated links out (for evaluation)")
		sub.Flags().BoolVar(&force, "force", false, "replace --out even when it holds files no import wrote (they are deleted)")
		cmd.AddCommand(sub)
	}
	return cmd
}
