package store_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/export"
	"github.com/prefer-dev/prefer/internal/store"
)

// fillProject writes n pairs, each judged by three people, straight in SQL:
// the importer's own speed is measured elsewhere.
func fillProject(b *testing.B, st *store.Store, n int) int64 {
	b.Helper()
	ctx := context.Background()
	p, err := st.CreateProject(ctx, annotation.NewProjectSettings("bench-export"))
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (name) SELECT 'judge' || k FROM generate_series(1, 3) k`,
		`INSERT INTO pairs (project_id, pair_key, prompt, a_text, b_text, tags, wanted, people)
		SELECT $1, 'k' || i,
			to_jsonb('Question number ' || i || ': explain lists and tuples.'),
			'A list is mutable, a tuple is not (' || i || ').',
			'Tuples are immutable sequences; lists can change (' || i || ').',
			ARRAY['bench'], 3, 3
		FROM generate_series(1, $2::int) i`,
		`INSERT INTO judgments (pair_id, user_id, choice)
		SELECT p.id, u.id, (ARRAY['a', 'b', 'tie', 'a', 'b'])[1 + (p.id + u.id) % 5]
		FROM pairs p CROSS JOIN users u WHERE p.project_id = $1 AND u.name LIKE 'judge%'`,
		`ANALYZE`,
	} {
		args := []any{p.ID, n}
		switch {
		case strings.HasPrefix(q, "INSERT INTO users"), q == "ANALYZE":
			args = nil
		case strings.HasPrefix(q, "INSERT INTO judgments"):
			args = args[:1]
		}
		if _, err := st.Pool().Exec(ctx, q, args...); err != nil {
			b.Fatal(err)
		}
	}
	return p.ID
}

// countingWriter counts bytes and throws them away.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkExport exports 1,000,000 judged pairs as trl rows, and runs the
// same query as COPY ... TO STDOUT on the same database for comparison.
// Run it with:
//
//	go test ./internal/store -run '^$' -bench Export -benchtime 1x -timeout 30m
//
// peak_heap_MiB is the largest heap in use seen while exporting: it stays
// flat because rows stream from the database to the writer.
func BenchmarkExport(b *testing.B) {
	const n = 1_000_000
	st := newStoreTB(b)
	start := time.Now()
	projectID := fillProject(b, st, n)
	b.Logf("filled %d pairs in %v", n, time.Since(start).Round(time.Millisecond))
	ctx := context.Background()

	b.Run("export-trl", func(b *testing.B) {
		for range b.N {
			runtime.GC()
			var peak atomic.Uint64
			stop := sampleHeap(&peak)
			w := &countingWriter{}
			t0 := time.Now()
			c, err := st.Export(ctx, projectID, export.DefaultOptions(), w, nil)
			elapsed := time.Since(t0)
			stop()
			if err != nil {
				b.Fatal(err)
			}
			if c.Pairs != n {
				b.Fatalf("exported %d pairs, want %d", c.Pairs, n)
			}
			b.ReportMetric(float64(n)/elapsed.Seconds(), "pairs/s")
			b.ReportMetric(float64(w.n)/(1<<20), "out_MiB")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak_heap_MiB")
		}
	})

	b.Run("copy-same-query", func(b *testing.B) {
		query := strings.ReplaceAll(store.ExportSQL(store.ExportQuery{Texts: true}), "$1",
			fmt.Sprint(projectID))
		conn, err := st.Pool().Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Release()
		for range b.N {
			w := &countingWriter{}
			t0 := time.Now()
			_, err := conn.Conn().PgConn().CopyTo(ctx, w, "COPY ("+query+") TO STDOUT")
			elapsed := time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n)/elapsed.Seconds(), "pairs/s")
			b.ReportMetric(float64(w.n)/(1<<20), "out_MiB")
		}
	})
}
