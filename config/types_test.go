package config

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// leaf is one key of Config, found by walking the struct's json tags.
type leaf struct {
	key string
	typ reflect.Type
}

// leaves lists every key of Config, nested sections as "section.key";
// fields not read from the file (yaml:"-") are left out.
func leaves(t reflect.Type, prefix string) []leaf {
	var out []leaf
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("yaml") == "-" {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Type.Kind() == reflect.Struct {
			out = append(out, leaves(f.Type, prefix+name+".")...)
			continue
		}
		out = append(out, leaf{prefix + name, f.Type})
	}
	return out
}

// yamlFor writes key: value, nesting a "section.key".
func yamlFor(key, value string) string {
	if sec, k, ok := strings.Cut(key, "."); ok {
		return sec + ":\n  " + k + ": " + value + "\n"
	}
	return key + ": " + value + "\n"
}

// wrongYAML returns values of another type than typ, as YAML.
func wrongYAML(typ reflect.Type) []string {
	common := []string{"{a: 1}", "[x]"}
	switch {
	case typ == reflect.TypeOf(time.Duration(0)):
		return append(common, "5", "true", "x", `"-"`, "[10s]")
	case typ.Kind() == reflect.String:
		return append(common, "5", "0x1F", "1.5", "true", "[]")
	case typ.Kind() == reflect.Slice:
		return []string{"{a: 1}", "5", "true", "[5]", "[[a]]", "[{a: 1}]"}
	case typ.Kind() == reflect.Int, typ.Kind() == reflect.Int64:
		return append(common, "x", "1.5", "true", `"12abc"`, "99999999999999999999999", "[3]")
	case typ.Kind() == reflect.Bool:
		return append(common, "x", "5", `"maybe"`, "[true]")
	case typ.Kind() == reflect.Float64:
		return append(common, "x", "true", ".nan", ".inf", "-.inf", "1e400", "[0.5]")
	}
	return nil
}

// wrongEnv returns values no METIERS_* variable of type typ may hold;
// any string is a string, so string keys have none (the admin token's
// blank value is checked apart).
func wrongEnv(typ reflect.Type) []string {
	switch {
	case typ == reflect.TypeOf(time.Duration(0)):
		return []string{"5", "x"}
	case typ.Kind() == reflect.Int, typ.Kind() == reflect.Int64:
		return []string{"x", "1.5", "1e3x", "99999999999999999999999"}
	case typ.Kind() == reflect.Bool:
		return []string{"x", "5"}
	case typ.Kind() == reflect.Float64:
		return []string{"x", "NaN", "Inf", "-Inf", "1e400"}
	}
	return nil
}

// checkNamed fails unless err is set and every line of it names key.
func checkNamed(t *testing.T, err error, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one naming %s", key)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.Contains(line, "config: "+key) && !strings.Contains(line, ": "+key+":") {
			t.Errorf("error line %q does not name %s (whole error: %q)", line, key, err)
		}
	}
}

// TestEveryKeyIsKnown keeps defaults() (the keys Load reads) and the
// fields of Config the same set, so that the tests below reach every key.
func TestEveryKeyIsKnown(t *testing.T) {
	var fields, keys []string
	for _, l := range leaves(reflect.TypeOf(Config{}), "") {
		fields = append(fields, l.key)
	}
	for k := range defaults() {
		keys = append(keys, k)
	}
	sort.Strings(fields)
	sort.Strings(keys)
	if !reflect.DeepEqual(fields, keys) {
		t.Errorf("Config's fields and defaults() differ:\n fields %v\n keys   %v", fields, keys)
	}
}

// TestEveryKeyWrongType gives each key of Config, in the file, values of
// every other YAML type (and NaN or infinite numbers): each must stop
// the start with a message naming that key.
func TestEveryKeyWrongType(t *testing.T) {
	env(t, nil)
	dir := t.TempDir()
	n := 0
	for _, l := range leaves(reflect.TypeOf(Config{}), "") {
		values := wrongYAML(l.typ)
		if len(values) == 0 {
			t.Errorf("%s: no wrong values for type %s: add them to wrongYAML", l.key, l.typ)
		}
		for i, val := range values {
			t.Run(l.key+"="+val, func(t *testing.T) {
				file := filepath.Join(dir, strings.ReplaceAll(l.key, ".", "-")+"-"+string(rune('a'+i))+".yaml")
				if err := os.WriteFile(file, []byte(yamlFor(l.key, val)), 0o644); err != nil {
					t.Fatal(err)
				}
				_, err := Load(flags(t, "--config", file))
				checkNamed(t, err, l.key)
			})
			n++
		}
	}
	t.Logf("%d wrong values over %d keys", n, len(defaults()))
}

// TestEveryKeyWrongEnv does the same through METIERS_* variables, the
// names the README promises (METIERS_<SECTION>_<KEY>).
func TestEveryKeyWrongEnv(t *testing.T) {
	for _, l := range leaves(reflect.TypeOf(Config{}), "") {
		name := "METIERS_" + strings.ToUpper(strings.ReplaceAll(l.key, ".", "_"))
		for _, val := range wrongEnv(l.typ) {
			t.Run(name+"="+val, func(t *testing.T) {
				env(t, map[string]string{name: val})
				t.Chdir(t.TempDir())
				_, err := Load(flags(t))
				checkNamed(t, err, l.key)
			})
		}
	}
	t.Run("METIERS_ADMIN_TOKEN=blank", func(t *testing.T) {
		env(t, map[string]string{"METIERS_ADMIN_TOKEN": " \t "})
		t.Chdir(t.TempDir())
		_, err := Load(flags(t))
		checkNamed(t, err, "admin_token")
	})
}

// TestSectionWrongType gives each section a value that is not a mapping.
func TestSectionWrongType(t *testing.T) {
	env(t, nil)
	dir := t.TempDir()
	for _, sec := range []string{"log", "http", "search", "ranking"} {
		for i, val := range []string{"5", "[x]", "text", "true"} {
			t.Run(sec+"="+val, func(t *testing.T) {
				file := filepath.Join(dir, sec+string(rune('a'+i))+".yaml")
				if err := os.WriteFile(file, []byte(sec+": "+val+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				_, err := Load(flags(t, "--config", file))
				if err == nil || !strings.Contains(err.Error(), sec+": got ") || !strings.Contains(err.Error(), "want a section") {
					t.Errorf("got %v, want an error saying %s is a section", err, sec)
				}
			})
		}
	}
}

// TestRightTypesStillLoad keeps the forms a reader writes: a quoted
// number for a number, an integral float for a whole number, values
// from the environment.
func TestRightTypesStillLoad(t *testing.T) {
	env(t, map[string]string{"METIERS_SEARCH_MAX_SIZE": " 40 ", "METIERS_RANKING_TEXT": "0.8", "METIERS_STRICT": "true", "METIERS_HTTP_REQUEST_TIMEOUT": "3s"})
	file := filepath.Join(t.TempDir(), "m.yaml")
	yaml := "admin_token: \"0x1F\"\ngenerations: \"4\"\nhttp:\n  max_body_bytes: 1e6\nranking:\n  criteria: 1\ncors_origins: https://a.example, https://b.example\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(flags(t, "--config", file))
	if err != nil {
		t.Fatal(err)
	}
	got := []any{c.AdminToken, c.Generations, c.HTTP.MaxBodyBytes, c.Ranking.Criteria, c.Search.MaxSize, c.Ranking.Text, c.Strict, c.HTTP.RequestTimeout, len(c.CORSOrigins)}
	want := []any{"0x1F", 4, int64(1000000), 1.0, 40, 0.8, true, 3 * time.Second, 2}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
