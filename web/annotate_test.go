package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// TestRefusedVerdictKeepsTheForm: a verdict missing a required strength is
// refused with the reason, and the form comes back as it was sent.
func TestRefusedVerdictKeepsTheForm(t *testing.T) {
	a := newApp(t)
	a.user("ann", annotation.RoleAnnotator)
	ps := annotation.NewProjectSettings("strict")
	ps.AskStrength, ps.AskRationale = annotation.AskRequired, annotation.AskOptional
	p := a.project(ps, textPairs(1)...)
	bc := &benchClient{c: a.client("ann"), base: a.http.URL, project: p.ID}
	if err := bc.start(); err != nil {
		t.Fatal(err)
	}

	form := url.Values{"choice": {"right"}, "rationale": {"B <cites> a source"}}
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/annotate/%d/assignments/%s", a.http.URL,
		p.ID, bc.assignment), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	resp, err := bc.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)

	for _, want := range []string{
		"strength: this project requires it",
		`value="right" data-key="b" checked`,
		"B &lt;cites&gt; a source</textarea>",
		`data-assignment="` + bc.assignment + `"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("answer lacks %q:\n%.1500s", want, page)
		}
	}
	if n := countJudgments(t, a); n != 0 {
		t.Errorf("%d judgments stored for a refused verdict, want 0", n)
	}
}

func countJudgments(t *testing.T, a *app) int {
	t.Helper()
	var n int
	if err := a.store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM judgments`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
