package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/metiers/metiers/corpus"
)

// newParseCommand prints parsed guides as a JSON array, the API's schema.
func newParseCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "parse [FILE|DIR]...",
		Short: "Parse guides and print them as a JSON array (default: the embedded sample corpus)",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := loadPaths(args)
			if err != nil {
				return err
			}
			for _, e := range c.Errors {
				fmt.Fprintln(cmd.ErrOrStderr(), e)
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			if err := enc.Encode(c.Metiers); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d guide(s) parsed, %d bad file(s)\n", len(c.Metiers), len(c.Errors))
			if len(c.Errors) > 0 {
				return fmt.Errorf("%d bad file(s)", len(c.Errors))
			}
			return nil
		},
	}
}

// loadPaths loads guides from files and directories, or the embedded
// sample corpus when paths is empty. Every bad file is reported in the
// result's Errors; ids must be unique across all paths.
func loadPaths(paths []string) (*corpus.Corpus, error) {
	if len(paths) == 0 {
		return corpus.Load(corpus.Sample())
	}
	all := &corpus.Corpus{}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		var c *corpus.Corpus
		if st.IsDir() {
			c, err = corpus.LoadDir(p)
		} else {
			c, err = corpus.Load(os.DirFS(filepath.Dir(p)), filepath.Base(p))
		}
		if err != nil {
			return nil, err
		}
		all.Merge(c)
	}
	return all, nil
}
