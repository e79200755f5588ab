package main

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/metiers/metiers/corpus"
)

// runCLI executes the CLI in process and returns what it printed.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRootCommand(&out, &errb)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String() + errb.String(), err
}

func TestGen(t *testing.T) {
	dir := t.TempDir()
	a, b, fromDir := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "from")
	if out, err := runCLI(t, "gen", "--n", "30", "--seed", "7", "--out", a); err != nil || !strings.Contains(out, "30 synthetic guides") {
		t.Fatalf("gen: %v %s", err, out)
	}
	if _, err := runCLI(t, "gen", "--n", "30", "--seed", "7", "--out", b); err != nil {
		t.Fatal(err)
	}
	ca, err := corpus.LoadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := corpus.LoadDir(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ca.Metiers) != 30 || !reflect.DeepEqual(ca.Metiers, cb.Metiers) {
		t.Errorf("same seed: %d and %d guides, equal %v; want 30 and the same", len(ca.Metiers), len(cb.Metiers), reflect.DeepEqual(ca.Metiers, cb.Metiers))
	}
	for _, m := range ca.Metiers {
		if !m.Synthetic {
			t.Errorf("%s is not marked synthetic", m.ID)
		}
	}
	// --from recombines another corpus: here a generated one, whose
	// titles all carry a qualifier, so theirs carry two.
	if _, err := runCLI(t, "gen", "--n", "5", "--from", a, "--out", fromDir); err != nil {
		t.Fatal(err)
	}
	cf, err := corpus.LoadDir(fromDir)
	if err != nil || len(cf.Metiers) != 5 {
		t.Fatalf("gen --from: %v, %d guides", err, len(cf.Metiers))
	}
	known := map[string]bool{}
	for _, m := range ca.Metiers {
		known[m.Title] = true
	}
	for _, m := range cf.Metiers {
		base := false
		for t := range known {
			if strings.HasPrefix(m.Title, t) {
				base = true
			}
		}
		if !base {
			t.Errorf("gen --from: %q does not start with a title of the source corpus", m.Title)
		}
	}
	for _, bad := range [][]string{
		{"gen", "--n", "0", "--out", filepath.Join(dir, "c")},
		{"gen", "--n", "3"},
		{"gen", "--n", "3", "--from", filepath.Join(dir, "missing"), "--out", filepath.Join(dir, "d")},
		{"gen", "--n", "3", "--out", a},
	} {
		if out, err := runCLI(t, bad...); err == nil {
			t.Errorf("%v: no error (%s)", bad, out)
		}
	}
}
