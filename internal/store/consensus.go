package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/agreement"
	"github.com/prefer-dev/prefer/internal/annotation"
)

// PairConsensus is what a pair's judgments say together, and the label that
// stands for the pair: the latest adjudication when there is one, otherwise
// the consensus.
//
// The consensus counts the people's ordinary judgments only: sources,
// gold-check judgments (kind gold, beyond k) and swapped repeats are left
// out. Votes are weighted by strength when the project asks for strengths
// (see agreement.Consensus).
type PairConsensus struct {
	PairID int64

	// Verdict is the consensus of the ordinary judgments; Votes is zero and
	// Label empty when the pair has none.
	agreement.Verdict

	// Gold is the pair's gold answer, empty when it is not gold.
	Gold annotation.Choice

	// Adjudication is the latest adjudication, nil when none.
	Adjudication *Adjudication
}

// Final returns the label that stands for the pair: the adjudicated one,
// else the consensus label; empty when there is neither.
func (c PairConsensus) Final() annotation.Choice {
	if c.Adjudication != nil {
		return c.Adjudication.Label
	}
	return c.Label
}

// Adjudicated reports whether a lead decided the pair's label.
func (c PairConsensus) Adjudicated() bool { return c.Adjudication != nil }

const consensusJudgmentsSQL = `
SELECT j.pair_id, j.choice, j.strength
FROM judgments j
JOIN pairs p ON p.id = j.pair_id
JOIN users u ON u.id = j.user_id
WHERE p.project_id = $1 AND j.kind = 'ordinary' AND NOT u.is_source
ORDER BY j.pair_id`

const latestAdjudicationsSQL = `
SELECT DISTINCT ON (a.pair_id) a.id, a.pair_id, a.label, a.note, a.user_id, u.name,
	a.created_at
FROM adjudications a
JOIN pairs p ON p.id = a.pair_id
JOIN users u ON u.id = a.user_id
WHERE p.project_id = $1
ORDER BY a.pair_id, a.id DESC`

// EachConsensus calls fn with the consensus of every pair of the project
// that has an ordinary judgment by a person, an adjudication or a gold
// answer, in order of pair id. It streams the judgments, so memory stays
// small whatever the size of the project; adjudications and gold answers
// are read first, in full. An error from fn stops the walk and is returned.
//
// This is what exports read: PairConsensus.Final is the label to export.
func (s *Store) EachConsensus(ctx context.Context, projectID int64,
	fn func(PairConsensus) error) error {
	err := s.eachConsensus(ctx, projectID, fn)
	if err != nil {
		return fmt.Errorf("consensus of project %d: %w", projectID, err)
	}
	return nil
}

func (s *Store) eachConsensus(ctx context.Context, projectID int64,
	fn func(PairConsensus) error) error {
	weighted, err := s.weighted(ctx, projectID)
	if err != nil {
		return err
	}
	extra, err := s.pairExtras(ctx, projectID)
	if err != nil {
		return err
	}
	rows, err := s.pool.Query(ctx, consensusJudgmentsSQL, projectID)
	if err != nil {
		return err
	}

	w := consensusWalk{extra: extra, ids: sortedKeys(extra), weighted: weighted, fn: fn}
	var pairID int64
	var choice string
	var strength int16
	_, err = pgx.ForEachRow(rows, []any{&pairID, &choice, &strength}, func() error {
		return w.add(pairID, agreement.PairJudgment{Choice: annotation.Choice(choice),
			Strength: annotation.Strength(strength)})
	})
	if err != nil {
		return err
	}
	return w.finish()
}

// consensusWalk groups streamed judgments by pair and merges in the pairs
// that have only an adjudication or a gold answer, keeping pair id order.
type consensusWalk struct {
	extra    map[int64]PairConsensus
	ids      []int64 // keys of extra, ascending; ids[next:] not emitted yet
	next     int
	weighted bool
	fn       func(PairConsensus) error

	cur int64
	js  []agreement.PairJudgment
}

func (w *consensusWalk) add(pairID int64, j agreement.PairJudgment) error {
	if pairID != w.cur && len(w.js) > 0 {
		if err := w.flush(); err != nil {
			return err
		}
	}
	w.cur = pairID
	w.js = append(w.js, j)
	return nil
}

// flush emits the pair in hand, after the extra pairs that come before it.
func (w *consensusWalk) flush() error {
	if err := w.emitExtrasBelow(w.cur); err != nil {
		return err
	}
	c := w.extra[w.cur]
	c.PairID = w.cur
	c.Verdict = agreement.Consensus(w.js, w.weighted)
	if w.next < len(w.ids) && w.ids[w.next] == w.cur {
		w.next++
	}
	w.js = w.js[:0]
	return w.fn(c)
}

func (w *consensusWalk) emitExtrasBelow(limit int64) error {
	for w.next < len(w.ids) && w.ids[w.next] < limit {
		if err := w.fn(w.extra[w.ids[w.next]]); err != nil {
			return err
		}
		w.next++
	}
	return nil
}

func (w *consensusWalk) finish() error {
	if len(w.js) > 0 {
		if err := w.flush(); err != nil {
			return err
		}
	}
	return w.emitExtrasBelow(1<<63 - 1)
}

func sortedKeys(m map[int64]PairConsensus) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// weighted reports whether the project's consensus weighs votes by strength.
func (s *Store) weighted(ctx context.Context, projectID int64) (bool, error) {
	var ask annotation.Ask
	err := s.pool.QueryRow(ctx, `SELECT ask_strength FROM projects WHERE id = $1`,
		projectID).Scan(&ask)
	if err != nil {
		return false, notFound(err)
	}
	return ask != annotation.AskOff, nil
}

// pairExtras returns the project's pairs that have a gold answer or an
// adjudication, with those filled in.
func (s *Store) pairExtras(ctx context.Context, projectID int64) (map[int64]PairConsensus,
	error) {
	gold, err := s.GoldAnswers(ctx, projectID)
	if err != nil {
		return nil, err
	}
	extra := make(map[int64]PairConsensus, len(gold))
	for id, g := range gold {
		extra[id] = PairConsensus{PairID: id, Gold: g}
	}

	rows, err := s.pool.Query(ctx, latestAdjudicationsSQL, projectID)
	if err != nil {
		return nil, err
	}
	adjs, err := pgx.CollectRows(rows, scanAdjudication)
	if err != nil {
		return nil, err
	}
	for _, a := range adjs {
		c := extra[a.PairID]
		c.PairID, c.Adjudication = a.PairID, &a
		extra[a.PairID] = c
	}
	return extra, nil
}

// ProjectConsensus returns the consensus of every pair EachConsensus walks,
// by pair id. For large projects prefer EachConsensus, which streams.
func (s *Store) ProjectConsensus(ctx context.Context, projectID int64) (map[int64]PairConsensus,
	error) {
	out := map[int64]PairConsensus{}
	err := s.EachConsensus(ctx, projectID, func(c PairConsensus) error {
		out[c.PairID] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PairConsensus returns the consensus of one pair, whether or not it has
// judgments.
func (s *Store) PairConsensus(ctx context.Context, pairID int64) (PairConsensus, error) {
	c, err := s.pairConsensus(ctx, pairID)
	if err != nil {
		return PairConsensus{}, fmt.Errorf("consensus of pair %d: %w", pairID, err)
	}
	return c, nil
}

func (s *Store) pairConsensus(ctx context.Context, pairID int64) (PairConsensus, error) {
	c := PairConsensus{PairID: pairID}
	var projectID int64
	var gold *string
	err := s.pool.QueryRow(ctx, `SELECT project_id, gold FROM pairs WHERE id = $1`,
		pairID).Scan(&projectID, &gold)
	if err != nil {
		return c, notFound(err)
	}
	if gold != nil {
		c.Gold = annotation.Choice(*gold)
	}
	weighted, err := s.weighted(ctx, projectID)
	if err != nil {
		return c, err
	}

	js, err := s.JudgmentsOfPair(ctx, pairID)
	if err != nil {
		return c, err
	}
	var votes []agreement.PairJudgment
	for _, j := range js {
		if j.Kind == KindOrdinary && !j.IsSource {
			votes = append(votes, agreement.PairJudgment{Item: strconv.FormatInt(pairID, 10),
				Annotator: j.Annotator, Choice: j.Choice, Strength: j.Strength})
		}
	}
	c.Verdict = agreement.Consensus(votes, weighted)

	adjs, err := s.Adjudications(ctx, pairID)
	if err != nil {
		return c, err
	}
	if len(adjs) > 0 {
		c.Adjudication = &adjs[0]
	}
	return c, nil
}

// Disagreement is a pair whose judgments disagree, for the lead's queue.
type Disagreement struct {
	PairConsensus
	Prompt annotation.Prompt
}

// Disagreements returns the project's pairs whose people disagree (vote
// entropy above zero), most split first, at most limit of them, and how
// many there are in all. Adjudicated pairs are left out unless asked for.
func (s *Store) Disagreements(ctx context.Context, projectID int64, limit int,
	adjudicated bool) ([]Disagreement, int, error) {
	var list []PairConsensus
	err := s.EachConsensus(ctx, projectID, func(c PairConsensus) error {
		if c.Entropy > 0 && (adjudicated || !c.Adjudicated()) {
			list = append(list, c)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	slices.SortStableFunc(list, func(x, y PairConsensus) int {
		return cmp.Compare(y.Entropy, x.Entropy)
	})
	total := len(list)
	list = list[:min(limit, total)]

	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.PairID
	}
	prompts, err := s.prompts(ctx, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("disagreements of project %d: %w", projectID, err)
	}
	out := make([]Disagreement, len(list))
	for i, c := range list {
		out[i] = Disagreement{PairConsensus: c, Prompt: prompts[c.PairID]}
	}
	return out, total, nil
}

// prompts returns the prompts of the given pairs.
func (s *Store) prompts(ctx context.Context, ids []int64) (map[int64]annotation.Prompt, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, prompt FROM pairs WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]annotation.Prompt, len(ids))
	var id int64
	var p annotation.Prompt
	_, err = pgx.ForEachRow(rows, []any{&id, &p}, func() error {
		out[id] = p
		return nil
	})
	return out, err
}
