-- +goose Up

-- People, and the named sources whose labels came with imported files.
-- A source (is_source) is never counted as a person in any figure.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    email         text UNIQUE,
    role          text NOT NULL DEFAULT 'annotator'
                  CHECK (role IN ('annotator', 'lead', 'admin')),
    password_hash text,
    active        boolean NOT NULL DEFAULT true,
    is_source     boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Failed logins per identifier, shared by every node, to slow guessing down.
CREATE TABLE login_failures (
    identifier   text PRIMARY KEY,
    failures     integer NOT NULL,
    locked_until timestamptz NOT NULL
);

CREATE TABLE projects (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    guidelines    text NOT NULL DEFAULT '',
    k             integer NOT NULL DEFAULT 3 CHECK (k BETWEEN 1 AND 50),
    ask_strength  text NOT NULL DEFAULT 'off'
                  CHECK (ask_strength IN ('off', 'optional', 'required')),
    ask_rationale text NOT NULL DEFAULT 'off'
                  CHECK (ask_rationale IN ('off', 'optional', 'required')),
    tags          text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- A pair is stored in a fixed order (a, b); the screen side is drawn per
-- assignment. pair_key is the file's id ("id:…") or a content hash.
-- wanted starts at the project's k; people counts the people's ordinary
-- judgments so far and is kept by the store in the same transaction.
CREATE TABLE pairs (
    id          bigserial PRIMARY KEY,
    project_id  bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    pair_key    text NOT NULL,
    external_id text,
    prompt      jsonb NOT NULL,
    a_text      text NOT NULL,
    a_model     text NOT NULL DEFAULT '',
    b_text      text NOT NULL,
    b_model     text NOT NULL DEFAULT '',
    tags        text[] NOT NULL DEFAULT '{}',
    meta        jsonb,
    wanted      integer NOT NULL,
    people      integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, pair_key)
);

CREATE INDEX pairs_open ON pairs (project_id, id) WHERE people < wanted;

-- An assignment reserves a pair for one annotator until expires_at, and
-- records which response was shown on the left.
CREATE TABLE assignments (
    id         bigserial PRIMARY KEY,
    pair_id    bigint NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    a_left     boolean NOT NULL,
    state      text NOT NULL DEFAULT 'open'
               CHECK (state IN ('open', 'done', 'skipped')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    UNIQUE (pair_id, user_id)
);

CREATE INDEX assignments_user_open ON assignments (user_id) WHERE state = 'open';
CREATE INDEX assignments_pair_open ON assignments (pair_id) WHERE state = 'open';

-- A judgment is in the pair's own terms: choice a, b, tie or both_bad.
-- shown_left is 'a' or 'b' for judgments made here, NULL when imported.
CREATE TABLE judgments (
    id            bigserial PRIMARY KEY,
    pair_id       bigint NOT NULL REFERENCES pairs (id) ON DELETE CASCADE,
    user_id       bigint NOT NULL REFERENCES users (id),
    assignment_id bigint UNIQUE REFERENCES assignments (id) ON DELETE SET NULL,
    choice        text NOT NULL CHECK (choice IN ('a', 'b', 'tie', 'both_bad')),
    strength      smallint NOT NULL DEFAULT 0 CHECK (strength BETWEEN 0 AND 3),
    rationale     text NOT NULL DEFAULT '',
    shown_left    text CHECK (shown_left IN ('a', 'b')),
    seconds       real,
    kind          text NOT NULL DEFAULT 'ordinary'
                  CHECK (kind IN ('ordinary', 'gold', 'repeat')),
    imported      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (strength = 0 OR choice IN ('a', 'b'))
);

CREATE UNIQUE INDEX judgments_once ON judgments (pair_id, user_id) WHERE kind <> 'repeat';
CREATE INDEX judgments_user_time ON judgments (user_id, created_at);

-- +goose Down
DROP TABLE judgments;
DROP TABLE assignments;
DROP TABLE pairs;
DROP TABLE projects;
DROP TABLE login_failures;
DROP TABLE users;
