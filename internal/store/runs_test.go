package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prefer-dev/prefer/internal/jobs/jobstest"
	"github.com/prefer-dev/prefer/internal/store"
)

// newRun queues a run on a fresh dataset version.
func newRun(t *testing.T, st *store.Store) store.Run {
	t.Helper()
	var n int
	st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM runs`).Scan(&n)
	name := fmt.Sprintf("v-%s-%d", t.Name(), n)
	v := jobstest.DatasetVersion(t, st.Pool(), name, jobstest.Pairs(4, 1))
	r, err := st.CreateRun(context.Background(), store.NewRun{DatasetVersionID: v,
		Config: []byte(`{"steps": 3}`)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestClaimHeartbeatReclaim: one worker claims a run, a second finds
// nothing; once the first stops sending heartbeats the second claims it
// again, and the first learns that it lost the run.
func TestClaimHeartbeatReclaim(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	run := newRun(t, st)
	const stale = 30e9 // 30s

	got, err := st.ClaimRun(ctx, "w1", "/data/runs/", stale)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Run{ID: run.ID, Status: store.RunRunning, Worker: "w1", Attempts: 1,
		OutDir: "/data/runs/" + strconv.FormatInt(run.ID, 10)}
	if d := cmp.Diff(want, claimView(got)); d != "" {
		t.Errorf("first claim (-want +got):\n%s", d)
	}
	if _, err := st.ClaimRun(ctx, "w2", "/data/runs", stale); !errors.Is(err, store.ErrNoRun) {
		t.Fatalf("second worker's claim while w1 is alive: %v, want ErrNoRun", err)
	}
	if cancel, err := st.HeartbeatRun(ctx, run.ID, "w1"); err != nil || cancel {
		t.Fatalf("heartbeat of w1: cancel %v, err %v", cancel, err)
	}

	// w1 goes silent: its last heartbeat is a minute old.
	st.Pool().Exec(ctx, `UPDATE runs SET heartbeat_at = now() - interval '1 minute'`)
	got, err = st.ClaimRun(ctx, "w2", "/data/runs", stale)
	if err != nil {
		t.Fatalf("claim of a stale run: %v", err)
	}
	want.Worker, want.Attempts = "w2", 2
	if d := cmp.Diff(want, claimView(got)); d != "" {
		t.Errorf("reclaim (-want +got):\n%s", d)
	}

	if _, err := st.HeartbeatRun(ctx, run.ID, "w1"); !errors.Is(err, store.ErrRunLost) {
		t.Errorf("heartbeat of the old worker: %v, want ErrRunLost", err)
	}
	err = st.FinishRun(ctx, run.ID, "w1", store.RunSucceeded, "done")
	if !errors.Is(err, store.ErrRunLost) {
		t.Errorf("old worker finishing the run: %v, want ErrRunLost", err)
	}
	if err := st.FinishRun(ctx, run.ID, "w2", store.RunSucceeded, "done"); err != nil {
		t.Fatal(err)
	}
	if got := logText(t, st, run.ID); !strings.Contains(got, "w1 stopped sending heartbeats") {
		t.Errorf("log %q does not tell that w1 went silent", got)
	}
}

func claimView(r store.Run) store.Run {
	return store.Run{ID: r.ID, Status: r.Status, Worker: r.Worker, Attempts: r.Attempts,
		OutDir: r.OutDir}
}

func logText(t *testing.T, st *store.Store, id int64) string {
	t.Helper()
	events, err := st.RunEvents(context.Background(), id, 0)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range events {
		lines = append(lines, e.Message)
	}
	return strings.Join(lines, "\n")
}

func TestReleasedRunIsClaimedAgain(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	run := newRun(t, st)
	if _, err := st.ClaimRun(ctx, "w1", "/d", 30e9); err != nil {
		t.Fatal(err)
	}
	if err := st.ReleaseRun(ctx, run.ID, "w1", "stopping"); err != nil {
		t.Fatal(err)
	}
	got, err := st.ClaimRun(ctx, "w2", "/d", 30e9)
	if err != nil || got.ID != run.ID || got.Attempts != 2 {
		t.Fatalf("claim after release: run %d attempt %d err %v, want run %d attempt 2",
			got.ID, got.Attempts, err, run.ID)
	}
}

func TestCancelRun(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	queued, running := newRun(t, st), newRun(t, st)
	if _, err := st.ClaimRun(ctx, "w", "/d", 30e9); err != nil { // claims the older one
		t.Fatal(err)
	}
	queued, running = running, queued

	for _, id := range []int64{queued.ID, running.ID} {
		if err := st.CancelRun(ctx, id, "adm"); err != nil {
			t.Fatal(err)
		}
	}
	q, _ := st.Run(ctx, queued.ID)
	if q.Status != store.RunCancelled || q.FinishedAt == nil {
		t.Errorf("queued run after cancel: status %s, finished %v; want cancelled", q.Status,
			q.FinishedAt)
	}
	r, _ := st.Run(ctx, running.ID)
	if r.Status != store.RunRunning || !r.CancelRequested {
		t.Errorf("running run after cancel: status %s, cancel requested %v; want running, true",
			r.Status, r.CancelRequested)
	}
	if cancel, err := st.HeartbeatRun(ctx, running.ID, "w"); err != nil || !cancel {
		t.Errorf("heartbeat after cancel: cancel %v, err %v; want true", cancel, err)
	}
}

// TestMetricsAndResumedStage records metrics, then restarts the stage at
// a checkpoint: reports after it are forgotten, the headline is the newest.
func TestMetricsAndResumedStage(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	run := newRun(t, st)
	if _, err := st.ClaimRun(ctx, "w", "/d", 30e9); err != nil {
		t.Fatal(err)
	}
	if err := st.StartRunStage(ctx, run.ID, "w", "train", 0, 30); err != nil {
		t.Fatal(err)
	}
	for _, step := range []int{10, 20} {
		m := store.RunMetric{Stage: "train", Kind: "metrics", Step: step, Total: 30,
			Metrics: map[string]float64{"loss": 1 / float64(step)}}
		if err := st.AddRunMetrics(ctx, run.ID, "w", m); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.StartRunStage(ctx, run.ID, "w", "train", 10, 30); err != nil {
		t.Fatal(err)
	}
	for _, m := range []store.RunMetric{
		{Stage: "train", Kind: "metrics", Step: 20, Total: 30, Metrics: map[string]float64{"loss": 0.25}},
		{Stage: "train", Kind: "eval", Step: 20, Total: 30,
			Metrics: map[string]float64{"eval_loss": 0.5, "eval_rewards/accuracies": 0.75}},
	} {
		if err := st.AddRunMetrics(ctx, run.ID, "w", m); err != nil {
			t.Fatal(err)
		}
	}

	list, err := st.RunMetrics(ctx, run.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, m := range list {
		got = append(got, float64(m.Step))
	}
	if d := cmp.Diff([]float64{10, 20, 20}, got); d != "" {
		t.Errorf("steps recorded (-want +got):\n%s", d)
	}
	r, _ := st.Run(ctx, run.ID)
	h := r.Headline
	if h.Loss == nil || *h.Loss != 0.25 || h.EvalAccuracy == nil || *h.EvalAccuracy != 0.75 {
		t.Errorf("headline loss %v accuracy %v, want 0.25 and 0.75", h.Loss, h.EvalAccuracy)
	}
	if r.Step != 20 || r.TotalSteps != 30 || r.StageStartStep != 10 {
		t.Errorf("progress %d/%d from %d, want 20/30 from 10", r.Step, r.TotalSteps,
			r.StageStartStep)
	}
}

func TestCreateRunRefusesBadReferences(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	unfinished := newRun(t, st)
	for name, nr := range map[string]store.NewRun{
		"missing dataset": {DatasetVersionID: 999, Config: []byte(`{}`)},
		"unfinished base": {DatasetVersionID: unfinished.DatasetVersionID,
			BaseRunID: unfinished.ID, Config: []byte(`{}`)},
	} {
		if _, err := st.CreateRun(ctx, nr); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

// TestRunThatKeepsLosingWorkersFails: after MaxRunAttempts workers vanished
// on it, a run is failed instead of claimed again.
func TestRunThatKeepsLosingWorkersFails(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	run := newRun(t, st)
	const stale = 30e9

	for i := range store.MaxRunAttempts {
		if _, err := st.ClaimRun(ctx, fmt.Sprintf("w%d", i), "/data/runs", stale); err != nil {
			t.Fatalf("claim %d: %v", i+1, err)
		}
		st.Pool().Exec(ctx, `UPDATE runs SET heartbeat_at = now() - interval '1 minute'`)
	}
	if _, err := st.ClaimRun(ctx, "last", "/data/runs", stale); !errors.Is(err, store.ErrNoRun) {
		t.Fatalf("claim after %d vanished workers: %v, want ErrNoRun", store.MaxRunAttempts, err)
	}
	got, err := st.Run(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.RunFailed || !strings.Contains(logText(t, st, run.ID), "vanished") {
		t.Errorf("run status %s, log %q: want failed with the reason", got.Status,
			logText(t, st, run.ID))
	}
}
