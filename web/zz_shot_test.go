package web_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/prefer-dev/prefer/internal/annotation"
)

func TestZZShot(t *testing.T) {
	if os.Getenv("SHOT") == "" {
		t.Skip()
	}
	a := newApp(t)
	a.user("lead", annotation.RoleLead)
	ps := annotation.NewProjectSettings("shot")
	ps.K = 8
	p := a.project(ps, textPairs(60)...)
	ctx0 := t.Context()
	for i := range 8 {
		u := a.user(fmt.Sprintf("annotator-%d", i), annotation.RoleAnnotator)
		for {
			as, err := a.store.NextAssignment(ctx0, p.ID, u.ID, time.Minute)
			if err != nil {
				break
			}
			pick := []annotation.Pick{"left", "right", "tie"}[rand.IntN(3)]
			if i == 3 {
				pick = "left"
			}
			if err := a.store.SubmitJudgment(ctx0, u.ID, as.ID, annotation.ScreenVerdict{Pick: pick}); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx := newBrowser(t)
	var buf []byte
	err := chromedp.Do(ctx, login(a.http.URL, "lead"), chromedp.EmulateViewport(1300, 2600),
		chromedp.Navigate(fmt.Sprintf("%s/review/%d", a.http.URL, p.ID)),
		chromedp.WaitVisible(css(`[data-testid=annotators]`)))
	if err != nil {
		t.Fatal(err)
	}
	buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/shot/summary.png", buf, 0o644)
	err = chromedp.Do(ctx, chromedp.EmulateViewport(1300, 1400),
		chromedp.Navigate(fmt.Sprintf("%s/review/%d/disagreements", a.http.URL, p.ID)),
		chromedp.Click(css(`[data-testid=disagreement-row] a`)),
		chromedp.WaitVisible(css(`[data-testid=final-label]`)))
	if err != nil {
		t.Fatal(err)
	}
	buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/shot/pair.png", buf, 0o644)
}
