-- +goose Up

-- Assignments carry their pair's project, so that an annotator's last pair
-- in a project's ordinary queue (where the queue starts for them) and their
-- open reservation are read from one index, however much they judged.
ALTER TABLE assignments ADD COLUMN project_id bigint REFERENCES projects (id) ON DELETE CASCADE;
UPDATE assignments a SET project_id = p.project_id FROM pairs p WHERE p.id = a.pair_id;
ALTER TABLE assignments ALTER COLUMN project_id SET NOT NULL;
CREATE INDEX assignments_user_project_pair ON assignments (user_id, project_id, pair_id);

-- "Has this person judged this pair?" of any kind, asked for every candidate
-- pair; the unique index leaves repeats out, so it cannot answer it.
CREATE INDEX judgments_pair_user ON judgments (pair_id, user_id);

-- +goose Down
DROP INDEX judgments_pair_user;
DROP INDEX assignments_user_project_pair;
ALTER TABLE assignments DROP COLUMN project_id;
