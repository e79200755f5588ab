package corpus

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"reflect"
	"testing"
)

func FuzzParseText(f *testing.F) {
	files, _ := fs.Glob(Sample(), "*.txt")
	for _, name := range files {
		data, _ := fs.ReadFile(Sample(), name)
		f.Add(data)
		// Shorter seeds fuzz faster: the head of each page, cut at a line.
		if i := bytes.LastIndexByte(data[:min(len(data), 3000)], '\n'); i > 0 {
			f.Add(data[:i])
		}
	}
	f.Add([]byte("X : Le Guide Complet du Métier en Belgique\nSalaire\n1-2€\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseText("fuzz.txt", data)
		if err != nil {
			return
		}
		if m.Title == "" {
			t.Fatal("a parsed guide must have a title")
		}
		if _, err := json.Marshal(m); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseJSON checks that every guide ParseJSON accepts survives a
// round trip: encoded as JSON and parsed again, it is the same guide. A
// field the encoder drops or spells otherwise, a normalization that is
// not idempotent, a value that parses but does not encode back, all fail.
func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"title": "Codeur", "salary": {"min": 1, "max": 2}, "criteria": {"a": 0.5}}`))
	f.Add([]byte(`{"title": ""}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{"title": " Médecin ", "alt_titles": [" a ", ""], "study_years": 1e-7, "criteria": {"b": 1}}`))
	files, _ := fs.Glob(Sample(), "*.txt")
	for _, name := range files {
		data, _ := fs.ReadFile(Sample(), name)
		if m, err := ParseText(name, data); err == nil {
			if b, err := json.Marshal(m); err == nil {
				f.Add(b) // every field of a real guide
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseJSON("fuzz.json", data)
		if err != nil {
			return
		}
		enc, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("a parsed guide does not encode: %v", err)
		}
		again, err := ParseJSON("again.json", enc)
		if err != nil {
			t.Fatalf("an encoded guide does not parse again: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(m, again) {
			t.Fatalf("round trip changed the guide:\n first %+v\n again %+v", m, again)
		}
	})
}
