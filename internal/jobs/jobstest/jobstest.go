// Package jobstest makes dataset versions for the tests of training runs,
// without a project to export: it writes the frozen rows itself.
package jobstest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Pairs returns n trl rows whose chosen response starts with "A" and whose
// rejected one starts with "B", both echoing the prompt's three letters: a
// preference a tiny model learns in a few dozen steps.
func Pairs(n int, seed uint64) []map[string]any {
	rng := rand.New(rand.NewPCG(seed, 5))
	rows := make([]map[string]any, n)
	for i := range rows {
		var b strings.Builder
		for range 3 {
			b.WriteByte(byte('a' + rng.IntN(8)))
		}
		w := b.String()
		rows[i] = map[string]any{"prompt": "q" + w + ">", "chosen": "A" + w + ".",
			"rejected": "B" + w + ".", "meta": map[string]any{"weight": 1, "soft_label": 1}}
	}
	return rows
}

// DatasetVersion stores rows as a frozen trl dataset version and returns its id.
func DatasetVersion(t testing.TB, pool *pgxpool.Pool, name string, rows []map[string]any) int64 {
	t.Helper()
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	var packed bytes.Buffer
	gz := gzip.NewWriter(&packed)
	gz.Write(plain.Bytes())
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(plain.Bytes())

	var id int64
	err := pool.QueryRow(context.Background(), `
INSERT INTO dataset_versions (name, project_name, format, options, counts, agreement, rows,
	data, data_sha256)
VALUES ($1, 'test', 'trl', '{"format": "trl"}', '{}', '{}', $2, $3, $4)
RETURNING id`, name, len(rows), packed.Bytes(), hex.EncodeToString(sum[:])).Scan(&id)
	if err != nil {
		t.Fatal(fmt.Errorf("insert dataset version: %w", err))
	}
	return id
}
