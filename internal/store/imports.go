package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// ImportResult says what an import added.
type ImportResult struct {
	// Added counts new pairs; Existing counts pairs the project already had,
	// which are left as they were (their judgments in the file are skipped).
	Added, Existing int
	// ExistingKeys names the first few existing pairs, for the report.
	ExistingKeys []string
	// Judgments counts the judgments stored; SkippedJudgments those that
	// belonged to existing pairs.
	Judgments, SkippedJudgments int
	// NewAnnotators names the people and sources created by the import.
	NewAnnotators []string
}

// importChunk is how many pairs travel to the database in one COPY: enough
// to amortise round trips, small enough that memory stays flat.
const importChunk = 2000

const maxReportedKeys = 20

// ImportPairs adds the pairs that read emits to a project in one
// transaction: if read or any insert fails, nothing is written.
func (s *Store) ImportPairs(ctx context.Context, projectID int64,
	read func(emit func(annotation.PairInput) error) error) (ImportResult, error) {
	var res ImportResult
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		imp, err := newImporter(ctx, tx, projectID, &res)
		if err != nil {
			return err
		}
		if err := read(imp.add); err != nil {
			return err
		}
		return imp.flush()
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import into project %d: %w", projectID, err)
	}
	return res, nil
}

// importer buffers one chunk of pairs inside an import transaction.
type importer struct {
	ctx       context.Context
	tx        pgx.Tx
	projectID int64
	k         int
	res       *ImportResult
	users     map[string]annotatorRef
	chunk     []annotation.PairInput
}

type annotatorRef struct {
	id       int64
	isSource bool
}

const createImportTableSQL = `
CREATE TEMP TABLE import_pairs (
	pair_key text, external_id text, prompt jsonb, a_text text, a_model text,
	b_text text, b_model text, tags text[], meta jsonb, people integer
) ON COMMIT DROP`

func newImporter(ctx context.Context, tx pgx.Tx, projectID int64,
	res *ImportResult) (*importer, error) {
	imp := &importer{ctx: ctx, tx: tx, projectID: projectID, res: res,
		users: map[string]annotatorRef{}}
	err := tx.QueryRow(ctx, `SELECT k FROM projects WHERE id = $1 FOR SHARE`, projectID).Scan(&imp.k)
	if err != nil {
		return nil, fmt.Errorf("project %d: %w", projectID, notFound(err))
	}
	if _, err := tx.Exec(ctx, createImportTableSQL); err != nil {
		return nil, fmt.Errorf("create import table: %w", err)
	}
	return imp, nil
}

func (imp *importer) add(p annotation.PairInput) error {
	for _, j := range p.Judgments {
		if _, err := imp.annotator(j.Annotator, j.Source); err != nil {
			return err
		}
	}
	imp.chunk = append(imp.chunk, p)
	if len(imp.chunk) >= importChunk {
		return imp.flush()
	}
	return nil
}

const annotatorSQL = `
INSERT INTO users (name, is_source) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET name = excluded.name
RETURNING id, is_source, xmax = 0`

// annotator returns the user behind an imported name, creating a person
// without a password (or a source) the first time the name is seen.
func (imp *importer) annotator(name string, source bool) (annotatorRef, error) {
	if ref, ok := imp.users[name]; ok {
		return ref, nil
	}
	var ref annotatorRef
	var created bool
	err := imp.tx.QueryRow(imp.ctx, annotatorSQL, name, source).Scan(&ref.id, &ref.isSource,
		&created)
	if err != nil {
		return ref, fmt.Errorf("annotator %q: %w", name, err)
	}
	if ref.isSource != source {
		return ref, fmt.Errorf("annotator %q: %w", name, errSourceOrPerson(source))
	}
	if created {
		imp.res.NewAnnotators = append(imp.res.NewAnnotators, name)
	}
	imp.users[name] = ref
	return ref, nil
}

const insertImportedPairsSQL = `
INSERT INTO pairs (project_id, pair_key, external_id, prompt, a_text, a_model, b_text,
	b_model, tags, meta, wanted, people)
SELECT $1, pair_key, external_id, prompt, a_text, a_model, b_text, b_model, tags, meta,
	greatest($2, people), people
FROM import_pairs
ON CONFLICT (project_id, pair_key) DO NOTHING
RETURNING id, pair_key`

// flush writes the buffered chunk: pairs through a temporary table, so that
// pairs already in the project are skipped, then the new pairs' judgments.
func (imp *importer) flush() error {
	if len(imp.chunk) == 0 {
		return nil
	}
	if err := imp.copyPairs(); err != nil {
		return err
	}

	rows, err := imp.tx.Query(imp.ctx, insertImportedPairsSQL, imp.projectID, imp.k)
	if err != nil {
		return fmt.Errorf("insert pairs: %w", err)
	}
	ids := map[string]int64{}
	var id int64
	var key string
	_, err = pgx.ForEachRow(rows, []any{&id, &key}, func() error {
		ids[key] = id
		return nil
	})
	if err != nil {
		return fmt.Errorf("insert pairs: %w", err)
	}

	if err := imp.copyJudgments(ids); err != nil {
		return err
	}
	imp.chunk = imp.chunk[:0]
	_, err = imp.tx.Exec(imp.ctx, `TRUNCATE import_pairs`)
	return err
}

func (imp *importer) copyPairs() error {
	rows := make([][]any, len(imp.chunk))
	for i, p := range imp.chunk {
		prompt, err := json.Marshal(p.Prompt)
		if err != nil {
			return fmt.Errorf("pair %s: prompt: %w", p.Key(), err)
		}
		var meta any
		if len(p.Meta) > 0 && string(p.Meta) != "null" {
			meta = string(p.Meta)
		}
		rows[i] = []any{p.Key(), nullable(p.ExternalID), string(prompt), p.A.Text, p.A.Model,
			p.B.Text, p.B.Model, nonNil(p.Tags), meta, imp.people(p)}
	}
	_, err := imp.tx.CopyFrom(imp.ctx, pgx.Identifier{"import_pairs"},
		[]string{"pair_key", "external_id", "prompt", "a_text", "a_model", "b_text", "b_model",
			"tags", "meta", "people"},
		pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("copy pairs: %w", err)
	}
	return nil
}

// people counts the judgments of people, not sources, on p.
func (imp *importer) people(p annotation.PairInput) int {
	n := 0
	for _, j := range p.Judgments {
		if !imp.users[j.Annotator].isSource {
			n++
		}
	}
	return n
}

func (imp *importer) copyJudgments(ids map[string]int64) error {
	var rows [][]any
	seen := map[string]bool{}
	for _, p := range imp.chunk {
		key := p.Key()
		id, added := ids[key]
		if !added || seen[key] {
			imp.res.Existing++
			imp.res.SkippedJudgments += len(p.Judgments)
			if len(imp.res.ExistingKeys) < maxReportedKeys {
				imp.res.ExistingKeys = append(imp.res.ExistingKeys, key)
			}
			continue
		}
		seen[key] = true
		imp.res.Added++
		for _, j := range p.Judgments {
			rows = append(rows, []any{id, imp.users[j.Annotator].id, string(j.Choice),
				int16(j.Strength), j.Rationale, true})
		}
	}
	imp.res.Judgments += len(rows)

	_, err := imp.tx.CopyFrom(imp.ctx, pgx.Identifier{"judgments"},
		[]string{"pair_id", "user_id", "choice", "strength", "rationale", "imported"},
		pgx.CopyFromRows(rows))
	if isUniqueViolation(err) {
		return fmt.Errorf("copy judgments: an annotator judges the same pair twice: %w", err)
	}
	if err != nil {
		return fmt.Errorf("copy judgments: %w", err)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// errSourceOrPerson explains a name used for a source in a file but taken by
// a person here, or the other way round: counting one as the other would
// change every agreement figure.
func errSourceOrPerson(source bool) error {
	if source {
		return fmt.Errorf("the file gives this name to a source, but it is a person here: %w",
			ErrConflict)
	}
	return fmt.Errorf("the file gives this name to a person, but it is a source here: %w",
		ErrConflict)
}
