-- +goose Up

-- Judgments each person made here per UTC day, kept by every submit, so that
-- the annotation screen shows today's count without counting.
CREATE TABLE judgment_days (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day     date NOT NULL,
    n       integer NOT NULL,
    PRIMARY KEY (user_id, day)
);

INSERT INTO judgment_days (user_id, day, n)
SELECT user_id, (created_at AT TIME ZONE 'UTC')::date, count(*)
FROM judgments
WHERE NOT imported
GROUP BY user_id, (created_at AT TIME ZONE 'UTC')::date;

-- +goose Down
DROP TABLE judgment_days;
