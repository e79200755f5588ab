package server

import (
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/metiers/metiers/corpus"
)

// French typography of the pages: a no-break space before « € » and
// inside « », a narrow no-break space between thousands (as fr-BE
// writes them).
const (
	nbsp       = "\u00a0"
	narrowNbsp = "\u202f"
)

// display capitalises the first letter of a title for display: ONISEP
// writes its titles in lower case (« accessoiriste »). The data keeps
// them as they come; only what the reader sees changes.
func display(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// frenchSpacing sets a source's text in French typography for display: a
// no-break space inside « » and before ; : ! ? (so a line never starts
// with the sign), and no space before a full stop or a comma (ONISEP
// writes « À partir du Smic . » where a link once stood). The data keeps
// the text as it comes; only what the reader sees changes.
func frenchSpacing(s string) string {
	if !strings.ContainsAny(s, "«»;:!?.,") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if unicode.IsSpace(r) && r != '\n' {
			j := i
			for j < len(rs) && unicode.IsSpace(rs[j]) && rs[j] != '\n' {
				j++
			}
			var next, prev rune
			if j < len(rs) {
				next = rs[j]
			}
			if i > 0 {
				prev = rs[i-1]
			}
			switch {
			case j == len(rs) || next == '\n':
				// trailing spaces stay as they are
			case (next == '.' || next == ',') && prev != 0 && prev != '.' && !unicode.IsSpace(prev) && (j+1 >= len(rs) || rs[j+1] != '.'):
				i = j - 1 // « Smic . » → « Smic. », but « … ... » stays
				continue
			case strings.ContainsRune("»;:!?", next) && prev != 0 || prev == '«':
				b.WriteString(nbsp)
				i = j - 1
				continue
			}
			b.WriteString(string(rs[i:j]))
			i = j - 1
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// euros writes an amount as « 1 890 € ».
func euros(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(narrowNbsp)
		}
		b.WriteRune(c)
	}
	return b.String() + nbsp + "€"
}

// amountRange writes « 1 770 € – 1 895 € », or one amount when both ends
// are the same or one is unknown, or "" when neither is known.
func amountRange(lo, hi int) string {
	switch {
	case lo <= 0 && hi <= 0:
		return ""
	case lo <= 0 || lo == hi:
		return euros(hi)
	case hi <= 0:
		return "dès " + euros(lo)
	}
	return euros(lo) + " – " + euros(hi)
}

// salaryView is the salary block of a guide page: the figures where the
// guide has them, and always the sentences they came from.
type salaryView struct {
	Range    string
	Junior   string
	Senior   string
	Benefits string
	// Level says whose the range is when no level is shown apart.
	Level string
	// Text is the guide's own words about the salary, by paragraph.
	Text []string
	// Bar places the beginner and experienced ranges on one axis, in
	// percent of its width; nil unless both are known.
	Bar *salaryBar
}

// salaryBar is the two ranges of the salary, in percent of the axis.
type salaryBar struct {
	JuniorX, JuniorW, SeniorX, SeniorW float64
	Label                              string
}

func newSalaryView(s corpus.Salary) *salaryView {
	v := &salaryView{
		Range:    amountRange(s.Min, s.Max),
		Junior:   amountRange(s.JuniorMin, s.JuniorMax),
		Senior:   amountRange(s.SeniorMin, s.SeniorMax),
		Benefits: strings.TrimSpace(s.Benefits),
		Text:     paragraphs(s.Text),
	}
	if v.Range == "" && v.Junior == "" && v.Senior == "" && len(v.Text) == 0 {
		return nil
	}
	// The range alone says it all when a single level repeats it; it is
	// then a beginner's (ONISEP gives only « salaire débutant »).
	if v.Junior == v.Range && v.Senior == "" {
		v.Junior = ""
		if v.Range != "" {
			v.Level = "en début de carrière"
		}
	}
	if v.Junior != "" && v.Senior != "" {
		lo, hi := first(s.JuniorMin, s.JuniorMax), max(s.SeniorMax, s.SeniorMin, s.JuniorMax)
		if m := first(s.SeniorMin, s.SeniorMax); m < lo {
			lo = m
		}
		span := float64(max(hi-lo, 1))
		pos := func(a, b int) (float64, float64) {
			a, b = first(a, b), max(a, b)
			return pct(float64(a-lo) / span), max(pct(float64(b-a)/span), 2)
		}
		bar := &salaryBar{Label: "Débutant : " + v.Junior + ", expérimenté : " + v.Senior}
		bar.JuniorX, bar.JuniorW = pos(s.JuniorMin, s.JuniorMax)
		bar.SeniorX, bar.SeniorW = pos(s.SeniorMin, s.SeniorMax)
		v.Bar = bar
	}
	return v
}

// first returns a when it is known (> 0), else b.
func first(a, b int) int {
	if a > 0 {
		return a
	}
	return b
}

func pct(x float64) float64 {
	return float64(int(x*1000+0.5)) / 10
}

// paragraphs splits a text on its line breaks, dropping empty lines,
// each set in French typography.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, frenchSpacing(p))
		}
	}
	return out
}

// studyLevel is a line of a guide's studies that heads the diplomas of
// one level, as ONISEP writes them (« Après la 3e », « Niveau bac + 2 »,
// « Niveau CAP »): short and without a final sign.
var studyLevel = regexp.MustCompile(`^(?i:niveau|après l[ae]|avant l[ae]|dès l[ae])\s\S.{0,28}$`)

// studyBlock is one part of a guide's studies: a level's heading with
// its diplomas, or the paragraphs before any heading.
type studyBlock struct {
	Heading string
	Paras   []string
	Items   []string
}

// studyBlocks splits a guide's studies into its paragraphs and, when it
// lists diplomas under level headings, those lists: read as one
// paragraph each, « Après la 3e » looked like one more diploma.
func studyBlocks(s string) []studyBlock {
	lines := paragraphs(s)
	out := []studyBlock{{}}
	for _, l := range lines {
		cur := &out[len(out)-1]
		switch {
		case studyLevel.MatchString(l) && !strings.ContainsAny(l[len(l)-1:], ".!?:;"):
			out = append(out, studyBlock{Heading: display(l)})
		case cur.Heading != "" && len(l) < 120 && !strings.HasSuffix(l, "."):
			cur.Items = append(cur.Items, display(l))
		case len(cur.Items) > 0: // a paragraph after a list: its own block, in order
			out = append(out, studyBlock{Paras: []string{l}})
		default:
			cur.Paras = append(cur.Paras, l)
		}
	}
	if len(out[0].Paras) == 0 {
		out = out[1:]
	}
	return out
}

// years writes a study length: « 3 ans », « 1,5 an », « 9 ans et plus ».
func years(y float64) string {
	if y <= 0 {
		return ""
	}
	if y >= 9 {
		return "9" + nbsp + "ans et plus"
	}
	s := strings.Replace(strconv.FormatFloat(y, 'f', -1, 64), ".", ",", 1)
	if len(s) > 4 {
		s = strings.Replace(strconv.FormatFloat(y, 'f', 1, 64), ".", ",", 1)
	}
	if y >= 2 {
		return s + nbsp + "ans"
	}
	return s + nbsp + "an"
}

// plural writes « 1 métier », « 12 métiers ».
func plural(n int, one, many string) string {
	if n <= 1 {
		return strconv.Itoa(n) + nbsp + one
	}
	return thousands(n) + nbsp + many
}

// thousands writes a count with a narrow space between thousands.
func thousands(n int) string {
	return strings.TrimSuffix(euros(n), nbsp+"€")
}

// sourceCredit is the credit a guide's source asks for.
type sourceCredit struct {
	Text, URL, Licence, LicenceURL string
}

// credit returns the attribution of a guide's source, nil for the site's
// own guides. ONISEP's data (ODbL) asks for « Source : Onisep », ROME's
// (Licence Ouverte) for France Travail.
func credit(m *corpus.Metier) *sourceCredit {
	switch m.Source {
	case "onisep":
		return &sourceCredit{Text: "Onisep, Idéo-Fiches métiers", URL: "https://www.onisep.fr/", Licence: "ODbL", LicenceURL: "https://opendatacommons.org/licenses/odbl/1-0/"}
	case "rome":
		return &sourceCredit{Text: "France Travail, ROME 4.0", URL: "https://www.francetravail.fr/", Licence: "Licence Ouverte", LicenceURL: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
	}
	return nil
}

// snippet turns a highlighted fragment into HTML where only <mark>
// survives: every other character is escaped, whether or not the
// fragment arrived escaped.
func snippet(frag string) template.HTML {
	var b strings.Builder
	for i, part := range strings.Split(frag, "<mark>") {
		if i > 0 {
			b.WriteString("<mark>")
		}
		in, after, closed := strings.Cut(part, "</mark>")
		b.WriteString(html.EscapeString(html.UnescapeString(in)))
		if closed {
			b.WriteString("</mark>")
			b.WriteString(html.EscapeString(html.UnescapeString(strings.ReplaceAll(after, "</mark>", ""))))
		}
	}
	return template.HTML(b.String())
}

// truncate cuts s to at most n runes at a word boundary, with « … ».
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := strings.LastIndexByte(string(r), ' ')
	if cut < n/2 {
		cut = len(string(r))
	}
	return strings.TrimRight(string(r)[:cut], " ,;:.") + "…"
}

// percent writes a share as « 72 % ».
func percent(n any) string {
	switch x := n.(type) {
	case int:
		return fmt.Sprintf("%d"+nbsp+"%%", x)
	case *int:
		if x != nil {
			return fmt.Sprintf("%d"+nbsp+"%%", *x)
		}
	}
	return "—"
}
