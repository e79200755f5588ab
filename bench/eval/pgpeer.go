package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/metiers/metiers/corpus"
)

// The PostgreSQL peer of known-item search: full-text search with the
// `french` configuration and `unaccent`, the title at weight A and the
// body at weight C, ranked by ts_rank, in a throwaway cluster driven with
// the psql client (no Go driver for a benchmark peer). Two query forms
// are run: every word required (plainto_tsquery, what a site gets from
// the textbook recipe) and any word (the same lexemes OR-ed, which a
// long job title needs to find anything).

// pgForms are the query forms, by name: a tsquery built from $q.
var pgForms = []struct{ name, tsquery string }{
	{"PostgreSQL FTS (all words)", "plainto_tsquery('french', unaccent($q))"},
	{"PostgreSQL FTS (any word)", "replace(plainto_tsquery('french', unaccent($q))::text, ' & ', ' | ')::tsquery"},
}

// pgBin finds the directory of the PostgreSQL server binaries.
func pgBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries (Debian: apt-get install postgresql postgresql-contrib)")
}

// pgCluster is a throwaway PostgreSQL server on a Unix socket.
type pgCluster struct {
	bin, dir, port string
	asUser         string // run the server as this user ("" = ourselves)
}

// command runs a PostgreSQL program, as the cluster's user when set.
func (c *pgCluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	prog := filepath.Join(c.bin, name)
	if c.asUser != "" {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", c.asUser, "--", prog}, args...)...)
	}
	return exec.CommandContext(ctx, prog, args...)
}

func startPG(ctx context.Context) (*pgCluster, error) {
	bin, err := pgBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "metiers-pgpeer-")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin, dir: dir, port: strconv.Itoa(40000 + os.Getpid()%20000)}
	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		c.asUser = "postgres"
	}
	data := filepath.Join(dir, "data")
	if out, err := c.command(ctx, "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale").CombinedOutput(); err != nil {
		c.stop()
		return nil, fmt.Errorf("initdb: %v: %s", err, lastLine(out))
	}
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -p %s -c fsync=off", dir, c.port)
	if out, err := c.command(ctx, "pg_ctl", "-D", data, "-o", opts, "-w", "-t", "60", "-l", filepath.Join(dir, "log"), "start").CombinedOutput(); err != nil {
		c.stop()
		return nil, fmt.Errorf("pg_ctl start: %v: %s", err, lastLine(out))
	}
	return c, nil
}

func (c *pgCluster) stop() {
	data := filepath.Join(c.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		c.command(context.Background(), "pg_ctl", "-D", data, "-m", "immediate", "stop").Run()
	}
	os.RemoveAll(c.dir)
}

// psql runs a script in one session and returns its unaligned output.
func (c *pgCluster) psql(ctx context.Context, script string) (string, error) {
	path := filepath.Join(c.dir, "script.sql")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
		"-h", c.dir, "-p", c.port, "-U", "postgres", "-d", "postgres", "-f", path)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("psql: %v: %s", err, lastLine(errb.Bytes()))
	}
	return out.String(), nil
}

// pgLiteral quotes a string for SQL.
func pgLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// pgCopyField escapes a value for COPY's text format.
func pgCopyField(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(s)
}

// pgPeer loads the guides into a throwaway cluster and runs every query
// in both forms, returning the figures by form name.
func pgPeer(ctx context.Context, ms []*corpus.Metier, qs []query) (map[string]SearchFigures, time.Duration, error) {
	start := time.Now()
	c, err := startPG(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer c.stop()
	var docs strings.Builder
	for _, m := range ms {
		// The same text as the plain bleve peer.
		body := strings.Join(append([]string{m.Tagline, m.Introduction, m.Conditions, m.Studies}, append(m.Missions, m.Qualities...)...), "\n")
		fmt.Fprintf(&docs, "%s\t%s\t%s\n", pgCopyField(m.ID), pgCopyField(m.Title+" "+m.TitleFeminine), pgCopyField(body))
	}
	docsPath := filepath.Join(c.dir, "docs.tsv")
	if err := os.WriteFile(docsPath, []byte(docs.String()), 0o644); err != nil {
		return nil, 0, err
	}
	var sql strings.Builder
	sql.WriteString("CREATE EXTENSION unaccent;\n")
	sql.WriteString("CREATE TABLE g (id text PRIMARY KEY, title text, body text, tsv tsvector);\n")
	fmt.Fprintf(&sql, "\\copy g (id, title, body) FROM %s\n", pgLiteral(docsPath))
	sql.WriteString("UPDATE g SET tsv = setweight(to_tsvector('french', unaccent(title)), 'A') || setweight(to_tsvector('french', unaccent(body)), 'C');\n")
	sql.WriteString("CREATE INDEX ON g USING gin (tsv);\nANALYZE g;\n")
	for f, form := range pgForms {
		for i, q := range qs {
			tsq := strings.ReplaceAll(form.tsquery, "$q", pgLiteral(q.text))
			fmt.Fprintf(&sql, "SELECT %d, %d, coalesce(string_agg(id, ' ' ORDER BY r DESC, id), '') FROM (SELECT id, ts_rank(tsv, t.q) AS r FROM g, (SELECT %s AS q) t WHERE tsv @@ t.q ORDER BY r DESC, id LIMIT 10) s;\n", f, i, tsq)
		}
	}
	out, err := c.psql(ctx, sql.String())
	if err != nil {
		return nil, 0, err
	}
	figs := make([]SearchFigures, len(pgForms))
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			continue
		}
		f, err1 := strconv.Atoi(parts[0])
		i, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil || f >= len(figs) || i >= len(qs) {
			continue
		}
		for rank, id := range strings.Fields(parts[2]) {
			if qs[i].relevant[id] {
				figs[f].MRR10 += 1 / float64(rank+1)
				figs[f].Recall++
				break
			}
		}
	}
	res := map[string]SearchFigures{}
	for f, form := range pgForms {
		fig := figs[f]
		fig.Queries = len(qs)
		if len(qs) > 0 {
			fig.MRR10 /= float64(len(qs))
			fig.Recall /= float64(len(qs))
		}
		res[form.name+" / as typed"] = fig
	}
	return res, time.Since(start), nil
}

// lastLine returns the first line of an error report (psql's ERROR
// line, before its context and caret), else its last line.
func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines {
		if strings.Contains(l, "ERROR") || strings.Contains(l, "FATAL") {
			return strings.TrimSpace(l)
		}
	}
	return lines[len(lines)-1]
}
