package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// reviewPairs are three pairs judged by three people: split two ways
// (entropy 1.58 bits), two to one (0.92) and agreed (0).
func reviewPairs() []annotation.PairInput {
	ps := textPairs(3)
	votes := [][]annotation.Choice{{"a", "b", "tie"}, {"a", "a", "b"}, {"b", "b", "b"}}
	for i := range ps {
		for j, c := range votes[i] {
			ps[i].Judgments = append(ps[i].Judgments, annotation.JudgmentInput{
				Annotator: fmt.Sprintf("judge%d", j), Choice: c})
		}
	}
	return ps
}

// TestLeadAdjudicatesFromQueue: a lead opens the disagreement queue, which
// lists the split pairs most split first; opens the two-to-one pair, whose
// final label is a by consensus; records b with a note; and the pair's
// final label becomes b and the pair leaves the queue.
func TestLeadAdjudicatesFromQueue(t *testing.T) {
	a := newApp(t)
	a.user("lead", annotation.RoleLead)
	p := a.project(annotation.NewProjectSettings("review"), reviewPairs()...)
	ctx := newBrowser(t)

	queue := fmt.Sprintf("%s/review/%d/disagreements", a.http.URL, p.ID)
	err := chromedp.Do(ctx, login(a.http.URL, "lead"), chromedp.Navigate(queue),
		chromedp.WaitVisible(css(`[data-testid=disagreements]`)))
	if err != nil {
		t.Fatal(err)
	}
	prompts := evaluate[[]string](ctx, t, `Array.from(document.querySelectorAll(
		"[data-testid=disagreement-row] td:nth-child(2)")).map(td => td.innerText)`)
	if want := []string{"Question 0?", "Question 1?"}; strings.Join(prompts, "|") !=
		strings.Join(want, "|") {
		t.Fatalf("queue lists %q, want %q (most split first, agreed pair left out)", prompts,
			want)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(css(`[data-testid=disagreement-row]:nth-child(2) a`)),
		chromedp.WaitVisible(css(`[data-testid=final-label]`)))
	if err != nil {
		t.Fatal(err)
	}
	before := evaluate[string](ctx, t,
		`document.querySelector("[data-testid=final]").innerText`)
	if !strings.Contains(before, "A is better") || !strings.Contains(before, "by consensus") {
		t.Errorf("before adjudication the page says %q, want A by consensus", before)
	}

	err = chromedp.Do(ctx,
		chromedp.SetValue(css(`[data-testid=adjudicate-label]`), "b"),
		chromedp.SendKeys(css(`[data-testid=adjudicate-form] textarea`), "b cites its source"),
		chromedp.Click(css(`[data-testid=adjudicate]`)),
		chromedp.WaitVisible(css(`p.flash`)))
	if err != nil {
		t.Fatal(err)
	}
	after := evaluate[string](ctx, t, `document.querySelector("[data-testid=final]").innerText`)
	history := evaluate[string](ctx, t,
		`document.querySelector("[data-testid=history]").innerText`)
	if !strings.Contains(after, "B is better") || !strings.Contains(after, "adjudicated") {
		t.Errorf("after adjudication the page says %q, want B, adjudicated", after)
	}
	if !strings.Contains(history, "by lead") || !strings.Contains(history, "b cites its source") {
		t.Errorf("decision history %q lacks who decided and the note", history)
	}

	err = chromedp.Do(ctx, chromedp.Navigate(queue),
		chromedp.WaitVisible(css(`[data-testid=disagreements]`)))
	if err != nil {
		t.Fatal(err)
	}
	left := evaluate[int](ctx, t,
		`document.querySelectorAll("[data-testid=disagreement-row]").length`)
	if left != 1 {
		t.Errorf("queue lists %d pairs after the adjudication, want 1", left)
	}
}
