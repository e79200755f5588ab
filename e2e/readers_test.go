//go:build browser

package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/metiers/metiers/recommend"
	"github.com/metiers/metiers/rome"
)

// quizReader is a reader of the quiz: how they answer a statement, read
// from its words (the first list that holds one of its words gives the
// answer; a statement they have no view on gets « Ni oui ni non »), and a
// kind of title a top 10 that makes sense for them must hold.
type quizReader struct {
	name                 string
	dislike, love, agree []string
	want                 *regexp.Regexp
}

// readers are the three readers of docs/quiz.md. Their words are what
// such a reader would say yes or no to, written before seeing the
// questions ONISEP's quiz asks; they are not tuned to its results.
var readers = []quizReader{
	{
		name:    "animaux-plein-air",
		dislike: []string{"bureau", "écran", "numérique", "informatique", "technologies", "chiffres", "commerce", "vente", "banque", "assurance", "droit", "comptabilité", "gestion", "usine", "atelier", "laboratoire"},
		love:    []string{"animaux", "animal", "nature", "dehors", "plein air", "agriculture", "espaces naturels", "espaces verts", "environnement", "planète", "forêt"},
		agree:   []string{"bouger", "activité physique", "travail physique", "de mes mains", "manuel"},
		want:    regexp.MustCompile(`(?i)animal|animaux|élev|berger|soigneur|vétérinaire|agricult|forest|jardinier|paysagiste`),
	},
	{
		name:    "soins-infirmiers",
		dislike: []string{"informatique", "numérique", "technologies", "commerce", "vente", "banque", "comptabilité", "chiffres", "industrie", "mécanique", "usine", "atelier", "artistique", "artiste", "crayon", "affaires"},
		love:    []string{"soigner", "soins", "santé", "médical", "paramédical", "prendre soin", "aider", "accompagner", "utile aux autres", "hôpital"},
		agree:   []string{"contact", "équipe", "calme", "urgence", "pression", "nuit", "week-end", "responsabilités", "social"},
		want:    regexp.MustCompile(`(?i)infirmi`),
	},
	{
		name:    "logiciel",
		dislike: []string{"soigner", "soins", "animaux", "dehors", "tous les temps", "physique", "charges", "commerce", "vente", "nuit", "usine", "santé", "agriculture"},
		love:    []string{"informatique", "numérique", "logiciel", "programmer", "technologies", "développement", "systèmes d'information", "résoudre des problèmes", "analyser"},
		agree:   []string{"écran", "bureau", "télétravailler", "autonomie", "mathématiques", "conception"},
		want:    regexp.MustCompile(`(?i)développeur|logiciel|informati`),
	},
}

// answer is the reader's answer to a statement.
func (r quizReader) answer(statement string) int {
	words := " " + strings.Join(recommend.FoldAnalyzer(statement), " ") + " "
	has := func(list []string) bool {
		for _, w := range list {
			if strings.Contains(words, " "+strings.Join(recommend.FoldAnalyzer(w), " ")) {
				return true
			}
		}
		return false
	}
	switch {
	case has(r.dislike):
		return 1
	case has(r.love):
		return 5
	case has(r.agree):
		return 4
	}
	return 3
}

// TestQuizReaders answers the adaptive quiz in Chromium on ONISEP linked
// to ROME 4.0 (as `metiers serve --referential ../shared/data/rome4`
// serves it) as three readers would, 15 questions each, and screenshots
// their matches: $METIERS_QUIZ_SHOTS names the directory (docs/quiz for
// docs/quiz.md: `make quiz-shots`), the artifacts directory otherwise.
// Each top 10 must hold a métier of the reader's field.
func TestQuizReaders(t *testing.T) {
	base := onisepRomeBase(t)
	out := os.Getenv("METIERS_QUIZ_SHOTS")
	if out == "" {
		out = artifacts(t)
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, rd := range readers {
		t.Run(rd.name, func(t *testing.T) {
			ctx := browser(t, 960, 800)
			run(t, ctx, "open the quiz", chromedp.Navigate(base+"/quiz"), chromedp.WaitVisible(`#quiz-form`, chromedp.ByQuery))
			var log strings.Builder
			fmt.Fprintf(&log, "# %s\n\n", rd.name)
			for n := 0; n < recommend.MaxAdaptiveQuestions; n++ {
				id := eval[string](t, ctx, `(document.querySelector('#quiz-form input[name=question]') || {}).value || ""`)
				if id == "" {
					break // the last precisions: every question is answered
				}
				if !strings.HasPrefix(id, "q_") {
					t.Errorf("question id %q, want q_<criterion>", id)
				}
				text := eval[string](t, ctx, `document.getElementById('question').textContent`)
				a := rd.answer(text)
				fmt.Fprintf(&log, "%2d. %s → %d (%s)\n", n+1, strings.TrimSpace(text), a, id)
				run(t, ctx, "answer "+id, chromedp.Evaluate(fmt.Sprintf(`document.querySelector('#quiz-form input[name=%q][value="%d"]').click(); document.getElementById('next').click(); true`, id, a), nil))
				waitFor(t, ctx, "the next step after "+id, `location.search.includes(`+jsonOf(id+"="+fmt.Sprint(a))+`) && document.getElementById('quiz-form') && ((document.querySelector('#quiz-form input[name=question]') || {}).value || "") !== `+jsonOf(id))
			}
			// The results: « Voir mes métiers maintenant » on a step, the
			// precisions left empty on the last page.
			run(t, ctx, "see the matches", chromedp.Evaluate(`(document.querySelector('button[formaction="/quiz/resultats"]') || document.querySelector('#quiz-form button[type=submit]')).click(); true`, nil),
				chromedp.WaitVisible(`.matches .match`, chromedp.ByQuery))
			var matches []struct{ Title, Pct, Reasons string }
			run(t, ctx, "read the matches", chromedp.Evaluate(`[...document.querySelectorAll('.matches .match')].map(m => ({Title: m.querySelector('h3').textContent.trim(), Pct: m.querySelector('.pct').textContent.trim(), Reasons: (m.querySelector('.reasons') || {}).textContent || ""}))`, &matches))
			status := eval[string](t, ctx, `document.getElementById('quiz-status').textContent`)
			fmt.Fprintf(&log, "\n%s\n\n", strings.TrimSpace(status))
			found := false
			for k, m := range matches {
				fmt.Fprintf(&log, "%2d. %s %s — %s\n", k+1, m.Pct, m.Title, strings.TrimSpace(m.Reasons))
				found = found || rd.want.MatchString(m.Title)
			}
			t.Log("\n" + log.String())
			if len(matches) != 10 {
				t.Errorf("%d matches shown, want 10", len(matches))
			}
			if !found {
				t.Errorf("no title of the top 10 matches %v", rd.want)
			}
			var shot []byte
			run(t, ctx, "screenshot", chromedp.FullScreenshot(&shot, 100))
			small, err := compactPNG(shot)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, rd.name+".png"), small, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(artifacts(t), "quiz-"+rd.name+".txt"), []byte(log.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// onisepRome is one server over ONISEP linked to ROME 4.0.
var onisepRome struct {
	once sync.Once
	base string
	err  error
}

// onisepRomeBase returns the address of the server over ONISEP with the
// ROME referential, started on first use, or skips when ../shared/data
// lacks either.
func onisepRomeBase(t *testing.T) string {
	t.Helper()
	dir := onisepCorpus(t)
	ref := sharedData("rome4")
	if ref == "" {
		t.Log("SKIP: ../shared/data/rome4 is absent: the quiz readers do not run")
		t.Skip("no ROME referential")
	}
	onisepRome.once.Do(func() {
		r, err := rome.Load(ref)
		if err != nil {
			onisepRome.err = err
			return
		}
		var stop []func()
		onisepRome.base, stop, onisepRome.err = startSiteWith(dir, "http://127.0.0.1", r)
		onisepSite.stop = append(onisepSite.stop, stop...)
	})
	if onisepRome.err != nil {
		t.Fatal(onisepRome.err)
	}
	return onisepRome.base
}

// compactPNG re-encodes a screenshot in 256 colours (Plan 9's palette,
// nearest colour) at the best compression: a page of text stays legible
// and weighs a few times less than Chromium's PNG.
func compactPNG(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	p := image.NewPaletted(img.Bounds(), palette.Plan9)
	draw.Draw(p, p.Rect, img, img.Bounds().Min, draw.Src)
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, p); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// sharedData returns the directory of ../shared/data/<name> as seen from
// the package (a checkout or a worktree beside ../shared), "" when absent.
func sharedData(name string) string {
	for _, d := range []string{filepath.Join("..", "..", "shared", "data", name), filepath.Join("..", "..", "..", "shared", "data", name)} {
		if _, err := os.Stat(d); err == nil {
			return d
		}
	}
	return ""
}
