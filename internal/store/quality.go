package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/prefer-dev/prefer/internal/agreement"
	"github.com/prefer-dev/prefer/internal/annotation"
)

// projectJudgmentsSQL reads the people's judgments of a project, sources
// left out. No order is asked for: the agreement package groups by pair
// itself, faster than a sort here. Plain columns cost the database least;
// the text ones are read without copying (pgtype.DriverBytes).
const projectJudgmentsSQL = `
SELECT j.id, j.pair_id, j.user_id, j.choice, j.strength, coalesce(j.shown_left, ''),
	coalesce(j.seconds, 0), j.kind, j.created_at, j.imported
FROM judgments j
JOIN pairs p ON p.id = j.pair_id
JOIN users u ON u.id = j.user_id
WHERE p.project_id = $1 AND NOT u.is_source`

// queryRunner is what a pool and a transaction share: running a query.
type queryRunner interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// projectJudgments is what one scan of a project's judgments yields.
type projectJudgments struct {
	all      []agreement.PairJudgment // every kind; repeats marked
	ordinary []bool                   // all[i] is an ordinary judgment
	names    map[int64]string         // people by id
	perDay   map[int64]int            // judgments made here per day (UTC) since 1970-01-01
	others   int                      // judgments that are not ordinary
	maxID    int64                    // the highest judgment id read
}

// readJudgments scans the people's judgments of a project once; hint is
// the number of rows expected.
func readJudgments(ctx context.Context, tx pgx.Tx, projectID int64,
	hint int) (*projectJudgments, error) {
	names, err := peopleNames(ctx, tx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, projectJudgmentsSQL, projectID)
	if err != nil {
		return nil, err
	}

	pj := &projectJudgments{names: names, perDay: map[int64]int{},
		all: make([]agreement.PairJudgment, 0, hint), ordinary: make([]bool, 0, hint)}
	var id, pairID, userID, prevPair int64
	var choice, left, kind pgtype.DriverBytes
	var strength int16
	var seconds float32
	var at time.Time
	var imported bool
	item := ""
	_, err = pgx.ForEachRow(rows,
		[]any{&id, &pairID, &userID, &choice, &strength, &left, &seconds, &kind, &at, &imported},
		func() error {
			if pairID != prevPair || item == "" {
				item, prevPair = strconv.FormatInt(pairID, 10), pairID
			}
			// Converted only to compare, the bytes are not copied.
			ordinary := string(kind) == KindOrdinary
			j := agreement.PairJudgment{Item: item, Annotator: names[userID],
				Choice: choiceOf(choice), Strength: annotation.Strength(strength),
				LeftShown: choiceOf(left), Seconds: float64(seconds),
				Repeat: string(kind) == KindRepeat}
			pj.all = append(pj.all, j)
			pj.ordinary = append(pj.ordinary, ordinary)
			if !ordinary {
				pj.others++
			}
			// Imported judgments were made elsewhere, on days unknown.
			if !imported {
				pj.perDay[at.Unix()/secondsPerDay]++
			}
			pj.maxID = max(pj.maxID, id)
			return nil
		})
	if err != nil {
		return nil, err
	}
	return pj, nil
}

const secondsPerDay = 24 * 60 * 60

// choiceOf returns the choice that b spells, as one of the package's own
// strings so that nothing is allocated; empty when b is none of them.
func choiceOf(b []byte) annotation.Choice {
	for _, c := range annotation.Choices {
		if string(b) == string(c) {
			return c
		}
	}
	return ""
}

// peopleNames returns every person's name by id (sources left out).
func peopleNames(ctx context.Context, tx queryRunner) (map[int64]string, error) {
	rows, err := tx.Query(ctx, `SELECT id, name FROM users WHERE NOT is_source`)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	var id int64
	var name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		names[id] = name
		return nil
	})
	return names, err
}

// ordinaryOnly returns the ordinary judgments: what agreement is measured on.
func (pj *projectJudgments) ordinaryOnly() []agreement.PairJudgment {
	if pj.others == 0 {
		return pj.all
	}
	out := make([]agreement.PairJudgment, 0, len(pj.all))
	for i, j := range pj.all {
		if pj.ordinary[i] {
			out = append(out, j)
		}
	}
	return out
}

// Pause says whether an annotator is paused in a project, and why.
type Pause struct {
	UserID    int64
	Paused    bool
	Reason    string
	ByLead    string // empty when the gold check paused them
	ChangedAt time.Time
}

// Pauses returns the pause state of every annotator of the project who was
// ever paused, by user id.
func (s *Store) Pauses(ctx context.Context, projectID int64) (map[int64]Pause, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT ap.user_id, ap.paused, ap.reason, coalesce(u.name, ''), ap.changed_at
		FROM annotator_pauses ap LEFT JOIN users u ON u.id = ap.changed_by
		WHERE ap.project_id = $1`, projectID)
	if err != nil {
		return nil, fmt.Errorf("pauses of project %d: %w", projectID, err)
	}
	out := map[int64]Pause{}
	var p Pause
	_, err = pgx.ForEachRow(rows, []any{&p.UserID, &p.Paused, &p.Reason, &p.ByLead,
		&p.ChangedAt}, func() error {
		out[p.UserID] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pauses of project %d: %w", projectID, err)
	}
	return out, nil
}

const setPausedSQL = `
INSERT INTO annotator_pauses (project_id, user_id, paused, reason, changed_by)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (project_id, user_id) DO UPDATE
SET paused = excluded.paused, reason = excluded.reason, changed_by = excluded.changed_by,
	changed_at = now()`

// SetPaused pauses or unpauses an annotator in a project on a lead's word.
// After an unpause, the automatic gold check counts only later judgments.
func (s *Store) SetPaused(ctx context.Context, projectID, userID, leadID int64,
	paused bool) error {
	reason := "unpaused by a lead"
	if paused {
		reason = "paused by a lead"
	}
	_, err := s.pool.Exec(ctx, setPausedSQL, projectID, userID, paused, reason, leadID)
	if isForeignKeyViolation(err) {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("pause user %d in project %d: %w", userID, projectID, err)
	}
	return nil
}

// Paused reports whether the annotator is paused in the project.
func (s *Store) Paused(ctx context.Context, projectID, userID int64) (bool, error) {
	var paused bool
	err := s.pool.QueryRow(ctx, `SELECT paused FROM annotator_pauses
		WHERE project_id = $1 AND user_id = $2`, projectID, userID).Scan(&paused)
	if err = notFound(err); err != nil && err != ErrNotFound {
		return false, fmt.Errorf("pause of user %d in project %d: %w", userID, projectID, err)
	}
	return paused, nil
}
