package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/metiers/metiers/engine"
)

// newReindexCommand rebuilds the index from the corpus beside the current
// one and switches to it, or asks a running server to.
func newReindexCommand() *cobra.Command {
	var remote string
	cmd := &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the index from the corpus and switch to it atomically (or --remote URL: ask a running server)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			if remote != "" {
				return remoteReindex(cmd, remote, c.AdminToken)
			}
			if c.Index == "" {
				return errors.New("reindex: --index is empty (in memory): there is nothing to rebuild on disk")
			}
			log := newLogger(c, cmd.ErrOrStderr())
			opts, err := engineOptions(c, log, true)
			if err != nil {
				return err
			}
			out := cmd.ErrOrStderr()
			opts.Progress = progress(out)
			e, err := engine.New(opts)
			if err != nil {
				return err
			}
			defer e.Close()
			job, err := e.ReindexNow(cmd.Context())
			printJob(cmd.OutOrStdout(), job)
			if errors.Is(err, context.Canceled) {
				return errors.New("reindex interrupted: the partial build was removed, the previous index is still current")
			}
			if err != nil {
				return fmt.Errorf("reindex failed, the previous index is still current: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&remote, "remote", "", "URL of a running server to reindex (uses METIERS_ADMIN_TOKEN)")
	return cmd
}

// progress shows a bar per stage on a terminal, and a line per stage
// otherwise.
func progress(w io.Writer) func(stage string, done, total int) {
	f, isFile := w.(*os.File)
	tty := isFile && term.IsTerminal(int(f.Fd()))
	var bar *progressbar.ProgressBar
	current := ""
	return func(stage string, done, total int) {
		if !tty {
			if done == total {
				fmt.Fprintf(w, "%s: %d/%d\n", stage, done, total)
			}
			return
		}
		if stage != current {
			if bar != nil {
				bar.Finish()
				fmt.Fprintln(w)
			}
			current = stage
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(stage),
				progressbar.OptionShowCount(), progressbar.OptionSetWidth(30))
		}
		bar.Set(done)
		if done == total && stage == "recommendations" {
			bar.Finish()
			fmt.Fprintln(w)
		}
	}
}

// printJob prints a reindex summary.
func printJob(w io.Writer, j engine.Job) {
	fmt.Fprintf(w, "reindex %s: %d guides in %s\n", j.State, j.Guides, (time.Duration(j.DurationMS) * time.Millisecond).String())
	if len(j.Skipped) > 0 {
		fmt.Fprintf(w, "%d file(s) skipped:\n", len(j.Skipped))
		for _, s := range j.Skipped {
			fmt.Fprintf(w, "  %s\n", s.Error)
		}
	}
	if j.Error != "" {
		fmt.Fprintf(w, "error: %s\n", j.Error)
	}
}

// remoteReindex asks a running server to reindex and waits for the job.
func remoteReindex(cmd *cobra.Command, base, token string) error {
	if token == "" {
		return errors.New("reindex --remote: no admin token (set METIERS_ADMIN_TOKEN or admin_token)")
	}
	base = strings.TrimSuffix(base, "/")
	client := &http.Client{Timeout: 30 * time.Second}
	call := func(method, query string) (int, engine.Job, error) {
		req, err := http.NewRequestWithContext(cmd.Context(), method, base+"/admin/reindex"+query, bytes.NewReader(nil))
		if err != nil {
			return 0, engine.Job{}, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			return 0, engine.Job{}, err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var j engine.Job
		if res.StatusCode >= 400 && res.StatusCode != http.StatusConflict {
			return res.StatusCode, j, fmt.Errorf("%s: %s", res.Status, strings.TrimSpace(string(b)))
		}
		json.Unmarshal(b, &j)
		return res.StatusCode, j, nil
	}
	code, job, err := call(http.MethodPost, "")
	if err != nil {
		return fmt.Errorf("reindex --remote: %w", err)
	}
	if code == http.StatusConflict {
		return errors.New("reindex --remote: a reindex is already running on the server")
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "reindex job %d started on %s\n", job.ID, base)
	for {
		select {
		case <-cmd.Context().Done():
			return cmd.Context().Err()
		case <-time.After(200 * time.Millisecond):
		}
		// Our job by its id: another may start as soon as it ends, and
		// the last job alone would never be ours again.
		_, st, err := call(http.MethodGet, fmt.Sprintf("?id=%d", job.ID))
		if err != nil {
			return fmt.Errorf("reindex --remote: %w", err)
		}
		if st.ID == job.ID && st.State != "running" {
			printJob(cmd.OutOrStdout(), st)
			if st.State != "succeeded" {
				return errors.New("reindex failed on the server; it keeps serving the previous index")
			}
			return nil
		}
	}
}
