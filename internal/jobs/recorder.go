package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/trainer"
)

// recordTimeout bounds one database write of a report, so that a slow
// database cannot hold training for long.
const recordTimeout = 30 * time.Second

// recorder writes the trainer's reports to the database.
type recorder struct {
	st     *store.Store
	log    *slog.Logger
	run    store.Run
	worker string
	cancel context.CancelCauseFunc
}

// report is the trainer's report callback. Writes use their own context:
// the trainer reports its last checkpoint after training was cancelled.
func (rc *recorder) report(e trainer.Event) {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	var err error
	switch e.Kind {
	case trainer.EventStage:
		err = rc.stage(ctx, e)
	case trainer.EventMetrics, trainer.EventEval:
		kind := "metrics"
		if e.Kind == trainer.EventEval {
			kind = "eval"
		}
		err = rc.st.AddRunMetrics(ctx, rc.run.ID, rc.worker, store.RunMetric{Stage: e.Stage,
			Kind: kind, Step: e.Step, Total: e.TotalSteps, Epoch: e.Epoch, Metrics: e.Metrics})
	case trainer.EventCheckpoint:
		err = rc.checkpoint(ctx, e)
	}
	if errors.Is(err, store.ErrRunLost) {
		rc.cancel(errLost)
		return
	}
	if err != nil {
		rc.log.Error("Recording a training report failed", slog.String("kind", e.Kind),
			slog.Any("err", err))
	}
}

func (rc *recorder) stage(ctx context.Context, e trainer.Event) error {
	if err := rc.st.StartRunStage(ctx, rc.run.ID, rc.worker, e.Stage, e.Step,
		e.TotalSteps); err != nil {
		return err
	}
	msg := "Stage " + e.Stage
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Step > 0 {
		msg += fmt.Sprintf(" (resumed at step %d of %d)", e.Step, e.TotalSteps)
	}
	rc.log.Info("Training stage", slog.String("stage", e.Stage),
		slog.Int("step", e.Step))
	return rc.st.AddRunEvent(ctx, rc.run.ID, "info", msg)
}

func (rc *recorder) checkpoint(ctx context.Context, e trainer.Event) error {
	if e.Stage != "train" {
		return rc.st.AddRunEvent(ctx, rc.run.ID, "info", "Reference model saved")
	}
	if err := rc.st.SetRunCheckpoint(ctx, rc.run.ID, rc.worker, e.Checkpoint); err != nil {
		return err
	}
	return rc.st.AddRunEvent(ctx, rc.run.ID, "info",
		fmt.Sprintf("Checkpoint at step %d: %s", e.Step, filepath.Base(e.Checkpoint)))
}
