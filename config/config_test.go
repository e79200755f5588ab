package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// flags returns a flag set shaped like the metiers command's.
func flags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("metiers", pflag.ContinueOnError)
	fs.String("config", "", "")
	fs.String("corpus", "", "")
	fs.String("index", DefaultIndexDir, "")
	fs.String("addr", DefaultAddr, "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

// env sets the METIERS_* variables of m for the test, and clears the
// others, so that the machine's own environment does not leak in.
func env(t *testing.T, m map[string]string) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "METIERS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	for k, v := range m {
		t.Setenv(k, v)
	}
}

func TestDefaults(t *testing.T) {
	env(t, nil)
	t.Chdir(t.TempDir()) // no ./metiers.yaml
	c, err := Load(flags(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Corpus != "" || c.Index != DefaultIndexDir || c.Addr != DefaultAddr {
		t.Errorf("got corpus=%q index=%q addr=%q, want \"\", %q, %q", c.Corpus, c.Index, c.Addr, DefaultIndexDir, DefaultAddr)
	}
	if c.File != "" {
		t.Errorf("got file %q, want none", c.File)
	}
	if c.Search.DefaultSize != 10 || c.HTTP.RequestTimeout != 10*time.Second {
		t.Errorf("got %+v %+v", c.Search, c.HTTP)
	}
}

func TestGoodFiles(t *testing.T) {
	env(t, nil)
	full, err := Load(flags(t, "--config", "testdata/good/full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		File:        "testdata/good/full.yaml",
		Index:       "/tmp/metiers-index",
		Addr:        "0.0.0.0:9090",
		AdminToken:  "s3cret",
		CORSOrigins: []string{"https://orientation.example.be", "http://localhost:3000"},
		Generations: 5,
		Strict:      true,
		Log:         Log{Format: "json", Level: "debug"},
		HTTP:        HTTP{RequestTimeout: 5 * time.Second, MaxBodyBytes: 65536, ShutdownTimeout: 20 * time.Second, MaxConnections: 200},
		Search: Search{DefaultSize: 20, MaxSize: 100, CacheSize: 0, Ranking: SearchRanking{
			Typing: 12, Words: 0.5, Exact: 0, Name: 4, Contained: 0, Head: 0.25, Coord: 1, Description: 0.25, Proximity: 0, Text: 2,
		}},
		Ranking: Ranking{Criteria: 0.6, Text: 0.4, Curated: 1},
	}
	if !reflect.DeepEqual(full, want) {
		t.Errorf("got  %+v\nwant %+v", full, want)
	}

	mem, err := Load(flags(t, "--config", "testdata/good/empty-index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if mem.Index != "" {
		t.Errorf("got index %q, want empty (in memory)", mem.Index)
	}

	ref, err := Load(flags(t, "--config", "testdata/good/referential.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if ref.Referential != "testdata" {
		t.Errorf("got referential %q, want testdata", ref.Referential)
	}
	env(t, map[string]string{"METIERS_REFERENTIAL": "testdata/good"})
	fromEnv, err := Load(flags(t, "--config", "testdata/good/referential.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if fromEnv.Referential != "testdata/good" {
		t.Errorf("METIERS_REFERENTIAL: got referential %q, want testdata/good", fromEnv.Referential)
	}
}

func TestBadFiles(t *testing.T) {
	env(t, nil)
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".err")
			if err != nil {
				t.Fatal(err)
			}
			_, err = Load(flags(t, "--config", f))
			if err == nil {
				t.Fatalf("got no error, want %q", want)
			}
			if !strings.Contains(err.Error(), strings.TrimSpace(string(want))) {
				t.Errorf("got %q, want it to contain %q", err, strings.TrimSpace(string(want)))
			}
		})
	}
}

// TestPrecedence checks flags > environment > file > defaults, key by key.
func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "metiers.yaml")
	corpusFile, corpusEnv, corpusFlag := t.TempDir(), t.TempDir(), t.TempDir()
	yaml := "corpus: " + corpusFile + "\nindex: from-file\naddr: 127.0.0.1:1111\nadmin_token: file-token\ncors_origins: [https://file.example]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(Config) string
	}{
		{"file beats defaults", []string{"--config", file}, nil, func(c Config) string {
			return c.Corpus + "|" + c.Index + "|" + c.Addr + "|" + c.AdminToken
		}},
		{"env beats file", []string{"--config", file}, map[string]string{
			"METIERS_CORPUS": corpusEnv, "METIERS_INDEX": "from-env", "METIERS_ADDR": "127.0.0.1:2222", "METIERS_ADMIN_TOKEN": "env-token",
		}, func(c Config) string { return c.Corpus + "|" + c.Index + "|" + c.Addr + "|" + c.AdminToken }},
		{"flags beat env", []string{"--config", file, "--corpus", corpusFlag, "--index", "from-flag", "--addr", "127.0.0.1:3333"}, map[string]string{
			"METIERS_CORPUS": corpusEnv, "METIERS_INDEX": "from-env", "METIERS_ADDR": "127.0.0.1:2222", "METIERS_ADMIN_TOKEN": "env-token",
		}, func(c Config) string { return c.Corpus + "|" + c.Index + "|" + c.Addr + "|" + c.AdminToken }},
		{"config file from env", nil, map[string]string{"METIERS_CONFIG": file}, func(c Config) string { return c.File + "|" + c.Index }},
		{"empty flag keeps the index in memory", []string{"--config", file, "--index", ""}, map[string]string{"METIERS_INDEX": "from-env"},
			func(c Config) string { return "[" + c.Index + "]" }},
		{"empty env keeps the index in memory", []string{"--config", file}, map[string]string{"METIERS_INDEX": ""},
			func(c Config) string { return "[" + c.Index + "]" }},
		{"cors origins from env, comma separated", []string{"--config", file}, map[string]string{"METIERS_CORS_ORIGINS": "https://a.example, https://b.example"},
			func(c Config) string { return strings.Join(c.CORSOrigins, ";") }},
	}
	wants := []string{
		corpusFile + "|from-file|127.0.0.1:1111|file-token",
		corpusEnv + "|from-env|127.0.0.1:2222|env-token",
		corpusFlag + "|from-flag|127.0.0.1:3333|env-token",
		file + "|from-file",
		"[]",
		"[]",
		"https://a.example;https://b.example",
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env(t, tt.env)
			c, err := Load(flags(t, tt.args...))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(c); got != wants[i] {
				t.Errorf("got %q, want %q", got, wants[i])
			}
		})
	}
}

func TestRedacted(t *testing.T) {
	c := Config{AdminToken: "s3cret"}
	if got := c.Redacted().AdminToken; got != "<redacted>" {
		t.Errorf("got %q, want <redacted>", got)
	}
	if c.AdminToken != "s3cret" {
		t.Error("Redacted changed the original")
	}
}

// TestExampleFile keeps metiers.example.yaml loadable: it documents every
// key with its default.
func TestExampleFile(t *testing.T) {
	env(t, nil)
	c, err := Load(flags(t, "--config", "../metiers.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	d, err := Load(flags(t))
	if err != nil {
		t.Fatal(err)
	}
	d.File = c.File
	if !reflect.DeepEqual(c, d) {
		t.Errorf("the example file does not state the defaults:\n got  %+v\n want %+v", c, d)
	}
}

// TestPublicURL reads public_url from the file, METIERS_PUBLIC_URL and
// --public-url, and keeps the forms of a site's root.
func TestPublicURL(t *testing.T) {
	file := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(file, []byte("public_url: https://file.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withFlag := func(args ...string) *pflag.FlagSet {
		fs := flags(t)
		fs.String("public-url", "", "")
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return fs
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		fs   *pflag.FlagSet
		want string
	}{
		{"file", nil, withFlag("--config", file), "https://file.example"},
		{"env beats file", map[string]string{"METIERS_PUBLIC_URL": "http://env.example:8080/"}, withFlag("--config", file), "http://env.example:8080/"},
		{"flag beats env", map[string]string{"METIERS_PUBLIC_URL": "http://env.example"}, withFlag("--config", file, "--public-url", "https://flag.example"), "https://flag.example"},
		{"an IP and a port", map[string]string{"METIERS_PUBLIC_URL": "http://192.0.2.7:8080"}, withFlag(), "http://192.0.2.7:8080"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env(t, tt.env)
			t.Chdir(t.TempDir())
			c, err := Load(tt.fs)
			if err != nil {
				t.Fatal(err)
			}
			if c.PublicURL != tt.want {
				t.Errorf("got public_url %q, want %q", c.PublicURL, tt.want)
			}
		})
	}
	for _, bad := range []string{"//metiers.example", "ftp://metiers.example", "https://", "https://u:p@metiers.example", "https://metiers.example#top", "https://metiers.example?", "javascript:alert(1)"} {
		t.Run("bad "+bad, func(t *testing.T) {
			env(t, map[string]string{"METIERS_PUBLIC_URL": bad})
			t.Chdir(t.TempDir())
			_, err := Load(flags(t))
			checkNamed(t, err, "public_url")
		})
	}
}
