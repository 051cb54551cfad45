package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
)

// BenchmarkAgreement1M measures the lead's summary of one project with
// 1,000,000 judgments of 300,000 pairs by 200 annotators (100,000 pairs
// with four judgments, 200,000 with three) against one plain scan of the
// same judgment rows through pgx:
//
//	go test ./internal/store -run '^$' -bench Agreement1M -benchtime 5x
//
// The setup writes the rows with COPY and takes a while.
func BenchmarkAgreement1M(b *testing.B) {
	ctx := context.Background()
	st := newStoreTB(b)
	p := seedMillion(b, st)

	// Scan and report alternate within one loop, so that a machine whose
	// load changes during the run slows both alike; x-scan is their ratio.
	b.Run("report_vs_scan", func(b *testing.B) {
		var scan, report time.Duration
		for b.Loop() {
			start := time.Now()
			if n := scanJudgments(b, st, p.ID); n != 1_000_000 {
				b.Fatalf("scanned %d rows", n)
			}
			mid := time.Now()
			r, err := st.ComputeReport(ctx, p.ID)
			if err != nil {
				b.Fatal(err)
			}
			scan, report = scan+mid.Sub(start), report+time.Since(mid)
			if r.Agreement.Judgments != 1_000_000 || len(r.Quality) != 200 {
				b.Fatalf("report of %d judgments, %d annotators", r.Agreement.Judgments,
					len(r.Quality))
			}
		}
		b.ReportMetric(float64(scan.Milliseconds())/float64(b.N), "scan-ms/op")
		b.ReportMetric(float64(report.Milliseconds())/float64(b.N), "report-ms/op")
		b.ReportMetric(float64(report)/float64(scan), "x-scan")
	})
	b.Run("consensus", func(b *testing.B) {
		for b.Loop() {
			n := 0
			err := st.EachConsensus(ctx, p.ID, func(store.PairConsensus) error {
				n++
				return nil
			})
			if err != nil || n != 300_000 {
				b.Fatalf("consensus of %d pairs: %v", n, err)
			}
		}
	})
}

// scanJudgments reads every judgment row of the project, the columns a
// report reads, into plain Go values, and returns how many there were.
func scanJudgments(b *testing.B, st *store.Store, projectID int64) int {
	rows, err := st.Pool().Query(context.Background(), `
		SELECT j.pair_id, j.user_id, j.choice, j.strength, coalesce(j.shown_left, ''),
			coalesce(j.seconds, 0), j.kind, j.created_at
		FROM judgments j
		JOIN pairs p ON p.id = j.pair_id
		JOIN users u ON u.id = j.user_id
		WHERE p.project_id = $1 AND NOT u.is_source`, projectID)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	var pair, user int64
	var choice, left, kind string
	var strength int16
	var seconds float32
	var at time.Time
	for rows.Next() {
		if err := rows.Scan(&pair, &user, &choice, &strength, &left, &seconds, &kind,
			&at); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

// seedMillion writes the benchmark project with COPY.
func seedMillion(b *testing.B, st *store.Store) store.Project {
	ctx := context.Background()
	ps := annotation.NewProjectSettings("bench")
	ps.AskStrength = annotation.AskOptional
	p, err := st.CreateProject(ctx, ps)
	if err != nil {
		b.Fatal(err)
	}
	users := make([]int64, 200)
	for i := range users {
		users[i] = newAnnotatorTB(b, st, fmt.Sprintf("bench-%03d", i)).ID
	}

	const pairs = 300_000
	_, err = st.Pool().CopyFrom(ctx, pgx.Identifier{"pairs"},
		[]string{"project_id", "pair_key", "prompt", "a_text", "b_text", "wanted", "people"},
		pgx.CopyFromSlice(pairs, func(i int) ([]any, error) {
			people := 3 + boolInt(i%3 == 0)
			return []any{p.ID, fmt.Sprintf("id:%d", i), `"prompt"`, "a", "b", people,
				people}, nil
		}))
	if err != nil {
		b.Fatal(err)
	}
	var first int64
	err = st.Pool().QueryRow(ctx, `SELECT min(id) FROM pairs WHERE project_id = $1`,
		p.ID).Scan(&first)
	if err != nil {
		b.Fatal(err)
	}

	rows := benchJudgments(first, pairs, users)
	_, err = st.Pool().CopyFrom(ctx, pgx.Identifier{"judgments"},
		[]string{"pair_id", "user_id", "choice", "strength", "shown_left", "seconds"},
		pgx.CopyFromRows(rows))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Pool().Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return p
}

// benchJudgments draws each pair's judges and verdicts: a true answer,
// followed by each judge with probability 0.7.
func benchJudgments(first int64, pairs int, users []int64) [][]any {
	rng := rand.New(rand.NewPCG(7, 11))
	rows := make([][]any, 0, 1_000_000)
	for i := range pairs {
		truth := annotation.Choices[rng.IntN(4)]
		for _, u := range rng.Perm(len(users))[:3+boolInt(i%3 == 0)] {
			c := truth
			if rng.Float64() < 0.3 {
				c = annotation.Choices[rng.IntN(4)]
			}
			strength := 0
			if c == annotation.ChoiceA || c == annotation.ChoiceB {
				strength = 1 + rng.IntN(3)
			}
			left := []string{"a", "b"}[rng.IntN(2)]
			rows = append(rows, []any{first + int64(i), users[u], string(c), int16(strength),
				left, float32(5 + rng.IntN(60))})
		}
	}
	return rows
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func newAnnotatorTB(b *testing.B, st *store.Store, name string) store.User {
	u, err := st.CreateUser(context.Background(), store.NewUser{Name: name,
		Email: name + "@example.com", Role: annotation.RoleAnnotator, PasswordHash: "x"})
	if err != nil {
		b.Fatal(err)
	}
	return u
}
