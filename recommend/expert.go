package recommend

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/metiers/metiers/corpus"
	"github.com/metiers/metiers/rome"
)

// Link is a ROME sheet a guide is linked to.
type Link struct {
	Code string `json:"code"`
	// Label is the sheet's title, empty when the referential does not
	// know the code (or none is loaded).
	Label string `json:"label"`
	// Origin is "given" (the guide's rome_codes) or "suggested" (matched
	// by the engine on the guide's titles and text).
	Origin string `json:"origin"`
	// Score is the match's confidence, 1 for a given code.
	Score float64 `json:"score"`
}

// Origins of a link.
const (
	OriginGiven     = "given"
	OriginSuggested = "suggested"
)

// sheetWeight is one linked sheet and its share of the guide's profile
// (the shares of a guide's sheets add up to 1).
type sheetWeight struct {
	sheet *rome.Sheet
	w     float64
}

// link finds every guide's sheets: its given codes, else the matcher's
// suggestions (when there is a matcher), on every core.
func (r *Recommender) link(ctx context.Context, matcher *rome.Matcher) error {
	n := len(r.metiers)
	r.links = make([][]Link, n)
	r.sheets = make([][]sheetWeight, n)
	return onEveryCore(ctx, n, func() func(int) {
		return func(i int) { r.links[i], r.sheets[i] = linkOne(r.metiers[i], matcher) }
	})
}

// linkOne is one guide's links and the shares of its known sheets.
func linkOne(m *corpus.Metier, matcher *rome.Matcher) ([]Link, []sheetWeight) {
	var links []Link
	if len(m.RomeCodes) > 0 {
		for _, c := range m.RomeCodes {
			links = append(links, Link{Code: c, Origin: OriginGiven, Score: 1})
		}
	} else if matcher != nil {
		for _, s := range matcher.Suggest(matchQuery(m)) {
			links = append(links, Link{Code: s.Code, Origin: OriginSuggested, Score: s.Score})
		}
	}
	if matcher == nil {
		return links, nil
	}
	ref := matcher.Referential()
	var sheets []sheetWeight
	var total float64
	for k := range links {
		if s := ref.Sheet(links[k].Code); s != nil {
			links[k].Label = s.Title
			sheets = append(sheets, sheetWeight{s, links[k].Score})
			total += links[k].Score
		}
	}
	for k := range sheets {
		sheets[k].w /= total
	}
	return links, sheets
}

// matchQuery is what a guide says of itself to be linked to sheets.
func matchQuery(m *corpus.Metier) rome.Query {
	titles := append([]string{m.Title, m.TitleFeminine}, m.AltTitles...)
	text := make([]string, 0, 2+len(m.Missions))
	text = append(text, m.Tagline, m.Introduction)
	text = append(text, m.Missions...)
	return rome.Query{Titles: titles, Text: strings.Join(text, "\n")}
}

// label is a label of a family criterion and its weight for a guide.
type label struct {
	text string
	w    float64
}

// labelsOf returns the labels a guide carries for a family source.
func labelsOf(m *corpus.Metier, sheets []sheetWeight, source string) []label {
	var out []label
	own := func(ls []string) {
		for _, l := range ls {
			out = append(out, label{l, 1})
		}
	}
	switch source {
	case "interests":
		own(m.Interests)
	case "sectors":
		own(m.Sectors)
	case "domains":
		for _, d := range m.Domains {
			dom, _, _ := strings.Cut(d, "/")
			out = append(out, label{strings.TrimSpace(dom), 1})
		}
	case "subdomains":
		for _, d := range m.Domains {
			if _, sub, ok := strings.Cut(d, "/"); ok && strings.TrimSpace(sub) != "" {
				out = append(out, label{strings.TrimSpace(sub), 1})
			}
		}
	}
	for _, s := range sheets {
		switch source {
		case "rome_interests":
			for _, x := range s.sheet.Interests {
				out = append(out, label{x.Label, s.w * mainWeight(x.Main)})
			}
		case "rome_domains":
			out = append(out, label{s.sheet.GrandDomaine.Label, s.w})
		case "rome_subdomains":
			out = append(out, label{s.sheet.Domaine.Label, s.w})
		case "rome_sectors":
			for _, x := range s.sheet.Sectors {
				out = append(out, label{x.Label, s.w * mainWeight(x.Main)})
				if x.SubSector != "" {
					out = append(out, label{x.SubSector, s.w * 0.7})
				}
			}
		case "rome_themes":
			for _, x := range s.sheet.Themes {
				out = append(out, label{x, s.w})
			}
		}
	}
	kept := out[:0]
	for _, l := range out {
		if strings.TrimSpace(l.text) != "" {
			kept = append(kept, label{strings.TrimSpace(l.text), l.w})
		}
	}
	return kept
}

// mainWeight is how much a sheet's main interest or sector counts
// against its others.
func mainWeight(main bool) float64 {
	if main {
		return 1
	}
	return 0.7
}

// expand returns the corpus's taxonomy: the static criteria (textonly
// ones only when no guide carries a domain of its own) and a criterion
// for every label of every family found in the corpus and its sheets,
// each family's labels by how many guides carry them.
func expand(t *Taxonomy, metiers []*corpus.Metier, sheets [][]sheetWeight) *Taxonomy {
	out := *t
	out.Criteria = nil
	type found struct {
		text   string
		guides int
		// rome is true when only the linked sheets carry the label.
		rome bool
	}
	families := make([][]found, len(t.Families))
	domains := false
	for f, fam := range t.Families {
		count := map[string]int{}
		own := map[string]bool{}
		for i, m := range metiers {
			seen := map[string]bool{}
			for _, src := range fam.Sources {
				for _, l := range labelsOf(m, sheets[i], src) {
					if !strings.HasPrefix(src, "rome_") {
						own[l.text] = true
					}
					if !seen[l.text] {
						seen[l.text] = true
						count[l.text]++
					}
				}
			}
		}
		for text, n := range count {
			families[f] = append(families[f], found{text, n, !own[text]})
		}
		sort.Slice(families[f], func(a, b int) bool {
			x, y := families[f][a], families[f][b]
			if x.guides != y.guides {
				return x.guides > y.guides
			}
			return x.text < y.text
		})
		if len(count) > 0 && fam.ID != "interet" && fam.ID != "theme" {
			domains = true
		}
	}
	ids := map[string]bool{}
	for _, c := range t.Criteria {
		if c.TextOnly && domains {
			continue
		}
		out.Criteria = append(out.Criteria, c)
		ids[c.ID] = true
	}
	for f, fam := range t.Families {
		for _, l := range families[f] {
			id := familyID(fam.ID, l.text, ids)
			ids[id] = true
			// ROME's own vocabulary, beside a source's, is a group of its
			// own in the similarity: the two speak of the same things with
			// other words and other grain.
			group := fam.Group
			if l.rome && t.Similarity[group+romeGroup] > 0 {
				group += romeGroup
			}
			out.Criteria = append(out.Criteria, Criterion{
				ID: id, Label: readable(l.text), Description: fam.Label, Group: group, Weight: 1,
				Question: strings.ReplaceAll(fam.Question, "{label}", statement(fam, l.text)),
				Family:   fam.ID, Source: l.text,
			})
		}
	}
	return &out
}

// romeGroup suffixes the group of the labels only ROME sheets carry.
const romeGroup = "_rome"

// familyID is a family criterion's id: the family and the slug of the
// label, cut to a readable length, numbered when two labels meet.
func familyID(family, text string, taken map[string]bool) string {
	s := corpus.Slug(text)
	if len(s) > 48 {
		s = s[:48]
		if i := strings.LastIndexByte(s, '-'); i > 20 {
			s = s[:i]
		}
	}
	id := family + "_" + s
	for n := 2; taken[id]; n++ {
		id = family + "_" + s + "-" + strconv.Itoa(n)
	}
	return id
}

// readable gives a label a capital letter (ONISEP writes « j'aime la
// nature »).
func readable(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// statement is how a label reads inside its family's quiz statement: an
// interest is a statement of its own (« J'aime la nature. »).
func statement(f Family, text string) string {
	if f.Question == "{label}" {
		s := readable(text)
		if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") {
			s += "."
		}
		return s
	}
	return text
}
