package pgembed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// settingsFile is rewritten at every start, so that the socket folder
// follows the data folder if it moves.
const settingsFile = "prefer.conf"

const includeLine = "include_if_exists = '" + settingsFile + "'\n"

// writeSettings writes prefer's server settings and makes sure the main
// configuration file reads them.
func (c *Cluster) writeSettings() error {
	settings := fmt.Sprintf(`# Written by prefer at every start of the cluster; edits are lost.
listen_addresses = ''
port = %s
unix_socket_directories = %s
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql-%%a.log'
log_rotation_age = 1d
log_rotation_size = 0
log_truncate_on_rotation = on
`, port, quoteSetting(c.socketDir))
	if err := c.writeOwned(filepath.Join(c.pgdata, settingsFile), []byte(settings)); err != nil {
		return err
	}

	mainPath := filepath.Join(c.pgdata, "postgresql.conf")
	conf, err := os.ReadFile(mainPath)
	if err != nil {
		return fmt.Errorf("read server configuration: %w", err)
	}
	if bytes.Contains(conf, []byte(includeLine)) {
		return nil
	}
	conf = append(conf, "\n# prefer's own settings, which win over those above.\n"+includeLine...)
	return c.writeOwned(mainPath, conf)
}

// writeOwned writes a file in the data folder that the cluster's user owns.
func (c *Cluster) writeOwned(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if c.acct == nil {
		return nil
	}
	if err := os.Chown(path, int(c.acct.uid), int(c.acct.gid)); err != nil {
		return fmt.Errorf("hand %s to %s: %w", path, c.acct.name, err)
	}
	return nil
}

// quoteSetting quotes a string value for postgresql.conf.
func quoteSetting(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// runningPostmaster reports whether a live server holds the data folder,
// with its process id and socket folder, as its postmaster.pid tells.
func runningPostmaster(pgdata string) (pid int, socketDir string, ok bool) {
	b, err := os.ReadFile(filepath.Join(pgdata, "postmaster.pid"))
	if err != nil {
		return 0, "", false
	}

	// Line 1 holds the process id and line 5 the first socket folder.
	lines := strings.Split(string(b), "\n")
	if len(lines) < 5 {
		return 0, "", false
	}
	pid, err = strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 {
		return 0, "", false
	}
	socketDir = strings.TrimSpace(lines[4])
	if socketDir == "" {
		return 0, "", false
	}

	// EPERM means the process exists but belongs to another user.
	err = syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return 0, "", false
	}
	return pid, socketDir, true
}

// lockFile takes an exclusive lock on path, waiting for it if needed, and
// returns the function that releases it.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open cluster lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// ensureDatabase creates prefer's database if the cluster lacks it.
func (c *Cluster) ensureDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.databaseURL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL in %s: %w", c.pgdata, err)
	}
	defer conn.Close(ctx)

	var exists bool
	const q = `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`
	if err := conn.QueryRow(ctx, q, databaseName).Scan(&exists); err != nil {
		return fmt.Errorf("look for database %s: %w", databaseName, err)
	}
	if exists {
		return nil
	}

	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{databaseName}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		return nil // created by another process meanwhile
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", databaseName, err)
	}
	c.log.Info("Created database", "database", databaseName)
	return nil
}
