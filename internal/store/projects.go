package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// Project is a set of pairs with its guidelines and settings.
type Project struct {
	ID int64
	annotation.ProjectSettings
	CreatedAt time.Time
}

const projectColumns = `id, name, guidelines, k, ask_strength, ask_rationale, tags, created_at,
	gold_rate, repeat_rate, gold_threshold, pause_below, disagreement, max_judgments`

// projectFields lists the places projectColumns scan into.
func projectFields(p *Project) []any {
	q := &p.Quality
	return []any{&p.ID, &p.Name, &p.Guidelines, &p.K, &p.AskStrength, &p.AskRationale,
		&p.Tags, &p.CreatedAt, &q.GoldRate, &q.RepeatRate, &q.GoldThreshold, &q.PauseBelow,
		&q.Disagreement, &q.MaxJudgments}
}

func scanProject(row pgx.Row) (Project, error) {
	var p Project
	err := row.Scan(projectFields(&p)...)
	return p, notFound(err)
}

// settingsArgs are the settings in the order of the insert ($1 to $12) and
// of the update ($2 to $13).
func settingsArgs(ps annotation.ProjectSettings) []any {
	q := ps.Quality
	return []any{ps.Name, ps.Guidelines, ps.K, ps.AskStrength, ps.AskRationale, nonNil(ps.Tags),
		q.GoldRate, q.RepeatRate, q.GoldThreshold, q.PauseBelow, q.Disagreement,
		ps.MaxPerPair()}
}

const createProjectSQL = `
INSERT INTO projects (name, guidelines, k, ask_strength, ask_rationale, tags, gold_rate,
	repeat_rate, gold_threshold, pause_below, disagreement, max_judgments)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING ` + projectColumns

// CreateProject adds a project; ErrConflict when the name is taken.
func (s *Store) CreateProject(ctx context.Context, ps annotation.ProjectSettings) (Project, error) {
	if err := ps.Validate(); err != nil {
		return Project{}, err
	}
	row := s.pool.QueryRow(ctx, createProjectSQL, settingsArgs(ps)...)
	p, err := scanProject(row)
	if isUniqueViolation(err) {
		return Project{}, fmt.Errorf("create project %q: %w", ps.Name, ErrConflict)
	}
	if err != nil {
		return Project{}, fmt.Errorf("create project %q: %w", ps.Name, err)
	}
	return p, nil
}

const updateProjectSQL = `
UPDATE projects SET name = $2, guidelines = $3, k = $4, ask_strength = $5,
	ask_rationale = $6, tags = $7, gold_rate = $8, repeat_rate = $9, gold_threshold = $10,
	pause_below = $11, disagreement = $12, max_judgments = $13
WHERE id = $1
RETURNING ` + projectColumns

// UpdateProject changes a project's settings. A new k applies to pairs that
// have not asked for more judgments than the old k.
func (s *Store) UpdateProject(ctx context.Context, id int64,
	ps annotation.ProjectSettings) (Project, error) {
	if err := ps.Validate(); err != nil {
		return Project{}, err
	}

	var p Project
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var oldK int
		err := tx.QueryRow(ctx, `SELECT k FROM projects WHERE id = $1 FOR NO KEY UPDATE`,
			id).Scan(&oldK)
		if err != nil {
			return notFound(err)
		}
		row := tx.QueryRow(ctx, updateProjectSQL, append([]any{id}, settingsArgs(ps)...)...)
		if p, err = scanProject(row); err != nil {
			return err
		}
		_, err = tx.Exec(ctx,
			`UPDATE pairs SET wanted = greatest($2, people) WHERE project_id = $1 AND wanted = $3`,
			id, ps.K, oldK)
		if err != nil {
			return err
		}
		// Settings such as strength weighting change the report: drop it.
		_, err = tx.Exec(ctx, `DELETE FROM agreement_reports WHERE project_id = $1`, id)
		return err
	})
	if isUniqueViolation(err) {
		return Project{}, fmt.Errorf("update project %d: name %q: %w", id, ps.Name, ErrConflict)
	}
	if err != nil {
		return Project{}, fmt.Errorf("update project %d: %w", id, err)
	}
	return p, nil
}

// ProjectByID returns the project with that id.
func (s *Store) ProjectByID(ctx context.Context, id int64) (Project, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = $1`, id)
	p, err := scanProject(row)
	if err != nil {
		return Project{}, fmt.Errorf("project %d: %w", id, err)
	}
	return p, nil
}

// ProjectByName returns the project with that name.
func (s *Store) ProjectByName(ctx context.Context, name string) (Project, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE name = $1`, name)
	p, err := scanProject(row)
	if err != nil {
		return Project{}, fmt.Errorf("project %q: %w", name, err)
	}
	return p, nil
}

// ProjectSummary is a project with its counts.
type ProjectSummary struct {
	Project
	Pairs     int
	Complete  int
	Judgments int
}

const listProjectsSQL = `
SELECT ` + projectColumns + `,
	(SELECT count(*) FROM pairs WHERE project_id = p.id),
	(SELECT count(*) FROM pairs WHERE project_id = p.id AND people >= wanted),
	(SELECT coalesce(sum(people), 0) FROM pairs WHERE project_id = p.id)
FROM projects p
ORDER BY name`

// ListProjects returns every project with its pair and judgment counts.
func (s *Store) ListProjects(ctx context.Context) ([]ProjectSummary, error) {
	rows, err := s.pool.Query(ctx, listProjectsSQL)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProjectSummary, error) {
		var ps ProjectSummary
		err := r.Scan(append(projectFields(&ps.Project), &ps.Pairs, &ps.Complete,
			&ps.Judgments)...)
		return ps, err
	})
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	return list, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
