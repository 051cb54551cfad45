package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// reviewGet fetches path with c and returns the status and body.
func reviewGet(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func reviewPost(t *testing.T, c *http.Client, u string, form url.Values) int {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestReviewSummary: twelve pairs, three judges; judge2 answers b where the
// others answer a. With six of those pairs gold a, judge2 is flagged; the
// page shows the kappa heatmap and the position-bias chart.
func TestReviewSummary(t *testing.T) {
	a := newApp(t)
	a.user("lead", annotation.RoleLead)
	ps := textPairs(12)
	for i := range ps {
		for j, c := range []annotation.Choice{"a", "a", "b"} {
			if i%4 == 3 {
				c = "tie" // some variety, so that kappa is defined
			}
			ps[i].Judgments = append(ps[i].Judgments, annotation.JudgmentInput{
				Annotator: fmt.Sprintf("judge%d", j), Choice: c})
		}
	}
	p := a.project(annotation.NewProjectSettings("summary"), ps...)
	rows, err := a.store.Pool().Query(t.Context(), `SELECT id FROM pairs ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 2, 4, 5, 6} { // pairs 3 and 7 are ties
		if err := a.store.SetGold(t.Context(), ids[i], "a"); err != nil {
			t.Fatal(err)
		}
	}

	lead := a.client("lead")
	status, body := reviewGet(t, lead, fmt.Sprintf("%s/review/%d", a.http.URL, p.ID))
	if status != http.StatusOK {
		t.Fatalf("summary: status %d", status)
	}
	// Imported judgments carry no side, so the position-bias chart is empty,
	// and no day, so there is no chart of judgments per day.
	if strings.Contains(body, `data-testid="per-day"`) {
		t.Errorf("summary page charts imported judgments per day")
	}
	for _, want := range []string{`data-testid="kappa-heatmap"`, "Krippendorff", "Fleiss"} {
		if !strings.Contains(body, want) {
			t.Errorf("summary page lacks %s", want)
		}
	}
	row := between(body, `data-testid="annotator-judge2"`, "</tr>")
	if !strings.Contains(row, `data-testid="flagged"`) {
		t.Errorf("judge2, wrong on every gold pair, is not flagged: %s", row)
	}
	if row := between(body, `data-testid="annotator-judge0"`, "</tr>"); strings.Contains(row,
		"flagged") {
		t.Errorf("judge0, right on gold, is flagged: %s", row)
	}
}

// between returns the text of s from the first from up to the next to.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// TestLeadPausesAnnotator: a paused annotator sees why instead of a pair;
// once unpaused they get pairs again.
func TestLeadPausesAnnotator(t *testing.T) {
	a := newApp(t)
	a.user("lead", annotation.RoleLead)
	ann := a.user("ann", annotation.RoleAnnotator)
	p := a.project(annotation.NewProjectSettings("pause"), textPairs(2)...)
	lead, annc := a.client("lead"), a.client("ann")
	pauseURL := fmt.Sprintf("%s/review/%d/annotators/%d/pause", a.http.URL, p.ID, ann.ID)
	screen := fmt.Sprintf("%s/annotate/%d", a.http.URL, p.ID)

	s := reviewPost(t, lead, pauseURL, url.Values{"action": {"pause"}})
	if s != http.StatusSeeOther {
		t.Fatalf("pause: status %d", s)
	}
	status, body := reviewGet(t, annc, screen)
	if status != http.StatusForbidden || !strings.Contains(body, "A lead paused you") {
		t.Errorf("paused annotator's screen: status %d, want 403 saying a lead paused them",
			status)
	}

	s = reviewPost(t, lead, pauseURL, url.Values{"action": {"unpause"}})
	if s != http.StatusSeeOther {
		t.Fatalf("unpause: status %d", s)
	}
	status, body = reviewGet(t, annc, screen)
	if status != http.StatusOK || !strings.Contains(body, `data-testid="task"`) {
		t.Errorf("unpaused annotator's screen: status %d, no task", status)
	}
}

// TestLeadSetsGold sets and clears a pair's gold answer and refuses a label
// that is not one of the four.
func TestLeadSetsGold(t *testing.T) {
	a := newApp(t)
	a.user("lead", annotation.RoleLead)
	p := a.project(annotation.NewProjectSettings("gold"), textPairs(1)...)
	var pairID int64
	err := a.store.Pool().QueryRow(t.Context(), `SELECT id FROM pairs`).Scan(&pairID)
	if err != nil {
		t.Fatal(err)
	}
	lead := a.client("lead")
	goldURL := fmt.Sprintf("%s/review/%d/pairs/%d/gold", a.http.URL, p.ID, pairID)

	tests := []struct {
		value      string
		wantStatus int
		wantGold   string
	}{
		{"tie", http.StatusSeeOther, "tie"},
		{"worse", http.StatusBadRequest, "tie"},
		{"", http.StatusSeeOther, ""},
	}
	for _, tc := range tests {
		if s := reviewPost(t, lead, goldURL, url.Values{"gold": {tc.value}}); s != tc.wantStatus {
			t.Errorf("gold %q: status %d, want %d", tc.value, s, tc.wantStatus)
		}
		answers, err := a.store.GoldAnswers(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(answers[pairID]); got != tc.wantGold {
			t.Errorf("after posting %q the gold answer is %q, want %q", tc.value, got,
				tc.wantGold)
		}
	}

	other := a.project(annotation.NewProjectSettings("other"), textPairs(1)...)
	wrong := fmt.Sprintf("%s/review/%d/pairs/%d/gold", a.http.URL, other.ID, pairID)
	if s := reviewPost(t, lead, wrong, url.Values{"gold": {"a"}}); s != http.StatusNotFound {
		t.Errorf("gold of a pair through another project: status %d, want 404", s)
	}
}

// TestGoldFailurePausesOnScreen answers gold pairs wrongly on the
// annotation screen until the gold check pauses the annotator: the last
// verdict is kept, and the screen is sent to the page that says why.
func TestGoldFailurePausesOnScreen(t *testing.T) {
	a := newApp(t)
	ann := a.user("ann", annotation.RoleAnnotator)
	ps := annotation.NewProjectSettings("gold check")
	ps.K, ps.GoldRate, ps.GoldThreshold, ps.PauseBelow = 1, 1, 0.7, true
	p := a.project(ps, textPairs(10)...)
	_, err := a.store.Pool().Exec(t.Context(), `UPDATE pairs SET gold = 'a'`)
	if err != nil {
		t.Fatal(err)
	}
	c := a.client("ann")

	var resp *http.Response
	for i := range annotation.MinGold {
		as, err := a.store.NextAssignment(t.Context(), p.ID, ann.ID, time.Minute)
		if err != nil {
			t.Fatalf("pair %d: %v", i, err)
		}
		pick := "left" // b, wrong
		if as.ALeft {
			pick = "right"
		}
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/annotate/%d/assignments/%d",
			a.http.URL, p.ID, as.ID), strings.NewReader(url.Values{"choice": {pick}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		if resp, err = c.Do(req); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	screen := fmt.Sprintf("/annotate/%d", p.ID)
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("HX-Redirect") != screen {
		t.Errorf("last wrong gold verdict: status %d, HX-Redirect %q; want 204 to %s",
			resp.StatusCode, resp.Header.Get("HX-Redirect"), screen)
	}
	var n int
	err = a.store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM judgments`).Scan(&n)
	if err != nil || n != annotation.MinGold {
		t.Errorf("stored %d verdicts (%v), want all %d", n, err, annotation.MinGold)
	}
	status, body := reviewGet(t, c, a.http.URL+screen)
	if status != http.StatusForbidden || !strings.Contains(body, "A lead paused you") {
		t.Errorf("screen after the pause: status %d, want 403 saying a lead paused them", status)
	}
}

// TestLeadTagsAPair tags a pair from its review page; the tags show there.
func TestLeadTagsAPair(t *testing.T) {
	a := newApp(t)
	a.user("lead", annotation.RoleLead)
	p := a.project(annotation.NewProjectSettings("tags"), textPairs(1)...)
	var pairID int64
	err := a.store.Pool().QueryRow(t.Context(), `SELECT id FROM pairs`).Scan(&pairID)
	if err != nil {
		t.Fatal(err)
	}
	lead := a.client("lead")
	base := fmt.Sprintf("%s/review/%d/pairs/%d", a.http.URL, p.ID, pairID)

	if status := reviewPost(t, lead, base+"/tags",
		url.Values{"tags": {"sycophancy, refusal, sycophancy"}}); status != http.StatusSeeOther {
		t.Fatalf("set tags: status %d, want 303", status)
	}
	var tags []string
	if err := a.store.Pool().QueryRow(t.Context(), `SELECT tags FROM pairs WHERE id = $1`,
		pairID).Scan(&tags); err != nil {
		t.Fatal(err)
	}
	if strings.Join(tags, ",") != "sycophancy,refusal" {
		t.Errorf("stored tags %v, want [sycophancy refusal]", tags)
	}
	_, body := reviewGet(t, lead, base)
	if !strings.Contains(body, `value="sycophancy, refusal"`) {
		t.Errorf("pair page does not show the tags")
	}

	tooLong := strings.Repeat("x", 101)
	if status := reviewPost(t, lead, base+"/tags", url.Values{"tags": {tooLong}}); status !=
		http.StatusBadRequest {
		t.Errorf("a 101-character tag: status %d, want 400", status)
	}
}
