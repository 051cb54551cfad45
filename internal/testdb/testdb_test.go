package testdb

import (
	"context"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/prefer-dev/prefer/migrations"
)

func databaseName(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var name string
	err := pool.QueryRow(context.Background(), "SELECT current_database()").Scan(&name)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// newestMigration returns the highest version among the migration files.
func newestMigration(t *testing.T) int64 {
	t.Helper()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var newest int64
	for _, f := range files {
		v, err := strconv.ParseInt(strings.SplitN(f, "_", 2)[0], 10, 64)
		if err != nil {
			t.Fatalf("migration %s has no version: %v", f, err)
		}
		newest = max(newest, v)
	}
	return newest
}

func TestDatabasesAreSeparateAndMigrated(t *testing.T) {
	ctx := context.Background()
	a, b := New(t), New(t)
	if nameA, nameB := databaseName(t, a), databaseName(t, b); nameA == nameB {
		t.Fatalf("both tests got database %s", nameA)
	}

	const seed = "CREATE TABLE only_in_a (v int); INSERT INTO only_in_a VALUES (1)"
	if _, err := a.Exec(ctx, seed); err != nil {
		t.Fatal(err)
	}
	var found *string
	if err := b.QueryRow(ctx, "SELECT to_regclass('only_in_a')::text").Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != nil {
		t.Errorf("table written in one test database shows in another as %s", *found)
	}

	want := newestMigration(t)
	for _, pool := range []*pgxpool.Pool{a, b} {
		var got int64
		const q = `SELECT max(version_id) FROM goose_db_version WHERE is_applied`
		if err := pool.QueryRow(ctx, q).Scan(&got); err != nil {
			t.Fatalf("read schema version: %v", err)
		}
		if got != want {
			t.Errorf("schema version = %d, want %d (the newest migration)", got, want)
		}
	}
}

func TestDatabaseDroppedAfterTest(t *testing.T) {
	var name string
	t.Run("user", func(t *testing.T) {
		name = databaseName(t, New(t))
	})

	srv, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	if exists(t, srv, name) {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestParallelTests(t *testing.T) {
	for i := range 8 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			pool := New(t)
			if _, err := pool.Exec(context.Background(), "CREATE TABLE mine (v int)"); err != nil {
				t.Errorf("each parallel test owns its database, yet: %v", err)
			}
		})
	}
}

func TestMigrationsHash(t *testing.T) {
	base := fstest.MapFS{"00001_a.sql": {Data: []byte("CREATE TABLE a ();")}}
	edited := fstest.MapFS{"00001_a.sql": {Data: []byte("CREATE TABLE b ();")}}
	renamed := fstest.MapFS{"00002_a.sql": {Data: []byte("CREATE TABLE a ();")}}

	h := func(fsys fs.FS) string {
		s, err := migrationsHash(fsys)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if h(base) != h(base) {
		t.Error("hash of the same files differs between calls")
	}
	if h(base) == h(edited) {
		t.Error("editing a migration keeps the template name")
	}
	if h(base) == h(renamed) {
		t.Error("renaming a migration keeps the template name")
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ in, want string }{
		{
			"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
			"postgres://postgres@127.0.0.1:5432/x?sslmode=disable",
		},
		{"postgresql://u:p@h/", "postgresql://u:p@h/x"},
		{"host=/tmp user=me", "host=/tmp user=me dbname=x"},
	}
	for _, tt := range tests {
		if got := withDatabase(tt.in, "x"); got != tt.want {
			t.Errorf("withDatabase(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func exists(t *testing.T, srv *server, name string) bool {
	t.Helper()
	var found bool
	const q = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`
	if err := srv.admin.QueryRow(context.Background(), q, name).Scan(&found); err != nil {
		t.Fatal(err)
	}
	return found
}

func TestDropStale(t *testing.T) {
	ctx := context.Background()
	srv, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	created := time.Now().Add(-staleAfter - time.Hour).Unix()
	stale := fmt.Sprintf("prefer_test_%d_%s", created, randomHex(6))
	if _, err := srv.admin.Exec(ctx, "CREATE DATABASE "+ident(stale)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dropDatabase(ctx, srv.admin, stale) })
	fresh := databaseName(t, New(t))

	conn, err := srv.admin.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dropStale(ctx, conn.Conn())
	conn.Release()

	if exists(t, srv, stale) {
		t.Errorf("old database %s survived dropStale", stale)
	}
	if !exists(t, srv, fresh) {
		t.Errorf("fresh database %s was dropped by dropStale", fresh)
	}
}

// BenchmarkCreateAndDrop measures what one test pays for its database: a
// copy of the template, then a forced drop.
func BenchmarkCreateAndDrop(b *testing.B) {
	ctx := context.Background()
	srv, err := shared()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		name, err := srv.createDatabase(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := dropDatabase(ctx, srv.admin, name); err != nil {
			b.Fatal(err)
		}
	}
}
