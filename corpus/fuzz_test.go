package corpus

import (
	"bytes"
	"encoding/json"
	"io/fs"
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

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"title": "Codeur", "salary": {"min": 1, "max": 2}, "criteria": {"a": 0.5}}`))
	f.Add([]byte(`{"title": ""}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseJSON("fuzz.json", data)
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("ParseJSON returned an invalid guide: %v", err)
		}
	})
}
