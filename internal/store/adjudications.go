package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// Adjudication is a lead's final label for a pair, kept with who decided and
// when. Every adjudication is kept; the latest one counts.
type Adjudication struct {
	ID        int64
	PairID    int64
	Label     annotation.Choice
	Note      string
	UserID    int64
	UserName  string
	CreatedAt time.Time
}

func scanAdjudication(r pgx.CollectableRow) (Adjudication, error) {
	var a Adjudication
	err := r.Scan(&a.ID, &a.PairID, &a.Label, &a.Note, &a.UserID, &a.UserName, &a.CreatedAt)
	return a, err
}

// MaxNote is the longest adjudication note accepted, in characters.
const MaxNote = 5000

const adjudicateSQL = `
WITH a AS (
	INSERT INTO adjudications (pair_id, label, note, user_id)
	VALUES ($1, $2, $3, $4)
	RETURNING id, pair_id, label, note, user_id, created_at
)
SELECT a.id, a.pair_id, a.label, a.note, a.user_id, u.name, a.created_at
FROM a JOIN users u ON u.id = a.user_id`

// Adjudicate records userID's final label for a pair, with a note. It
// returns ErrNotFound when the pair does not exist.
func (s *Store) Adjudicate(ctx context.Context, pairID, userID int64, label annotation.Choice,
	note string) (Adjudication, error) {
	note = strings.TrimSpace(note)
	if !label.Valid() {
		return Adjudication{}, fmt.Errorf("label: %q is not one of a, b, tie, both_bad", label)
	}
	if utf8.RuneCountInString(note) > MaxNote {
		return Adjudication{}, fmt.Errorf("note: longer than %d characters", MaxNote)
	}

	rows, err := s.pool.Query(ctx, adjudicateSQL, pairID, label, note, userID)
	if err == nil {
		var a Adjudication
		a, err = pgx.CollectExactlyOneRow(rows, scanAdjudication)
		if err == nil {
			return a, nil
		}
	}
	if isForeignKeyViolation(err) {
		err = ErrNotFound
	}
	return Adjudication{}, fmt.Errorf("adjudicate pair %d: %w", pairID, err)
}

// Adjudications returns every adjudication of a pair, newest first.
func (s *Store) Adjudications(ctx context.Context, pairID int64) ([]Adjudication, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT a.id, a.pair_id, a.label, a.note, a.user_id, u.name, a.created_at
		FROM adjudications a JOIN users u ON u.id = a.user_id
		WHERE a.pair_id = $1
		ORDER BY a.id DESC`, pairID)
	if err != nil {
		return nil, fmt.Errorf("adjudications of pair %d: %w", pairID, err)
	}
	list, err := pgx.CollectRows(rows, scanAdjudication)
	if err != nil {
		return nil, fmt.Errorf("adjudications of pair %d: %w", pairID, err)
	}
	return list, nil
}

// SetGold marks a pair's correct answer, or clears it when gold is empty.
// The project's cached report is dropped, since gold accuracy changes.
func (s *Store) SetGold(ctx context.Context, pairID int64, gold annotation.Choice) error {
	if gold != "" && !gold.Valid() {
		return fmt.Errorf("gold: %q is not one of a, b, tie, both_bad", gold)
	}
	var value *string
	if gold != "" {
		g := string(gold)
		value = &g
	}

	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var projectID int64
		err := tx.QueryRow(ctx, `UPDATE pairs SET gold = $2 WHERE id = $1 RETURNING project_id`,
			pairID, value).Scan(&projectID)
		if err != nil {
			return notFound(err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM agreement_reports WHERE project_id = $1`, projectID)
		return err
	})
	if err != nil {
		return fmt.Errorf("set gold of pair %d: %w", pairID, err)
	}
	return nil
}

// GoldAnswers returns the gold answer of every gold pair in the project.
func (s *Store) GoldAnswers(ctx context.Context, projectID int64) (map[int64]annotation.Choice,
	error) {
	return goldAnswers(ctx, s.pool, projectID)
}

func goldAnswers(ctx context.Context, q queryRunner, projectID int64) (map[int64]annotation.Choice,
	error) {
	rows, err := q.Query(ctx,
		`SELECT id, gold FROM pairs WHERE project_id = $1 AND gold IS NOT NULL`, projectID)
	if err != nil {
		return nil, fmt.Errorf("gold of project %d: %w", projectID, err)
	}
	out := map[int64]annotation.Choice{}
	var id int64
	var gold string
	_, err = pgx.ForEachRow(rows, []any{&id, &gold}, func() error {
		out[id] = annotation.Choice(gold)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("gold of project %d: %w", projectID, err)
	}
	return out, nil
}

// ReviewPair is a pair as a lead reviews it: its content and gold answer.
type ReviewPair struct {
	Pair
	Gold annotation.Choice // empty when not gold
}

// PairInProject returns a pair of the project for review; ErrNotFound when
// the pair is not in that project.
func (s *Store) PairInProject(ctx context.Context, projectID, pairID int64) (ReviewPair,
	error) {
	var rp ReviewPair
	p := &rp.Pair
	var gold *string
	err := s.pool.QueryRow(ctx, `
		SELECT id, project_id, pair_key, coalesce(external_id, ''), prompt, a_text, a_model,
			b_text, b_model, tags, meta, wanted, people, gold
		FROM pairs WHERE id = $1 AND project_id = $2`, pairID, projectID).Scan(&p.ID,
		&p.ProjectID, &p.Key, &p.ExternalID, &p.Prompt, &p.A.Text, &p.A.Model, &p.B.Text,
		&p.B.Model, &p.Tags, &p.Meta, &p.Wanted, &p.People, &gold)
	if err != nil {
		return ReviewPair{}, fmt.Errorf("pair %d of project %d: %w", pairID, projectID,
			notFound(err))
	}
	if gold != nil {
		rp.Gold = annotation.Choice(*gold)
	}
	return rp, nil
}

// isForeignKeyViolation reports whether err is PostgreSQL's
// foreign_key_violation.
func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}

// SetPairTags replaces a pair's tags.
func (s *Store) SetPairTags(ctx context.Context, pairID int64, tags []string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE pairs SET tags = $2 WHERE id = $1`, pairID,
		nonNil(tags))
	if err != nil {
		return fmt.Errorf("tags of pair %d: %w", pairID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("tags of pair %d: %w", pairID, ErrNotFound)
	}
	return nil
}
