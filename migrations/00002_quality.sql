-- +goose Up

-- Quality control settings of a project. Rates are shares of the pairs handed
-- out; max_judgments bounds adaptive overlap (equal to k turns it off).
ALTER TABLE projects
    ADD COLUMN gold_rate       real NOT NULL DEFAULT 0 CHECK (gold_rate BETWEEN 0 AND 1),
    ADD COLUMN repeat_rate     real NOT NULL DEFAULT 0 CHECK (repeat_rate BETWEEN 0 AND 1),
    ADD COLUMN gold_threshold  real NOT NULL DEFAULT 0.7
                               CHECK (gold_threshold BETWEEN 0 AND 1),
    ADD COLUMN pause_below     boolean NOT NULL DEFAULT false,
    ADD COLUMN disagreement    real NOT NULL DEFAULT 0.3 CHECK (disagreement BETWEEN 0 AND 1),
    ADD COLUMN max_judgments   integer NOT NULL DEFAULT 3 CHECK (max_judgments BETWEEN 1 AND 50);

UPDATE projects SET max_judgments = k;

-- The correct answer of a pair, set by a lead; NULL when the pair is not gold.
ALTER TABLE pairs ADD COLUMN gold text NULL CHECK (gold IN ('a', 'b', 'tie', 'both_bad'));

CREATE INDEX pairs_gold ON pairs (project_id, id) WHERE gold IS NOT NULL;

-- Every adjudication is kept; the latest of a pair overrides its consensus.
CREATE TABLE adjudications (
    id         bigserial PRIMARY KEY,
    pair_id    bigint NOT NULL REFERENCES pairs ON DELETE CASCADE,
    label      text NOT NULL CHECK (label IN ('a', 'b', 'tie', 'both_bad')),
    note       text NOT NULL DEFAULT '',
    user_id    bigint NOT NULL REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX adjudications_pair ON adjudications (pair_id, id);

-- An assignment is ordinary (counts towards k), gold (a gold pair mixed into
-- the queue, counting nowhere but gold accuracy) or a swapped repeat of the
-- annotator's own earlier judgment. A person gets each pair once, plus at
-- most one repeat of it.
ALTER TABLE assignments
    ADD COLUMN kind text NOT NULL DEFAULT 'ordinary'
               CHECK (kind IN ('ordinary', 'gold', 'repeat'));
ALTER TABLE assignments DROP CONSTRAINT assignments_pair_id_user_id_key;
CREATE UNIQUE INDEX assignments_once ON assignments (pair_id, user_id) WHERE kind <> 'repeat';
CREATE UNIQUE INDEX assignments_repeat_once ON assignments (pair_id, user_id)
    WHERE kind = 'repeat';

-- An annotator a lead (or the gold check, changed_by NULL) paused in a
-- project. Unpausing keeps the row with paused false and the time: gold
-- accuracy for the automatic pause then counts only later judgments.
CREATE TABLE annotator_pauses (
    project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    paused     boolean NOT NULL,
    reason     text NOT NULL DEFAULT '',
    changed_by bigint REFERENCES users (id) ON DELETE SET NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, user_id)
);

-- The lead's summary of a project, computed from the judgments up to
-- max_judgment_id (judgments of them in all), kept until it is stale.
CREATE TABLE agreement_reports (
    project_id      bigint PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    judgments       bigint NOT NULL,
    max_judgment_id bigint NOT NULL,
    computed_at     timestamptz NOT NULL DEFAULT now(),
    report          bytea NOT NULL
);


-- +goose Down
DROP TABLE agreement_reports;
DROP TABLE annotator_pauses;
DROP INDEX assignments_repeat_once;
DROP INDEX assignments_once;
DELETE FROM assignments WHERE kind = 'repeat';
ALTER TABLE assignments DROP COLUMN kind;
ALTER TABLE assignments ADD CONSTRAINT assignments_pair_id_user_id_key UNIQUE (pair_id, user_id);
DROP TABLE adjudications;
DROP INDEX pairs_gold;
ALTER TABLE pairs DROP COLUMN gold;
ALTER TABLE projects
    DROP COLUMN gold_rate, DROP COLUMN repeat_rate, DROP COLUMN gold_threshold,
    DROP COLUMN pause_below, DROP COLUMN disagreement, DROP COLUMN max_judgments;
