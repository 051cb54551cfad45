package jobs_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prefer-dev/prefer/internal/jobs"
	"github.com/prefer-dev/prefer/internal/jobs/jobstest"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/internal/testdb"
	"github.com/prefer-dev/prefer/trainer"
)

// tinyConfig trains the test preset for a few steps: seconds on two cores.
func tinyConfig(steps int) json.RawMessage {
	cfg := trainer.Config{Preset: "test-tiny", Model: trainer.ModelConfig{MaxLen: 16},
		BatchSize: 8, SFTSteps: 10, SFTOn: "both", LR: 3e-3, SFTLR: 1e-2, Steps: steps,
		WarmupSteps: 2, LogEvery: 2, SaveEvery: 4, EvalFraction: 0.2, Beta: 0.5}
	b, _ := json.Marshal(cfg)
	return b
}

type fixture struct {
	st      *store.Store
	dataDir string
	run     store.Run
}

func newFixture(t *testing.T, steps int) fixture {
	t.Helper()
	st := store.New(testdb.New(t))
	v := jobstest.DatasetVersion(t, st.Pool(), "synthetic", jobstest.Pairs(60, 1))
	run, err := st.CreateRun(context.Background(), store.NewRun{DatasetVersionID: v,
		Config: tinyConfig(steps)})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{st: st, dataDir: t.TempDir(), run: run}
}

func (f fixture) runner(worker string) *jobs.Runner {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return jobs.New(f.st, log, jobs.Options{DataDir: f.dataDir, WorkerID: worker,
		Parallelism: 1, HeartbeatEvery: 50 * time.Millisecond, StaleAfter: 30 * time.Second})
}

func (f fixture) load(t *testing.T) store.Run {
	t.Helper()
	r, err := f.st.Run(context.Background(), f.run.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// trainSteps returns the steps of the train stage's metric reports, in order.
func (f fixture) trainSteps(t *testing.T) []int {
	t.Helper()
	list, err := f.st.RunMetrics(context.Background(), f.run.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	for _, m := range list {
		if m.Stage == "train" && m.Kind == "metrics" {
			steps = append(steps, m.Step)
		}
	}
	return steps
}

func (f fixture) log(t *testing.T) string {
	t.Helper()
	events, err := f.st.RunEvents(context.Background(), f.run.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range events {
		lines = append(lines, e.Message)
	}
	return strings.Join(lines, "\n")
}

func evenSteps(upTo int) []int {
	var s []int
	for i := 2; i <= upTo; i += 2 {
		s = append(s, i)
	}
	return s
}

// TestTrainsRunFromDatasetVersion trains a queued run to its end and checks
// what the database holds: status, progress, metrics of every logging step,
// the held-out figures and a checkpoint on disk.
func TestTrainsRunFromDatasetVersion(t *testing.T) {
	f := newFixture(t, 8)
	did, err := f.runner("w").RunOnce(context.Background())
	if err != nil || !did {
		t.Fatalf("RunOnce: did %v, err %v", did, err)
	}

	r := f.load(t)
	if r.Status != store.RunSucceeded || r.Error != "" {
		t.Fatalf("status %s, error %q; log:\n%s", r.Status, r.Error, f.log(t))
	}
	if r.Stage != "train" || r.Step != 8 || r.TotalSteps != 8 {
		t.Errorf("progress %s %d/%d, want train 8/8", r.Stage, r.Step, r.TotalSteps)
	}
	if got, want := f.trainSteps(t), evenSteps(8); !equal(got, want) {
		t.Errorf("train metric steps %v, want %v", got, want)
	}
	h := r.Headline
	if h.Loss == nil || h.EvalAccuracy == nil || h.EvalLoss == nil {
		t.Errorf("headline %+v lacks loss or held-out figures", h)
	}
	if _, err := os.Stat(r.Checkpoint); err != nil {
		t.Errorf("final checkpoint: %v", err)
	}
	if l := f.log(t); !strings.Contains(l, "Stage sft") || !strings.Contains(l, "Succeeded") {
		t.Errorf("log lacks the stages or the end:\n%s", l)
	}
}

// TestVanishedWorkerRunResumes: worker a stops after a checkpoint and
// leaves the run as a killed process would (running, old heartbeat); worker
// b claims it and resumes from the checkpoint to the same total steps, each
// logging step recorded once.
func TestVanishedWorkerRunResumes(t *testing.T) {
	const total = 16
	f := newFixture(t, total)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if f.load(t).Checkpoint != "" {
				cancel()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if _, err := f.runner("a").RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	stopped := f.load(t)
	if stopped.Step == 0 || stopped.Step >= total {
		t.Fatalf("worker a stopped at step %d, want inside (0, %d)", stopped.Step, total)
	}

	// What a killed worker leaves: the run still running under its name.
	_, err := f.st.Pool().Exec(context.Background(), `UPDATE runs SET status = 'running',
		worker = 'a', heartbeat_at = now() - interval '1 hour' WHERE id = $1`, f.run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if did, err := f.runner("b").RunOnce(context.Background()); err != nil || !did {
		t.Fatalf("worker b: did %v, err %v", did, err)
	}

	r := f.load(t)
	if r.Status != store.RunSucceeded || r.Step != total || r.Attempts != 2 {
		t.Fatalf("after b: %s at %d/%d, attempt %d; want succeeded at %d, attempt 2; log:\n%s",
			r.Status, r.Step, r.TotalSteps, r.Attempts, total, f.log(t))
	}
	if got, want := f.trainSteps(t), evenSteps(total); !equal(got, want) {
		t.Errorf("train metric steps %v, want %v (each once)", got, want)
	}
	l := f.log(t)
	for _, want := range []string{"a stopped sending heartbeats", "resumed at step"} {
		if !strings.Contains(l, want) {
			t.Errorf("log lacks %q:\n%s", want, l)
		}
	}
}

// TestCancelStopsTraining cancels a running run from outside, as the page
// does, and checks that the worker stops and records it.
func TestCancelStopsTraining(t *testing.T) {
	f := newFixture(t, 400)
	go func() {
		for f.load(t).Step < 2 {
			time.Sleep(20 * time.Millisecond)
		}
		f.st.CancelRun(context.Background(), f.run.ID, "adm")
	}()
	if _, err := f.runner("w").RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := f.load(t)
	if r.Status != store.RunCancelled || r.Step >= 400 {
		t.Errorf("status %s at step %d, want cancelled before the end", r.Status, r.Step)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestTrainsFromBaseRun starts a second run from the first one's final
// checkpoint: it has no supervised stage of its own.
func TestTrainsFromBaseRun(t *testing.T) {
	f := newFixture(t, 4)
	w := f.runner("w")
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	second, err := f.st.CreateRun(context.Background(), store.NewRun{
		DatasetVersionID: f.run.DatasetVersionID, BaseRunID: f.run.ID, Config: tinyConfig(4)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	g := fixture{st: f.st, run: second}
	r := g.load(t)
	if r.Status != store.RunSucceeded {
		t.Fatalf("second run %s; log:\n%s", r.Status, g.log(t))
	}
	if l := g.log(t); strings.Contains(l, "Stage sft") {
		t.Errorf("a run from a base trained its own supervised stage:\n%s", l)
	}
}
