// Package testdb gives each test a fresh PostgreSQL database that holds
// prefer's schema, copied from a template migrated once.
//
// The server comes from PREFER_TEST_DATABASE_URL, by default the local
// PostgreSQL with trust authentication for user postgres. The template is
// named after a hash of the migration files, so test binaries that run at
// the same time share it, and a change to the migrations makes a new one.
//
// A test asks for its own database and forgets it:
//
//	st := store.New(testdb.New(t))
//
// Limitation: templates of old migration versions stay on the server until
// dropped by hand (DROP DATABASE after ALTER DATABASE ... IS_TEMPLATE false).
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/prefer-dev/prefer/migrations"
)

// EnvURL names the environment variable that points the tests at a server.
const EnvURL = "PREFER_TEST_DATABASE_URL"

// DefaultURL is the server used when EnvURL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// lockKey is the advisory lock that serializes template creation across
// test binaries; its bytes spell "prefertd".
const lockKey = 0x7072656665727464

// staleAfter is the age at which a test database left by a killed test
// binary is dropped by the next one.
const staleAfter = 6 * time.Hour

// server is what every test of one binary shares.
type server struct {
	url      string
	admin    *pgxpool.Pool
	template string
}

var shared = sync.OnceValues(connectServer)

// New creates a fresh database for t, returns a pool connected to it, and
// closes the pool and drops the database when t ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dbURL := URL(t)

	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("testdb: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// URL creates a fresh database for t and returns its connection string,
// for code that opens its own connections. The database is dropped, even
// with connections still open, when t ends.
func URL(t testing.TB) string {
	t.Helper()
	srv, err := shared()
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := srv.createDatabase(ctx)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dropDatabase(ctx, srv.admin, name); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})
	return withDatabase(srv.url, name)
}

// createDatabase copies the template into a database of a new name, which
// records when it was made for dropStale.
func (s *server) createDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("prefer_test_%d_%s", time.Now().Unix(), randomHex(6))
	sql := "CREATE DATABASE " + ident(name) + " TEMPLATE " + ident(s.template)
	if _, err := s.admin.Exec(ctx, sql); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return name, nil
}

// connectServer reaches the server and makes sure the template exists.
func connectServer() (*server, error) {
	srv := &server{url: os.Getenv(EnvURL)}
	if srv.url == "" {
		srv.url = DefaultURL
	}
	hash, err := migrationsHash(migrations.FS)
	if err != nil {
		return nil, err
	}
	srv.template = "prefer_tmpl_" + hash

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv.admin, err = pgxpool.New(ctx, srv.url)
	if err == nil {
		err = srv.admin.Ping(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("reach PostgreSQL at %s (set %s to another server): %w",
			redact(srv.url), EnvURL, err)
	}

	if err := srv.ensureTemplate(ctx); err != nil {
		return nil, err
	}
	return srv, nil
}

// ensureTemplate builds the template under a name of its own, migrates it,
// then renames it, all under an advisory lock, so that no test binary ever
// copies a half-migrated template.
func (s *server) ensureTemplate(ctx context.Context) error {
	conn, err := s.admin.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(lockKey)); err != nil {
		return fmt.Errorf("lock template: %w", err)
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", int64(lockKey))

	dropStale(ctx, conn.Conn())
	var exists bool
	const q = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`
	if err := conn.QueryRow(ctx, q, s.template).Scan(&exists); err != nil {
		return fmt.Errorf("look for template %s: %w", s.template, err)
	}
	if exists {
		return nil
	}

	build := s.template + "_build"
	steps := []string{
		"DROP DATABASE IF EXISTS " + ident(build) + " WITH (FORCE)",
		"CREATE DATABASE " + ident(build),
	}
	for _, step := range steps {
		if _, err := conn.Exec(ctx, step); err != nil {
			return fmt.Errorf("prepare template: %s: %w", step, err)
		}
	}
	if err := migrate(ctx, withDatabase(s.url, build)); err != nil {
		return err
	}

	// A template nobody may connect to can always be copied.
	steps = []string{
		"ALTER DATABASE " + ident(build) + " RENAME TO " + ident(s.template),
		"ALTER DATABASE " + ident(s.template) + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
	}
	for _, step := range steps {
		if _, err := conn.Exec(ctx, step); err != nil {
			return fmt.Errorf("finish template: %s: %w", step, err)
		}
	}
	return nil
}

// migrate applies prefer's migrations to the database at dbURL. It uses
// goose directly rather than the store, whose own tests use this package.
func migrate(ctx context.Context, dbURL string) error {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return fmt.Errorf("parse template url: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()

	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if errors.Is(err, goose.ErrNoMigrations) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	return nil
}

// dropStale drops test databases that killed test binaries left behind.
// Errors are ignored: a leftover is no reason to fail a test.
func dropStale(ctx context.Context, conn *pgx.Conn) {
	const q = `SELECT datname FROM pg_database WHERE datname LIKE 'prefer\_test\_%'`
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}

	for _, name := range names {
		var created int64
		_, err := fmt.Sscanf(name, "prefer_test_%d_", &created)
		if err == nil && time.Since(time.Unix(created, 0)) > staleAfter {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)")
		}
	}
}

func dropDatabase(ctx context.Context, admin *pgxpool.Pool, name string) error {
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// migrationsHash names the migrations' content: file names and bytes.
func migrationsHash(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:8], nil
}

// withDatabase returns dbURL pointed at another database; it accepts both
// URLs and keyword/value strings, in which the last dbname wins.
func withDatabase(dbURL, name string) string {
	if u, err := url.Parse(dbURL); err == nil && strings.HasPrefix(u.Scheme, "postgres") {
		u.Path = "/" + name
		u.RawPath = ""
		return u.String()
	}
	return dbURL + " dbname=" + name
}

// redact hides a password in a URL for error messages.
func redact(dbURL string) string {
	if u, err := url.Parse(dbURL); err == nil && strings.HasPrefix(u.Scheme, "postgres") {
		return u.Redacted()
	}
	return "the configured server"
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
