package store

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/agreement"
	"github.com/prefer-dev/prefer/internal/annotation"
)

// ProjectReport is the lead's summary of a project: agreement over the
// people's ordinary judgments, each annotator's quality over all of theirs,
// and judgments per day.
type ProjectReport struct {
	Agreement *agreement.Report
	Quality   []agreement.AnnotatorQuality
	PerDay    []DayCount

	// Rounds is the number of bootstrap resamples behind alpha's interval.
	Rounds int

	// UserIDs names the annotators of Quality by user id.
	UserIDs map[string]int64

	// The report covers the people's Judgments judgments, up to
	// MaxJudgmentID, as of ComputedAt.
	Judgments     int
	MaxJudgmentID int64
	ComputedAt    time.Time
}

// DayCount is the number of judgments made on one day (UTC).
type DayCount struct {
	Day time.Time
	N   int
}

// reportRounds returns the number of bootstrap resamples behind alpha's
// interval: 1000 for up to 50,000 judgments, fewer beyond so that the time
// stays bounded (the bootstrap is the longest step of a report), but never
// under 50.
//
// Limitation: with few resamples (50 from 1,000,000 judgments on) the ends
// of the 95% interval are rough. Such projects have so many pairs that the
// interval is a few thousandths wide, so the roughness does not change
// what a lead reads from it.
func reportRounds(judgments int) int {
	return max(50, min(1000, 50_000_000/max(1, judgments)))
}

// ReportMaxAge is how long a cached report is served although judgments
// came in since it was computed. A cached report is recomputed when the
// project has new (or deleted) judgments AND it is older than this; when
// nothing changed it is served however old it is. Setting or clearing gold
// drops it at once.
const ReportMaxAge = 60 * time.Second

// judgmentStampSQL counts what projectJudgmentsSQL reads.
const judgmentStampSQL = `
SELECT count(*), coalesce(max(j.id), 0)
FROM judgments j
JOIN pairs p ON p.id = j.pair_id
JOIN users u ON u.id = j.user_id
WHERE p.project_id = $1 AND NOT u.is_source`

const cachedReportSQL = `
SELECT judgments, max_judgment_id, computed_at, report
FROM agreement_reports WHERE project_id = $1`

const saveReportSQL = `
INSERT INTO agreement_reports (project_id, judgments, max_judgment_id, computed_at, report)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (project_id) DO UPDATE
SET judgments = excluded.judgments, max_judgment_id = excluded.max_judgment_id,
	computed_at = excluded.computed_at, report = excluded.report`

// Report returns the project's summary, from the cache when it is fresh
// enough (see ReportMaxAge), otherwise computed and cached anew.
func (s *Store) Report(ctx context.Context, projectID int64) (*ProjectReport, error) {
	r, err := s.report(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("report of project %d: %w", projectID, err)
	}
	return r, nil
}

func (s *Store) report(ctx context.Context, projectID int64) (*ProjectReport, error) {
	// A young report is served without even counting the judgments, which
	// reads all of them.
	cached, err := s.cachedReport(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if cached != nil && time.Since(cached.ComputedAt) < ReportMaxAge {
		return cached, nil
	}
	var n int
	var maxID int64
	if err := s.pool.QueryRow(ctx, judgmentStampSQL, projectID).Scan(&n, &maxID); err != nil {
		return nil, err
	}
	if cached != nil && cached.Judgments == n && cached.MaxJudgmentID == maxID {
		return cached, nil
	}

	r, err := s.ComputeReport(ctx, projectID)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(r); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	_, err = s.pool.Exec(ctx, saveReportSQL, projectID, r.Judgments, r.MaxJudgmentID,
		r.ComputedAt, buf.Bytes())
	return r, err
}

// cachedReport returns the cached report, nil when there is none.
func (s *Store) cachedReport(ctx context.Context, projectID int64) (*ProjectReport, error) {
	var r ProjectReport
	var blob []byte
	err := s.pool.QueryRow(ctx, cachedReportSQL, projectID).Scan(&r.Judgments,
		&r.MaxJudgmentID, &r.ComputedAt, &blob)
	if err = notFound(err); err == ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var stored ProjectReport
	if err := gob.NewDecoder(bytes.NewReader(blob)).Decode(&stored); err != nil {
		// A report from an older shape of the struct is recomputed.
		return nil, nil
	}
	stored.Judgments, stored.MaxJudgmentID, stored.ComputedAt = r.Judgments, r.MaxJudgmentID,
		r.ComputedAt
	return &stored, nil
}

// ComputeReport computes the project's summary from its judgments now,
// without the cache. Judgments and MaxJudgmentID describe exactly the
// judgments it read: gold answers and judgments come from one snapshot.
func (s *Store) ComputeReport(ctx context.Context, projectID int64) (*ProjectReport, error) {
	weighted, err := s.weighted(ctx, projectID)
	if err != nil {
		return nil, err
	}
	r := &ProjectReport{UserIDs: map[string]int64{}, ComputedAt: time.Now()}
	var gold map[int64]annotation.Choice
	var pj *projectJudgments
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead,
		AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// The pairs' count of ordinary judgments sizes the buffers; gold
		// checks and repeats come on top, a few percent.
		var hint int
		err := tx.QueryRow(ctx, `SELECT coalesce(sum(people), 0) FROM pairs
			WHERE project_id = $1`, projectID).Scan(&hint)
		if err != nil {
			return err
		}
		if gold, err = goldAnswers(ctx, tx, projectID); err != nil {
			return err
		}
		pj, err = readJudgments(ctx, tx, projectID, hint+hint/16)
		return err
	})
	if err != nil {
		return nil, err
	}
	r.Judgments, r.MaxJudgmentID = len(pj.all), pj.maxID

	// Quality runs beside the agreement report, whose bootstrap is the
	// longest step.
	goldByItem := make(map[string]annotation.Choice, len(gold))
	for id, g := range gold {
		goldByItem[strconv.FormatInt(id, 10)] = g
	}
	quality := make(chan []agreement.AnnotatorQuality, 1)
	go func() { quality <- agreement.Quality(pj.all, goldByItem) }()

	r.Rounds = reportRounds(len(pj.all))
	opt := agreement.Options{Ties: []string{string(annotation.ChoiceTie)},
		Rounds: r.Rounds, Seed: uint64(projectID)}
	r.Agreement, err = agreement.Compute(agreement.AgreementJudgments(pj.ordinaryOnly(),
		weighted), opt)
	r.Quality = <-quality
	if err != nil {
		return nil, err
	}
	r.PerDay = perDay(pj.perDay)
	inReport := map[string]bool{}
	for _, q := range r.Quality {
		inReport[q.Annotator] = true
	}
	for id, name := range pj.names {
		if inReport[name] {
			r.UserIDs[name] = id
		}
	}
	return r, nil
}

func perDay(counts map[int64]int) []DayCount {
	out := make([]DayCount, 0, len(counts))
	for d, n := range counts {
		out = append(out, DayCount{Day: time.Unix(d*secondsPerDay, 0).UTC(), N: n})
	}
	slices.SortFunc(out, func(x, y DayCount) int { return x.Day.Compare(y.Day) })
	return out
}
