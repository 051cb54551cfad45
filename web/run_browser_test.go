package web_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/jobs"
	"github.com/prefer-dev/prefer/internal/jobs/jobstest"
)

// startWorker runs a training worker on the app's database until the test
// ends.
func startWorker(t *testing.T, a *app) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r := jobs.New(a.store, log, jobs.Options{DataDir: t.TempDir(), WorkerID: "test",
		Parallelism: 1, PollEvery: 100 * time.Millisecond, HeartbeatEvery: time.Second})
	go func() {
		defer close(done)
		r.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// TestAdminLaunchesAndWatchesRun launches a small run from the form, sees
// the loss chart gain points while it trains (they come only through the
// event stream), and sees the run finish.
func TestAdminLaunchesAndWatchesRun(t *testing.T) {
	a := newApp(t)
	a.user("adm", annotation.RoleAdmin)
	jobstest.DatasetVersion(t, a.store.Pool(), "synthetic pairs", jobstest.Pairs(60, 1))
	startWorker(t, a)
	ctx := newBrowser(t)

	const steps, logEvery = 200, 5
	fields := map[string]string{"steps": strconv.Itoa(steps), "batch_size": "8",
		"sft_steps": "10", "log_every": strconv.Itoa(logEvery), "lr": "0.003", "beta": "0.5",
		"eval_fraction": "0.2"}
	actions := []chromedp.Action[chromedp.Void]{login(a.http.URL, "adm"),
		chromedp.Navigate(a.http.URL + "/admin/runs"),
		chromedp.Click(css(`[data-testid=new-run]`)),
		chromedp.WaitVisible(css(`[data-testid=run-form]`)),
		chromedp.SetValue(css(`select[name=preset]`), "test-tiny"),
	}
	for name, v := range fields {
		actions = append(actions, chromedp.SetValue(css(`input[name=`+name+`]`), v))
	}
	actions = append(actions, chromedp.Click(css(`[data-testid=launch]`)),
		chromedp.WaitVisible(css(`[data-testid=chart-loss]`)))
	began := time.Now()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}

	// Points arrive while the run trains: a count seen before the end, then
	// a larger one.
	points := func() int {
		return evaluate[int](ctx, t, `Number(document.querySelector(
			"[data-testid=chart-loss]").dataset.points)`)
	}
	status := func() string {
		return evaluate[string](ctx, t, `document.getElementById("run").dataset.status`)
	}
	var seen []int
	for time.Since(began) < 80*time.Second && status() != "succeeded" {
		if n := points(); n > 0 && (len(seen) == 0 || n != seen[len(seen)-1]) {
			seen = append(seen, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("run took %s in the browser; loss chart point counts seen: %v",
		time.Since(began).Round(100*time.Millisecond), seen)
	if got := status(); got != "succeeded" {
		t.Fatalf("run status %q after %s, want succeeded", got, time.Since(began))
	}
	if len(seen) < 2 || seen[0] >= steps/logEvery {
		t.Errorf("loss chart counts %v: want a partial count, then more", seen)
	}
	if got := points(); got != steps/logEvery {
		t.Errorf("loss chart ends with %d points, want %d", got, steps/logEvery)
	}
	drawn := evaluate[int](ctx, t, `document.querySelectorAll(
		"[data-testid=chart-loss] canvas").length`)
	if drawn == 0 {
		t.Errorf("no uPlot canvas drawn in the loss chart")
	}
	progress := evaluate[string](ctx, t, `document.getElementById("run-progress").value + ""`)
	if progress != "100" {
		t.Errorf("progress bar at %s, want 100", progress)
	}

	// Samples of the trained policy and its reference, side by side.
	err := chromedp.Do(ctx,
		chromedp.SendKeys(css(`textarea[name=prompt]`), "qabc>"),
		chromedp.SetValue(css(`input[name=max_tokens]`), "5"),
		chromedp.Click(css(`#samples button[type=submit]`)),
		chromedp.WaitVisible(css(`[data-testid=samples]`)))
	if err != nil {
		t.Fatal(err)
	}
	policy := evaluate[string](ctx, t,
		`document.querySelector("[data-testid=sample-policy]").textContent`)
	if !strings.HasPrefix(policy, "A") {
		t.Errorf("policy completes qabc> with %q, want the preferred A...", policy)
	}
}
