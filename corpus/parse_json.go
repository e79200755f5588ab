package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ParseJSON reads one guide in the structured format: a JSON object with
// exactly the fields of Metier. Unknown fields are errors, so that a typo
// in a CMS export is caught. The result is normalized and validated.
func ParseJSON(name string, data []byte) (*Metier, error) {
	if !utf8.Valid(data) {
		return nil, fileErr(name, invalidUTF8Line(data), ErrInvalidUTF8)
	}
	m, err := decodeOne(data)
	if err != nil {
		return nil, fileErr(name, jsonErrorLine(data, err), err)
	}
	if err := m.Validate(); err != nil {
		return nil, fileErr(name, 0, err)
	}
	return m, nil
}

// ParseJSONL reads one guide per line. It returns every good guide and an
// error that joins one FileError per bad line.
func ParseJSONL(name string, data []byte) ([]*Metier, error) {
	var (
		out  []*Metier
		errs []error
	)
	for n, raw := range bytes.Split(data, []byte("\n")) {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		if !utf8.Valid(raw) {
			errs = append(errs, fileErr(name, n+1, ErrInvalidUTF8))
			continue
		}
		m, err := decodeOne(raw)
		if err == nil {
			err = m.Validate()
		}
		if err != nil {
			errs = append(errs, fileErr(name, n+1, err))
			continue
		}
		out = append(out, m)
	}
	return out, errors.Join(errs...)
}

// decodeOne decodes a single JSON object into a normalized Metier.
func decodeOne(data []byte) (*Metier, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Metier
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("json: empty document")
		}
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("json: more than one value (use .jsonl for many guides)")
	}
	m.Normalize()
	return &m, nil
}

// jsonErrorLine finds the line of a JSON syntax or type error.
func jsonErrorLine(data []byte, err error) int {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	var off int64 = -1
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	default:
		// "json: unknown field \"x\"" carries no offset: find the key.
		if _, field, ok := strings.Cut(err.Error(), "unknown field "); ok {
			off = int64(bytes.Index(data, []byte(field)))
		}
	}
	if off < 0 {
		return 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}
