-- +goose Up

-- A dataset version is a frozen export: the exact bytes of its rows (gzip,
-- with the SHA-256 of the uncompressed rows), the options that chose them,
-- their counts and the project's agreement report at that moment. With a
-- split, data holds the train part and test_data the test part.
-- A version never changes: the trigger below refuses every update except
-- the foreign keys that ON DELETE SET NULL clears.
CREATE TABLE dataset_versions (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (name <> ''),
    project_id   bigint REFERENCES projects (id) ON DELETE SET NULL,
    project_name text NOT NULL,
    format       text NOT NULL,
    options      jsonb NOT NULL,
    counts       jsonb NOT NULL,
    agreement    jsonb NOT NULL,
    rows         bigint NOT NULL,
    data         bytea NOT NULL,
    data_sha256  text NOT NULL,
    test_rows    bigint,
    test_data    bytea,
    test_sha256  text,
    created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX dataset_versions_project ON dataset_versions (project_id, id);

-- +goose StatementBegin
CREATE FUNCTION dataset_versions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.id, NEW.name, NEW.project_name, NEW.format, NEW.options, NEW.counts,
        NEW.agreement, NEW.rows, NEW.data, NEW.data_sha256, NEW.test_rows,
        NEW.test_data, NEW.test_sha256, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.name, OLD.project_name, OLD.format, OLD.options, OLD.counts,
        OLD.agreement, OLD.rows, OLD.data, OLD.data_sha256, OLD.test_rows,
        OLD.test_data, OLD.test_sha256, OLD.created_at) THEN
        RAISE EXCEPTION 'dataset version % is frozen', OLD.id;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER dataset_versions_frozen BEFORE UPDATE ON dataset_versions
    FOR EACH ROW EXECUTE FUNCTION dataset_versions_frozen();

-- +goose Down
DROP TABLE dataset_versions;
DROP FUNCTION dataset_versions_frozen();
