// Package pgpeer runs PostgreSQL as a benchmark peer: a throwaway
// cluster on a Unix socket, driven by the psql and pgbench clients (no
// Go driver for a peer), for bench/eval's relevance figures and
// bench/load's throughput in the same run as metiers.
package pgpeer

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

// pgBin finds the directory of the PostgreSQL server binaries.
func bin() (string, error) {
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

// Cluster is a throwaway PostgreSQL server on a Unix socket.
type Cluster struct {
	bin, dir, port string
	asUser         string // run the server as this user ("" = ourselves)
}

// command runs a PostgreSQL program, as the cluster's user when set.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	prog := filepath.Join(c.bin, name)
	if c.asUser != "" {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", c.asUser, "--", prog}, args...)...)
	}
	return exec.CommandContext(ctx, prog, args...)
}

// Start starts a throwaway cluster (as the postgres user when run as
// root), with fsync off: a benchmark peer, not a store.
func Start(ctx context.Context) (*Cluster, error) {
	bin, err := bin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "metiers-pgpeer-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, dir: dir, port: strconv.Itoa(40000 + os.Getpid()%20000)}
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
		c.Stop()
		return nil, fmt.Errorf("initdb: %v: %s", err, lastLine(out))
	}
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -p %s -c fsync=off", dir, c.port)
	if out, err := c.command(ctx, "pg_ctl", "-D", data, "-o", opts, "-w", "-t", "60", "-l", filepath.Join(dir, "log"), "start").CombinedOutput(); err != nil {
		c.Stop()
		return nil, fmt.Errorf("pg_ctl start: %v: %s", err, lastLine(out))
	}
	return c, nil
}

// Stop stops the cluster and removes its files.
func (c *Cluster) Stop() {
	data := filepath.Join(c.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		c.command(context.Background(), "pg_ctl", "-D", data, "-m", "immediate", "stop").Run()
	}
	os.RemoveAll(c.dir)
}

// Psql runs a script in one session and returns its unaligned output.
func (c *Cluster) Psql(ctx context.Context, script string) (string, error) {
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

// Literal quotes a string for SQL.
func Literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// CopyField escapes a value for COPY's text format.
func CopyField(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(s)
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

// Dir is the directory of the cluster's files: scripts and data files
// for it may be written there.
func (c *Cluster) Dir() string { return c.dir }

// BenchResult is what one pgbench run measured.
type BenchResult struct {
	Transactions int     `json:"transactions"`
	TPS          float64 `json:"tps"`
	P50ms        float64 `json:"p50_ms"`
	P99ms        float64 `json:"p99_ms"`
	// ServerCPUms is the CPU time (user and system) of the backends
	// that served the run, per transaction: the postmaster's reaped
	// children's, read before and after (0 when unreadable).
	ServerCPUms float64 `json:"server_cpu_ms_per_transaction,omitempty"`
}

// Bench runs a pgbench script with clients connections for seconds, its
// one thread pinned to cpu (-1: not pinned), and reads every
// transaction's latency from pgbench's log.
func (c *Cluster) Bench(ctx context.Context, script string, clients, seconds, cpu int) (BenchResult, error) {
	path := filepath.Join(c.dir, "bench.sql")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		return BenchResult{}, err
	}
	logDir, err := os.MkdirTemp(c.dir, "pgbench-")
	if err != nil {
		return BenchResult{}, err
	}
	os.Chmod(logDir, 0o777)
	args := []string{"-n", "-c", strconv.Itoa(clients), "-j", "1", "-T", strconv.Itoa(seconds), "-f", path, "-l", "--log-prefix", filepath.Join(logDir, "tx"),
		"-h", c.dir, "-p", c.port, "-U", "postgres", "postgres"}
	name := filepath.Join(c.bin, "pgbench")
	if _, err := os.Stat(name); err != nil {
		name = "pgbench"
	}
	if cpu >= 0 {
		args = append([]string{"-c", strconv.Itoa(cpu), name}, args...)
		name = "taskset"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = logDir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	postmaster := c.postmasterPID()
	cpu0, cpuErr := ProcessCPU(postmaster, true)
	if err := cmd.Run(); err != nil {
		return BenchResult{}, fmt.Errorf("pgbench: %v: %s", err, lastLine(errb.Bytes()))
	}
	// The backends exit once pgbench closes its connections; the
	// postmaster reaps them within moments.
	time.Sleep(500 * time.Millisecond)
	cpu1, err := ProcessCPU(postmaster, true)
	if err != nil {
		cpuErr = err
	}
	var lat []float64
	logs, _ := filepath.Glob(filepath.Join(logDir, "tx*"))
	for _, l := range logs {
		b, err := os.ReadFile(l)
		if err != nil {
			return BenchResult{}, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) < 3 {
				continue
			}
			if us, err := strconv.ParseFloat(f[2], 64); err == nil {
				lat = append(lat, us/1000)
			}
		}
	}
	if len(lat) == 0 {
		return BenchResult{}, fmt.Errorf("pgbench: no transaction logged: %s", lastLine(out.Bytes()))
	}
	sort.Float64s(lat)
	res := BenchResult{Transactions: len(lat), TPS: float64(len(lat)) / float64(seconds), P50ms: lat[len(lat)/2], P99ms: lat[len(lat)*99/100]}
	if cpuErr == nil {
		res.ServerCPUms = float64((cpu1 - cpu0).Microseconds()) / 1000 / float64(len(lat))
	}
	return res, nil
}

// postmasterPID returns the cluster's postmaster's process id, 0 when
// unknown.
func (c *Cluster) postmasterPID() int {
	b, err := os.ReadFile(filepath.Join(c.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}

// ProcessCPU returns the CPU time (user and system) a process has used,
// with children that of its children it has waited for (a postmaster's
// exited backends), from /proc/<pid>/stat (Linux).
func ProcessCPU(pid int, children bool) (time.Duration, error) {
	if pid <= 0 {
		return 0, errors.New("ProcessCPU: no process")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name (in parentheses, which may hold
	// spaces) start with the 3rd, state: utime, stime, cutime and
	// cstime are the 14th to 17th.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("ProcessCPU: unexpected /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return 0, errors.New("ProcessCPU: unexpected /proc stat")
	}
	n := 2
	if children {
		n = 4
	}
	var ticks int64
	for _, v := range f[11 : 11+n] {
		t, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += t
	}
	// Clock ticks: USER_HZ is 100 on every Linux Go supports.
	return time.Duration(ticks) * (time.Second / 100), nil
}

// LoadGuides creates table g (id, title, body, tsv) of the guides with a
// GIN index: the title at weight A and the body (tagline, introduction,
// conditions, studies, missions, qualities) at weight C, analysed with
// the `french` configuration after `unaccent`.
func (c *Cluster) LoadGuides(ctx context.Context, ms []*corpus.Metier) error {
	var docs strings.Builder
	for _, m := range ms {
		body := strings.Join(append([]string{m.Tagline, m.Introduction, m.Conditions, m.Studies}, append(m.Missions, m.Qualities...)...), "\n")
		fmt.Fprintf(&docs, "%s\t%s\t%s\n", CopyField(m.ID), CopyField(m.Title+" "+m.TitleFeminine), CopyField(body))
	}
	path := filepath.Join(c.dir, "docs.tsv")
	if err := os.WriteFile(path, []byte(docs.String()), 0o644); err != nil {
		return err
	}
	var sql strings.Builder
	sql.WriteString("CREATE EXTENSION unaccent;\n")
	sql.WriteString("CREATE TABLE g (id text PRIMARY KEY, title text, body text, tsv tsvector);\n")
	fmt.Fprintf(&sql, "\\copy g (id, title, body) FROM %s\n", Literal(path))
	sql.WriteString("UPDATE g SET tsv = setweight(to_tsvector('french', unaccent(title)), 'A') || setweight(to_tsvector('french', unaccent(body)), 'C');\n")
	sql.WriteString("CREATE INDEX ON g USING gin (tsv);\nANALYZE g;\n")
	_, err := c.Psql(ctx, sql.String())
	return err
}
