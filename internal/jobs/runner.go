// Package jobs trains the runs queued in the database, one at a time per
// worker: it claims a run, reads its dataset version, feeds trainer.Train,
// records every report of the trainer, and sends heartbeats so that a run
// whose worker vanished is claimed again by another.
//
// A run's folder is DATA_DIR/runs/ID on the worker that claims it. A run
// resumed by another machine continues from its latest checkpoint only when
// that machine sees the same folder: with several workers, DATA_DIR must be
// shared storage (NFS or similar) mounted at the same path everywhere; the
// web server reads checkpoints from there too, for samples and downloads.
// Without shared storage a reclaimed run starts again from its first step.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/prefer-dev/prefer/internal/store"
)

// Options tune a Runner; zero fields take the defaults of Defaults.
type Options struct {
	// DataDir holds the runs' folders, under DataDir/runs.
	DataDir string
	// WorkerID names this worker in the database; host and process by default.
	WorkerID string
	// Parallelism bounds the CPU workers of the trainer so that training does
	// not starve the web server; half the cores by default.
	Parallelism int
	// PollEvery is how often an idle runner looks for a queued run.
	PollEvery time.Duration
	// HeartbeatEvery is how often a busy runner says it is alive and checks
	// whether its run was cancelled.
	HeartbeatEvery time.Duration
	// StaleAfter is how old a heartbeat must be before the run is claimed
	// again by another worker.
	StaleAfter time.Duration
}

// Defaults returns the options used for zero fields.
func Defaults() Options {
	host, _ := os.Hostname()
	return Options{
		WorkerID:       fmt.Sprintf("%s-%d", host, os.Getpid()),
		Parallelism:    max(1, runtime.NumCPU()/2),
		PollEvery:      2 * time.Second,
		HeartbeatEvery: 2 * time.Second,
		StaleAfter:     30 * time.Second,
	}
}

func (o Options) withDefaults() Options {
	d := Defaults()
	if o.WorkerID == "" {
		o.WorkerID = d.WorkerID
	}
	if o.Parallelism <= 0 {
		o.Parallelism = d.Parallelism
	}
	if o.PollEvery <= 0 {
		o.PollEvery = d.PollEvery
	}
	if o.HeartbeatEvery <= 0 {
		o.HeartbeatEvery = d.HeartbeatEvery
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = d.StaleAfter
	}
	return o
}

// Runner claims and trains runs.
type Runner struct {
	st   *store.Store
	log  *slog.Logger
	opts Options
}

// New returns a runner; Run starts it.
func New(st *store.Store, log *slog.Logger, opts Options) *Runner {
	opts = opts.withDefaults()
	return &Runner{st: st, log: log.With(slog.String("worker", opts.WorkerID)), opts: opts}
}

// RunsDir is the folder that holds the runs' folders.
func (r *Runner) RunsDir() string { return filepath.Join(r.opts.DataDir, "runs") }

// Run trains queued runs one after the other until ctx ends. A run under
// way when ctx ends stops at its next step, saves a checkpoint and goes
// back to the queue, to be resumed by the next worker that claims it.
func (r *Runner) Run(ctx context.Context) {
	r.log.Info("Training worker started", slog.Int("parallelism", r.opts.Parallelism))
	defer r.log.Info("Training worker stopped")
	for ctx.Err() == nil {
		did, err := r.RunOnce(ctx)
		if err != nil {
			r.log.Error("Training worker failed", slog.Any("err", err))
		}
		if did && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(r.opts.PollEvery):
		}
	}
}

// RunOnce claims one run and trains it to its end; it reports false when
// no run was waiting. The error is about the queue, not the run: a failed
// run is recorded as failed and RunOnce returns nil.
func (r *Runner) RunOnce(ctx context.Context) (bool, error) {
	run, err := r.st.ClaimRun(ctx, r.opts.WorkerID, r.RunsDir(), r.opts.StaleAfter)
	if errors.Is(err, store.ErrNoRun) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, r.train(ctx, run)
}
