package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/metiers/metiers/engine"
)

// TestRemoteReindexFollowsItsJob asks a server whose next job starts as
// soon as ours ends: the last job is never ours again, so the command
// must follow its own by id (it used to poll the last job for ever).
func TestRemoteReindexFollowsItsJob(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		done := time.Now()
		switch {
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusAccepted)
			json.NewEncoder(w).Encode(engine.Job{ID: 6, State: "running"})
		case r.URL.Query().Get("id") == "6":
			json.NewEncoder(w).Encode(engine.Job{ID: 6, State: "succeeded", Guides: 5, Finished: &done})
		default: // the last job: a newer one, running
			json.NewEncoder(w).Encode(engine.Job{ID: 7, State: "running"})
		}
	}))
	defer ts.Close()
	t.Setenv("METIERS_ADMIN_TOKEN", "s3cret")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out strings.Builder
	root := newRootCommand(&out, &out)
	root.SetArgs([]string{"reindex", "--remote", ts.URL})
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatalf("reindex --remote: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "succeeded") {
		t.Errorf("output does not report job 6's success:\n%s", out.String())
	}
}
