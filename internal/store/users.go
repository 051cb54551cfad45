package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// User is a person who logs in, or a named source of imported labels.
type User struct {
	ID          int64
	Name        string
	Email       string
	Role        annotation.Role
	Active      bool
	IsSource    bool
	HasPassword bool
	CreatedAt   time.Time
	// Stamp changes whenever the password does; a session remembers it, so
	// a new password ends every session of the old one.
	Stamp string
}

// NewUser is what creating a person needs. PasswordHash may be empty for
// people who cannot log in yet.
type NewUser struct {
	Name         string
	Email        string
	Role         annotation.Role
	PasswordHash string
}

const userColumns = `id, name, coalesce(email, ''), role, active, is_source,
	password_hash IS NOT NULL, created_at, left(md5(coalesce(password_hash, '')), 16)`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Name, &u.Email, &u.Role, &u.Active, &u.IsSource,
		&u.HasPassword, &u.CreatedAt, &u.Stamp)
	return u, notFound(err)
}

const createUserSQL = `
INSERT INTO users (name, email, role, password_hash)
VALUES ($1, nullif($2, ''), $3, nullif($4, ''))
RETURNING ` + userColumns

// CreateUser adds a person. It returns ErrConflict when the name or email
// is taken.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	name := strings.TrimSpace(nu.Name)
	if name == "" {
		name = strings.TrimSpace(nu.Email)
	}
	row := s.pool.QueryRow(ctx, createUserSQL, name, strings.TrimSpace(nu.Email), nu.Role,
		nu.PasswordHash)
	u, err := scanUser(row)
	if isUniqueViolation(err) {
		return User{}, fmt.Errorf("create user %q: %w", name, ErrConflict)
	}
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", name, err)
	}
	return u, nil
}

// UserByID returns the user with that id.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
	u, err := scanUser(row)
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

const loginUserSQL = `
SELECT ` + userColumns + `, coalesce(password_hash, '')
FROM users
WHERE (lower(email) = lower($1) OR name = $1) AND NOT is_source
ORDER BY (lower(email) = lower($1)) DESC NULLS LAST
LIMIT 1`

// UserForLogin finds a person by email or name and returns the stored
// password hash beside it (empty when none is set).
func (s *Store) UserForLogin(ctx context.Context, identifier string) (User, string, error) {
	var u User
	var hash string
	err := s.pool.QueryRow(ctx, loginUserSQL, strings.TrimSpace(identifier)).Scan(
		&u.ID, &u.Name, &u.Email, &u.Role, &u.Active, &u.IsSource, &u.HasPassword,
		&u.CreatedAt, &u.Stamp, &hash)
	if err != nil {
		return User{}, "", fmt.Errorf("find user for login: %w", notFound(err))
	}
	return u, hash, nil
}

// ListUsers returns every person (not sources), by name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.pool.Query(ctx,
		`SELECT `+userColumns+` FROM users WHERE NOT is_source ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) {
		return scanUser(r)
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// UserChange is a change an admin makes to a person; nil fields stay as
// they are.
type UserChange struct {
	Role         *annotation.Role
	Active       *bool
	Email        *string
	PasswordHash *string
}

const updateUserSQL = `
UPDATE users SET
	role = coalesce($2, role),
	active = coalesce($3, active),
	email = CASE WHEN $4::text IS NULL THEN email ELSE nullif($4, '') END,
	password_hash = coalesce($5, password_hash)
WHERE id = $1 AND NOT is_source
RETURNING ` + userColumns

// UpdateUser applies a change to the person with that id.
func (s *Store) UpdateUser(ctx context.Context, id int64, c UserChange) (User, error) {
	row := s.pool.QueryRow(ctx, updateUserSQL, id, c.Role, c.Active, c.Email, c.PasswordHash)
	u, err := scanUser(row)
	if isUniqueViolation(err) {
		return User{}, fmt.Errorf("update user %d: email: %w", id, ErrConflict)
	}
	if err != nil {
		return User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return u, nil
}

// CountAdmins returns how many active admins there are.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx,
		`SELECT count(*) FROM users WHERE role = 'admin' AND active AND NOT is_source`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// LoginLockedUntil returns until when logins for identifier are refused
// after failures; the zero time when they are not.
func (s *Store) LoginLockedUntil(ctx context.Context, identifier string) (time.Time, error) {
	var until time.Time
	err := s.pool.QueryRow(ctx,
		`SELECT locked_until FROM login_failures WHERE identifier = lower($1)`,
		identifier).Scan(&until)
	if err = notFound(err); err == ErrNotFound {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read login failures: %w", err)
	}
	return until, nil
}

const recordFailureSQL = `
INSERT INTO login_failures AS f (identifier, failures, locked_until)
VALUES (lower($1), 1, now())
ON CONFLICT (identifier) DO UPDATE SET failures = f.failures + 1
RETURNING failures`

// RecordLoginFailure counts a failed login for identifier and locks it for
// the delay that backoff gives for that many failures in a row.
func (s *Store) RecordLoginFailure(ctx context.Context, identifier string,
	backoff func(failures int) time.Duration) (time.Duration, error) {
	var delay time.Duration
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, recordFailureSQL, identifier).Scan(&n); err != nil {
			return err
		}
		delay = backoff(n)
		_, err := tx.Exec(ctx,
			`UPDATE login_failures SET locked_until = now() + $2 WHERE identifier = lower($1)`,
			identifier, delay)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("record login failure: %w", err)
	}
	return delay, nil
}

// ClearLoginFailures forgets the failures of identifier after a good login.
func (s *Store) ClearLoginFailures(ctx context.Context, identifier string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM login_failures WHERE identifier = lower($1)`,
		identifier)
	if err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
