//go:build browser

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestQuizWithTheKeyboard answers the quiz from the keyboard: arrows move
// between the answers without leaving the question, Space picks, Enter
// and « Suivant » go on, « Passer » passes, and focus lands on the next
// question's heading each time.
func TestQuizWithTheKeyboard(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	current := func() string {
		return eval[string](t, ctx, `document.querySelector('#quiz-form input[name=question]').value`)
	}
	run(t, ctx, "open the quiz", chromedp.Navigate(base+"/quiz"), chromedp.WaitVisible(`#quiz-form input[type=radio]`, chromedp.ByQuery))
	q1 := current()

	// Three quick arrows: the selection moves, the question stays.
	run(t, ctx, "arrows", chromedp.Focus(`#quiz-form input[type=radio]`, chromedp.ByQuery),
		chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowUp))
	if q := current(); q != q1 {
		t.Fatalf("arrows moved the quiz on from %s to %s", q1, q)
	}
	if v := eval[string](t, ctx, `document.activeElement.value`); v != "3" {
		t.Errorf("after ↓ ↓ ↓ ↑ the focus is on answer %q, want 3", v)
	}
	run(t, ctx, "Space", chromedp.KeyEvent(" "))
	if v := eval[string](t, ctx, `(document.querySelector('#quiz-form input[type=radio]:checked') || {}).value`); v != "3" {
		t.Errorf("Space picked %q, want 3", v)
	}
	if q := current(); q != q1 {
		t.Fatalf("Space moved the quiz on")
	}

	// Enter goes on, with the answer picked.
	run(t, ctx, "Enter", chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "the second question", `document.querySelector('#quiz-form input[name=question]').value !== "`+q1+`"`)
	q2 := current()
	if !strings.Contains(eval[string](t, ctx, `location.search`), q1+"=3") {
		t.Errorf("the address %q does not carry %s=3", eval[string](t, ctx, `location.search`), q1)
	}
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "question" {
		t.Errorf("after Enter the focus is on %q, want the question's heading", id)
	}
	if y := eval[float64](t, ctx, `window.scrollY`); y != 0 {
		t.Errorf("the page stayed scrolled at %.0f px", y)
	}

	// « Suivant » from the keyboard, after an answer.
	run(t, ctx, "answer, then « Suivant »", chromedp.Focus(`#quiz-form input[type=radio]`, chromedp.ByQuery), chromedp.KeyEvent(" "),
		chromedp.Focus(`#next`, chromedp.ByQuery), chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "the third question", `document.querySelector('#quiz-form input[name=question]').value !== "`+q2+`"`)
	q3 := current()
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "question" {
		t.Errorf("after « Suivant » the focus is on %q", id)
	}
	// « Passer » passes without an answer.
	run(t, ctx, "« Passer »", chromedp.Focus(`#skip`, chromedp.ByQuery), chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "the fourth question", `document.querySelector('#quiz-form input[name=question]').value !== "`+q3+`"`)
	if s := eval[string](t, ctx, `location.search`); !strings.Contains(s, q3+"=0") || !strings.Contains(s, q2+"=1") {
		t.Errorf("after « Passer » the address is %q", s)
	}
	// « Suivant » without an answer says so, and stays.
	q4 := current()
	run(t, ctx, "« Suivant » without an answer", chromedp.Focus(`#next`, chromedp.ByQuery), chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "the reminder", `document.getElementById('quiz-missing')`)
	if q := current(); q != q4 {
		t.Errorf("« Suivant » without an answer moved on to %s", q)
	}
	// The browser's back steps back through the questions (the reminder
	// was no step of its own).
	run(t, ctx, "back", chromedp.Evaluate(`history.back()`, nil))
	waitFor(t, ctx, "the third question again", `document.querySelector('#quiz-form input[name=question]').value === "`+q3+`" && !document.getElementById('quiz-missing')`)
}

// TestSkipLinkKeepsTheQuiz: « Aller au contenu » moves the focus to the
// content, without reloading the page or restarting the quiz.
func TestSkipLinkKeepsTheQuiz(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 1200, 1000)
	run(t, ctx, "answer the first question", chromedp.Navigate(base+"/quiz"), chromedp.WaitVisible(`#quiz-form input[type=radio]`, chromedp.ByQuery),
		chromedp.Click(`#quiz-form input[value="5"]`, chromedp.ByQuery), chromedp.Click(`#next`, chromedp.ByQuery))
	waitFor(t, ctx, "the second question", `location.search.includes("=5")`)
	q := eval[string](t, ctx, `document.querySelector('#quiz-form input[name=question]').value`)
	// A reader arriving on this step: the first Tab reaches the skip link.
	run(t, ctx, "reload the step", chromedp.Navigate(eval[string](t, ctx, `location.href`)), chromedp.WaitVisible(`#quiz-form`, chromedp.ByQuery))
	eval[bool](t, ctx, `window.__same = true`)
	run(t, ctx, "Tab to the skip link", chromedp.KeyEvent(kb.Tab))
	if c := eval[string](t, ctx, `document.activeElement.className`); c != "skip" {
		t.Fatalf("the first Tab lands on %q, not the skip link", c)
	}
	run(t, ctx, "Enter", chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "focus in the content", `document.activeElement.id === "main"`)
	if !eval[bool](t, ctx, `window.__same === true`) {
		t.Errorf("the skip link reloaded the page")
	}
	if now := eval[string](t, ctx, `document.querySelector('#quiz-form input[name=question]').value`); now != q || !strings.Contains(eval[string](t, ctx, `location.search`), "=5") {
		t.Errorf("after the skip link the quiz shows %s (was %s) at %s", now, q, eval[string](t, ctx, `location.href`))
	}
}

// TestQuizRanksMatches answers the quiz on a phone and reads the matches.
func TestQuizRanksMatches(t *testing.T) {
	base := site(t, "http://127.0.0.1")
	ctx := browser(t, 420, 900)
	run(t, ctx, "open the quiz", chromedp.Navigate(base+"/quiz"), chromedp.WaitVisible(`#quiz-form`, chromedp.ByQuery))
	// Love people (5) for the first two questions, hate screens (1) for
	// the third, and see the results.
	for _, v := range []string{"5", "5", "1"} {
		before := eval[string](t, ctx, `location.search`)
		// Taps as a phone's: the element's own click.
		run(t, ctx, "answer "+v, chromedp.Evaluate(`document.querySelector('#quiz-form input[type=radio][value="`+v+`"]').click(); document.getElementById('next').click(); true`, nil))
		waitFor(t, ctx, "the next question", `location.search !== `+jsonOf(before)+` && document.getElementById('quiz-form')`)
	}
	var first, all string
	run(t, ctx, "see the matches", chromedp.Evaluate(`document.querySelector('button[formaction="/quiz/resultats"]').click(); true`, nil),
		chromedp.WaitVisible(`.matches .match`, chromedp.ByQuery),
		chromedp.Text(`.matches .match`, &first, chromedp.ByQuery),
		chromedp.Text(`.matches`, &all, chromedp.ByQuery))
	if !strings.Contains(all, "%") || strings.Contains(first, "Codeur médical") {
		t.Errorf("quiz results: first %q, all %q", first, all)
	}
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "question" {
		t.Errorf("focus on %q after the results came", id)
	}
}
