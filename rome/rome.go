package rome

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// SheetsFile is the file of sheets Load reads, one JSON object per line
// (the layout of ../shared/data/rome4, see its SOURCE.md).
const SheetsFile = "rome4_fiches.jsonl"

// interestsFile, under raw/, holds the definitions of the centres
// d'intérêt; Load reads it when present.
const interestsFile = "raw/unix_centre_interet_v460_utf8.csv"

// ErrNotReferential means a directory holds no ROME sheets file.
var ErrNotReferential = errors.New("not a ROME referential")

// Label is a coded label of the referential (a domain, a sector).
type Label struct {
	Code  string `json:"code"`
	Label string `json:"libelle"`
}

// Interest is one of a sheet's centres d'intérêt; Main marks the one the
// referential lists first for the sheet.
type Interest struct {
	Label string `json:"libelle"`
	Main  bool   `json:"principal"`
}

// Sector is one of a sheet's sectors of activity, with its sub-sector.
type Sector struct {
	Label     string `json:"libelle"`
	SubSector string `json:"sous_secteur"`
	Main      bool   `json:"principal"`
}

// Context is one work context of a sheet (« Travail de nuit »), with its
// type (« Horaires et durée du travail »).
type Context struct {
	Type  string `json:"type"`
	Label string `json:"libelle"`
}

// Sheet is one occupation sheet (« fiche métier ») of the referential.
type Sheet struct {
	Code   string `json:"code_rome"`
	Parent string `json:"code_rome_parent"`
	// Title is the sheet's title, both genders (« Conducteur / Conductrice
	// d'engins agricoles »).
	Title        string `json:"libelle"`
	GrandDomaine Label  `json:"grand_domaine"`
	Domaine      Label  `json:"domaine_professionnel"`
	// Definition and Access are the sheet's texts, sentences joined by
	// newlines.
	Definition   string     `json:"definition"`
	Access       string     `json:"acces_metier"`
	Appellations []string   `json:"appellations"`
	RIASECMajor  string     `json:"riasec_majeur"`
	RIASECMinor  string     `json:"riasec_mineur"`
	Interests    []Interest `json:"centres_interet"`
	Sectors      []Sector   `json:"secteurs_activite"`
	Themes       []string   `json:"thematiques"`
	Contexts     []Context  `json:"contextes_travail"`
	Skills       []string   `json:"savoir_faire"`
	CoreSkills   []string   `json:"savoir_faire_coeur_metier"`
	SoftSkills   []string   `json:"savoir_etre"`
	Knowledge    []string   `json:"savoirs"`
	// Mobilities are the codes of the sheets the referential proposes as
	// career moves from this one, in its order.
	Mobilities []string `json:"mobilites"`
	Cadre      string   `json:"emploi_cadre"`
	Regulated  string   `json:"emploi_reglemente"`
}

// Referential is a loaded ROME: its sheets by code. It is immutable.
type Referential struct {
	// Dir is where it was read from.
	Dir string
	// Digest identifies the files read (a hash of their bytes).
	Digest string
	sheets []*Sheet
	byCode map[string]*Sheet
	// interests holds each centre d'intérêt's definition by label.
	interests map[string]string
}

var codeRe = regexp.MustCompile(`^[A-N][0-9]{4}$`)

// Load reads the referential under dir. A malformed line, a sheet with no
// code or title, a duplicate code or a mobilité to an unknown sheet is an
// error naming the file and line.
func Load(dir string) (*Referential, error) {
	path := filepath.Join(dir, SheetsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("rome: %s: %w (no %s)", dir, ErrNotReferential, SheetsFile)
	}
	if err != nil {
		return nil, fmt.Errorf("rome: %w", err)
	}
	h := sha256.New()
	h.Write(data)
	r, err := parse(path, data)
	if err != nil {
		return nil, err
	}
	r.Dir = dir
	if b, err := os.ReadFile(filepath.Join(dir, interestsFile)); err == nil {
		h.Write(b)
		if r.interests, err = parseInterests(b); err != nil {
			return nil, fmt.Errorf("rome: %s: %w", filepath.Join(dir, interestsFile), err)
		}
	}
	r.Digest = hex.EncodeToString(h.Sum(nil))
	return r, nil
}

// parse reads the sheets of a JSON Lines file.
func parse(name string, data []byte) (*Referential, error) {
	r := &Referential{byCode: map[string]*Sheet{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	lines := map[string]int{}
	n := 0
	for sc.Scan() {
		n++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var s Sheet
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("rome: %s:%d: %w", name, n, err)
		}
		s.Code = strings.TrimSpace(s.Code)
		s.Title = strings.TrimSpace(s.Title)
		switch {
		case !codeRe.MatchString(s.Code):
			return nil, fmt.Errorf("rome: %s:%d: code %q is not a ROME code (a letter and four digits)", name, n, s.Code)
		case s.Title == "":
			return nil, fmt.Errorf("rome: %s:%d: sheet %s has no title", name, n, s.Code)
		case r.byCode[s.Code] != nil:
			return nil, fmt.Errorf("rome: %s:%d: sheet %s already on line %d", name, n, s.Code, lines[s.Code])
		}
		s.RIASECMajor = strings.ToUpper(strings.TrimSpace(s.RIASECMajor))
		s.RIASECMinor = strings.ToUpper(strings.TrimSpace(s.RIASECMinor))
		lines[s.Code] = n
		r.byCode[s.Code] = &s
		r.sheets = append(r.sheets, &s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("rome: %s: %w", name, err)
	}
	if len(r.sheets) == 0 {
		return nil, fmt.Errorf("rome: %s: no sheet", name)
	}
	for _, s := range r.sheets {
		for _, c := range s.Mobilities {
			if r.byCode[c] == nil {
				return nil, fmt.Errorf("rome: %s:%d: sheet %s: mobilité to unknown sheet %q", name, lines[s.Code], s.Code, c)
			}
		}
	}
	sort.Slice(r.sheets, func(i, j int) bool { return r.sheets[i].Code < r.sheets[j].Code })
	return r, nil
}

// parseInterests reads the centres d'intérêt's definitions (CSV: code,
// label, definition).
func parseInterests(data []byte) (map[string]string, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	out := map[string]string{}
	for line := 0; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if line == 0 || len(rec) < 3 {
			continue
		}
		out[strings.TrimSpace(rec[1])] = strings.Join(strings.Fields(rec[2]), " ")
	}
}

// Sheets returns every sheet, by code.
func (r *Referential) Sheets() []*Sheet { return r.sheets }

// Sheet returns the sheet of a code, or nil.
func (r *Referential) Sheet(code string) *Sheet { return r.byCode[code] }

// Len returns the number of sheets.
func (r *Referential) Len() int { return len(r.sheets) }

// InterestDefinition returns the referential's definition of a centre
// d'intérêt, empty when it has none.
func (r *Referential) InterestDefinition(label string) string { return r.interests[label] }

// WithoutMobilities returns a copy whose sheets list no mobilité: for
// evaluating « métiers similaires » against those very links.
func (r *Referential) WithoutMobilities() *Referential {
	c := &Referential{Dir: r.Dir, Digest: r.Digest + "-nomob", byCode: make(map[string]*Sheet, len(r.sheets)), interests: r.interests}
	for _, s := range r.sheets {
		cp := *s
		cp.Mobilities = nil
		c.sheets = append(c.sheets, &cp)
		c.byCode[cp.Code] = &cp
	}
	return c
}
