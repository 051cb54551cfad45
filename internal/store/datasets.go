package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/export"
)

// DatasetVersion is a frozen export. Its rows never change: the train part
// (every row without a split) and the test part are stored as gzip bytes.
type DatasetVersion struct {
	ID          int64
	Name        string
	ProjectID   int64 // zero once the project is deleted
	ProjectName string
	Options     export.Options
	Counts      export.Counts
	Agreement   json.RawMessage // the agreement report of the moment, as JSON
	Rows        int64           // rows of the train part (all rows without a split)
	SHA256      string          // of the uncompressed train part
	TestRows    int64
	TestSHA256  string // empty without a split
	Size        int    // gzip bytes of the train part
	TestSize    int
	CreatedBy   string
	CreatedAt   time.Time
}

// Split reports whether the version has a test part.
func (v DatasetVersion) Split() bool { return v.TestSHA256 != "" }

// Dataset parts, as DatasetVersionPart names them.
const (
	PartTrain = "train"
	PartTest  = "test"
)

// part is one gzip-compressed part of an export being frozen.
type part struct {
	buf  bytes.Buffer
	gz   *gzip.Writer
	hash hash.Hash
	w    io.Writer
}

func newPart() *part {
	p := &part{hash: sha256.New()}
	p.gz = gzip.NewWriter(&p.buf)
	p.w = io.MultiWriter(p.hash, p.gz)
	return p
}

func (p *part) close() (data []byte, sum string, err error) {
	if err := p.gz.Close(); err != nil {
		return nil, "", err
	}
	return p.buf.Bytes(), hex.EncodeToString(p.hash.Sum(nil)), nil
}

const insertVersionSQL = `
INSERT INTO dataset_versions (name, project_id, project_name, format, options, counts,
	agreement, rows, data, data_sha256, test_rows, test_data, test_sha256, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
RETURNING id`

// FreezeDataset exports a project with the options and stores the result
// as a new dataset version called name, with its counts and the project's
// agreement report, all read from one snapshot of the database. userID may
// be zero (the command line). ErrConflict when the name is taken.
//
// Limitation: the compressed rows are held in memory until they are
// stored, and a part may not exceed PostgreSQL's 1 GB limit for a value.
func (s *Store) FreezeDataset(ctx context.Context, projectID int64, name string,
	o export.Options, userID int64) (DatasetVersion, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return DatasetVersion{}, errors.New("freeze dataset: name: must not be empty")
	}
	var id int64
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead},
		func(tx pgx.Tx) error {
			var err error
			id, err = s.freeze(ctx, tx, projectID, name, o, userID)
			return err
		})
	if isUniqueViolation(err) {
		return DatasetVersion{}, fmt.Errorf("freeze dataset %q: %w", name, ErrConflict)
	}
	if err != nil {
		return DatasetVersion{}, fmt.Errorf("freeze dataset %q: %w", name, err)
	}
	return s.DatasetVersion(ctx, id)
}

func (s *Store) freeze(ctx context.Context, tx pgx.Tx, projectID int64, name string, o export.Options,
	userID int64) (int64, error) {
	p, err := scanProject(tx.QueryRow(ctx,
		`SELECT `+projectColumns+` FROM projects WHERE id = $1`, projectID))
	if err != nil {
		return 0, fmt.Errorf("project %d: %w", projectID, err)
	}
	train, test := newPart(), newPart()
	counts, err := runExport(ctx, tx, projectID, o, train.w, test.w)
	if err != nil {
		return 0, err
	}
	// The report reads the same snapshot as the rows.
	report, err := agreementReport(ctx, tx, p, export.ReportRounds)
	if err != nil {
		return 0, err
	}

	data, sum, err := train.close()
	if err != nil {
		return 0, err
	}
	var testData []byte
	var testRows any
	var testSum any
	if o.Splits() {
		var ts string
		if testData, ts, err = test.close(); err != nil {
			return 0, err
		}
		testRows, testSum = counts.Test, ts
	}
	opts, _ := json.Marshal(o)
	cs, _ := json.Marshal(counts)

	var id int64
	err = tx.QueryRow(ctx, insertVersionSQL, name, projectID, p.Name, string(o.Format),
		opts, cs, report, counts.Train, data, sum, testRows, testData, testSum,
		nullID(userID)).Scan(&id)
	return id, err
}

// runExport streams the project through an exporter into the writers.
func runExport(ctx context.Context, db querier, projectID int64, o export.Options,
	train, test io.Writer) (export.Counts, error) {
	ex, err := export.NewExporter(o, train, test)
	if err != nil {
		return export.Counts{}, err
	}
	q := ExportQuery{Texts: train != nil || test != nil,
		Judgments: o.Format == export.FormatJudgments}
	if err := exportPairs(ctx, db, projectID, q, ex.Add); err != nil {
		return export.Counts{}, err
	}
	return ex.Close()
}

// Export writes a project's pairs with the options to train and test (test
// only with a split) and returns the counts. With nil writers it only
// counts, without reading the responses: a preview.
func (s *Store) Export(ctx context.Context, projectID int64, o export.Options,
	train, test io.Writer) (export.Counts, error) {
	return runExport(ctx, s.pool, projectID, o, train, test)
}

// ProjectAgreementReport returns the agreement report of a project's people
// as JSON, the report a dataset version of it would carry now; rounds is the
// bootstrap behind alpha's intervals (export.ReportRounds for a version).
func (s *Store) ProjectAgreementReport(ctx context.Context, p Project, rounds int) (
	json.RawMessage, error) {
	return agreementReport(ctx, s.pool, p, rounds)
}

// agreementReport computes the report from what q sees: a transaction's
// snapshot when a version is frozen, so rows and report agree.
func agreementReport(ctx context.Context, q queryRunner, p Project, rounds int) (
	json.RawMessage, error) {
	pjs, err := pairJudgments(ctx, q, p.ID)
	if err != nil {
		return nil, err
	}
	return export.AgreementReport(pjs, p.AskStrength != annotation.AskOff, rounds)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const versionColumns = `v.id, v.name, coalesce(v.project_id, 0), v.project_name, v.options,
	v.counts, v.agreement, v.rows, v.data_sha256, coalesce(v.test_rows, 0),
	coalesce(v.test_sha256, ''), length(v.data), coalesce(length(v.test_data), 0),
	coalesce(u.name, ''), v.created_at`

const versionFrom = `
FROM dataset_versions v
LEFT JOIN users u ON u.id = v.created_by`

func scanVersion(row pgx.Row) (DatasetVersion, error) {
	var v DatasetVersion
	var opts, counts []byte
	err := row.Scan(&v.ID, &v.Name, &v.ProjectID, &v.ProjectName, &opts, &counts,
		&v.Agreement, &v.Rows, &v.SHA256, &v.TestRows, &v.TestSHA256, &v.Size, &v.TestSize,
		&v.CreatedBy, &v.CreatedAt)
	if err != nil {
		return v, notFound(err)
	}
	if err := json.Unmarshal(opts, &v.Options); err != nil {
		return v, fmt.Errorf("options: %w", err)
	}
	if err := json.Unmarshal(counts, &v.Counts); err != nil {
		return v, fmt.Errorf("counts: %w", err)
	}
	return v, nil
}

// DatasetVersion returns a version's description, without its rows.
func (s *Store) DatasetVersion(ctx context.Context, id int64) (DatasetVersion, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.id = $1`, id)
	v, err := scanVersion(row)
	if err != nil {
		return v, fmt.Errorf("dataset version %d: %w", id, err)
	}
	return v, nil
}

// DatasetVersions lists every version, newest first.
func (s *Store) DatasetVersions(ctx context.Context) ([]DatasetVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+versionColumns+versionFrom+` ORDER BY v.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list dataset versions: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DatasetVersion, error) {
		return scanVersion(r)
	})
	if err != nil {
		return nil, fmt.Errorf("list dataset versions: %w", err)
	}
	return list, nil
}

// DatasetVersionPart returns the stored gzip bytes of a version's train or
// test part, the same bytes every time.
func (s *Store) DatasetVersionPart(ctx context.Context, id int64, part string) ([]byte,
	error) {
	column := "data"
	switch part {
	case PartTrain:
	case PartTest:
		column = "test_data"
	default:
		return nil, fmt.Errorf("dataset version %d: part %q: %w", id, part, ErrNotFound)
	}
	var data []byte
	err := s.pool.QueryRow(ctx,
		`SELECT `+column+` FROM dataset_versions WHERE id = $1`, id).Scan(&data)
	if err == nil && data == nil {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return nil, fmt.Errorf("dataset version %d: %s part: %w", id, part, notFound(err))
	}
	return data, nil
}

// DatasetVersionRows returns the uncompressed rows of a version's train
// part (every row without a split) for a trainer to read. The rows are in
// the version's format, Options.Format: trl and trl-conversational rows have
// prompt, chosen, rejected and meta with weight and soft_label.
func (s *Store) DatasetVersionRows(ctx context.Context, id int64) (io.ReadCloser, error) {
	data, err := s.DatasetVersionPart(ctx, id, PartTrain)
	if err != nil {
		return nil, err
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("dataset version %d: %w", id, err)
	}
	return gz, nil
}

// VersionRun is a training run made on a dataset version.
type VersionRun struct {
	ID     int64
	Status string
}

// VersionRuns lists the training runs made on a dataset version, oldest
// first.
func (s *Store) VersionRuns(ctx context.Context, versionID int64) ([]VersionRun, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT id, status FROM runs WHERE dataset_version_id = $1 ORDER BY id`, versionID)
	if err != nil {
		return nil, fmt.Errorf("runs of dataset version %d: %w", versionID, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[VersionRun])
	if err != nil {
		return nil, fmt.Errorf("runs of dataset version %d: %w", versionID, err)
	}
	return list, nil
}
