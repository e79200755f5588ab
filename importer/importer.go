// Package importer turns public French occupation referentials into guides
// in the structured format: ONISEP's Idéo-Fiches métiers and France
// Travail's ROME 4.0. It maps every field that has a place in a
// corpus.Metier, keeps source identifiers and curated links, and writes
// one JSON file per guide.
package importer

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/metiers/metiers/corpus"
)

// Options configures an import.
type Options struct {
	// NoLinks leaves the curated links out (for evaluating "similaires").
	NoLinks bool
}

// Warning is a record left out of an import, and why.
type Warning struct {
	File   string
	Line   int
	Reason string
}

func (w Warning) String() string { return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Reason) }

// Result is an import: the guides and the records left out.
type Result struct {
	Metiers  []*corpus.Metier
	Warnings []Warning
}

// readJSONL decodes each line of a JSON Lines file with fn; a malformed
// line is an error naming the file and the line.
func readJSONL(path string, fn func(line int, raw []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		raw := sc.Bytes()
		if len(strings.TrimSpace(string(raw))) == 0 {
			continue
		}
		if err := fn(n, raw); err != nil {
			return fmt.Errorf("importer: %s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("importer: %s: %w", path, err)
	}
	if n == 0 {
		return fmt.Errorf("importer: %s: empty file", path)
	}
	return nil
}

// assignIDs gives every guide a unique slug id: the slug of its title,
// suffixed with its source id when two titles collide.
func assignIDs(ms []*corpus.Metier) {
	count := map[string]int{}
	for _, m := range ms {
		count[corpus.Slug(m.Title)]++
	}
	for _, m := range ms {
		id := corpus.Slug(m.Title)
		if count[id] > 1 {
			id = id + "-" + corpus.Slug(m.SourceID)
		}
		m.ID = id
	}
}

// linesOf splits a text of the derived files into paragraphs, dropping
// "## " and "### " headings; headings are returned apart.
func linesOf(text string) (paras, heads []string) {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
		case strings.HasPrefix(l, "#"):
			heads = append(heads, strings.TrimSpace(strings.TrimLeft(l, "#")))
		default:
			paras = append(paras, strings.TrimSpace(strings.TrimPrefix(l, "- ")))
		}
	}
	return paras, heads
}

// slashForms turns "contrôleur/euse aérien/ne" into its masculine form
// "contrôleur aérien".
var slashRe = regexp.MustCompile(`(\p{L})/\p{L}+`)

func masculine(s string) string { return strings.TrimSpace(slashRe.ReplaceAllString(s, "$1")) }

// amountRe matches a euro amount: "1 900 €", "1900 euros", "2 000€".
var amountRe = regexp.MustCompile(`(\d{1,3}(?:[\s\x{a0}\x{202f}.]\d{3})+|\d{3,6})\s*(?:€|euros?)`)

// startingSalary reads the monthly gross amounts of a salary text: the
// first one (and a second for a range), annual amounts divided by 12,
// implausible ones ignored.
func startingSalary(text string) (lo, hi int) {
	annual := strings.Contains(strings.ToLower(text), "par an") || strings.Contains(strings.ToLower(text), "annuel")
	var vals []int
	for _, m := range amountRe.FindAllStringSubmatch(text, 4) {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, m[1])
		v, err := strconv.Atoi(digits)
		if err != nil {
			continue
		}
		if annual && v > 12000 {
			v /= 12
		}
		if v >= 800 && v <= 20000 {
			vals = append(vals, v)
		}
	}
	switch len(vals) {
	case 0:
		return 0, 0
	case 1:
		return vals[0], vals[0]
	}
	lo, hi = vals[0], vals[1]
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi
}

// finish normalizes, validates and sorts an import.
func finish(res *Result, file string) error {
	assignIDs(res.Metiers)
	var bad []string
	for _, m := range res.Metiers {
		m.Normalize()
		if err := m.Validate(); err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", m.SourceID, err))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("importer: %s: %d invalid guides, first: %s", file, len(bad), bad[0])
	}
	sort.Slice(res.Metiers, func(i, j int) bool { return res.Metiers[i].ID < res.Metiers[j].ID })
	return nil
}
