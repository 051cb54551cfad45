package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// TestAdminCreatesProjectAndImports creates a project through the form and
// uploads a good file and a bad one on its import page.
func TestAdminCreatesProjectAndImports(t *testing.T) {
	a := newApp(t)
	a.user("adm", annotation.RoleAdmin)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	bad := filepath.Join(dir, "bad.jsonl")
	writeFile(t, good, `{"prompt": "Name a prime.", "responses": ["7", "9"]}
{"prompt": [{"role": "user", "content": "Hi"}], "responses": ["Hello", "Go away"]}
`)
	writeFile(t, bad, `{"prompt": "ok", "responses": ["x", "y"]}
{"prompt": "broken", "responses": ["only one"]}
`)
	ctx := newBrowser(t)

	err := chromedp.Do(ctx, login(a.http.URL, "adm"),
		chromedp.Navigate(a.http.URL+"/admin/projects"),
		chromedp.SendKeys(css(`input[name=name]`), "Browser project"),
		chromedp.SetValue(css(`select[name=ask_strength]`), "required"),
		chromedp.Click(css(`form.stack button[type=submit]`)),
		chromedp.WaitVisible(css(`[data-testid=files]`)),
		chromedp.SetUploadFiles(css(`[data-testid=files]`), []string{good}),
		chromedp.Click(css(`form[data-progress] button[type=submit]`)),
		chromedp.WaitVisible(css(`#import-report .flash`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	report := evaluate[string](ctx, t, `document.getElementById("import-report").innerText`)
	if !strings.Contains(report, "Imported 2 new pairs") || !strings.Contains(report, "pairs") {
		t.Errorf("import report %q, want 2 new pairs and the format", report)
	}

	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(css(`[data-testid=files]`), []string{bad}),
		chromedp.Click(css(`form[data-progress] button[type=submit]`)),
		chromedp.WaitVisible(css(`#import-report .error`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	report = evaluate[string](ctx, t, `document.getElementById("import-report").innerText`)
	if !strings.Contains(report, "bad.jsonl:2") || !strings.Contains(report, "responses") {
		t.Errorf("error report %q should name bad.jsonl line 2 and the field", report)
	}

	// A file of another shape, read through the field mapping typed in.
	mapped := filepath.Join(dir, "mapped.jsonl")
	writeFile(t, mapped, `{"qid": 7, "question": "Capital of France?", "answer_1": "Paris", "answer_2": "Lyon"}
`)
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css(`[data-testid=map]`), "prompt=question,a=answer_1,b=answer_2,id=qid"),
		chromedp.SetUploadFiles(css(`[data-testid=files]`), []string{mapped}),
		chromedp.Click(css(`form[data-progress] button[type=submit]`)),
		chromedp.WaitVisible(css(`#import-report .flash`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	report = evaluate[string](ctx, t, `document.getElementById("import-report").innerText`)
	if !strings.Contains(report, "mapped.jsonl: mapped, 1 pairs") {
		t.Errorf("mapped import report %q, want the mapped format and 1 pair", report)
	}

	p, err := a.store.ProjectByName(t.Context(), "Browser project")
	if err != nil {
		t.Fatal(err)
	}
	if p.AskStrength != annotation.AskRequired {
		t.Errorf("project asks strength %q, want required", p.AskStrength)
	}
	prog, err := a.store.ProjectProgress(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if prog.Pairs != 3 {
		t.Errorf("project holds %d pairs after good, bad and mapped imports, want 3", prog.Pairs)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
