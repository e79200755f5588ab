// Command metiers serves, searches and recommends French-language career
// guides ("fiches métiers"). Run `metiers --help` for the subcommands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first SIGTERM or Ctrl-C stops the command cleanly; a second
	// one, should that take too long, kills it as usual.
	go func() {
		<-ctx.Done()
		stop()
	}()
	if err := newRootCommand(os.Stdout, os.Stderr).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "metiers:", err)
		os.Exit(1)
	}
}
