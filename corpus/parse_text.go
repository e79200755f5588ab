package corpus

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// line is one non-empty line of a page with its 1-based number.
type line struct {
	n    int
	text string
}

// The patterns of a page, compiled once; they are never modified.
var (
	chromePhrases = chrome()
	pageHeadings  = headings()
)

// titleSuffixRe ends the title line of every guide page.
var titleSuffixRe = regexp.MustCompile(`\s*:\s*Le Guide Complet du Métier en Belgique\s*$`)

// ParseText parses one guide page in either layout the site uses (the
// compact one, sections on consecutive lines, and the spaced one, with
// blank lines and emoji before labels). name is used in errors only.
// The result is normalized (see Normalize) but not validated.
func ParseText(name string, data []byte) (*Metier, error) {
	if !utf8.Valid(data) {
		return nil, fileErr(name, invalidUTF8Line(data), ErrInvalidUTF8)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	phrases := chromePhrases
	var lines []line
	for i, raw := range strings.Split(text, "\n") {
		t := stripChrome(strings.TrimSpace(raw), phrases)
		if t == "" || stripDecoration(t) == "" {
			continue // blank, chrome or a lone emoji
		}
		lines = append(lines, line{n: i + 1, text: t})
	}

	// The title line comes first; anything before it is chrome.
	start := -1
	for i, l := range lines {
		if titleSuffixRe.MatchString(l.text) {
			start = i
			break
		}
	}
	if start < 0 {
		line := 0
		if len(lines) > 0 {
			line = lines[0].n
		}
		return nil, fileErr(name, line, fmt.Errorf("%w: no line ends with %q", ErrNoTitle, ": Le Guide Complet du Métier en Belgique"))
	}
	m := &Metier{Source: name}
	display := titleSuffixRe.ReplaceAllString(lines[start].text, "")
	parseTitle(display, m)
	if m.Title == "" {
		return nil, fileErr(name, lines[start].n, ErrNoTitle)
	}

	// Split the rest into sections.
	hs := pageHeadings
	cur := secHeader
	parts := map[section][]line{}
	for _, l := range lines[start+1:] {
		if strings.EqualFold(l.text, display) {
			continue // the title repeated under the hook
		}
		if s, ok := matchHeading(l.text, hs); ok {
			cur = s
			continue
		}
		parts[cur] = append(parts[cur], l)
	}

	p := &pageParser{name: name, m: m}
	p.header(parts[secHeader])
	m.Studies = paragraphs(parts[secStudies])
	m.Qualities = splitQualities(paragraphs(parts[secQualities]))
	m.Conditions = paragraphs(parts[secConditions])
	m.Introduction = paragraphs(parts[secIntro])
	if err := p.salary(parts[secSalary]); err != nil {
		return nil, err
	}
	p.figures(parts[secFigures])
	m.Missions = items(parts[secMissions])
	m.Tools = items(parts[secTools])
	m.Day = daySlots(parts[secDay])
	m.Facts = facts(parts[secFacts])
	m.Testimony = testimony(parts[secTestimony])
	m.TrainingSteps = items(parts[secTraining])
	m.Workplaces = items(parts[secWorkplaces])
	m.Pros = items(parts[secPros])
	m.Cons = items(parts[secCons])
	m.Tips = items(parts[secTips])
	m.SelfAssessment = items(parts[secSelf])
	m.FAQ = faq(parts[secFAQ])
	m.Schools = items(parts[secSchools])
	m.EmploymentAreas = items(parts[secAreas])
	for _, it := range items(parts[secSimilar]) {
		m.Similar = append(m.Similar, Slug(it))
	}
	for _, it := range items(parts[secCriteria]) {
		if m.Criteria == nil {
			m.Criteria = map[string]float64{}
		}
		m.Criteria[Slug(it)] = 1
	}
	m.StudyYears = deriveStudyYears(m)
	m.Normalize()
	return m, nil
}

// matchHeading reports whether text is a section heading.
func matchHeading(text string, hs []heading) (section, bool) {
	t := stripDecoration(text)
	if len(t) > 300 {
		return 0, false
	}
	for _, h := range hs {
		if h.re.MatchString(t) {
			return h.sec, true
		}
	}
	return 0, false
}

// invalidUTF8Line returns the 1-based line of the first invalid byte.
func invalidUTF8Line(data []byte) int {
	n := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return n
		}
		if r == '\n' {
			n++
		}
		data = data[size:]
	}
	return n
}

// acronymRe matches an abbreviation such as RIM, RCM, TIM or CIM-10.
var acronymRe = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,9}$`)

// parseTitle fills Title, TitleFeminine and Acronyms from a display title
// such as "Codeur médical (RIM/RCM) / Codeuse médicale".
func parseTitle(display string, m *Metier) {
	masc, fem := splitOutsideParens(display, " / ")
	masc, acr := extractAcronyms(masc)
	fem, acrF := extractAcronyms(fem)
	m.Title = strings.TrimSpace(masc)
	m.TitleFeminine = strings.TrimSpace(fem)
	m.Acronyms = appendUnique(acr, acrF...)
}

// splitOutsideParens splits s at the first sep that is not inside
// parentheses.
func splitOutsideParens(s, sep string) (string, string) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		}
		if depth == 0 && strings.HasPrefix(s[i:], sep) {
			return s[:i], s[i+len(sep):]
		}
	}
	return s, ""
}

// extractAcronyms removes a parenthesised group made only of acronyms
// ("(RIM/RCM)", "(TIM)") from a title and returns them.
func extractAcronyms(title string) (string, []string) {
	open := strings.LastIndex(title, "(")
	closing := strings.LastIndex(title, ")")
	if open < 0 || closing < open {
		return title, nil
	}
	var acr []string
	for _, part := range strings.FieldsFunc(title[open+1:closing], func(r rune) bool { return r == '/' || r == ',' || r == ' ' }) {
		if !acronymRe.MatchString(part) {
			return title, nil
		}
		acr = append(acr, part)
	}
	if len(acr) == 0 {
		return title, nil
	}
	return strings.TrimSpace(title[:open] + title[closing+1:]), acr
}

func appendUnique(dst []string, add ...string) []string {
	for _, a := range add {
		dup := false
		for _, d := range dst {
			if d == a {
				dup = true
			}
		}
		if !dup {
			dst = append(dst, a)
		}
	}
	return dst
}

// pageParser carries the state used by the section parsers that can fail.
type pageParser struct {
	name string
	m    *Metier
}

// header reads the tagline and the hook between the title and the first
// section.
func (p *pageParser) header(ls []line) {
	for _, l := range ls {
		t := stripDecoration(l.text)
		switch {
		case p.m.Tagline == "" && !strings.HasPrefix(t, "Prêt"):
			p.m.Tagline = t
		case p.m.Hook == "" && strings.HasSuffix(t, "?"):
			p.m.Hook = t
		}
	}
}

// paragraphs joins the lines of a prose section, one paragraph a line.
func paragraphs(ls []line) string {
	var b strings.Builder
	for i, l := range ls {
		if i > 0 {
			b.WriteByte('\n')
		}
		t, _ := bulletItem(l.text)
		b.WriteString(t)
	}
	return b.String()
}

// items returns the lines of a list section without their bullets.
func items(ls []line) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		if t, _ := bulletItem(l.text); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// splitQualities splits "Rigueur, précision, sens de l'organisation." into
// items.
func splitQualities(s string) []string {
	s = strings.TrimSuffix(strings.TrimSpace(strings.ReplaceAll(s, "\n", ", ")), ".")
	var out []string
	for _, q := range strings.Split(s, ",") {
		if q = strings.TrimSpace(q); q != "" {
			out = append(out, q)
		}
	}
	return out
}

var slotRe = regexp.MustCompile(`^(\d{1,2}h\d{0,2})\s*[-–]\s*(\d{1,2}h\d{0,2})\s*:?\s*(.*)$`)

// daySlots reads "08h30-10h00" lines, each followed by its text.
func daySlots(ls []line) []TimeSlot {
	var out []TimeSlot
	for _, l := range ls {
		if m := slotRe.FindStringSubmatch(l.text); m != nil {
			out = append(out, TimeSlot{From: m[1], To: m[2], Text: m[3]})
			continue
		}
		if len(out) == 0 {
			out = append(out, TimeSlot{})
		}
		last := &out[len(out)-1]
		last.Text = strings.TrimSpace(last.Text + " " + l.text)
	}
	return out
}

// facts reads "Title : text" lines.
func facts(ls []line) []Fact {
	var out []Fact
	for _, l := range ls {
		t, _ := bulletItem(l.text)
		if title, text, ok := strings.Cut(t, " : "); ok && len(title) < 120 {
			out = append(out, Fact{Title: strings.TrimSpace(title), Text: strings.TrimSpace(text)})
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].Text += " " + t
			continue
		}
		out = append(out, Fact{Text: t})
	}
	return out
}

var testimonyRe = regexp.MustCompile(`^«\s*(.*?)\s*»\s*(?:[-–—]\s*(.*))?$`)

// testimony reads « quote » - Author, Role.
func testimony(ls []line) *Testimony {
	if len(ls) == 0 {
		return nil
	}
	t := paragraphs(ls)
	t = strings.ReplaceAll(t, "\n", " ")
	m := testimonyRe.FindStringSubmatch(t)
	if m == nil {
		return &Testimony{Quote: t}
	}
	author, role, _ := strings.Cut(m[2], ",")
	return &Testimony{Quote: m[1], Author: strings.TrimSpace(author), Role: strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(role), "."))}
}

// faq reads questions (lines ending with "?") each followed by its answer.
func faq(ls []line) []QA {
	var out []QA
	for _, l := range ls {
		t, _ := bulletItem(l.text)
		if strings.HasSuffix(t, "?") && (len(out) == 0 || out[len(out)-1].Answer != "") {
			out = append(out, QA{Question: t})
			continue
		}
		if len(out) == 0 {
			continue // an answer without a question is not a FAQ entry
		}
		last := &out[len(out)-1]
		if last.Answer != "" {
			last.Answer += "\n"
		}
		last.Answer += t
	}
	return out
}
