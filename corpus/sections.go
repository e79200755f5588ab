package corpus

import (
	"regexp"
	"strings"
)

// section names the part of a text page a line belongs to.
type section int

const (
	secHeader section = iota
	secStudies
	secQualities
	secSalary
	secConditions
	secIntro
	secFigures
	secMissions
	secTools
	secDay
	secFacts
	secTestimony
	secTraining
	secWorkplaces
	secPros
	secCons
	secTips
	secSelf
	secFAQ
	secSchools
	secAreas
	secSimilar
	secCriteria
	secIgnore // a container heading whose own text is chrome
)

// heading is one recognised section heading: a pattern matched against
// the line once its leading emoji are stripped.
type heading struct {
	re  *regexp.Regexp
	sec section
}

// headings lists the section headings of a guide page, in both layouts.
func headings() []heading {
	h := func(expr string, s section) heading {
		return heading{regexp.MustCompile(`^(?i:` + expr + `)`), s}
	}
	return []heading{
		h(`Études$`, secStudies),
		h(`Qualités clés$`, secQualities),
		h(`Salaire$`, secSalary),
		h(`Conditions$`, secConditions),
		h(`Introduction au métier\b`, secIntro),
		h(`Le métier en chiffres\b`, secFigures),
		h(`Missions quotidiennes$`, secMissions),
		h(`Outils et équipements$`, secTools),
		h(`Journée type$`, secDay),
		h(`Le métier en Belgique\s*:\s*faits marquants$`, secFacts),
		h(`Témoignage$`, secTestimony),
		h(`Formation pour devenir\b`, secTraining),
		h(`Lieux de travail$`, secWorkplaces),
		h(`Avantages et inconvénients\b`, secIgnore),
		h(`Points \+$`, secPros),
		h(`Points -$`, secCons),
		h(`Conseils pour devenir\b`, secTips),
		h(`Auto-évaluation\b`, secSelf),
		h(`Questions fréquentes$`, secFAQ),
		h(`Où se former et travailler\b`, secIgnore),
		h(`Principales formations$`, secSchools),
		h(`Zones d'emploi$`, secAreas),
		h(`Métiers similaires$`, secSimilar),
		h(`Critères du métier$`, secCriteria),
	}
}

// chrome lists the page's advertising and navigation phrases. A phrase is
// removed wherever it starts a line, and the rest of the line is kept:
// in the compact layout the next section is often glued to it.
func chrome() []*regexp.Regexp {
	exprs := []string{
		`🎁\s*Découvrez votre voie en 2 minutes[^\n]*`,
		`Découvrez votre voie en 2 minutes[^\n]*`,
		`Le métier de .*? vous intéresse\s*\?\s*Découvrez en 2 minutes si votre profil est compatible\.?`,
		`Tester ma compatibilité \(Quiz Gratuit\)`,
		`Gagnez des mois de réflexion avec un bilan immédiat\s*:?`,
		`Ces avantages vous motivent\s*\?[^\n]*`,
		`Faire le quiz gratuit`,
		`Se poser les bonnes questions est la première étape\.[^\n]*`,
		`Découvrez votre profil de compatibilité pour le métier de[^\n]*`,
		`Démarrer le quiz et voir mon profil`,
		`Prêt\(e\) à passer de l'information à l'action\s*\?`,
		`Découvrez si le métier de .*? correspond vraiment[^\n]*`,
		`Commencer mon quiz gratuit`,
		`Voici les étapes de formation et les centres de formation en Belgique\s*:?`,
		`Clique sur un critère de ton choix[^\n]*`,
		`Démarrer$`,
	}
	out := make([]*regexp.Regexp, len(exprs))
	for i, e := range exprs {
		out[i] = regexp.MustCompile(`^` + e)
	}
	return out
}

// stripChrome removes every chrome phrase at the start of line, repeatedly,
// and returns what is left (possibly empty).
func stripChrome(line string, phrases []*regexp.Regexp) string {
	for {
		line = strings.TrimSpace(line)
		changed := false
		for _, re := range phrases {
			if loc := re.FindStringIndex(line); loc != nil && loc[1] > 0 {
				line = line[loc[1]:]
				changed = true
			}
		}
		if !changed {
			return line
		}
	}
}

// stripDecoration removes leading emoji, symbols and bullets from a line.
func stripDecoration(line string) string {
	return strings.TrimSpace(strings.TrimLeftFunc(line, func(r rune) bool {
		return isDecoration(r) || r == ' ' || r == '\t' || r == '\u00a0'
	}))
}

// isDecoration reports whether r is an emoji, a pictographic symbol, a
// variation selector or a bullet character.
func isDecoration(r rune) bool {
	switch {
	case r == '•', r == '\u200d', r == '\ufe0f', r == '\ufe0e':
		return true
	case r >= 0x1F000 && r <= 0x1FAFF: // emoji and pictographs
		return true
	case r >= 0x2600 && r <= 0x27BF: // misc symbols, dingbats (⚙ ⚖ ✅ ⚠ ❓)
		return true
	case r >= 0x2B00 && r <= 0x2BFF: // arrows and symbols
		return true
	}
	return false
}

// bulletItem reports whether line starts with a list bullet, and returns
// the item text.
func bulletItem(line string) (string, bool) {
	t := strings.TrimSpace(line)
	for _, p := range []string{"- ", "• ", "* ", "– "} {
		if strings.HasPrefix(t, p) {
			return strings.TrimSpace(t[len(p):]), true
		}
	}
	return t, false
}
