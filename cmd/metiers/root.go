package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/metiers/metiers/config"
)

// newRootCommand builds the metiers command tree. Every subcommand reads
// the configuration through loadConfig, once, and passes plain values down.
func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "metiers",
		Short:         "Search and recommendation engine for French-language career guides",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.String("config", "", "configuration file (YAML; env METIERS_CONFIG; default ./metiers.yaml when present)")
	pf.String("corpus", "", "corpus directory of .txt/.json/.jsonl guides (env METIERS_CORPUS; default: the embedded sample corpus)")
	pf.String("index", config.DefaultIndexDir, "index directory; an empty value keeps the index in memory (env METIERS_INDEX)")
	pf.String("referential", "", "ROME 4.0 directory (the layout of ../shared/data/rome4) to link the guides to (env METIERS_REFERENTIAL; default: none, criteria from the guides' fields and text cues)")
	pf.String("log-format", "text", "log format: text or json")
	pf.String("log-level", "info", "log level: debug, info, warn or error")

	root.AddCommand(
		newServeCommand(),
		newReindexCommand(),
		newSearchCommand(),
		newSimilarCommand(),
		newQuizCommand(),
		newImportCommand(),
		newGenCommand(),
		newParseCommand(),
		newConfigCommand(),
	)
	return root
}

// loadConfig reads the configuration for cmd from its flags, the
// environment and the file.
func loadConfig(cmd *cobra.Command) (config.Config, error) {
	return config.Load(cmd.Flags())
}
