package main

import (
	"encoding/json"

	"github.com/spf13/cobra"
)

// newConfigCommand prints the effective configuration, token redacted.
func newConfigCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration (admin token redacted)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(c.Redacted())
		},
	}
	cmd.Flags().String("addr", "127.0.0.1:8080", "HOST:PORT the server would listen on (env METIERS_ADDR)")
	return cmd
}
