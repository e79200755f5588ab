package config

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// decoder reads viper's loosely typed values (YAML gives strings,
// numbers, booleans, lists and mappings; the environment and flags give
// strings) into the type each key expects, and records one error naming
// the key for every value of another type. viper's own GetString and
// friends turn a list into "" and a number into its digits, which let
// `admin_token: [a]` turn the admin routes off and `corpus: [x]` serve
// the sample corpus without a word.
type decoder struct {
	v    *viper.Viper
	errs []error
}

// wrong records that key holds x where want was expected.
func (d *decoder) wrong(key string, x any, want string) {
	d.errs = append(d.errs, fmt.Errorf("config: %s: got %s, want %s", key, describe(x), want))
}

// bad records that key's value, of the right type, does not parse.
func (d *decoder) bad(key, format string, args ...any) {
	d.errs = append(d.errs, fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...)))
}

// str reads a string key, trimmed. A YAML number or boolean is refused
// rather than spelled out: `admin_token: 0x1F` would otherwise become
// "31", and the reader is better told to quote it.
func (d *decoder) str(key string) string {
	switch x := d.v.Get(key).(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case int, int64, uint64, float64, bool:
		d.wrong(key, x, "a string (quote it)")
	default:
		d.wrong(key, x, "a string")
	}
	return ""
}

// token reads the admin token: a string, where a value of only spaces is
// an error rather than an empty token (which turns the admin routes
// off): whoever wrote it meant to set one.
func (d *decoder) token(key string) string {
	if x, ok := d.v.Get(key).(string); ok && x != "" && strings.TrimSpace(x) == "" {
		d.bad(key, "is blank (only spaces); leave it empty to turn the admin routes off, or set a token")
		return ""
	}
	return d.str(key)
}

// integer reads a whole number that fits in bits bits: a YAML integer,
// a float with no fraction (1e6), or a string of digits (the environment).
func (d *decoder) integer(key string, bits int) int64 {
	lo, hi := int64(math.MinInt64>>(64-bits)), int64(math.MaxInt64>>(64-bits))
	var n int64
	switch x := d.v.Get(key).(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case uint64:
		if x > uint64(hi) {
			d.bad(key, "%d is too large", x)
			return 0
		}
		n = int64(x)
	case float64:
		if x != math.Trunc(x) || x < float64(lo) || x > float64(hi) {
			d.bad(key, "%v is not a whole number", x)
			return 0
		}
		n = int64(x)
	case string:
		s := strings.TrimSpace(x)
		v, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			d.bad(key, "%q is not a whole number", clip(s))
			return 0
		}
		n = v
	default:
		d.wrong(key, x, "a whole number")
		return 0
	}
	if n < lo || n > hi {
		d.bad(key, "%d is too large", n)
		return 0
	}
	return n
}

// number reads a real number. NaN and the infinities are read as they
// are and refused by Validate, which knows the key's range.
func (d *decoder) number(key string) float64 {
	switch x := d.v.Get(key).(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float64:
		return x
	case string:
		s := strings.TrimSpace(x)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			d.bad(key, "%q is not a number", clip(s))
		}
		return f // ±Inf when out of range
	default:
		d.wrong(key, x, "a number")
	}
	return 0
}

// boolean reads true or false (or a string strconv.ParseBool reads).
func (d *decoder) boolean(key string) bool {
	switch x := d.v.Get(key).(type) {
	case bool:
		return x
	case string:
		s := strings.TrimSpace(x)
		b, err := strconv.ParseBool(s)
		if err != nil {
			d.bad(key, "%q is not true or false", clip(s))
		}
		return b
	default:
		d.wrong(key, x, "true or false")
	}
	return false
}

// duration reads a duration written with its unit ("10s", "1m30s"); a
// bare number is refused, since nothing says whether 10 is seconds.
func (d *decoder) duration(key string) time.Duration {
	switch x := d.v.Get(key).(type) {
	case string:
		s := strings.TrimSpace(x)
		t, err := time.ParseDuration(s)
		if err != nil {
			d.bad(key, "%q is not a duration (e.g. 10s)", clip(s))
		}
		return t
	case time.Duration:
		return x
	default:
		d.wrong(key, x, "a duration such as 10s")
	}
	return 0
}

// list reads a list of strings given either as a YAML sequence of
// strings or as a comma-separated string (the environment's form).
func (d *decoder) list(key string) []string {
	var raw []string
	switch x := d.v.Get(key).(type) {
	case nil:
	case []string:
		raw = x
	case []any:
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				d.wrong(fmt.Sprintf("%s[%d]", key, i), e, "a string")
				continue
			}
			raw = append(raw, s)
		}
	case string:
		raw = strings.Split(x, ",")
	default:
		d.wrong(key, x, "a list of strings")
	}
	out := []string{}
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// describe names the type of a YAML value, with the value when short.
func describe(x any) string {
	switch t := x.(type) {
	case []any, []string:
		return "a list"
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return fmt.Sprintf("a mapping (of %s)", clip(strings.Join(keys, ", ")))
	case bool:
		return fmt.Sprintf("a boolean (%v)", t)
	case int, int64, uint64, float64:
		return fmt.Sprintf("a number (%v)", t)
	case string:
		return fmt.Sprintf("%q", clip(t))
	}
	return fmt.Sprintf("a value of type %T", x)
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}
