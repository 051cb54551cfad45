package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// judgedPairs makes n pairs, each judged by three imported people: pair i
// gets a majority for a when i%3 == 0, for b when i%3 == 1, a tie otherwise.
func judgedPairs(n int) []annotation.PairInput {
	ps := textPairs(n)
	votes := [][3]annotation.Choice{
		{"a", "a", "b"}, {"b", "b", "b"}, {"tie", "tie", "a"},
	}
	for i := range ps {
		for k, c := range votes[i%3] {
			ps[i].Judgments = append(ps[i].Judgments, annotation.JudgmentInput{
				Annotator: fmt.Sprintf("judge%d", k), Choice: c})
		}
		if i%2 == 0 {
			ps[i].Tags = []string{"even"}
		}
	}
	return ps
}

func exportGet(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}

var keptRe = regexp.MustCompile(`data-testid="kept">(\d+)<`)

func TestExportPreviewAndDownload(t *testing.T) {
	a := newApp(t)
	a.user("boss", annotation.RoleAdmin)
	a.user("ann", annotation.RoleAnnotator)
	p := a.project(annotation.NewProjectSettings("exp"), judgedPairs(30)...)
	c := a.client("boss")
	base := fmt.Sprintf("%s/admin/projects/%d/export", a.http.URL, p.ID)

	tests := []struct {
		query string
		kept  string
	}{
		{"format=trl&consensus=majority", "20"},
		{"format=trl&consensus=unanimous", "10"},
		{"format=judgments&consensus=majority", "30"},
		{"format=judgments&consensus=majority&exclude_ties=on", "20"},
		{"format=trl&consensus=majority&tags=even", "10"},
	}
	for _, tt := range tests {
		status, body, _ := exportGet(t, c, base+"/preview?"+tt.query)
		m := keptRe.FindStringSubmatch(body)
		if status != http.StatusOK || m == nil || m[1] != tt.kept {
			t.Errorf("preview %s: status %d, kept %v; want 200 and %s", tt.query, status, m,
				tt.kept)
		}
	}

	status, body, _ := exportGet(t, c, base+"/preview?format=trl&min_agreement=2")
	if status != http.StatusOK || !strings.Contains(body, "min agreement") {
		t.Errorf("bad option: status %d, body %s; want the problem named", status, body)
	}

	status, body, hdr := exportGet(t, c, base+"/download?format=trl&consensus=majority")
	if status != http.StatusOK || strings.Count(body, "\n") != 20 ||
		!strings.Contains(hdr.Get("Content-Disposition"), "exp-trl.jsonl") {
		t.Errorf("download: status %d, %d lines, %q; want 200, 20 rows, a file name",
			status, strings.Count(body, "\n"), hdr.Get("Content-Disposition"))
	}

	if status, _, _ := exportGet(t, a.client("ann"), base+"/preview"); status != http.StatusForbidden {
		t.Errorf("annotator previews an export: status %d, want 403", status)
	}
}

func TestFrozenVersionDownloadsTheSameBytes(t *testing.T) {
	a := newApp(t)
	a.user("boss", annotation.RoleAdmin)
	p := a.project(annotation.NewProjectSettings("frz"), judgedPairs(12)...)
	c := a.client("boss")

	resp, err := c.PostForm(fmt.Sprintf("%s/admin/projects/%d/export/versions", a.http.URL,
		p.ID), url.Values{"format": {"trl"}, "consensus": {"majority"}, "split": {"0.5"},
		"seed": {"4"}, "name": {"first"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/datasets/") {
		t.Fatalf("freeze: status %d, location %q; want 303 to the version", resp.StatusCode, loc)
	}

	_, first, _ := exportGet(t, c, a.http.URL+loc+"/download?part=train")
	// New judgments change the project, never the version.
	_, err = a.store.Pool().Exec(context.Background(), `
UPDATE judgments SET choice = 'b' WHERE pair_id IN (SELECT id FROM pairs WHERE project_id = $1)`,
		p.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, second, _ := exportGet(t, c, a.http.URL+loc+"/download?part=train")
	if first == "" || !bytes.Equal([]byte(first), []byte(second)) {
		t.Errorf("two downloads differ (%d and %d bytes)", len(first), len(second))
	}

	var runID int64
	err = a.store.Pool().QueryRow(context.Background(), `
INSERT INTO runs (dataset_version_id, config)
VALUES ($1, '{}') RETURNING id`, strings.TrimPrefix(loc, "/admin/datasets/")).Scan(&runID)
	if err != nil {
		t.Fatal(err)
	}
	status, page, _ := exportGet(t, c, a.http.URL+loc)
	if status != http.StatusOK || !strings.Contains(page, "first") ||
		!strings.Contains(page, "Percent agreement") ||
		!strings.Contains(page, fmt.Sprintf(`href="/admin/runs/%d"`, runID)) {
		t.Errorf("version page: status %d; want its name, agreement and run %d", status,
			runID)
	}
	status, list, _ := exportGet(t, c, a.http.URL+"/admin/datasets")
	if status != http.StatusOK || !strings.Contains(list, `data-testid="version-first"`) {
		t.Errorf("datasets list: status %d, version missing", status)
	}

	resp, err = c.PostForm(fmt.Sprintf("%s/admin/projects/%d/export/versions", a.http.URL,
		p.ID), url.Values{"format": {"trl"}, "name": {"first"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("a second version named first: status %d, want 409", resp.StatusCode)
	}
}

func TestReadinessOnProjectPage(t *testing.T) {
	a := newApp(t)
	a.user("boss", annotation.RoleAdmin)
	p := a.project(annotation.NewProjectSettings("ready"), judgedPairs(9)...)
	status, body, _ := exportGet(t, a.client("boss"),
		fmt.Sprintf("%s/admin/projects/%d/readiness", a.http.URL, p.ID))
	if status != http.StatusOK || !strings.Contains(body, `data-testid="ready-pairs">6<`) ||
		!strings.Contains(body, "33.3%") {
		t.Errorf("readiness: status %d, body %s; want 6 pairs and a third of ties", status, body)
	}
}

// TestExportPreviewInBrowser changes the options on the export page and
// waits for htmx to replace the preview's counts.
func TestExportPreviewInBrowser(t *testing.T) {
	a := newApp(t)
	a.user("boss", annotation.RoleAdmin)
	p := a.project(annotation.NewProjectSettings("live"), judgedPairs(30)...)
	ctx := newBrowser(t)

	err := chromedp.Do(ctx, login(a.http.URL, "boss"),
		chromedp.Navigate(fmt.Sprintf("%s/admin/projects/%d/export", a.http.URL, p.ID)),
		chromedp.WaitVisible(css(`[data-testid=kept]`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := evaluate[string](ctx, t, kept); got != "20" {
		t.Fatalf("kept at first: %s, want 20", got)
	}

	err = chromedp.Do(ctx,
		chromedp.SetValue(css(`select[name=consensus]`), "unanimous"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("select[name=consensus]")`+
			`.dispatchEvent(new Event("change", {bubbles: true}))`),
		chromedp.Poll[chromedp.Void](kept+` === "10"`, chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		t.Fatalf("preview did not follow the unanimous rule: %v; select %s, preview %s", err,
			evaluate[string](ctx, t, `document.querySelector("select[name=consensus]").value`),
			evaluate[string](ctx, t, `document.getElementById("export-preview").outerHTML`))
	}
	href := evaluate[string](ctx, t,
		`document.querySelector("[data-testid=download]").getAttribute("href")`)
	if !strings.Contains(href, "consensus=unanimous") {
		t.Errorf("download link %q does not carry the new rule", href)
	}
}

const kept = `document.querySelector("[data-testid=kept]").innerText`
