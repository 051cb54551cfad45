package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/agreement"
	"github.com/prefer-dev/prefer/internal/annotation"
)

const pairJudgmentsSQL = `
SELECT j.pair_id, u.name, j.choice, j.strength, coalesce(j.shown_left, ''),
	coalesce(j.seconds, 0), j.kind = 'repeat'
FROM judgments j
JOIN pairs p ON p.id = j.pair_id
JOIN users u ON u.id = j.user_id
WHERE p.project_id = $1 AND NOT u.is_source AND j.kind <> 'gold'
ORDER BY j.pair_id, j.id`

// PairJudgments returns the people's judgments of a project as the
// agreement package reads them, items named by pair id. Sources and gold
// checks are left out (gold checks measure an annotator, not the pair);
// swapped repeats are marked, for AgreementJudgments to drop.
func (s *Store) PairJudgments(ctx context.Context, projectID int64) ([]agreement.PairJudgment,
	error) {
	return pairJudgments(ctx, s.pool, projectID)
}

func pairJudgments(ctx context.Context, q queryRunner, projectID int64) (
	[]agreement.PairJudgment, error) {
	rows, err := q.Query(ctx, pairJudgmentsSQL, projectID)
	if err != nil {
		return nil, fmt.Errorf("judgments of project %d: %w", projectID, err)
	}

	var out []agreement.PairJudgment
	var pj agreement.PairJudgment
	var pairID int64
	var choice, left string
	var strength int16
	_, err = pgx.ForEachRow(rows,
		[]any{&pairID, &pj.Annotator, &choice, &strength, &left, &pj.Seconds, &pj.Repeat},
		func() error {
			pj.Item = strconv.FormatInt(pairID, 10)
			pj.Choice = annotation.Choice(choice)
			pj.Strength = annotation.Strength(strength)
			pj.LeftShown = annotation.Choice(left)
			out = append(out, pj)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("judgments of project %d: %w", projectID, err)
	}
	return out, nil
}

// DeleteProject removes a project with its pairs, assignments and judgments.
func (s *Store) DeleteProject(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM projects WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete project %d: %w", id, err)
	}
	return nil
}
