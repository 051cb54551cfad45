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
SELECT a.id
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
	var a Assignment
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		a, err = next(ctx, tx, projectID, userID, ttl)
		return err
	})
	if err != nil {
		return Assignment{}, fmt.Errorf("next pair in project %d: %w", projectID, err)
	}
	return a, nil
}

// SubmitAndNext records the verdict and hands out the annotator's next pair
// in one transaction, the round trip of the annotation screen. A verdict
// that cannot be recorded (ErrPairComplete, ErrSkipped, ErrNotFound) rolls
// everything back and is returned as the error. When the verdict is stored
// but no pair is left, it returns ErrNoneLeft.
func (s *Store) SubmitAndNext(ctx context.Context, userID, projectID, assignmentID int64,
	sv annotation.ScreenVerdict, ttl time.Duration) (Assignment, error) {
	var a Assignment
	noneLeft := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := submit(ctx, tx, userID, assignmentID, sv); err != nil {
			return err
		}
		var err error
		a, err = next(ctx, tx, projectID, userID, ttl)
		if errors.Is(err, ErrNotFound) {
			noneLeft = true
			return nil
		}
		return err
	})
	if err != nil {
		return Assignment{}, fmt.Errorf("submit assignment %d: %w", assignmentID, err)
	}
	if noneLeft {
		return Assignment{}, ErrNoneLeft
	}
	return a, nil
}

// next finds the open reservation or makes a new one, and loads it.
func next(ctx context.Context, tx pgx.Tx, projectID, userID int64,
	ttl time.Duration) (Assignment, error) {
	var id int64
	err := tx.QueryRow(ctx, openAssignmentSQL, userID, projectID).Scan(&id)
	if err = notFound(err); errors.Is(err, ErrNotFound) {
		id, err = reserve(ctx, tx, projectID, userID, ttl)
	}
	if err != nil {
		return Assignment{}, err
	}
	return scanAssignment(tx.QueryRow(ctx, assignmentSQL, id, userID))
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

const assignmentSQL = `SELECT ` + assignmentColumns + `
FROM assignments a JOIN pairs p ON p.id = a.pair_id
WHERE a.id = $1 AND a.user_id = $2`

// Assignment returns one of the user's assignments with its pair.
func (s *Store) Assignment(ctx context.Context, userID, id int64) (Assignment, error) {
	a, err := scanAssignment(s.pool.QueryRow(ctx, assignmentSQL, id, userID))
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
	sv annotation.ScreenVerdict) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		return submit(ctx, tx, userID, assignmentID, sv)
	})
	if err != nil {
		return fmt.Errorf("submit assignment %d: %w", assignmentID, err)
	}
	return nil
}

// submit stores a verdict, turned into the pair's terms with the side that
// the assignment drew, and counts it on the pair.
func submit(ctx context.Context, tx pgx.Tx, userID, assignmentID int64,
	sv annotation.ScreenVerdict) error {
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
	v, err := sv.InPairTerms(aLeft)
	if err != nil {
		return err
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

// Progress is how far a project has come.
type Progress struct {
	Pairs, Complete int
	Wanted, Done    int
}

const progressSQL = `
SELECT count(*), count(*) FILTER (WHERE people >= wanted),
	coalesce(sum(wanted), 0), coalesce(sum(least(people, wanted)), 0)
FROM pairs WHERE project_id = $1`

// ProjectProgress counts the project's pairs and judgments. It reads every
// pair of the project: callers on a hot path cache it.
func (s *Store) ProjectProgress(ctx context.Context, projectID int64) (Progress, error) {
	var p Progress
	err := s.pool.QueryRow(ctx, progressSQL, projectID).Scan(&p.Pairs, &p.Complete,
		&p.Wanted, &p.Done)
	if err != nil {
		return Progress{}, fmt.Errorf("progress of project %d: %w", projectID, err)
	}
	return p, nil
}

const todaySQL = `
SELECT count(*) FROM judgments
WHERE user_id = $1 AND created_at >= date_trunc('day', now())`

// JudgedToday counts the user's judgments since midnight (database time).
func (s *Store) JudgedToday(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, todaySQL, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("judgments today of user %d: %w", userID, err)
	}
	return n, nil
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
