package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/metiers/metiers/bench/pgpeer"
	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/importer"
)

// jobTitlePool returns what readers type to find a job: a deterministic
// sample of n ROME job titles (appellations, masculine and feminine
// forms alternately), each whole and every prefix of it from its third
// letter, as a search box sends them.
func jobTitlePool(romeDir string, n int) ([]string, error) {
	f, err := os.Open(filepath.Join(romeDir, importer.ROMEFile))
	if err != nil {
		return nil, fmt.Errorf("job titles: %w", err)
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
			return nil, err
		}
		for _, a := range r.Appellations {
			masc, fem := importer.SplitTitle(a)
			if len(all)%2 == 1 && fem != "" {
				masc = fem
			}
			all = append(all, masc)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, errors.New("job titles: no ROME appellation")
	}
	seen := map[string]bool{}
	var out []string
	step := max(1, len(all)/max(1, n))
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
	return out, nil
}

// pgBench loads the corpus's guides into a throwaway PostgreSQL cluster
// and drives it with pgbench on the same queries: full-text search with
// the `french` configuration after `unaccent`, the query's lexemes
// OR-ed (a job title's words are rarely all in one guide) and its last
// word a prefix (the search box sends it unfinished), the 10 best by
// ts_rank. PostgreSQL returns ten ids where metiers also counts the
// total and the facets and highlights the page.
func pgBench(corpusDir string, queries []string, clients, seconds, cpu int) (*pgpeer.BenchResult, error) {
	if corpusDir == "" {
		return nil, errors.New("-pg needs -corpus")
	}
	c, err := corpus.LoadDir(corpusDir)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	pg, err := pgpeer.Start(ctx)
	if err != nil {
		return nil, err
	}
	defer pg.Stop()
	if err := pg.LoadGuides(ctx, c.Metiers); err != nil {
		return nil, err
	}
	var sql strings.Builder
	sql.WriteString("CREATE TABLE raw (n serial PRIMARY KEY, text text);\n")
	for _, q := range queries {
		fmt.Fprintf(&sql, "INSERT INTO raw (text) VALUES (%s);\n", pgpeer.Literal(q))
	}
	sql.WriteString(`CREATE TABLE qs AS SELECT row_number() OVER (ORDER BY n) AS n, q FROM (
  SELECT n, regexp_replace(replace(plainto_tsquery('french', unaccent(text))::text, ' & ', ' | '), '''\s*$', ''':*')::tsquery AS q FROM raw) t
  WHERE numnode(q) > 0;
ALTER TABLE qs ADD PRIMARY KEY (n);
ANALYZE qs;
SELECT count(*) FROM qs;
`)
	out, err := pg.Psql(ctx, sql.String())
	if err != nil {
		return nil, err
	}
	var n int
	if _, err := fmt.Sscan(strings.TrimSpace(out), &n); err != nil || n == 0 {
		return nil, fmt.Errorf("no query for PostgreSQL (%q)", out)
	}
	script := fmt.Sprintf(`\set n random(1, %d)
SELECT id FROM g, (SELECT q FROM qs WHERE n = :n) t WHERE tsv @@ t.q ORDER BY ts_rank(tsv, t.q) DESC LIMIT 10;
`, n)
	res, err := pg.Bench(ctx, script, clients, seconds, cpu)
	if err != nil {
		return nil, err
	}
	return &res, nil
}
