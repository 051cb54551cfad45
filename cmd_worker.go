package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"

	"github.com/prefer-dev/prefer/internal/config"
	"github.com/prefer-dev/prefer/internal/jobs"
	"github.com/prefer-dev/prefer/internal/store"
)

// runWorker implements `prefer worker`: it trains queued runs until it is
// stopped. A run under way then stops at its next step, saves a checkpoint
// and goes back to the queue. Several workers on several machines share the
// queue; for a run to resume on another machine, DATA_DIR must be storage
// they share, mounted at the same path.
func runWorker(ctx context.Context, args []string, log *slog.Logger) error {
	d := jobs.Defaults()
	var opts jobs.Options
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.StringVar(&opts.WorkerID, "id", d.WorkerID, "name of this worker in the run log")
	fs.IntVar(&opts.Parallelism, "parallelism", 0,
		"CPU workers of the trainer (default: all cores, as nothing else runs here)")
	fs.DurationVar(&opts.StaleAfter, "stale-after", d.StaleAfter,
		"heartbeat age after which another worker's run is taken over")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("worker: set DATABASE_URL to the database of the prefer server")
	}
	if opts.Parallelism == 0 {
		opts.Parallelism = 2 * d.Parallelism
	}
	opts.DataDir = cfg.DataDir

	st, closeDB, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	jobs.New(st, log, opts).Run(ctx)
	return nil
}

// startTraining runs a training worker inside `prefer serve` when
// TRAIN_IN_PROCESS allows it, with half the cores so that requests stay
// fast. The returned function stops it and waits: a run under way saves a
// checkpoint and goes back to the queue.
func startTraining(ctx context.Context, cfg config.Config, st *store.Store,
	log *slog.Logger) (stop func()) {
	if !cfg.TrainInProcess {
		log.Info("Training runs are left to `prefer worker` (TRAIN_IN_PROCESS=false)")
		return func() {}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	runner := jobs.New(st, log, jobs.Options{DataDir: cfg.DataDir})
	go func() {
		defer close(done)
		runner.Run(runCtx)
	}()
	return func() {
		cancel()
		<-done
	}
}
