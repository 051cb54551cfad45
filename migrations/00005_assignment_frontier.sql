-- +goose Up

-- The annotator's last pair in the ordinary queue is found by a backward
-- scan of this index, so the queue starts after it.
CREATE INDEX assignments_user_pair ON assignments (user_id, pair_id);

-- +goose Down
DROP INDEX assignments_user_pair;
