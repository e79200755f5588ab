package recommend

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sort"

	"gopkg.in/yaml.v3"
)

//go:embed criteria.yaml
var defaultCriteria []byte

// Cue is a French phrase whose presence in a section speaks for (or,
// with a negative weight, against) a criterion.
type Cue struct {
	Phrase string  `yaml:"phrase" json:"phrase"`
	Weight float64 `yaml:"weight" json:"weight"`
}

// Criterion is one dimension of a guide's criterion vector.
type Criterion struct {
	ID          string `yaml:"id" json:"id"`
	Label       string `yaml:"label" json:"label"`
	Description string `yaml:"description" json:"description"`
	// Group is the criterion's family in the similarity of two guides
	// (interets, niveau, conditions, and one per family of labels).
	Group  string  `yaml:"group" json:"group"`
	Weight float64 `yaml:"weight" json:"weight"`
	// Question is the statement a reader is asked to agree with, on the
	// five-point scale (the quizzes' questions).
	Question string `yaml:"question" json:"question"`
	// Numeric names a parsed field the value comes from: study_years,
	// salary or demand.
	Numeric string `yaml:"numeric,omitempty" json:"numeric,omitempty"`
	// RIASEC is the letter of the linked ROME sheets that sets the value.
	RIASEC string `yaml:"riasec,omitempty" json:"-"`
	// Rome lists the ROME work contexts that set the value (1 when a
	// linked sheet lists one of them, 0 when it lists none).
	Rome []string `yaml:"rome,omitempty" json:"-"`
	// TextOnly criteria exist only in a corpus whose guides carry no
	// domain of their own.
	TextOnly bool `yaml:"textonly,omitempty" json:"-"`
	// Family is the id of the family of a label criterion, and Source
	// the label as its sources write it (empty for the others).
	Family string `yaml:"-" json:"family,omitempty"`
	Source string `yaml:"-" json:"-"`
	// Sections are where cues are looked for.
	Sections []string `yaml:"sections,omitempty" json:"-"`
	Cues     []Cue    `yaml:"cues,omitempty" json:"-"`
}

// Family makes a criterion of each label its sources carry.
type Family struct {
	ID    string `yaml:"id" json:"id"`
	Label string `yaml:"label" json:"label"`
	Group string `yaml:"group" json:"group"`
	// Sources name the guide fields and linked-sheet fields read.
	Sources []string `yaml:"sources" json:"sources"`
	// Question is the quiz statement, {label} standing for the label.
	Question string `yaml:"question" json:"question"`
	// Alternatives: the family files a guide under one label or two (a
	// domain, a speciality, a sector), so « yes » to several of its
	// labels is met by a guide under any of them. Interests are not: a
	// reader who loves animals and nature wants both.
	Alternatives bool `yaml:"alternatives" json:"alternatives,omitempty"`
}

// Taxonomy is the list of criteria, the families of label criteria a
// corpus adds to them, and how values become tags and similarities.
type Taxonomy struct {
	// Saturation is the cue sum at which a value reaches 1 - 1/e.
	Saturation float64 `yaml:"saturation"`
	// TagThreshold is the value from which a criterion is a tag of a guide.
	TagThreshold float64 `yaml:"tag_threshold"`
	// Families are expanded into criteria for each corpus.
	Families []Family `yaml:"families"`
	// Similarity weighs each group in the criteria similarity of two
	// guides; "fiche" weighs the kinship of their ROME sheets.
	Similarity map[string]float64 `yaml:"similarity"`
	Criteria   []Criterion        `yaml:"criteria"`
}

// sectionNames are the sections a cue may be looked for in.
var sectionNames = map[string]bool{
	"title": true, "tagline": true, "introduction": true, "studies": true, "qualities": true, "conditions": true,
	"missions": true, "tools": true, "facts": true, "pros": true, "cons": true, "tips": true,
	"self_assessment": true, "faq": true, "workplaces": true, "interests": true, "sectors": true,
}

var numericSources = map[string]bool{"study_years": true, "salary": true, "demand": true}

// familySources are the fields a family may read its labels from.
var familySources = map[string]bool{
	"interests": true, "domains": true, "subdomains": true, "sectors": true,
	"rome_interests": true, "rome_domains": true, "rome_subdomains": true, "rome_sectors": true, "rome_themes": true,
}

// groupFiche is the similarity weight's name for the ROME sheets' kinship.
const groupFiche = "fiche"

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
	groups := map[string]bool{groupFiche: true}
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
		case c.Numeric == "" && len(c.Cues) == 0 && c.RIASEC == "" && len(c.Rome) == 0:
			errs = append(errs, fmt.Errorf("criterion %s: neither numeric, expert nor cues", c.ID))
		case c.RIASEC != "" && (len(c.RIASEC) != 1 || !bytes.ContainsAny([]byte("RIASEC"), c.RIASEC)):
			errs = append(errs, fmt.Errorf("criterion %s: riasec %q is not one of R, I, A, S, E, C", c.ID, c.RIASEC))
		case c.Group == "":
			errs = append(errs, fmt.Errorf("criterion %s: no group", c.ID))
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
		groups[c.Group] = true
	}
	famSeen := map[string]bool{}
	for _, f := range t.Families {
		switch {
		case f.ID == "" || f.Label == "" || f.Group == "":
			errs = append(errs, fmt.Errorf("family %q: id, label and group are required", f.ID))
		case famSeen[f.ID]:
			errs = append(errs, fmt.Errorf("family %s: duplicate id", f.ID))
		case len(f.Sources) == 0:
			errs = append(errs, fmt.Errorf("family %s: no sources", f.ID))
		}
		for _, s := range f.Sources {
			if !familySources[s] {
				errs = append(errs, fmt.Errorf("family %s: unknown source %q", f.ID, s))
			}
		}
		famSeen[f.ID] = true
		groups[f.Group] = true
		groups[f.Group+romeGroup] = true
	}
	for g, w := range t.Similarity {
		switch {
		case !groups[g]:
			errs = append(errs, fmt.Errorf("similarity: unknown group %q", g))
		case w < 0:
			errs = append(errs, fmt.Errorf("similarity: negative weight for %s", g))
		}
	}
	if len(t.Similarity) == 0 {
		t.Similarity = map[string]float64{}
		for g := range groups {
			t.Similarity[g] = 1
		}
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

// groups returns the groups of the criteria, in a stable order.
func (t *Taxonomy) groups() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range t.Criteria {
		if !seen[c.Group] {
			seen[c.Group] = true
			out = append(out, c.Group)
		}
	}
	sort.Strings(out)
	return out
}
