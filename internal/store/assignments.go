package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/agreement"
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

// ErrPaused says a lead (or the gold check) paused the annotator in the
// project: no more pairs are handed to them there.
var ErrPaused = errors.New("a lead paused this annotator in the project")

// Kinds of assignments and judgments.
//
// An ordinary judgment comes from the ordinary queue (pairs with people <
// wanted) and counts towards the pair's k, its consensus and agreement.
//
// A gold judgment comes from gold mixing: with probability GoldRate the
// queue hands out a gold pair the annotator has never seen, whether or not
// the pair still wants judgments. It counts towards nothing but the
// annotator's gold accuracy (and their quality figures), never towards k,
// consensus or agreement, so mixing gold in cannot push a pair past k.
// A gold pair still open in the ordinary queue is also handed out
// ordinarily; that judgment is ordinary and counts as any other, and it
// counts towards gold accuracy too: accuracy looks at every non-repeat
// judgment of a gold pair.
//
// A repeat shows the annotator a pair they judged before with the sides
// swapped and counts only towards their self-consistency.
const (
	KindOrdinary = "ordinary"
	KindGold     = "gold"
	KindRepeat   = "repeat"
)

// repeatGap is how many later judgments in the project an annotator must have
// made before one of theirs can come back as a swapped repeat, so that the
// repeat is not the pair they have just seen.
const repeatGap = 3

// Assignment is a pair reserved for one annotator, with the side each
// response is shown on.
type Assignment struct {
	ID        int64
	UserID    int64
	ALeft     bool
	Kind      string
	CreatedAt time.Time
	ExpiresAt time.Time
	Pair      Pair
}

const assignmentColumns = `a.id, a.user_id, a.a_left, a.kind, a.created_at, a.expires_at,
	p.id, p.project_id, p.pair_key, coalesce(p.external_id, ''), p.prompt, p.a_text,
	p.a_model, p.b_text, p.b_model, p.tags, p.meta, p.wanted, p.people`

func scanAssignment(row pgx.Row) (Assignment, error) {
	var a Assignment
	p := &a.Pair
	err := row.Scan(&a.ID, &a.UserID, &a.ALeft, &a.Kind, &a.CreatedAt, &a.ExpiresAt,
		&p.ID, &p.ProjectID, &p.Key, &p.ExternalID, &p.Prompt, &p.A.Text, &p.A.Model,
		&p.B.Text, &p.B.Model, &p.Tags, &p.Meta, &p.Wanted, &p.People)
	return a, notFound(err)
}

const openAssignmentSQL = `
SELECT a.id
FROM assignments a JOIN pairs p ON p.id = a.pair_id
WHERE a.user_id = $1 AND a.project_id = $2 AND a.state = 'open' AND a.expires_at > now()
	AND (a.kind <> 'ordinary' OR p.people < p.wanted)
ORDER BY a.id
LIMIT 1`

// candidatesSQL finds pairs after a given id ($3) that still want
// judgments, that no one holds the last free place of, and that this
// annotator has never been handed nor judged. The rows are locked, and rows
// locked by others are skipped, so that two annotators never reserve the
// last free place of a pair at the same time. NO KEY UPDATE locks leave the
// foreign-key checks of other annotators' inserts on the pair unblocked.
const candidatesSQL = `
SELECT p.id
FROM pairs p
WHERE p.project_id = $1 AND p.people < p.wanted AND p.id > $3
	AND p.people + (SELECT count(*) FROM assignments a
		WHERE a.pair_id = p.id AND a.state = 'open' AND a.expires_at > now()) < p.wanted
	AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pair_id = p.id AND a.user_id = $2)
	AND NOT EXISTS (SELECT 1 FROM judgments j WHERE j.pair_id = p.id AND j.user_id = $2)
ORDER BY p.id
LIMIT 2
FOR NO KEY UPDATE OF p SKIP LOCKED`

// frontierSQL is the last pair of the project the annotator was handed in
// the ordinary queue. Pairs after it are new to them, so looking there first
// skips the pairs they judged that still wait for others.
const frontierSQL = `
SELECT pair_id
FROM assignments
WHERE user_id = $1 AND project_id = $2 AND kind = 'ordinary'
ORDER BY pair_id DESC
LIMIT 1`

// freeSQL runs after the lock is held, in a statement of its own, so that it
// sees every reservation committed before the lock was taken.
const freeSQL = `
SELECT p.people + (SELECT count(*) FROM assignments a
	WHERE a.pair_id = p.id AND a.state = 'open' AND a.expires_at > now()) < p.wanted
FROM pairs p WHERE p.id = $1`

const reserveSQL = `
INSERT INTO assignments (pair_id, project_id, user_id, a_left, expires_at, kind)
VALUES ($1, (SELECT project_id FROM pairs WHERE id = $1), $2, $3, now() + $4::interval, $5)
ON CONFLICT (pair_id, user_id) WHERE kind <> 'repeat' DO NOTHING
RETURNING id`

// goldCandidateSQL draws a gold pair the annotator has never been handed,
// whether or not it still wants ordinary judgments.
const goldCandidateSQL = `
SELECT p.id
FROM pairs p
WHERE p.project_id = $1 AND p.gold IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.pair_id = p.id AND a.user_id = $2)
	AND NOT EXISTS (SELECT 1 FROM judgments j WHERE j.pair_id = p.id AND j.user_id = $2)
ORDER BY random()
LIMIT 1`

// repeatCandidateSQL draws one of the annotator's judgments made here, not
// repeated yet and followed by at least repeatGap ($3) later ones.
const repeatCandidateSQL = `
WITH mine AS (
	SELECT j.id, j.pair_id, j.shown_left, j.kind
	FROM judgments j JOIN pairs p ON p.id = j.pair_id
	WHERE j.user_id = $2 AND p.project_id = $1
)
SELECT m.pair_id, m.shown_left = 'a'
FROM mine m
WHERE m.kind <> 'repeat' AND m.shown_left IS NOT NULL
	AND m.id <= (SELECT id FROM mine ORDER BY id DESC OFFSET $3 LIMIT 1)
	AND NOT EXISTS (SELECT 1 FROM assignments a
		WHERE a.pair_id = m.pair_id AND a.user_id = $2 AND a.kind = 'repeat')
ORDER BY random()
LIMIT 1`

const reserveRepeatSQL = `
INSERT INTO assignments (pair_id, project_id, user_id, a_left, expires_at, kind)
VALUES ($1, (SELECT project_id FROM pairs WHERE id = $1), $2, $3, now() + $4::interval,
	'repeat')
ON CONFLICT (pair_id, user_id) WHERE kind = 'repeat' DO NOTHING
RETURNING id`

// queueStateSQL reads, in one round trip, what handing out the next pair
// needs: the project's rates, whether the annotator is paused, their open
// reservation and their frontier (see openAssignmentSQL and frontierSQL).
const queueStateSQL = `
SELECT p.gold_rate, p.repeat_rate, coalesce(ap.paused, false),
	coalesce((` + openAssignmentSQL + `), 0),
	coalesce((` + frontierSQL + `), 0)
FROM projects p
LEFT JOIN annotator_pauses ap ON ap.project_id = p.id AND ap.user_id = $1
WHERE p.id = $2`

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
// but no pair is left, it returns ErrNoneLeft, and ErrPaused when the
// annotator is paused in the project (perhaps by this very verdict).
func (s *Store) SubmitAndNext(ctx context.Context, userID, projectID, assignmentID int64,
	sv annotation.ScreenVerdict, ttl time.Duration) (Assignment, error) {
	var a Assignment
	var stop error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := submit(ctx, tx, userID, projectID, assignmentID, sv); err != nil {
			return err
		}
		var err error
		a, err = next(ctx, tx, projectID, userID, ttl)
		switch {
		case errors.Is(err, ErrNotFound):
			stop = ErrNoneLeft
			return nil
		case errors.Is(err, ErrPaused):
			stop = ErrPaused
			return nil
		}
		return err
	})
	if err != nil {
		return Assignment{}, fmt.Errorf("submit assignment %d: %w", assignmentID, err)
	}
	if stop != nil {
		return Assignment{}, stop
	}
	return a, nil
}

// next finds the open reservation or makes a new one, and loads it. A
// paused annotator gets ErrPaused, even for a reservation still open.
func next(ctx context.Context, tx pgx.Tx, projectID, userID int64,
	ttl time.Duration) (Assignment, error) {
	var goldRate, repeatRate float64
	var paused bool
	var id, frontier int64
	err := tx.QueryRow(ctx, queueStateSQL, userID, projectID).Scan(&goldRate, &repeatRate,
		&paused, &id, &frontier)
	if err != nil {
		return Assignment{}, notFound(err)
	}
	if paused {
		return Assignment{}, ErrPaused
	}

	if id == 0 {
		id, err = reserve(ctx, tx, projectID, userID, ttl, draw(goldRate, repeatRate), frontier)
	}
	if err != nil {
		return Assignment{}, err
	}
	return scanAssignment(tx.QueryRow(ctx, assignmentSQL, id, userID))
}

// draw picks the kind of the next pair: a repeat with probability
// repeatRate, a gold pair with probability goldRate, else an ordinary one.
func draw(goldRate, repeatRate float64) string {
	u := rand.Float64()
	switch {
	case u < repeatRate:
		return KindRepeat
	case u < repeatRate+goldRate:
		return KindGold
	}
	return KindOrdinary
}

// reserve hands out a pair of the kind drawn. When no repeat or gold pair is
// left for the annotator, an ordinary pair is handed out instead.
func reserve(ctx context.Context, tx pgx.Tx, projectID, userID int64,
	ttl time.Duration, kind string, frontier int64) (int64, error) {
	var id int64
	var err error
	switch kind {
	case KindRepeat:
		id, err = reserveRepeat(ctx, tx, projectID, userID, ttl)
	case KindGold:
		id, err = reserveGold(ctx, tx, projectID, userID, ttl)
	default:
		err = ErrNotFound
	}
	if errors.Is(err, ErrNotFound) {
		return reserveOrdinary(ctx, tx, projectID, userID, ttl, frontier)
	}
	return id, err
}

// reserveRepeat reserves a repeat of an earlier judgment with each response
// on the side opposite to where it was shown then.
func reserveRepeat(ctx context.Context, tx pgx.Tx, projectID, userID int64,
	ttl time.Duration) (int64, error) {
	var pairID int64
	var aWasLeft bool
	err := tx.QueryRow(ctx, repeatCandidateSQL, projectID, userID, repeatGap).Scan(&pairID,
		&aWasLeft)
	if err != nil {
		return 0, notFound(err)
	}
	var id int64
	err = tx.QueryRow(ctx, reserveRepeatSQL, pairID, userID, !aWasLeft, ttl).Scan(&id)
	return id, notFound(err)
}

func reserveGold(ctx context.Context, tx pgx.Tx, projectID, userID int64,
	ttl time.Duration) (int64, error) {
	var pairID int64
	if err := tx.QueryRow(ctx, goldCandidateSQL, projectID, userID).Scan(&pairID); err != nil {
		return 0, notFound(err)
	}
	var id int64
	err := tx.QueryRow(ctx, reserveSQL, pairID, userID, rand.IntN(2) == 0, ttl,
		KindGold).Scan(&id)
	return id, notFound(err)
}

// reserveOrdinary hands out the first free pair after the annotator's
// frontier, or, when none is left there, the first free pair before it (one
// that was full when they passed it and has come free since).
func reserveOrdinary(ctx context.Context, tx pgx.Tx, projectID, userID int64,
	ttl time.Duration, frontier int64) (int64, error) {
	id, err := reserveAfter(ctx, tx, projectID, userID, ttl, frontier)
	if errors.Is(err, ErrNotFound) && frontier > 0 {
		id, err = reserveAfter(ctx, tx, projectID, userID, ttl, 0)
	}
	return id, err
}

// reserveAttempts bounds how often candidates are fetched again when every
// one fetched was taken by others between the query and its lock.
const reserveAttempts = 4

func reserveAfter(ctx context.Context, tx pgx.Tx, projectID, userID int64,
	ttl time.Duration, after int64) (int64, error) {
	for range reserveAttempts {
		rows, err := tx.Query(ctx, candidatesSQL, projectID, userID, after)
		if err != nil {
			return 0, err
		}
		candidates, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return 0, err
		}
		if len(candidates) == 0 {
			return 0, ErrNotFound
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
			err := tx.QueryRow(ctx, reserveSQL, pairID, userID, rand.IntN(2) == 0, ttl,
				KindOrdinary).Scan(&id)
			return id, notFound(err)
		}
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

// lockAssignmentSQL locks one of the user's assignments, in the project $3
// when it is not zero, and says whether the user is paused there.
const lockAssignmentSQL = `
SELECT a.pair_id, a.a_left, a.state, a.kind, extract(epoch FROM now() - a.created_at),
	a.expires_at < now(),
	coalesce((SELECT paused FROM annotator_pauses ap
		WHERE ap.project_id = a.project_id AND ap.user_id = a.user_id), false)
FROM assignments a
WHERE a.id = $1 AND a.user_id = $2 AND ($3 = 0 OR a.project_id = $3)
FOR NO KEY UPDATE OF a`

// othersHoldingSQL counts the other unexpired reservations of a pair.
const othersHoldingSQL = `
SELECT count(*) FROM assignments
WHERE pair_id = $1 AND id <> $2 AND state = 'open' AND expires_at > now()`

// insertJudgmentSQL stores the judgment, closes its assignment and counts
// it in the annotator's day, in one round trip.
const insertJudgmentSQL = `
WITH judgment AS (
	INSERT INTO judgments (pair_id, user_id, assignment_id, choice, strength, rationale,
		shown_left, seconds, kind)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
), done AS (
	UPDATE assignments SET state = 'done' WHERE id = $3
)
INSERT INTO judgment_days (user_id, day, n) VALUES ($2, (now() AT TIME ZONE 'UTC')::date, 1)
ON CONFLICT (user_id, day) DO UPDATE SET n = judgment_days.n + 1`

// SubmitJudgment records the verdict for one of the user's assignments. A
// second submit of the same assignment records nothing and returns nil, so a
// double click is harmless. It returns ErrPairComplete when the reservation
// had expired and others completed or now hold the pair, and ErrPaused when
// a lead paused the annotator in the project.
func (s *Store) SubmitJudgment(ctx context.Context, userID, assignmentID int64,
	sv annotation.ScreenVerdict) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		return submit(ctx, tx, userID, 0, assignmentID, sv)
	})
	if err != nil {
		return fmt.Errorf("submit assignment %d: %w", assignmentID, err)
	}
	return nil
}

// lockedPair is a pair locked for a submit, with its project's settings.
type lockedPair struct {
	id, projectID  int64
	people, wanted int
	gold           *string
	rule           agreement.OverlapRule
	goldThreshold  float64
	pauseBelow     bool
}

// Locking the pair row orders concurrent submits on one pair, so the count
// read here is the latest and k can never be passed.
const lockPairSQL = `
SELECT p.project_id, p.people, p.wanted, p.gold, pr.k, pr.disagreement, pr.max_judgments,
	pr.gold_threshold, pr.pause_below
FROM pairs p JOIN projects pr ON pr.id = p.project_id
WHERE p.id = $1
FOR NO KEY UPDATE OF p`

func lockPair(ctx context.Context, tx pgx.Tx, pairID int64) (lockedPair, error) {
	lp := lockedPair{id: pairID}
	err := tx.QueryRow(ctx, lockPairSQL, pairID).Scan(&lp.projectID, &lp.people, &lp.wanted,
		&lp.gold, &lp.rule.K, &lp.rule.Threshold, &lp.rule.Max, &lp.goldThreshold,
		&lp.pauseBelow)
	return lp, err
}

// submit stores a verdict, turned into the pair's terms with the side that
// the assignment drew. An ordinary verdict is counted on the pair, which may
// then ask for more judgments; any verdict on a gold pair may pause the
// annotator.
func submit(ctx context.Context, tx pgx.Tx, userID, projectID, assignmentID int64,
	sv annotation.ScreenVerdict) error {
	var pairID int64
	var aLeft, expired, paused bool
	var state, kind string
	var seconds float64
	err := tx.QueryRow(ctx, lockAssignmentSQL, assignmentID, userID, projectID).Scan(&pairID,
		&aLeft, &state, &kind, &seconds, &expired, &paused)
	if err != nil {
		return notFound(err)
	}
	switch {
	case state == "done":
		return nil
	case state == "skipped":
		return ErrSkipped
	case paused:
		return ErrPaused
	}
	v, err := sv.InPairTerms(aLeft)
	if err != nil {
		return err
	}

	lp, err := lockPair(ctx, tx, pairID)
	if err != nil {
		return err
	}
	if kind == KindOrdinary && lp.people >= lp.wanted {
		return ErrPairComplete
	}
	// A late verdict must not take the place of someone who holds a valid
	// reservation now.
	if kind == KindOrdinary && expired {
		var others int
		if err := tx.QueryRow(ctx, othersHoldingSQL, pairID, assignmentID).Scan(&others); err != nil {
			return err
		}
		if lp.people+others >= lp.wanted {
			return ErrPairComplete
		}
	}

	shownLeft := "b"
	if aLeft {
		shownLeft = "a"
	}
	_, err = tx.Exec(ctx, insertJudgmentSQL, pairID, userID, assignmentID, v.Choice,
		int16(v.Strength), v.Rationale, shownLeft, seconds, kind)
	if err != nil {
		return err
	}

	if kind == KindOrdinary {
		if err := countOrdinary(ctx, tx, lp); err != nil {
			return err
		}
	}
	if lp.gold != nil && kind != KindRepeat && lp.pauseBelow {
		return checkGold(ctx, tx, lp, userID)
	}
	return nil
}

// countOrdinary counts a new ordinary judgment on the pair. When that
// completes the pair, the overlap rule may ask for more judgments: wanted is
// raised by what it needs, never beyond the project's maximum.
func countOrdinary(ctx context.Context, tx pgx.Tx, lp lockedPair) error {
	lp.people++
	if lp.people < lp.wanted || lp.people >= max(lp.rule.Max, lp.rule.K) {
		_, err := tx.Exec(ctx, `UPDATE pairs SET people = $2 WHERE id = $1`, lp.id, lp.people)
		return err
	}

	js, err := ordinaryChoices(ctx, tx, lp.id)
	if err != nil {
		return err
	}
	wanted := max(lp.wanted, lp.people+lp.rule.Needed(js))
	_, err = tx.Exec(ctx, `UPDATE pairs SET people = $2, wanted = $3 WHERE id = $1`, lp.id,
		lp.people, wanted)
	return err
}

// ordinaryChoices returns the choices of the people's ordinary judgments of
// a pair, for the overlap rule.
func ordinaryChoices(ctx context.Context, tx pgx.Tx, pairID int64) ([]agreement.PairJudgment,
	error) {
	rows, err := tx.Query(ctx, `
		SELECT j.choice FROM judgments j JOIN users u ON u.id = j.user_id
		WHERE j.pair_id = $1 AND j.kind = 'ordinary' AND NOT u.is_source`, pairID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (agreement.PairJudgment, error) {
		var j agreement.PairJudgment
		err := r.Scan(&j.Choice)
		return j, err
	})
}

// goldScoreSQL counts the annotator's judgments of gold pairs in the project
// since a lead last unpaused them, and how many match the gold answer.
const goldScoreSQL = `
SELECT count(*), count(*) FILTER (WHERE j.choice = p.gold)
FROM judgments j
JOIN pairs p ON p.id = j.pair_id
LEFT JOIN annotator_pauses ap ON ap.project_id = p.project_id AND ap.user_id = j.user_id
WHERE j.user_id = $1 AND p.project_id = $2 AND p.gold IS NOT NULL AND j.kind <> 'repeat'
	AND (ap.changed_at IS NULL OR j.created_at > ap.changed_at)`

const autoPauseSQL = `
INSERT INTO annotator_pauses (project_id, user_id, paused, reason)
VALUES ($1, $2, true, $3)
ON CONFLICT (project_id, user_id) DO UPDATE
SET paused = true, reason = excluded.reason, changed_by = NULL, changed_at = now()`

// checkGold pauses the annotator when their gold accuracy fell below the
// project's threshold (see annotation.Quality.FailsGold).
func checkGold(ctx context.Context, tx pgx.Tx, lp lockedPair, userID int64) error {
	var n, hits int
	if err := tx.QueryRow(ctx, goldScoreSQL, userID, lp.projectID).Scan(&n, &hits); err != nil {
		return err
	}
	if !(annotation.Quality{GoldThreshold: lp.goldThreshold}).FailsGold(hits, n) {
		return nil
	}
	reason := fmt.Sprintf("gold accuracy %d of %d, below %.0f%%", hits, n, 100*lp.goldThreshold)
	_, err := tx.Exec(ctx, autoPauseSQL, lp.projectID, userID, reason)
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
SELECT coalesce((SELECT n FROM judgment_days
	WHERE user_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date), 0)`

// JudgedToday is how many judgments the user made here today (UTC, as the
// lead's judgments per day), kept by each submit rather than counted.
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
