package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/trainer"
)

// errCancelRequested is the cause of a training context cancelled from the
// run page.
var errCancelRequested = errors.New("cancel requested")

// errLost is the cause of a training context whose run another worker has
// taken over: the trainer stops without writing into the folder, which is
// the new worker's now.
var errLost = fmt.Errorf("%w: %w", store.ErrRunLost, trainer.ErrAbandon)

// train runs one claimed run to its end and records how it ended.
func (r *Runner) train(ctx context.Context, run store.Run) error {
	log := r.log.With(slog.Int64("run_id", run.ID))
	if run.CancelRequested {
		return r.end(ctx, run, store.RunCancelled, "Cancelled before training resumed")
	}
	// Heartbeats start before the dataset is read, which can take a while.
	trainCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	beats := make(chan struct{})
	go func() {
		defer close(beats)
		r.heartbeat(trainCtx, run, cancel)
	}()

	cfg, examples, err := r.prepare(trainCtx, run)
	if err != nil && trainCtx.Err() != nil {
		// Stopping, lost or cancelled: the run is not at fault.
		cause := context.Cause(trainCtx)
		cancel(nil)
		<-beats
		return r.outcome(ctx, log, run, err, cause, 0)
	}
	if err != nil {
		cancel(nil)
		<-beats
		log.Error("Training run failed to start", slog.Any("err", err))
		return r.end(ctx, run, store.RunFailed, err.Error())
	}
	log.Info("Training run started", slog.Int("attempt", run.Attempts),
		slog.Int("examples", len(examples)), slog.String("out_dir", cfg.OutDir))

	rec := &recorder{st: r.st, log: log, run: run, worker: r.opts.WorkerID, cancel: cancel}
	began := time.Now()
	err = trainer.Train(trainCtx, cfg, examples, rec.report)
	cause := context.Cause(trainCtx)
	cancel(nil)
	<-beats
	return r.outcome(ctx, log, run, err, cause, time.Since(began))
}

// outcome records how Train ended: success, a cancel from the page, a lost
// run, a worker that stops, or a failure.
func (r *Runner) outcome(ctx context.Context, log *slog.Logger, run store.Run, err, cause error,
	took time.Duration) error {
	switch {
	case err == nil:
		log.Info("Training run succeeded", slog.Duration("took", took))
		took = took.Round(100 * time.Millisecond)
		return r.end(ctx, run, store.RunSucceeded, "Succeeded in "+took.String())
	case errors.Is(cause, errCancelRequested):
		log.Info("Training run cancelled")
		return r.end(ctx, run, store.RunCancelled, "Cancelled; the last checkpoint is kept")
	case errors.Is(cause, store.ErrRunLost):
		log.Warn("Training run taken over by another worker")
		return nil
	case ctx.Err() != nil:
		log.Info("Training run interrupted; back in the queue")
		err := r.st.ReleaseRun(context.WithoutCancel(ctx), run.ID, r.opts.WorkerID,
			"Worker "+r.opts.WorkerID+" stopped; the run waits to resume from its checkpoint")
		if errors.Is(err, store.ErrRunLost) {
			return nil
		}
		return err
	}
	log.Error("Training run failed", slog.Any("err", err))
	return r.end(ctx, run, store.RunFailed, "Failed: "+err.Error())
}

// end finishes the run, even while ctx ends.
func (r *Runner) end(ctx context.Context, run store.Run, status, msg string) error {
	err := r.st.FinishRun(context.WithoutCancel(ctx), run.ID, r.opts.WorkerID, status, msg)
	if errors.Is(err, store.ErrRunLost) {
		return nil
	}
	return err
}

// prepare builds the trainer's configuration and reads the examples.
func (r *Runner) prepare(ctx context.Context, run store.Run) (trainer.Config, []trainer.Example,
	error) {
	var cfg trainer.Config
	if err := json.Unmarshal(run.Config, &cfg); err != nil {
		return cfg, nil, fmt.Errorf("configuration: %w", err)
	}
	cfg.OutDir = run.OutDir
	cfg.Resume = true
	if cfg.Parallelism <= 0 || cfg.Parallelism > r.opts.Parallelism {
		cfg.Parallelism = r.opts.Parallelism
	}
	if run.BaseRunID != 0 {
		base, err := r.st.Run(ctx, run.BaseRunID)
		if err != nil {
			return cfg, nil, fmt.Errorf("base: %w", err)
		}
		cfg.BasePath = base.Checkpoint
	}

	// A first attempt starts clean: a folder of that id is left over from
	// another database (a reset installation reuses ids).
	if run.Attempts == 1 {
		if err := os.RemoveAll(run.OutDir); err != nil {
			return cfg, nil, fmt.Errorf("clear run folder: %w", err)
		}
	}
	examples, err := r.examples(ctx, run.DatasetVersionID)
	return cfg, examples, err
}

// examples reads the frozen rows of a dataset version.
func (r *Runner) examples(ctx context.Context, versionID int64) ([]trainer.Example, error) {
	rows, err := r.st.DatasetVersionRows(ctx, versionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return trainer.ReadExamples(rows, fmt.Sprintf("dataset version %d", versionID))
}

// heartbeat tells the database every HeartbeatEvery that the run is alive,
// and stops training when the run was cancelled or taken over.
func (r *Runner) heartbeat(ctx context.Context, run store.Run, cancel context.CancelCauseFunc) {
	tick := time.NewTicker(r.opts.HeartbeatEvery)
	defer tick.Stop()
	lastOK := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		stop, err := r.st.HeartbeatRun(ctx, run.ID, r.opts.WorkerID)
		switch {
		case errors.Is(err, store.ErrRunLost):
			cancel(errLost)
			return
		case err != nil && ctx.Err() == nil && time.Since(lastOK) > r.opts.StaleAfter:
			// Others may have taken the run over by now: stop touching it.
			r.log.Error("Heartbeats failing for longer than a run may go silent; giving the run up",
				slog.Int64("run_id", run.ID), slog.Any("err", err))
			cancel(errLost)
			return
		case err != nil && ctx.Err() == nil:
			r.log.Warn("Heartbeat failed", slog.Int64("run_id", run.ID), slog.Any("err", err))
		case stop:
			cancel(errCancelRequested)
			return
		default:
			lastOK = time.Now()
		}
	}
}
