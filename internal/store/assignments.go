package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// Pair is a prompt and two responses in their stored order.
type Pair struct {
	ID         int64
	ProjectID  int64
	Key        string
	ExternalID string
	Prompt     annotation.Prompt
	A, B       annotation.Response
	Tags       []string
	Meta       json.RawMessage
	Wanted     int
	People     int
}

// Assignment is a pair reserved for one annotator, with the side each
// response is shown on.
type Assignment struct {
	ID        int64
	UserID    int64
	ALeft     bool
	CreatedAt time.Time
	ExpiresAt time.Time
	Pair      Pair
}

const assignmentColumns = `a.id, a.user_id, a.a_left, a.created_at, a.expires_at,
	p.id, p.project_id, p.pair_key, coalesce(p.external_id, ''), p.prompt, p.a_text,
	p.a_model, p.b_text, p.b_model, p.tags, p.meta, p.wanted, p.people`

func scanAssignment(row pgx.Row) (Assignment, error) {
	var a Assignment
	p := &a.Pair
	err := row.Scan(&a.ID, &a.UserID, &a.ALeft, &a.CreatedAt, &a.ExpiresAt,
		&p.ID, &p.ProjectID, &p.Key, &p.ExternalID, &p.Prompt, &p.A.Text, &p.A.Model,
		&p.B.Text, &p.B.Model, &p.Tags, &p.Meta, &p.Wanted, &p.People)
	return a, notFound(err)
}

const openAssignmentSQL = `
SELECT ` + assignmentColumns + `
FROM assignments a JOIN pairs p ON p.id = a.pair_id
WHERE a.user_id = $1 AND p.project_id = $2 AND a.state = 'open' AND a.expires_at > now()
ORDER BY a.id
LIMIT 1`

// candidatesSQL finds pairs that still want judgments and that this
// annotator has never been handed nor judged. The rows are locked, and
// rows locked by others are skipped, so that two annotators never reserve
// the last free place of a pair at the same time.
const candidatesSQL = `
SELECT p.id
FROM pairs p
WHERE p.project_id = $1 AND p.people < p.wanted
	AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pair_id = p.id AND a.user_id = $2)
	AND NOT EXISTS (SELECT 1 FROM judgments j WHERE j.pair_id = p.id AND j.user_id = $2)
ORDER BY p.id
LIMIT 8
FOR UPDATE OF p SKIP LOCKED`

// freeSQL runs after the lock is held, in a statement of its own, so that it
// sees every reservation committed before the lock was taken.
const freeSQL = `
SELECT p.people + (SELECT count(*) FROM assignments a
	WHERE a.pair_id = p.id AND a.state = 'open' AND a.expires_at > now()) < p.wanted
FROM pairs p WHERE p.id = $1`

const reserveSQL = `
INSERT INTO assignments (pair_id, user_id, a_left, expires_at)
VALUES ($1, $2, $3, now() + $4::interval)
ON CONFLICT (pair_id, user_id) DO NOTHING
RETURNING id`

// NextAssignment returns the annotator's open reservation in the project,
// or reserves a new pair for ttl with the sides drawn at random. It returns
// ErrNotFound when no pair is left for this annotator.
func (s *Store) NextAssignment(ctx context.Context, projectID, userID int64,
	ttl time.Duration) (Assignment, error) {
	a, err := scanAssignment(s.pool.QueryRow(ctx, openAssignmentSQL, userID, projectID))
	if err == nil || !errors.Is(err, ErrNotFound) {
		return a, wrapAssignment(err, projectID)
	}

	var id int64
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		id, err = reserve(ctx, tx, projectID, userID, ttl)
		return err
	})
	if err != nil {
		return Assignment{}, wrapAssignment(err, projectID)
	}
	return s.Assignment(ctx, userID, id)
}

func reserve(ctx context.Context, tx pgx.Tx, projectID, userID int64,
	ttl time.Duration) (int64, error) {
	rows, err := tx.Query(ctx, candidatesSQL, projectID, userID)
	if err != nil {
		return 0, err
	}
	candidates, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}

	for _, pairID := range candidates {
		var free bool
		if err := tx.QueryRow(ctx, freeSQL, pairID).Scan(&free); err != nil {
			return 0, err
		}
		if !free {
			continue
		}
		var id int64
		err := tx.QueryRow(ctx, reserveSQL, pairID, userID, rand.IntN(2) == 0, ttl).Scan(&id)
		return id, notFound(err)
	}
	return 0, ErrNotFound
}

func wrapAssignment(err error, projectID int64) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("next pair in project %d: %w", projectID, err)
}

// Assignment returns one of the user's assignments with its pair.
func (s *Store) Assignment(ctx context.Context, userID, id int64) (Assignment, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+assignmentColumns+`
		FROM assignments a JOIN pairs p ON p.id = a.pair_id
		WHERE a.id = $1 AND a.user_id = $2`, id, userID)
	a, err := scanAssignment(row)
	if err != nil {
		return Assignment{}, fmt.Errorf("assignment %d: %w", id, err)
	}
	return a, nil
}

const lockAssignmentSQL = `
SELECT a.pair_id, a.a_left, a.state, extract(epoch FROM now() - a.created_at)
FROM assignments a
WHERE a.id = $1 AND a.user_id = $2
FOR UPDATE`

const insertJudgmentSQL = `
INSERT INTO judgments (pair_id, user_id, assignment_id, choice, strength, rationale,
	shown_left, seconds)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`

// SubmitJudgment records the verdict for one of the user's assignments. A
// second submit of the same assignment records nothing and returns nil, so a
// double click is harmless. It returns ErrPairComplete when the reservation
// had expired and others completed the pair meanwhile.
func (s *Store) SubmitJudgment(ctx context.Context, userID, assignmentID int64,
	v annotation.Verdict) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var pairID int64
		var aLeft bool
		var state string
		var seconds float64
		err := tx.QueryRow(ctx, lockAssignmentSQL, assignmentID, userID).Scan(&pairID, &aLeft,
			&state, &seconds)
		if err != nil {
			return notFound(err)
		}
		switch state {
		case "done":
			return nil
		case "skipped":
			return ErrSkipped
		}

		// Locking the pair row orders concurrent submits on one pair, so the
		// count read here is the latest and k can never be passed.
		var people, wanted int
		err = tx.QueryRow(ctx, `SELECT people, wanted FROM pairs WHERE id = $1 FOR UPDATE`,
			pairID).Scan(&people, &wanted)
		if err != nil {
			return err
		}
		if people >= wanted {
			return ErrPairComplete
		}

		shownLeft := "b"
		if aLeft {
			shownLeft = "a"
		}
		_, err = tx.Exec(ctx, insertJudgmentSQL, pairID, userID, assignmentID, v.Choice,
			int16(v.Strength), v.Rationale, shownLeft, seconds)
		if err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `UPDATE pairs SET people = people + 1 WHERE id = $1`,
			pairID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE assignments SET state = 'done' WHERE id = $1`, assignmentID)
		return err
	})
	if err != nil {
		return fmt.Errorf("submit assignment %d: %w", assignmentID, err)
	}
	return nil
}

// SkipAssignment hands the pair back to others; this annotator will not be
// given it again.
func (s *Store) SkipAssignment(ctx context.Context, userID, assignmentID int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE assignments SET state = 'skipped'
		WHERE id = $1 AND user_id = $2 AND state = 'open'`, assignmentID, userID)
	if err != nil {
		return fmt.Errorf("skip assignment %d: %w", assignmentID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("skip assignment %d: %w", assignmentID, ErrNotFound)
	}
	return nil
}

// Progress is how far a project and one annotator have come.
type Progress struct {
	Pairs, Complete int
	Wanted, Done    int
	Mine, MineToday int
}

const progressSQL = `
SELECT count(*), count(*) FILTER (WHERE people >= wanted),
	coalesce(sum(wanted), 0), coalesce(sum(least(people, wanted)), 0),
	(SELECT count(*) FROM judgments j JOIN pairs q ON q.id = j.pair_id
		WHERE q.project_id = $1 AND j.user_id = $2),
	(SELECT count(*) FROM judgments j JOIN pairs q ON q.id = j.pair_id
		WHERE q.project_id = $1 AND j.user_id = $2 AND j.created_at >= date_trunc('day', now()))
FROM pairs WHERE project_id = $1`

// ProjectProgress returns the project's progress and the user's counts in it.
func (s *Store) ProjectProgress(ctx context.Context, projectID, userID int64) (Progress, error) {
	var p Progress
	err := s.pool.QueryRow(ctx, progressSQL, projectID, userID).Scan(&p.Pairs, &p.Complete,
		&p.Wanted, &p.Done, &p.Mine, &p.MineToday)
	if err != nil {
		return Progress{}, fmt.Errorf("progress of project %d: %w", projectID, err)
	}
	return p, nil
}

// Judgment is one stored verdict.
type Judgment struct {
	ID        int64
	PairID    int64
	UserID    int64
	Annotator string
	IsSource  bool
	Choice    annotation.Choice
	Strength  annotation.Strength
	Rationale string
	ShownLeft string
	Seconds   float64
	Kind      string
	Imported  bool
	CreatedAt time.Time
}

// JudgmentsOfPair returns every judgment on a pair, oldest first.
func (s *Store) JudgmentsOfPair(ctx context.Context, pairID int64) ([]Judgment, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT j.id, j.pair_id, j.user_id, u.name, u.is_source, j.choice, j.strength,
			j.rationale, coalesce(j.shown_left, ''), coalesce(j.seconds, 0), j.kind,
			j.imported, j.created_at
		FROM judgments j JOIN users u ON u.id = j.user_id
		WHERE j.pair_id = $1 ORDER BY j.id`, pairID)
	if err != nil {
		return nil, fmt.Errorf("judgments of pair %d: %w", pairID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Judgment, error) {
		var j Judgment
		err := r.Scan(&j.ID, &j.PairID, &j.UserID, &j.Annotator, &j.IsSource, &j.Choice,
			&j.Strength, &j.Rationale, &j.ShownLeft, &j.Seconds, &j.Kind, &j.Imported,
			&j.CreatedAt)
		return j, err
	})
	if err != nil {
		return nil, fmt.Errorf("judgments of pair %d: %w", pairID, err)
	}
	return list, nil
}
