package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/export"
)

// ExportQuery says what ExportPairs reads besides the votes.
type ExportQuery struct {
	// Texts reads the responses; a preview that only counts goes without.
	Texts bool
	// Judgments reads every judgment of each pair, for the judgments format.
	Judgments bool
}

// exportPairsSQL streams a project's pairs in id order with the labels of
// their ordinary judgments, people and sources apart, as comma-separated
// text (cheaper to build and read than arrays; the order does not matter to
// a consensus), and their latest adjudication. Joins rather than a subquery
// per pair let PostgreSQL merge three index scans in pair order. %s are the
// response columns and the judgments column, which only some exports need.
const exportPairsSQL = `
WITH votes AS (
	SELECT j.pair_id,
		string_agg(j.choice, ',') FILTER (WHERE NOT u.is_source) AS people,
		string_agg(j.choice, ',') FILTER (WHERE u.is_source) AS sources
	FROM judgments j
	JOIN pairs vp ON vp.id = j.pair_id AND vp.project_id = $1
	JOIN users u ON u.id = j.user_id
	WHERE j.kind = 'ordinary'
	GROUP BY j.pair_id
), adjudicated AS (
	SELECT DISTINCT ON (a.pair_id) a.pair_id, a.label
	FROM adjudications a
	JOIN pairs ap ON ap.id = a.pair_id AND ap.project_id = $1
	ORDER BY a.pair_id, a.id DESC
)
SELECT p.id, coalesce(p.external_id, ''), p.prompt, %s, p.tags,
	coalesce(v.people, ''), coalesce(v.sources, ''), coalesce(ad.label, ''),
	%s
FROM pairs p
LEFT JOIN votes v ON v.pair_id = p.id
LEFT JOIN adjudicated ad ON ad.pair_id = p.id
WHERE p.project_id = $1
ORDER BY p.id`

const exportTextsSQL = `p.a_text, p.b_text`

const exportJudgmentsSQL = `(
	SELECT json_agg(json_build_object('annotator', u.name, 'label', j.choice,
		'strength', j.strength, 'rationale', j.rationale, 'shown_left', j.shown_left,
		'seconds', j.seconds, 'kind', j.kind, 'source', u.is_source) ORDER BY j.id)
	FROM judgments j
	JOIN users u ON u.id = j.user_id
	WHERE j.pair_id = p.id)`

// ExportSQL returns the query ExportPairs runs, with $1 the project id; a
// benchmark copies it with COPY to compare.
func ExportSQL(q ExportQuery) string {
	texts, judgments := `'', ''`, `NULL::json`
	if q.Texts {
		texts = exportTextsSQL
	}
	if q.Judgments {
		judgments = exportJudgmentsSQL
	}
	return fmt.Sprintf(exportPairsSQL, texts, judgments)
}

// ExportPairs streams the pairs of a project, in id order, to fn. Rows are
// read one at a time, so memory stays flat however large the project is.
func (s *Store) ExportPairs(ctx context.Context, projectID int64, q ExportQuery,
	fn func(export.Pair) error) error {
	return exportPairs(ctx, s.pool, projectID, q, fn)
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func exportPairs(ctx context.Context, db querier, projectID int64, q ExportQuery,
	fn func(export.Pair) error) error {
	rows, err := db.Query(ctx, ExportSQL(q), projectID)
	if err != nil {
		return fmt.Errorf("export project %d: %w", projectID, err)
	}
	defer rows.Close()

	var (
		p                export.Pair
		prompt, js       []byte
		people, sources  string
		adjudication     string
		peopleC, sourceC []annotation.Choice
	)
	for rows.Next() {
		err := rows.Scan(&p.ID, &p.ExternalID, &prompt, &p.A, &p.B, &p.Tags, &people, &sources,
			&adjudication, &js)
		if err != nil {
			return fmt.Errorf("export project %d: %w", projectID, err)
		}
		if err := decodeExportRow(&p, prompt, js); err != nil {
			return fmt.Errorf("export project %d: pair %d: %w", projectID, p.ID, err)
		}
		p.People, peopleC = choices(peopleC, people)
		p.Sources, sourceC = choices(sourceC, sources)
		p.Adjudication = annotation.Choice(adjudication)
		if err := fn(p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export project %d: %w", projectID, err)
	}
	return nil
}

func decodeExportRow(p *export.Pair, prompt, js []byte) error {
	p.Prompt = annotation.Prompt{}
	if err := json.Unmarshal(prompt, &p.Prompt); err != nil {
		return fmt.Errorf("prompt: %w", err)
	}
	p.Judgments = nil
	if len(js) > 0 {
		if err := json.Unmarshal(js, &p.Judgments); err != nil {
			return fmt.Errorf("judgments: %w", err)
		}
	}
	return nil
}

// choices splits comma-separated labels into buf, reused from row to row,
// and returns the result twice: as the pair's labels and as the buffer for
// the next row.
func choices(buf []annotation.Choice, labels string) ([]annotation.Choice,
	[]annotation.Choice) {
	buf = buf[:0]
	for labels != "" {
		l, rest, _ := strings.Cut(labels, ",")
		buf = append(buf, annotation.Choice(l))
		labels = rest
	}
	return buf, buf
}
