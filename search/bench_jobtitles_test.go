package search

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metiers/metiers/importer"
)

// jobTitleQueries returns what readers type to find a job, as
// bench/load's job-title mix does: a deterministic sample of n ROME job
// titles (masculine and feminine forms alternately), each with every
// prefix from its third letter.
func jobTitleQueries(t testing.TB, n int) []string {
	t.Helper()
	data := sharedData()
	if data == "" {
		t.Skip("SKIP: no ../shared/data beside the repository: the ROME job titles (rome4) are read in place; this benchmark needs them")
	}
	f, err := os.Open(filepath.Join(data, "rome4", importer.ROMEFile))
	if err != nil {
		t.Skipf("SKIP: no ROME sheets under %s: %v", data, err)
	}
	defer f.Close()
	var all []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r struct {
			Appellations []string `json:"appellations"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		for _, a := range r.Appellations {
			masc, fem := importer.SplitTitle(a)
			if len(all)%2 == 1 && fem != "" {
				masc = fem
			}
			all = append(all, masc)
		}
	}
	seen := map[string]bool{}
	var out []string
	step := max(1, len(all)/n)
	for i := 0; i < len(all) && len(out) < n*40; i += step {
		r := []rune(all[i])
		for k := 3; k <= len(r); k++ {
			q := string(r[:k])
			if strings.HasSuffix(q, " ") || seen[q] {
				continue
			}
			seen[q] = true
			out = append(out, q)
		}
	}
	return out
}

// BenchmarkSearchJobTitles runs, uncached, ROME job titles and their
// prefixes on ONISEP: the queries of `make load-jobtitles`, in process.
func BenchmarkSearchJobTitles(b *testing.B) {
	s := newONISEP(b).Uncached()
	qs := jobTitleQueries(b, 200)
	ctx := context.Background()
	percentiles(b, func(i int) {
		s.Search(ctx, Request{Query: qs[i%len(qs)]})
	})
}
