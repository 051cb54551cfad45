-- +goose Up

-- A training run: one trainer configuration on one frozen dataset version,
-- from scratch or from the checkpoint of an earlier run. Workers claim queued
-- runs; a running run whose heartbeat is older than the workers' timeout is
-- claimed again and resumes from its latest checkpoint.
CREATE TABLE runs (
    id                 bigserial PRIMARY KEY,
    dataset_version_id bigint NOT NULL REFERENCES dataset_versions (id),
    base_run_id        bigint NULL REFERENCES runs (id),
    config             jsonb NOT NULL,
    status             text NOT NULL DEFAULT 'queued'
                       CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    cancel_requested   boolean NOT NULL DEFAULT false,
    stage              text NOT NULL DEFAULT '',
    step               integer NOT NULL DEFAULT 0,
    total_steps        integer NOT NULL DEFAULT 0,
    -- Where the current stage began, for the estimate of the time left.
    stage_started_at   timestamptz NULL,
    stage_start_step   integer NOT NULL DEFAULT 0,
    error              text NOT NULL DEFAULT '',
    worker             text NOT NULL DEFAULT '',
    heartbeat_at       timestamptz NULL,
    attempts           integer NOT NULL DEFAULT 0,
    -- The run's folder and its newest step checkpoint, as the worker that
    -- trained it saw them (DATA_DIR/runs/ID).
    out_dir            text NOT NULL DEFAULT '',
    checkpoint         text NOT NULL DEFAULT '',
    created_by         bigint NULL REFERENCES users (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz NULL,
    finished_at        timestamptz NULL
);

CREATE INDEX runs_claimable ON runs (id) WHERE status IN ('queued', 'running');
CREATE INDEX runs_dataset_version ON runs (dataset_version_id);

-- One report of the trainer: training metrics of a logging step (kind
-- 'metrics') or held-out metrics (kind 'eval'), in TRL's names.
CREATE TABLE run_metrics (
    id         bigserial PRIMARY KEY,
    run_id     bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    stage      text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('metrics', 'eval')),
    step       integer NOT NULL,
    epoch      double precision NOT NULL DEFAULT 0,
    metrics    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX run_metrics_run ON run_metrics (run_id, id);

-- The log of a run: status changes, stages, errors.
CREATE TABLE run_events (
    id         bigserial PRIMARY KEY,
    run_id     bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    level      text NOT NULL DEFAULT 'info' CHECK (level IN ('info', 'warn', 'error')),
    message    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX run_events_run ON run_events (run_id, id);

-- +goose Down
DROP TABLE run_events;
DROP TABLE run_metrics;
DROP TABLE runs;
