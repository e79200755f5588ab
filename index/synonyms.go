package index

import (
	_ "embed"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed synonyms.yaml
var defaultSynonyms []byte

// SynonymGroup is a set of equivalent forms ("INAMI", "RIZIV", …).
type SynonymGroup []string

// DefaultSynonyms returns the embedded domain synonyms.
func DefaultSynonyms() []SynonymGroup {
	g, err := parseSynonyms(defaultSynonyms)
	if err != nil {
		panic(fmt.Sprintf("index: embedded synonyms.yaml: %v", err)) // tested
	}
	return g
}

// LoadSynonyms reads synonym groups from a YAML file shaped like the
// embedded synonyms.yaml.
func LoadSynonyms(path string) ([]SynonymGroup, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("index: synonyms: %w", err)
	}
	g, err := parseSynonyms(data)
	if err != nil {
		return nil, fmt.Errorf("index: synonyms %s: %w", path, err)
	}
	return g, nil
}

func parseSynonyms(data []byte) ([]SynonymGroup, error) {
	var doc struct {
		Groups [][]string `yaml:"groups"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	out := make([]SynonymGroup, 0, len(doc.Groups))
	for i, g := range doc.Groups {
		var clean SynonymGroup
		for _, f := range g {
			if f = strings.TrimSpace(f); f != "" {
				clean = append(clean, f)
			}
		}
		if len(clean) < 2 {
			return nil, fmt.Errorf("group %d: want at least two forms, got %v", i+1, g)
		}
		out = append(out, clean)
	}
	return out, nil
}
