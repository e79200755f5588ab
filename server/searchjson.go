package server

import (
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/metiers/metiers/search"
)

// A search answer is written by hand rather than by encoding/json: its
// reflection, the sorting of each highlight map's keys and the copy
// Marshal returns were a tenth of the server's time on uncached job-title
// searches (2026-12-02). The bytes are exactly encoding/json's (field
// order, map keys sorted, HTML characters escaped, floats as ES6 numbers,
// nil slices and maps as null): a test compares them on real answers and
// on hostile strings. An answer it cannot write the same way (an
// explanation, a NaN) is left to encoding/json.

// searchBody is the JSON of GET /api/search: the response and its facets
// again as filters.
type searchBody struct {
	*search.Response
	Filters []facetGroup `json:"filters"`
}

var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// appendSearchBody appends b's JSON to dst, or reports false when only
// encoding/json can write it as it would.
func appendSearchBody(dst []byte, b searchBody) ([]byte, bool) {
	res := b.Response
	if res == nil {
		return dst, false
	}
	dst = append(dst, `{"total":`...)
	dst = strconv.AppendUint(dst, res.Total, 10)
	dst = append(dst, `,"took_ms":`...)
	var ok bool
	if dst, ok = appendFloat(dst, res.TookMS); !ok {
		return dst, false
	}
	dst = append(dst, `,"page":`...)
	dst = strconv.AppendInt(dst, int64(res.Page), 10)
	dst = append(dst, `,"size":`...)
	dst = strconv.AppendInt(dst, int64(res.Size), 10)
	dst = append(dst, `,"hits":`...)
	if res.Hits == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range res.Hits {
			h := &res.Hits[i]
			if h.Explain != nil {
				return dst, false
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"id":`...)
			dst = appendString(dst, h.ID)
			dst = append(dst, `,"title":`...)
			dst = appendString(dst, h.Title)
			dst = append(dst, `,"title_feminine":`...)
			dst = appendString(dst, h.TitleFeminine)
			dst = append(dst, `,"tagline":`...)
			dst = appendString(dst, h.Tagline)
			dst = append(dst, `,"score":`...)
			if dst, ok = appendFloat(dst, h.Score); !ok {
				return dst, false
			}
			dst = append(dst, `,"highlights":`...)
			dst = appendMap(dst, h.Highlights, func(dst []byte, vs []string) []byte { return appendList(dst, vs, appendString) })
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"facets":`...)
	dst = appendMap(dst, res.Facets, func(dst []byte, vs []search.FacetValue) []byte {
		return appendList(dst, vs, func(dst []byte, v search.FacetValue) []byte {
			dst = append(dst, `{"value":`...)
			dst = appendString(dst, v.Value)
			dst = append(dst, `,"count":`...)
			dst = strconv.AppendInt(dst, int64(v.Count), 10)
			return append(dst, '}')
		})
	})
	dst = append(dst, `,"filters":`...)
	dst = appendList(dst, b.Filters, func(dst []byte, g facetGroup) []byte {
		dst = append(dst, `{"name":`...)
		dst = appendString(dst, g.Name)
		dst = append(dst, `,"label":`...)
		dst = appendString(dst, g.Label)
		dst = append(dst, `,"values":`...)
		dst = appendList(dst, g.Values, func(dst []byte, o facetOption) []byte {
			dst = append(dst, `{"label":`...)
			dst = appendString(dst, o.Label)
			dst = append(dst, `,"count":`...)
			dst = strconv.AppendInt(dst, int64(o.Count), 10)
			dst = append(dst, `,"key":`...)
			dst = appendString(dst, o.Key)
			dst = append(dst, `,"value":`...)
			dst = appendString(dst, o.Value)
			dst = append(dst, `,"selected":`...)
			dst = strconv.AppendBool(dst, o.Selected)
			return append(dst, '}')
		})
		return append(dst, '}')
	})
	return append(dst, '}'), true
}

// appendList appends a JSON array of vs, each written by f; null for nil.
func appendList[T any](dst []byte, vs []T, f func([]byte, T) []byte) []byte {
	if vs == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = f(dst, v)
	}
	return append(dst, ']')
}

// appendMap appends a JSON object of m, keys sorted, each value written by
// f; null for nil.
func appendMap[V any](dst []byte, m map[string]V, f func([]byte, V) []byte) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	// A hit's highlights are four fields, the facets four: sorted on
	// the stack.
	var buf [8]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = f(dst, m[k])
	}
	return append(dst, '}')
}

// appendFloat writes f as encoding/json does (ES6 number formatting), or
// reports false for NaN and infinities, which it refuses.
func appendFloat(dst []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, false
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, true
}

const hexDigits = "0123456789abcdef"

// appendString writes s quoted as encoding/json does with HTML escaping:
// <, > and & as \u00XX, control characters escaped, invalid UTF-8 as
// U+FFFD, U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsonSafe marks the ASCII bytes encoding/json writes as they are when it
// escapes HTML: printable ones but ", \, <, > and &.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = true
	}
	for _, b := range `"\<>&` {
		t[b] = false
	}
	return t
}()
