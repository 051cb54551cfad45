package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Run statuses.
const (
	RunQueued    = "queued"
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	RunCancelled = "cancelled"
)

// Errors of the run queue.
var (
	// ErrNoRun means no run is waiting for a worker.
	ErrNoRun = errors.New("no run is waiting")
	// ErrRunLost means the worker no longer holds the run: another worker
	// claimed it after missed heartbeats, or it was finished meanwhile.
	ErrRunLost = errors.New("run is no longer held by this worker")
)

// Run is one training job and where it stands.
type Run struct {
	ID               int64
	DatasetVersionID int64
	DatasetName      string
	BaseRunID        int64 // zero: trained from scratch
	Config           json.RawMessage
	Status           string
	CancelRequested  bool
	Stage            string
	Step, TotalSteps int
	StageStartedAt   *time.Time
	StageStartStep   int
	Error            string
	Worker           string
	HeartbeatAt      *time.Time
	Attempts         int
	OutDir           string
	Checkpoint       string
	CreatedBy        string
	CreatedAt        time.Time
	StartedAt        *time.Time
	FinishedAt       *time.Time
	Headline         Headline
}

// Finished reports whether the run will not change any more.
func (r Run) Finished() bool {
	return r.Status == RunSucceeded || r.Status == RunFailed || r.Status == RunCancelled
}

// Headline holds a run's latest figures; nil when not reported yet.
type Headline struct {
	Loss         *float64 // training loss of the last logging step
	EvalLoss     *float64 // of the last held-out evaluation
	EvalAccuracy *float64 // held-out reward accuracy
}

// NewRun is what queuing a run needs.
type NewRun struct {
	DatasetVersionID int64
	BaseRunID        int64 // zero for none
	Config           json.RawMessage
	CreatedBy        int64 // zero for the command line
}

// RunMetric is one report of the trainer: kind "metrics" or "eval".
type RunMetric struct {
	ID      int64
	Stage   string
	Kind    string
	Step    int
	Total   int // the stage's total steps; recorded on the run, not the row
	Epoch   float64
	Metrics map[string]float64
	At      time.Time
}

// RunEvent is one line of a run's log.
type RunEvent struct {
	ID      int64
	Level   string // info, warn or error
	Message string
	At      time.Time
}

const runColumns = `r.id, r.dataset_version_id, coalesce(v.name, ''),
	coalesce(r.base_run_id, 0), r.config, r.status, r.cancel_requested, r.stage, r.step,
	r.total_steps, r.stage_started_at, r.stage_start_step, r.error, r.worker, r.heartbeat_at,
	r.attempts, r.out_dir, r.checkpoint, coalesce(u.name, ''), r.created_at, r.started_at,
	r.finished_at, h.loss, h.eval_loss, h.eval_accuracy`

// runFrom joins the dataset, the author and the headline figures.
const runFrom = `
FROM runs r
LEFT JOIN dataset_versions v ON v.id = r.dataset_version_id
LEFT JOIN users u ON u.id = r.created_by
LEFT JOIN LATERAL (
	SELECT
		(SELECT (m.metrics ->> 'loss')::float8 FROM run_metrics m
		 WHERE m.run_id = r.id AND m.kind = 'metrics' AND m.stage = 'train'
		 ORDER BY m.step DESC, m.id DESC LIMIT 1) AS loss,
		(SELECT (m.metrics ->> 'eval_loss')::float8 FROM run_metrics m
		 WHERE m.run_id = r.id AND m.kind = 'eval'
		 ORDER BY m.step DESC, m.id DESC LIMIT 1) AS eval_loss,
		(SELECT (m.metrics ->> 'eval_rewards/accuracies')::float8 FROM run_metrics m
		 WHERE m.run_id = r.id AND m.kind = 'eval'
		 ORDER BY m.step DESC, m.id DESC LIMIT 1) AS eval_accuracy
) h ON true`

func scanRun(row pgx.Row) (Run, error) {
	var r Run
	h := &r.Headline
	err := row.Scan(&r.ID, &r.DatasetVersionID, &r.DatasetName, &r.BaseRunID, &r.Config,
		&r.Status, &r.CancelRequested, &r.Stage, &r.Step, &r.TotalSteps, &r.StageStartedAt,
		&r.StageStartStep, &r.Error, &r.Worker, &r.HeartbeatAt, &r.Attempts, &r.OutDir,
		&r.Checkpoint, &r.CreatedBy, &r.CreatedAt, &r.StartedAt, &r.FinishedAt, &h.Loss,
		&h.EvalLoss, &h.EvalAccuracy)
	return r, notFound(err)
}

const createRunSQL = `
INSERT INTO runs (dataset_version_id, base_run_id, config, created_by)
VALUES ($1, $2, $3, $4)
RETURNING id`

// CreateRun queues a run. The base run, when given, must have succeeded
// with a checkpoint. ErrNotFound when the dataset version or base is missing.
func (s *Store) CreateRun(ctx context.Context, nr NewRun) (Run, error) {
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if nr.BaseRunID != 0 {
			if err := checkBase(ctx, tx, nr.BaseRunID); err != nil {
				return err
			}
		}
		err := tx.QueryRow(ctx, createRunSQL, nr.DatasetVersionID, nullID(nr.BaseRunID),
			nr.Config, nullID(nr.CreatedBy)).Scan(&id)
		if isForeignKeyViolation(err) {
			return fmt.Errorf("dataset version %d: %w", nr.DatasetVersionID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return addRunEvent(ctx, tx, id, "info", "Queued")
	})
	if err != nil {
		return Run{}, fmt.Errorf("create run: %w", err)
	}
	return s.Run(ctx, id)
}

func checkBase(ctx context.Context, tx pgx.Tx, baseID int64) error {
	var status, ckpt string
	err := tx.QueryRow(ctx, `SELECT status, checkpoint FROM runs WHERE id = $1`, baseID).
		Scan(&status, &ckpt)
	if err != nil {
		return fmt.Errorf("base run %d: %w", baseID, notFound(err))
	}
	if status != RunSucceeded || ckpt == "" {
		return fmt.Errorf("base run %d has no final checkpoint (it is %s): %w", baseID, status,
			ErrNotFound)
	}
	return nil
}

// Run returns one run with its headline figures.
func (s *Store) Run(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+runFrom+` WHERE r.id = $1`, id))
	if err != nil {
		return Run{}, fmt.Errorf("run %d: %w", id, err)
	}
	return r, nil
}

// Runs lists every run, newest first.
func (s *Store) Runs(ctx context.Context) ([]Run, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+runColumns+runFrom+` ORDER BY r.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Run, error) {
		return scanRun(r)
	})
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return list, nil
}

// claimSQL picks the oldest queued run, or a running one whose worker has
// not sent a heartbeat for $1 seconds. SKIP LOCKED lets workers claim at the
// same time without waiting for each other.
const claimSQL = `
SELECT id, status, worker, attempts FROM runs
WHERE status = 'queued'
   OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => $1))
ORDER BY id
LIMIT 1
FOR UPDATE SKIP LOCKED`

// MaxRunAttempts is how many workers may start a run before a run whose
// worker vanished again is taken for the cause (it may crash its workers)
// and failed instead of claimed once more.
const MaxRunAttempts = 5

// giveUpRun fails a run whose workers vanished MaxRunAttempts times; the
// claim then reports no run, and the next poll looks again.
func giveUpRun(ctx context.Context, tx pgx.Tx, id int64, previous string) error {
	msg := fmt.Sprintf("Failed: its worker vanished %d times (last %s); not resumed again",
		MaxRunAttempts, previous)
	_, err := tx.Exec(ctx, `UPDATE runs SET status = 'failed', error = $2, finished_at = now(),
		heartbeat_at = NULL WHERE id = $1`, id, msg)
	if err != nil {
		return err
	}
	return addRunEvent(ctx, tx, id, "error", msg)
}

const takeRunSQL = `
UPDATE runs SET status = 'running', worker = $2, heartbeat_at = now(),
	attempts = attempts + 1, started_at = coalesce(started_at, now()),
	out_dir = $3 || '/' || id::text
WHERE id = $1`

// ClaimRun gives the worker the next run to train, its folder set to
// runsDir/ID. ErrNoRun when none is waiting.
func (s *Store) ClaimRun(ctx context.Context, worker, runsDir string,
	staleAfter time.Duration) (Run, error) {
	var id int64
	var gaveUp bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var status, previous string
		var attempts int
		gaveUp = false
		err := tx.QueryRow(ctx, claimSQL, staleAfter.Seconds()).Scan(&id, &status, &previous,
			&attempts)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoRun
		}
		if err != nil {
			return err
		}
		if status == RunRunning && attempts >= MaxRunAttempts {
			gaveUp = true
			return giveUpRun(ctx, tx, id, previous)
		}
		if _, err := tx.Exec(ctx, takeRunSQL, id, worker,
			strings.TrimRight(runsDir, "/")); err != nil {
			return err
		}
		msg := "Claimed by worker " + worker
		level := "info"
		if status == RunRunning {
			msg = fmt.Sprintf("Worker %s stopped sending heartbeats; worker %s resumes the run",
				previous, worker)
			level = "warn"
		}
		return addRunEvent(ctx, tx, id, level, msg)
	})
	if errors.Is(err, ErrNoRun) || gaveUp {
		return Run{}, ErrNoRun
	}
	if err != nil {
		return Run{}, fmt.Errorf("claim run: %w", err)
	}
	return s.Run(ctx, id)
}

const heartbeatSQL = `
UPDATE runs SET heartbeat_at = now()
WHERE id = $1 AND worker = $2 AND status = 'running'
RETURNING cancel_requested`

// HeartbeatRun tells that the worker still trains the run and returns
// whether someone asked to cancel it. ErrRunLost when the worker no longer
// holds the run.
func (s *Store) HeartbeatRun(ctx context.Context, id int64, worker string) (bool, error) {
	var cancel bool
	err := s.pool.QueryRow(ctx, heartbeatSQL, id, worker).Scan(&cancel)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("run %d: %w", id, ErrRunLost)
	}
	if err != nil {
		return false, fmt.Errorf("heartbeat of run %d: %w", id, err)
	}
	return cancel, nil
}

const runStageSQL = `
UPDATE runs SET stage = $3, step = $4, total_steps = $5, stage_started_at = now(),
	stage_start_step = $4
WHERE id = $1 AND worker = $2 AND status = 'running'`

// StartRunStage records that a stage of the run begins at step (more than
// zero when it resumes) and forgets metrics of that stage reported after
// step by an attempt that died before its next checkpoint.
func (s *Store) StartRunStage(ctx context.Context, id int64, worker, stage string,
	step, total int) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, runStageSQL, id, worker, stage, step, total)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrRunLost
		}
		_, err = tx.Exec(ctx, `DELETE FROM run_metrics WHERE run_id = $1 AND stage = $2
			AND step > $3`, id, stage, step)
		return err
	})
	if err != nil {
		return fmt.Errorf("start stage %s of run %d: %w", stage, id, err)
	}
	return nil
}

const addMetricSQL = `
INSERT INTO run_metrics (run_id, stage, kind, step, epoch, metrics)
VALUES ($1, $2, $3, $4, $5, $6)`

const runProgressSQL = `
UPDATE runs SET step = $3, total_steps = $4
WHERE id = $1 AND worker = $2 AND status = 'running'`

// AddRunMetrics stores one report of the trainer and moves the run's
// progress to its step.
func (s *Store) AddRunMetrics(ctx context.Context, id int64, worker string, m RunMetric) error {
	values, err := json.Marshal(m.Metrics)
	if err != nil {
		return fmt.Errorf("metrics of run %d: %w", id, err)
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, runProgressSQL, id, worker, m.Step, m.Total)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrRunLost
		}
		_, err = tx.Exec(ctx, addMetricSQL, id, m.Stage, m.Kind, m.Step, m.Epoch, values)
		return err
	})
	if err != nil {
		return fmt.Errorf("metrics of run %d step %d: %w", id, m.Step, err)
	}
	return nil
}

// SetRunCheckpoint records the run's newest step checkpoint.
func (s *Store) SetRunCheckpoint(ctx context.Context, id int64, worker, path string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE runs SET checkpoint = $3
		WHERE id = $1 AND worker = $2 AND status = 'running'`, id, worker, path)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrRunLost
	}
	if err != nil {
		return fmt.Errorf("checkpoint of run %d: %w", id, err)
	}
	return nil
}

// AddRunEvent writes a line to the run's log.
func (s *Store) AddRunEvent(ctx context.Context, id int64, level, msg string) error {
	if err := addRunEvent(ctx, s.pool, id, level, msg); err != nil {
		return fmt.Errorf("log of run %d: %w", id, err)
	}
	return nil
}

// execer runs a statement on a pool or in a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func addRunEvent(ctx context.Context, db execer, id int64, level, msg string) error {
	_, err := db.Exec(ctx, `INSERT INTO run_events (run_id, level, message) VALUES ($1, $2, $3)`,
		id, level, msg)
	return err
}

const finishRunSQL = `
UPDATE runs SET status = $3, error = $4, finished_at = now(), heartbeat_at = NULL
WHERE id = $1 AND worker = $2 AND status = 'running'`

// FinishRun ends a run the worker holds with status succeeded, failed or
// cancelled, and logs msg (the error of a failed run).
func (s *Store) FinishRun(ctx context.Context, id int64, worker, status, msg string) error {
	errText, level := "", "info"
	if status == RunFailed {
		errText, level = msg, "error"
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, finishRunSQL, id, worker, status, errText)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrRunLost
		}
		return addRunEvent(ctx, tx, id, level, msg)
	})
	if err != nil {
		return fmt.Errorf("finish run %d: %w", id, err)
	}
	return nil
}

const releaseRunSQL = `
UPDATE runs SET status = 'queued', worker = '', heartbeat_at = NULL
WHERE id = $1 AND worker = $2 AND status = 'running'`

// ReleaseRun puts a run the worker holds back in the queue, for a worker
// that stops: the next claim resumes it from its checkpoint.
func (s *Store) ReleaseRun(ctx context.Context, id int64, worker, msg string) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, releaseRunSQL, id, worker)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrRunLost
		}
		return addRunEvent(ctx, tx, id, "warn", msg)
	})
	if err != nil {
		return fmt.Errorf("release run %d: %w", id, err)
	}
	return nil
}

const cancelQueuedSQL = `
UPDATE runs SET status = 'cancelled', finished_at = now(), cancel_requested = true
WHERE id = $1 AND status = 'queued'`

const cancelRunningSQL = `
UPDATE runs SET cancel_requested = true
WHERE id = $1 AND status = 'running' AND NOT cancel_requested`

// CancelRun cancels a queued run at once and asks the worker of a running
// one to stop at its next step. A finished run is left as it is.
func (s *Store) CancelRun(ctx context.Context, id int64, by string) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, cancelQueuedSQL, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return addRunEvent(ctx, tx, id, "info", "Cancelled by "+by+" before it started")
		}
		if tag, err = tx.Exec(ctx, cancelRunningSQL, id); err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return addRunEvent(ctx, tx, id, "info", "Cancel requested by "+by)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cancel run %d: %w", id, err)
	}
	return nil
}

// RunMetrics returns the run's metric reports with an id above afterID,
// oldest first.
func (s *Store) RunMetrics(ctx context.Context, id, afterID int64) ([]RunMetric, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, stage, kind, step, epoch, metrics, created_at
		FROM run_metrics WHERE run_id = $1 AND id > $2 ORDER BY id`, id, afterID)
	if err != nil {
		return nil, fmt.Errorf("metrics of run %d: %w", id, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (RunMetric, error) {
		var m RunMetric
		err := r.Scan(&m.ID, &m.Stage, &m.Kind, &m.Step, &m.Epoch, &m.Metrics, &m.At)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("metrics of run %d: %w", id, err)
	}
	return list, nil
}

// RunEvents returns the run's log lines with an id above afterID, oldest
// first.
func (s *Store) RunEvents(ctx context.Context, id, afterID int64) ([]RunEvent, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, level, message, created_at
		FROM run_events WHERE run_id = $1 AND id > $2 ORDER BY id`, id, afterID)
	if err != nil {
		return nil, fmt.Errorf("log of run %d: %w", id, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RunEvent])
	if err != nil {
		return nil, fmt.Errorf("log of run %d: %w", id, err)
	}
	return list, nil
}
