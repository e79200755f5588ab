package recommend

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

//go:embed criteria.yaml
var defaultCriteria []byte

//go:embed quiz.yaml
var defaultQuiz []byte

// Cue is a French phrase whose presence in a section speaks for (or,
// with a negative weight, against) a criterion.
type Cue struct {
	Phrase string  `yaml:"phrase" json:"phrase"`
	Weight float64 `yaml:"weight" json:"weight"`
}

// Criterion is one dimension of a guide's criterion vector.
type Criterion struct {
	ID          string  `yaml:"id" json:"id"`
	Label       string  `yaml:"label" json:"label"`
	Description string  `yaml:"description" json:"description"`
	Group       string  `yaml:"group" json:"group"`
	Weight      float64 `yaml:"weight" json:"weight"`
	// Question asks a reader about the criterion (per-guide quizzes of
	// guides without their own auto-évaluation).
	Question string `yaml:"question" json:"question"`
	// Numeric names a parsed field the value comes from: study_years,
	// salary or demand.
	Numeric string `yaml:"numeric,omitempty" json:"numeric,omitempty"`
	// Sections are where cues are looked for.
	Sections []string `yaml:"sections,omitempty" json:"-"`
	Cues     []Cue    `yaml:"cues,omitempty" json:"-"`
}

// Taxonomy is the list of criteria and how values become tags.
type Taxonomy struct {
	// Saturation is the cue sum at which a value reaches 1 - 1/e.
	Saturation float64 `yaml:"saturation"`
	// TagThreshold is the value from which a criterion is a tag of a guide.
	TagThreshold float64     `yaml:"tag_threshold"`
	Criteria     []Criterion `yaml:"criteria"`
}

// sectionNames are the sections a cue may be looked for in.
var sectionNames = map[string]bool{
	"title": true, "tagline": true, "introduction": true, "studies": true, "qualities": true, "conditions": true,
	"missions": true, "tools": true, "facts": true, "pros": true, "cons": true, "tips": true,
	"self_assessment": true, "faq": true, "workplaces": true,
}

var numericSources = map[string]bool{"study_years": true, "salary": true, "demand": true}

// DefaultTaxonomy returns the embedded taxonomy (recommend/criteria.yaml).
func DefaultTaxonomy() *Taxonomy {
	t, err := parseTaxonomy(defaultCriteria)
	if err != nil {
		panic(fmt.Sprintf("recommend: embedded criteria.yaml: %v", err)) // tested
	}
	return t
}

// LoadTaxonomy reads a taxonomy from a YAML file shaped like criteria.yaml.
func LoadTaxonomy(path string) (*Taxonomy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("recommend: criteria: %w", err)
	}
	t, err := parseTaxonomy(data)
	if err != nil {
		return nil, fmt.Errorf("recommend: criteria %s: %w", path, err)
	}
	return t, nil
}

func parseTaxonomy(data []byte) (*Taxonomy, error) {
	var t Taxonomy
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		return nil, err
	}
	if t.Saturation <= 0 {
		t.Saturation = 2.5
	}
	if t.TagThreshold <= 0 || t.TagThreshold >= 1 {
		t.TagThreshold = 0.5
	}
	var errs []error
	seen := map[string]bool{}
	for i, c := range t.Criteria {
		switch {
		case c.ID == "" || c.Label == "":
			errs = append(errs, fmt.Errorf("criterion %d: id and label are required", i+1))
		case seen[c.ID]:
			errs = append(errs, fmt.Errorf("criterion %s: duplicate id", c.ID))
		case c.Weight < 0:
			errs = append(errs, fmt.Errorf("criterion %s: negative weight", c.ID))
		case c.Numeric != "" && !numericSources[c.Numeric]:
			errs = append(errs, fmt.Errorf("criterion %s: unknown numeric source %q", c.ID, c.Numeric))
		case c.Numeric == "" && len(c.Cues) == 0:
			errs = append(errs, fmt.Errorf("criterion %s: neither numeric nor cues", c.ID))
		}
		for _, s := range c.Sections {
			if !sectionNames[s] {
				errs = append(errs, fmt.Errorf("criterion %s: unknown section %q", c.ID, s))
			}
		}
		if c.Weight == 0 {
			t.Criteria[i].Weight = 1
		}
		seen[c.ID] = true
	}
	if len(t.Criteria) == 0 {
		errs = append(errs, errors.New("no criteria"))
	}
	return &t, errors.Join(errs...)
}

// index returns the position of each criterion id.
func (t *Taxonomy) index() map[string]int {
	m := make(map[string]int, len(t.Criteria))
	for i, c := range t.Criteria {
		m[c.ID] = i
	}
	return m
}
