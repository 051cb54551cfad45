package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// newBrowser starts a headless Chromium (Debian's package) for one test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("CHROME_PATH")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			t.Fatal("Chromium is not installed: apt-get install chromium chromium-driver " +
				"(or set CHROME_PATH)")
		}
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// login fills the login form in the browser.
func login(base, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(css(`input[name=identifier]`), name+"@example.com"),
		chromedp.SendKeys(css(`input[name=password]`), testPassword+kb.Enter),
		chromedp.WaitVisible(css(`[data-testid=viewer]`)),
	)
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// evaluate runs a JavaScript expression and returns its value.
func evaluate[T any](ctx context.Context, t *testing.T, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// TestAnnotatorJudgesWithKeyboard judges three pairs with keys only and
// checks what was stored, in the pair's own terms whatever side each
// response was shown on.
func TestAnnotatorJudgesWithKeyboard(t *testing.T) {
	a := newApp(t)
	u := a.user("ann", annotation.RoleAnnotator)
	ps := annotation.NewProjectSettings("keyboard")
	ps.AskStrength = annotation.AskOptional
	ps.AskRationale = annotation.AskOptional
	p := a.project(ps, textPairs(3)...)
	ctx := newBrowser(t)

	err := chromedp.Do(ctx, login(a.http.URL, "ann"),
		chromedp.Navigate(fmt.Sprintf("%s/annotate/%d", a.http.URL, p.ID)),
		chromedp.WaitVisible(css(`[data-testid=task]`)))
	if err != nil {
		t.Fatal(err)
	}

	// Each step: keys to press, and the verdict they mean by screen side.
	steps := []struct {
		keys     []string
		left     bool // picked the left side (for a and b)
		choice   string
		strength annotation.Strength
	}{
		{[]string{"a", "2"}, true, "side", annotation.StrengthClearly},
		{[]string{"b", "3"}, false, "side", annotation.StrengthMuch},
		{[]string{"t"}, false, "tie", annotation.StrengthNone},
	}
	wantByPair := map[string]annotation.Verdict{}
	for i, st := range steps {
		assignment := evaluate[string](ctx, t, `document.getElementById("task").dataset.assignment`)
		leftText := evaluate[string](ctx, t,
			`document.querySelector("[data-testid=side-left] .markdown").innerText`)

		var actions []chromedp.Action[chromedp.Void]
		for _, k := range st.keys {
			actions = append(actions, chromedp.KeyEvent(k))
		}
		actions = append(actions, chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(css(fmt.Sprintf(`section#task:not([data-assignment="%s"])`,
				assignment))))
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}

		// The left text names the pair; the side picked names the response.
		num := strings.TrimLeft(strings.TrimSpace(leftText), "Answer AB")
		aWasLeft := strings.HasPrefix(strings.TrimSpace(leftText), "Answer A")
		want := annotation.Verdict{Choice: annotation.ChoiceTie}
		if st.choice == "side" {
			want = annotation.Verdict{Choice: annotation.ChoiceOnScreen(st.left, aWasLeft),
				Strength: st.strength}
		}
		wantByPair["Question "+num+"?"] = want
	}

	if err := chromedp.Do(ctx, chromedp.WaitVisible(css(`[data-testid=done]`))); err != nil {
		t.Fatalf("after three pairs the screen does not say done: %v", err)
	}

	rows, err := a.store.Pool().Query(t.Context(), `SELECT p.prompt #>> '{}', j.choice,
		j.strength, j.shown_left FROM judgments j JOIN pairs p ON p.id = j.pair_id
		WHERE j.user_id = $1`, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var prompt, choice, shownLeft string
		var strength int16
		if err := rows.Scan(&prompt, &choice, &strength, &shownLeft); err != nil {
			t.Fatal(err)
		}
		n++
		want, ok := wantByPair[prompt]
		if !ok {
			t.Errorf("judgment on unexpected pair %q", prompt)
			continue
		}
		if choice != string(want.Choice) || annotation.Strength(strength) != want.Strength {
			t.Errorf("pair %q: stored %s/%d, want %s/%d", prompt, choice, strength,
				want.Choice, want.Strength)
		}
		if shownLeft != "a" && shownLeft != "b" {
			t.Errorf("pair %q: shown_left %q, want a or b", prompt, shownLeft)
		}
	}
	if n != 3 {
		t.Errorf("stored %d judgments, want 3", n)
	}
}

// TestHostileContentIsInert shows a pair whose text carries a script and an
// image with onerror, and checks that neither ran in the real browser.
func TestHostileContentIsInert(t *testing.T) {
	a := newApp(t)
	a.user("ann", annotation.RoleAnnotator)
	hostile := annotation.PairInput{
		Prompt: annotation.Prompt{Messages: []annotation.Message{
			{Role: "user", Content: `Hi <script>window.pwned = "prompt"</script>`}}},
		A: annotation.Response{Text: `<img src="x" onerror="window.pwned = 'img'">`},
		B: annotation.Response{Text: "<script>window.pwned = 'script'</script>\n\n" +
			"[link](javascript:window.pwned='link')"},
	}
	p := a.project(annotation.NewProjectSettings("hostile"), hostile)
	ctx := newBrowser(t)

	err := chromedp.Do(ctx, login(a.http.URL, "ann"),
		chromedp.Navigate(fmt.Sprintf("%s/annotate/%d", a.http.URL, p.ID)),
		chromedp.WaitVisible(css(`[data-testid=task]`)),
		chromedp.Sleep(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	pwned := evaluate[string](ctx, t, `String(window.pwned || "")`)
	inlineScripts := evaluate[int](ctx, t, `document.querySelectorAll("#task script").length`)
	handlers := evaluate[int](ctx, t,
		`document.querySelectorAll("#task [onerror], #task a[href^=javascript]").length`)
	if pwned != "" {
		t.Errorf("hostile content ran in the browser: window.pwned = %q", pwned)
	}
	if inlineScripts != 0 || handlers != 0 {
		t.Errorf("page holds %d script elements and %d handlers from the pair, want none",
			inlineScripts, handlers)
	}

	// The text itself is still there for the annotator to read.
	text := evaluate[string](ctx, t, `document.querySelector("[data-testid=prompt]").innerText`)
	if !strings.Contains(text, "Hi") {
		t.Errorf("prompt text %q lost its harmless part", text)
	}
}
