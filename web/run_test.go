package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/jobs/jobstest"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/trainer"
)

// launchForm is a valid launch form for a dataset version.
func launchForm(version int64) url.Values {
	return url.Values{"dataset": {strconv.FormatInt(version, 10)}, "loss": {"dpo"},
		"beta": {"0.1"}, "lr": {"0.001"}, "epochs": {"1"}, "steps": {""},
		"batch_size": {"8"}, "preset": {"test-tiny"}, "base": {""}, "sft_steps": {"20"},
		"log_every": {"5"}, "eval_fraction": {"0.1"}, "seed": {"1"}}
}

func TestLaunchFormValidation(t *testing.T) {
	a := newApp(t)
	a.user("adm", annotation.RoleAdmin)
	v := jobstest.DatasetVersion(t, a.store.Pool(), "pairs", jobstest.Pairs(10, 1))
	c := a.client("adm")

	tests := []struct {
		name   string
		change map[string]string
		want   string // in the page's list of problems
	}{
		{"beta not a number", map[string]string{"beta": "abc"}, `Beta: "abc" is not a number`},
		{"negative learning rate", map[string]string{"lr": "-1"}, "Learning rate: must be above 0"},
		{"no epochs nor steps", map[string]string{"epochs": "0"}, "Epochs: give a number"},
		{"batch size zero", map[string]string{"batch_size": "0"}, "Batch size: must be at least 1"},
		{"unknown preset", map[string]string{"preset": "huge"}, `unknown preset "huge"`},
		{"unknown loss", map[string]string{"loss": "magic"}, `loss "magic" is not one of`},
		{"missing dataset", map[string]string{"dataset": "999"}, "there is no version 999"},
		{"kto loss on pairs", map[string]string{"loss": "kto"}, "kto needs a dataset version"},
		{"held-out share one", map[string]string{"eval_fraction": "1"}, "Held-out share"},
		{"base not finished", map[string]string{"base": "12345"}, "run #12345 has no final"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form := launchForm(v)
			for k, val := range tc.change {
				form.Set(k, val)
			}
			resp, body := post(t, c, a.http.URL+"/admin/runs", form)
			body = html.UnescapeString(body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, want 400 and %q in the page:\n%s", resp.StatusCode, tc.want,
					problemsOf(body))
			}
		})
	}
	var n int
	a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM runs`).Scan(&n)
	if n != 0 {
		t.Errorf("refused forms queued %d runs", n)
	}
}

func post(t *testing.T, c *http.Client, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func problemsOf(body string) string {
	i := strings.Index(body, `data-testid="problems"`)
	if i < 0 {
		return "(no problems listed)"
	}
	return body[i:min(len(body), i+600)]
}

func TestLaunchQueuesRunWithDefaults(t *testing.T) {
	a := newApp(t)
	a.user("adm", annotation.RoleAdmin)
	v := jobstest.DatasetVersion(t, a.store.Pool(), "pairs", jobstest.Pairs(10, 1))
	resp, _ := post(t, a.client("adm"), a.http.URL+"/admin/runs", launchForm(v))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", resp.StatusCode)
	}
	runs, err := a.store.Runs(context.Background())
	if err != nil || len(runs) != 1 {
		t.Fatalf("%d runs (err %v), want 1", len(runs), err)
	}
	if got, want := resp.Header.Get("Location"), "/admin/runs/"+
		strconv.FormatInt(runs[0].ID, 10); got != want {
		t.Errorf("redirect to %q, want %q", got, want)
	}
	var cfg trainer.Config
	if err := json.Unmarshal(runs[0].Config, &cfg); err != nil {
		t.Fatal(err)
	}
	want := trainer.Defaults()
	want.Preset, want.SFTSteps, want.LogEvery = "test-tiny", 20, 5
	want.SFTOn = "chosen"
	if d := cmp.Diff(want, cfg); d != "" {
		t.Errorf("stored config: the trainer's defaults and the form (-want +got):\n%s", d)
	}
}

// simulateRun plays a worker on a queued run: two metric reports, a held-out
// evaluation and the end.
func simulateRun(t *testing.T, st *store.Store) store.Run {
	t.Helper()
	ctx := context.Background()
	v := jobstest.DatasetVersion(t, st.Pool(), "pairs", jobstest.Pairs(10, 1))
	run, err := st.CreateRun(ctx, store.NewRun{DatasetVersionID: v, Config: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ClaimRun(ctx, "w", t.TempDir(), 30e9); err != nil {
		t.Fatal(err)
	}
	reports := []store.RunMetric{
		{Stage: "train", Kind: "metrics", Step: 5, Total: 10, Metrics: map[string]float64{"loss": 0.7}},
		{Stage: "train", Kind: "metrics", Step: 10, Total: 10,
			Metrics: map[string]float64{"loss": 0.5, "rewards/margins": 0.25}},
		{Stage: "train", Kind: "eval", Step: 10, Total: 10,
			Metrics: map[string]float64{"eval_loss": 0.6}},
	}
	for _, m := range reports {
		if err := st.AddRunMetrics(ctx, run.ID, "w", m); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.FinishRun(ctx, run.ID, "w", store.RunSucceeded, "Done"); err != nil {
		t.Fatal(err)
	}
	return run
}

func TestMetricsCSV(t *testing.T) {
	a := newApp(t)
	a.user("adm", annotation.RoleAdmin)
	run := simulateRun(t, a.store)
	resp, err := a.client("adm").Get(a.http.URL + "/admin/runs/" +
		strconv.FormatInt(run.ID, 10) + "/metrics.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	records, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, r := range records {
		got = append(got, append(r[:4:4], r[5:]...)) // without the time column
	}
	want := [][]string{
		{"stage", "kind", "step", "epoch", "eval_loss", "loss", "rewards/margins"},
		{"train", "metrics", "5", "0", "", "0.7", ""},
		{"train", "metrics", "10", "0", "", "0.5", "0.25"},
		{"train", "eval", "10", "0", "0.6", "", ""},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("metrics CSV (-want +got):\n%s", d)
	}
}

// TestEventStreamOfFinishedRun reads the whole stream of a finished run:
// every metric, the log, the progress, then the end.
func TestEventStreamOfFinishedRun(t *testing.T) {
	a := newApp(t)
	a.user("adm", annotation.RoleAdmin)
	run := simulateRun(t, a.store)
	resp, err := a.client("adm").Get(a.http.URL + "/admin/runs/" +
		strconv.FormatInt(run.ID, 10) + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body) // ends because the run has ended
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			names = append(names, name)
		}
	}
	want := []string{"metric", "metric", "metric", "log", "log", "log", "progress", "end"}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("content type %q", ct)
	}

	// A reconnection from the last id gets nothing new but the end.
	req, _ := http.NewRequest("GET", resp.Request.URL.String(), nil)
	req.Header.Set("Last-Event-ID", lastID(string(b)))
	resp2, err := a.client("adm").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	b2, _ := io.ReadAll(resp2.Body)
	if n := strings.Count(string(b2), "event: metric"); n != 0 {
		t.Errorf("reconnection resent %d metrics", n)
	}
}

func lastID(stream string) string {
	id := ""
	for _, line := range strings.Split(stream, "\n") {
		if v, ok := strings.CutPrefix(line, "id: "); ok {
			id = v
		}
	}
	return id
}

func TestCancelQueuedRunFromPage(t *testing.T) {
	a := newApp(t)
	a.user("adm", annotation.RoleAdmin)
	v := jobstest.DatasetVersion(t, a.store.Pool(), "pairs", jobstest.Pairs(10, 1))
	run, err := a.store.CreateRun(context.Background(), store.NewRun{DatasetVersionID: v,
		Config: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := post(t, a.client("adm"), a.http.URL+"/admin/runs/"+
		strconv.FormatInt(run.ID, 10)+"/cancel", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("cancel: status %d, want 303", resp.StatusCode)
	}
	got, _ := a.store.Run(context.Background(), run.ID)
	if got.Status != store.RunCancelled {
		t.Errorf("status after cancel %q, want cancelled", got.Status)
	}
}
