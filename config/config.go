package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// DefaultIndexDir is where the index lives when nothing says otherwise.
const DefaultIndexDir = "var/index"

// DefaultAddr is the address `metiers serve` listens on by default.
const DefaultAddr = "127.0.0.1:8080"

// Config is the effective configuration of the service, read once in main
// and passed down as plain values.
type Config struct {
	// File is the configuration file that was read, empty when none.
	File string `json:"config_file" yaml:"-"`
	// Corpus is the corpus directory; empty means the embedded sample corpus.
	Corpus string `json:"corpus"`
	// Index is the index directory; empty keeps the index in memory.
	Index string `json:"index"`
	// Addr is the HOST:PORT the HTTP server listens on.
	Addr string `json:"addr"`
	// AdminToken is the bearer token of the admin routes; empty disables them.
	AdminToken string `json:"admin_token"`
	// CORSOrigins are the origins allowed to call the API from a browser
	// (the embeddable widget). "*" allows every origin.
	CORSOrigins []string `json:"cors_origins"`
	// Generations is how many index generations are kept on disk.
	Generations int `json:"generations"`
	// Strict makes a reindex fail when any guide fails to parse.
	Strict bool `json:"strict"`
	// CorpusWatch, when positive, makes `serve` follow the corpus
	// directory: changes are applied once no file has changed for this
	// long. 0 does not watch.
	CorpusWatch time.Duration `json:"corpus_watch"`

	Log     Log     `json:"log"`
	HTTP    HTTP    `json:"http"`
	Search  Search  `json:"search"`
	Ranking Ranking `json:"ranking"`

	// Referential is a ROME 4.0 directory (the layout of
	// ../shared/data/rome4) the guides are linked to; empty: none.
	Referential string `json:"referential"`

	// CriteriaFile overrides the embedded criteria taxonomy (YAML).
	CriteriaFile string `json:"criteria_file"`
	// SynonymsFile overrides the embedded synonym list (YAML).
	SynonymsFile string `json:"synonyms_file"`

	// PublicURL is the site's root as readers reach it
	// ("https://metiers.example.be"): the pages' canonical links, Open
	// Graph addresses, JSON-LD and the sitemap are written from it. Empty,
	// pages link relatively and the sitemap names the address the server
	// listens on, never the Host a request claims.
	PublicURL string `json:"public_url"`
}

// Log configures structured logging.
type Log struct {
	// Format is "text" or "json".
	Format string `json:"format"`
	// Level is "debug", "info", "warn" or "error".
	Level string `json:"level"`
}

// HTTP configures the server's limits.
type HTTP struct {
	// RequestTimeout bounds the time spent on one request.
	RequestTimeout time.Duration `json:"request_timeout"`
	// MaxBodyBytes bounds the size of a request body.
	MaxBodyBytes int64 `json:"max_body_bytes"`
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration `json:"shutdown_timeout"`
	// MaxConnections bounds the connections served at once; the next ones
	// wait in the kernel's queue until one closes.
	MaxConnections int `json:"max_connections"`
}

// Search holds the search defaults.
type Search struct {
	// DefaultSize is the number of hits a page holds when the query does not say.
	DefaultSize int `json:"default_size"`
	// MaxSize is the largest page size a query may ask for.
	MaxSize int `json:"max_size"`
	// CacheSize is how many search and suggest responses are remembered
	// per index generation; 0 turns the cache off.
	CacheSize int `json:"cache_size"`
	// Ranking weighs the stages of the search ranking.
	Ranking SearchRanking `json:"ranking"`
}

// SearchRanking weighs the stages of the search ranking, which run in
// this order (search.Ranking; docs/design.md says what each measures).
// The defaults are search.DefaultRanking's.
type SearchRanking struct {
	Typing      float64 `json:"typing"`
	Words       float64 `json:"words"`
	Exact       float64 `json:"exact"`
	Name        float64 `json:"name"`
	Contained   float64 `json:"contained"`
	Head        float64 `json:"head"`
	Coord       float64 `json:"coord"`
	Description float64 `json:"description"`
	Proximity   float64 `json:"proximity"`
	Text        float64 `json:"text"`
}

// searchStages are the keys of the ranking's stages, in order.
var searchStages = []string{"typing", "words", "exact", "name", "contained", "head", "coord", "description", "proximity", "text"}

// Weights returns the stages' weights by name, in their order.
func (r SearchRanking) Weights() []struct {
	Stage  string
	Weight float64
} {
	vals := []float64{r.Typing, r.Words, r.Exact, r.Name, r.Contained, r.Head, r.Coord, r.Description, r.Proximity, r.Text}
	out := make([]struct {
		Stage  string
		Weight float64
	}, len(vals))
	for i, v := range vals {
		out[i].Stage, out[i].Weight = searchStages[i], v
	}
	return out
}

// Ranking holds the weights of the "métiers similaires" blend.
type Ranking struct {
	// Criteria weighs the similarity of criterion vectors.
	Criteria float64 `json:"criteria"`
	// Text weighs the TF-IDF text similarity.
	Text float64 `json:"text"`
	// Curated weighs a curated "similar" link.
	Curated float64 `json:"curated"`
}

// Redacted returns a copy of c with secrets hidden, for printing.
func (c Config) Redacted() Config {
	if c.AdminToken != "" {
		c.AdminToken = "<redacted>"
	}
	return c
}

// defaults returns the values used when neither a flag, the environment
// nor the file says otherwise.
func defaults() map[string]any {
	return map[string]any{
		"corpus":                "",
		"index":                 DefaultIndexDir,
		"addr":                  DefaultAddr,
		"admin_token":           "",
		"cors_origins":          []string{},
		"generations":           3,
		"strict":                false,
		"corpus_watch":          "0s",
		"log.format":            "text",
		"log.level":             "info",
		"http.request_timeout":  "10s",
		"http.max_body_bytes":   1 << 20,
		"http.shutdown_timeout": "15s",
		"http.max_connections":  1024,
		"search.default_size":   10,
		"search.max_size":       50,
		"search.cache_size":     2000,
		// search.ranking.*: search.DefaultRanking, checked by cmd/metiers.
		"search.ranking.typing":      53.2,
		"search.ranking.words":       0.5,
		"search.ranking.exact":       0.0,
		"search.ranking.name":        4.0,
		"search.ranking.contained":   0.0,
		"search.ranking.head":        0.25,
		"search.ranking.coord":       1.0,
		"search.ranking.description": 0.25,
		"search.ranking.proximity":   0.5,
		"search.ranking.text":        2.0,
		"ranking.criteria":           0.15,
		"ranking.text":               0.85,
		"ranking.curated":            0.5,
		"referential":                "",
		"criteria_file":              "",
		"synonyms_file":              "",
		"public_url":                 "",
	}
}

// flagKeys maps command-line flag names to configuration keys. Flags that
// are not defined on a given command are simply not bound.
func flagKeys() map[string]string {
	return map[string]string{
		"corpus":       "corpus",
		"index":        "index",
		"addr":         "addr",
		"admin-token":  "admin_token",
		"cors-origins": "cors_origins",
		"log-format":   "log.format",
		"log-level":    "log.level",
		"strict":       "strict",
		"watch":        "corpus_watch",
		"referential":  "referential",
		"public-url":   "public_url",
	}
}

// Load reads the configuration: defaults, then the YAML file, then the
// environment (METIERS_*), then the flags that were set on fs, each
// overriding the one before. The file is --config, else METIERS_CONFIG,
// else ./metiers.yaml when it exists. The result is validated; an error
// names the offending key.
func Load(fs *pflag.FlagSet) (Config, error) {
	v := viper.New()
	for k, val := range defaults() {
		v.SetDefault(k, val)
	}
	v.SetEnvPrefix("METIERS")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AllowEmptyEnv(true)
	// Bind every key explicitly so that nested keys and keys absent from
	// the file are still read from the environment.
	for k := range defaults() {
		if err := v.BindEnv(k); err != nil {
			return Config{}, fmt.Errorf("config: bind %s: %w", k, err)
		}
	}

	file := os.Getenv("METIERS_CONFIG")
	if fs != nil {
		if f := fs.Lookup("config"); f != nil && f.Changed {
			file = f.Value.String()
		}
		for name, key := range flagKeys() {
			if f := fs.Lookup(name); f != nil {
				if err := v.BindPFlag(key, f); err != nil {
					return Config{}, fmt.Errorf("config: bind flag --%s: %w", name, err)
				}
			}
		}
	}
	if file == "" {
		if _, err := os.Stat("metiers.yaml"); err == nil {
			file = "metiers.yaml"
		}
	}
	if file != "" {
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("config: read %s: %w", file, err)
		}
		if err := checkKeys(v); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", file, err)
		}
	}

	c, err := decode(v)
	if err != nil {
		return Config{}, err
	}
	c.File = file
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// checkKeys rejects keys of the file that the configuration does not know,
// so that a typo does not silently leave a default in place, and sections
// (log, http, search, ranking) given as something other than a mapping.
// A mapping where a single value belongs (`admin_token: {a: 1}`) is left
// to decode, which says what the key wants.
func checkKeys(v *viper.Viper) error {
	known := defaults()
	sections := map[string][]string{}
	for k := range known {
		if sec, leaf, ok := strings.Cut(k, "."); ok {
			sections[sec] = append(sections[sec], leaf)
		}
	}
	var errs []error
	var unknown []string
	for _, k := range v.AllKeys() {
		if _, ok := known[k]; ok {
			continue
		}
		if leaves, ok := sections[k]; ok {
			sort.Strings(leaves)
			errs = append(errs, fmt.Errorf("%s: got %s, want a section with the keys %s", k, describe(v.Get(k)), strings.Join(leaves, ", ")))
			continue
		}
		if under(known, k) {
			continue
		}
		unknown = append(unknown, k)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		errs = append(errs, fmt.Errorf("unknown key(s): %s", strings.Join(unknown, ", ")))
	}
	return errors.Join(errs...)
}

// under reports whether k lies inside the value of a known single key
// ("admin_token.a" for `admin_token: {a: 1}`).
func under(known map[string]any, k string) bool {
	for i := strings.LastIndexByte(k, '.'); i > 0; i = strings.LastIndexByte(k[:i], '.') {
		if _, ok := known[k[:i]]; ok {
			return true
		}
	}
	return false
}

// decode turns viper's loosely typed values into a Config, naming the key
// of any value of the wrong type.
func decode(v *viper.Viper) (Config, error) {
	d := &decoder{v: v}
	c := Config{
		Corpus:      d.str("corpus"),
		Index:       d.str("index"),
		Addr:        d.str("addr"),
		AdminToken:  d.token("admin_token"),
		CORSOrigins: d.list("cors_origins"),
		Generations: int(d.integer("generations", 32)),
		Strict:      d.boolean("strict"),
		CorpusWatch: d.duration("corpus_watch"),
		Log:         Log{Format: d.str("log.format"), Level: d.str("log.level")},
		HTTP: HTTP{
			RequestTimeout:  d.duration("http.request_timeout"),
			MaxBodyBytes:    d.integer("http.max_body_bytes", 64),
			ShutdownTimeout: d.duration("http.shutdown_timeout"),
			MaxConnections:  int(d.integer("http.max_connections", 32)),
		},
		Search: Search{
			DefaultSize: int(d.integer("search.default_size", 32)),
			MaxSize:     int(d.integer("search.max_size", 32)),
			CacheSize:   int(d.integer("search.cache_size", 32)),
			Ranking: SearchRanking{
				Typing: d.number("search.ranking.typing"), Words: d.number("search.ranking.words"), Exact: d.number("search.ranking.exact"),
				Name: d.number("search.ranking.name"), Contained: d.number("search.ranking.contained"), Head: d.number("search.ranking.head"),
				Coord: d.number("search.ranking.coord"), Description: d.number("search.ranking.description"),
				Proximity: d.number("search.ranking.proximity"), Text: d.number("search.ranking.text"),
			},
		},
		Ranking: Ranking{
			Criteria: d.number("ranking.criteria"),
			Text:     d.number("ranking.text"),
			Curated:  d.number("ranking.curated"),
		},
		Referential:  d.str("referential"),
		CriteriaFile: d.str("criteria_file"),
		SynonymsFile: d.str("synonyms_file"),
		PublicURL:    d.str("public_url"),
	}
	return c, errors.Join(d.errs...)
}

// Validate checks every value and returns an error naming each bad key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...)))
	}
	if err := checkAddr(c.Addr); err != nil {
		bad("addr", "%v", err)
	}
	if c.Corpus != "" {
		if st, err := os.Stat(c.Corpus); err != nil {
			bad("corpus", "%v", err)
		} else if !st.IsDir() {
			bad("corpus", "%s is not a directory", c.Corpus)
		}
	}
	if c.Referential != "" {
		if st, err := os.Stat(c.Referential); err != nil {
			bad("referential", "%v", err)
		} else if !st.IsDir() {
			bad("referential", "%s is not a directory", c.Referential)
		}
	}
	for _, k := range []struct{ key, path string }{{"criteria_file", c.CriteriaFile}, {"synonyms_file", c.SynonymsFile}} {
		if k.path == "" {
			continue
		}
		f, err := os.Open(k.path)
		if err != nil {
			bad(k.key, "%v", err)
			continue
		}
		f.Close()
	}
	if c.CorpusWatch < 0 {
		bad("corpus_watch", "must not be negative, got %s", c.CorpusWatch)
	} else if c.CorpusWatch > 0 && c.Corpus == "" {
		bad("corpus_watch", "needs a corpus directory to watch (corpus is the embedded sample)")
	}
	if c.Generations < 1 {
		bad("generations", "must be at least 1, got %d", c.Generations)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "must be text or json, got %q", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.HTTP.RequestTimeout <= 0 {
		bad("http.request_timeout", "must be positive, got %s", c.HTTP.RequestTimeout)
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		bad("http.shutdown_timeout", "must be positive, got %s", c.HTTP.ShutdownTimeout)
	}
	if c.HTTP.MaxBodyBytes < 1024 {
		bad("http.max_body_bytes", "must be at least 1024, got %d", c.HTTP.MaxBodyBytes)
	}
	if c.HTTP.MaxConnections < 1 || c.HTTP.MaxConnections > 1_000_000 {
		bad("http.max_connections", "must be between 1 and 1000000, got %d", c.HTTP.MaxConnections)
	}
	if c.Search.MaxSize < 1 || c.Search.MaxSize > 1000 {
		bad("search.max_size", "must be between 1 and 1000, got %d", c.Search.MaxSize)
	}
	if c.Search.CacheSize < 0 || c.Search.CacheSize > 1_000_000 {
		bad("search.cache_size", "must be between 0 (no cache) and 1000000, got %d", c.Search.CacheSize)
	}
	if c.Search.DefaultSize < 1 || c.Search.DefaultSize > c.Search.MaxSize {
		bad("search.default_size", "must be between 1 and search.max_size (%d), got %d", c.Search.MaxSize, c.Search.DefaultSize)
	}
	sum := 0.0
	for _, w := range c.Search.Ranking.Weights() {
		if w.Weight < 0 || math.IsNaN(w.Weight) || math.IsInf(w.Weight, 0) {
			bad("search.ranking."+w.Stage, "must be a number of 0 or more, got %g", w.Weight)
		}
		sum += w.Weight
	}
	if sum == 0 {
		bad("search.ranking", "every stage weighs 0: nothing would rank the results")
	}
	for _, w := range []struct {
		key string
		v   float64
	}{{"ranking.criteria", c.Ranking.Criteria}, {"ranking.text", c.Ranking.Text}, {"ranking.curated", c.Ranking.Curated}} {
		switch {
		case math.IsNaN(w.v) || math.IsInf(w.v, 0):
			bad(w.key, "must be a finite number, got %g", w.v)
		case w.v < 0:
			bad(w.key, "must not be negative, got %g", w.v)
		}
	}
	if strings.IndexFunc(c.AdminToken, unicode.IsControl) >= 0 {
		bad("admin_token", "contains a control character, which no Authorization header can carry")
	}
	if c.Ranking.Criteria+c.Ranking.Text == 0 {
		bad("ranking", "ranking.criteria and ranking.text cannot both be 0")
	}
	if c.PublicURL != "" {
		if err := checkPublicURL(c.PublicURL); err != nil {
			bad("public_url", "%v", err)
		}
	}
	for _, o := range c.CORSOrigins {
		if o != "*" && !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			bad("cors_origins", "%q is not an origin such as https://example.org", o)
		}
	}
	return errors.Join(errs...)
}

// checkPublicURL accepts the root of a site: an absolute http or https
// URL with a host, and no path (the pages are served from /), query,
// fragment or user name.
func checkPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", s, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: want an absolute http:// or https:// URL such as https://metiers.example.be", s)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q: no host", s)
	case u.User != nil:
		return fmt.Errorf("%q: a public address carries no user name or password", s)
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("%q: a public address has no query (?…)", s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Errorf("%q: a public address has no fragment (#…)", s)
	case u.Path != "" && u.Path != "/":
		return fmt.Errorf("%q: the pages are served from the root: want %s://%s without the path %s", s, u.Scheme, u.Host, u.Path)
	}
	return nil
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not HOST:PORT: %w", addr, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: port %q is not a number from 0 to 65535", addr, port)
	}
	if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q: bad host %q", addr, host)
	}
	return nil
}
