// Package pgembed runs a private PostgreSQL cluster for prefer from the
// machine's own PostgreSQL install, for when no DATABASE_URL is given.
//
// The cluster lives in DATA_DIR/postgres and listens on a unix socket only,
// never on TCP. Its superuser role and database are both named prefer, and
// local connections are trusted: the folder holding the socket is open to
// the cluster's owner alone (and root), which is what keeps others out.
//
// PostgreSQL refuses to run as root. When prefer runs as root, the cluster
// runs as the system user prefer-postgres, which Start creates if missing,
// and every folder above DATA_DIR/postgres must be searchable by that user:
// Start opens DATA_DIR itself for searching (not listing). When a folder
// above DATA_DIR is closed to other users (a DATA_DIR under /root, say), the
// cluster lives in /var/lib/prefer/postgres-HASH instead, HASH naming
// DATA_DIR, so that each data folder keeps its own cluster.
package pgembed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// Names of the role and database prefer uses inside its cluster.
const (
	roleName     = "prefer"
	databaseName = "prefer"
)

// port names the socket file (.s.PGSQL.5432); it is set in the server's
// settings and in the URL so that a PGPORT in the environment changes neither.
const port = "5432"

// maxSocketPath is the longest unix socket path the kernel accepts, less
// its terminating zero byte.
const maxSocketPath = 107

// Cluster is a running PostgreSQL cluster that prefer uses as its database.
type Cluster struct {
	pgdata    string
	socketDir string
	bin       install
	acct      *account
	owned     bool
	log       *slog.Logger
}

// Start starts the cluster in dataDir/postgres, creating it on first use,
// or joins it when another process already runs it. The database named in
// URL exists when Start returns. A nil log discards messages.
func Start(ctx context.Context, dataDir string, log *slog.Logger) (*Cluster, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return start(ctx, dataDir, log, defaultSearch())
}

func start(ctx context.Context, dataDir string, log *slog.Logger, sp searchPath) (*Cluster, error) {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("resolve data folder: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}

	// Two prefer processes starting on one DATA_DIR must not both run initdb.
	unlock, err := lockFile(filepath.Join(dataDir, "postgres.lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()

	c := &Cluster{pgdata: clusterFolder(dataDir, log), log: log}
	if c.bin, err = pickInstall(sp, c.pgdata); err != nil {
		return nil, err
	}
	if c.acct, err = clusterAccount(c.pgdata, log); err != nil {
		return nil, err
	}
	if err := c.prepareFolders(dataDir); err != nil {
		return nil, err
	}

	if err := c.startOrJoin(ctx); err != nil {
		return nil, err
	}
	if err := c.ensureDatabase(ctx); err != nil {
		c.stopAfterFailure()
		return nil, err
	}
	return c, nil
}

// fallbackRoot holds the clusters of data folders that the cluster's user
// cannot reach when prefer runs as root.
const fallbackRoot = "/var/lib/prefer"

// clusterFolder is DATA_DIR/postgres, or, as root when a folder above
// DATA_DIR is closed to other users, a folder of its own under fallbackRoot.
func clusterFolder(dataDir string, log *slog.Logger) string {
	inside := filepath.Join(dataDir, "postgres")
	if os.Geteuid() != 0 || !closedAbove(dataDir) {
		return inside
	}
	sum := sha256.Sum256([]byte(dataDir))
	alt := filepath.Join(fallbackRoot, "postgres-"+hex.EncodeToString(sum[:4]))
	// The cluster's user must pass through fallbackRoot, but not list it.
	if err := os.MkdirAll(fallbackRoot, 0o711); err != nil {
		log.Warn("Create folder for PostgreSQL", "dir", fallbackRoot, "err", err)
	}
	log.Info("Keeping PostgreSQL's files outside the data folder, which its user cannot reach",
		"data_dir", dataDir, "cluster_dir", alt)
	return alt
}

// closedAbove reports whether a folder above dir lacks search permission for
// other users.
func closedAbove(dir string) bool {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return true
		}
		if d == filepath.Dir(d) {
			return false
		}
	}
}

// URL returns a pgx connection string for the prefer database over the
// cluster's unix socket.
func (c *Cluster) URL() string {
	return c.databaseURL(databaseName)
}

func (c *Cluster) databaseURL(dbname string) string {
	q := url.Values{"host": {c.socketDir}, "port": {port}, "sslmode": {"disable"}}
	u := url.URL{Scheme: "postgres", User: url.User(roleName), Path: "/" + dbname}
	return u.String() + "?" + q.Encode()
}

// Stop shuts the cluster down if this Cluster started it; a cluster joined
// from another process keeps running. Stop may be called more than once.
func (c *Cluster) Stop(ctx context.Context) error {
	if !c.owned {
		return nil
	}

	out, err := c.run(ctx, "pg_ctl", "stop", "-D", c.pgdata, "-m", "fast", "-w", "-s")
	if err != nil {
		return fmt.Errorf("stop PostgreSQL in %s: %w: %s", c.pgdata, err, out)
	}
	c.owned = false
	c.log.Info("Stopped PostgreSQL", "data_dir", c.pgdata)

	// A socket folder of its own outside the data folder is empty now.
	if c.socketDir != c.pgdata {
		if err := os.Remove(c.socketDir); err != nil {
			c.log.Warn("Remove socket folder", "socket_dir", c.socketDir, "err", err)
		}
	}
	return nil
}

// stopAfterFailure stops a cluster that Start started before failing.
func (c *Cluster) stopAfterFailure() {
	if err := c.Stop(context.Background()); err != nil {
		c.log.Error("Stop PostgreSQL after failed start", "err", err)
	}
}

// prepareFolders creates the data and socket folders and, as root, hands
// them to the cluster's user and checks that the user can reach them.
func (c *Cluster) prepareFolders(dataDir string) error {
	if err := os.MkdirAll(c.pgdata, 0o700); err != nil {
		return fmt.Errorf("create cluster folder: %w", err)
	}
	c.socketDir = c.pgdata
	if len(filepath.Join(c.pgdata, ".s.PGSQL."+port)) > maxSocketPath {
		sum := sha256.Sum256([]byte(c.pgdata))
		c.socketDir = filepath.Join(os.TempDir(), "prefer-"+hex.EncodeToString(sum[:4]))
		if err := c.makeSocketDir(); err != nil {
			return err
		}
	}
	if c.acct == nil {
		return nil
	}

	if err := openForSearch(dataDir, c.log); err != nil {
		return err
	}
	if err := c.acct.giveTo(c.pgdata); err != nil {
		return err
	}
	blocked, err := c.acct.blockedFolder(c.pgdata)
	if err != nil {
		return err
	}
	if blocked != "" {
		return fmt.Errorf("user %s, which runs PostgreSQL because it refuses to run as root, "+
			"cannot enter folder %s on the way to %s: choose a DATA_DIR outside it, "+
			"run prefer as another user, or set DATABASE_URL", c.acct.name, blocked, c.pgdata)
	}
	return nil
}

// makeSocketDir creates the socket folder used when the data folder's path
// is too long for a socket, and refuses one that someone else owns.
func (c *Cluster) makeSocketDir() error {
	if err := os.MkdirAll(c.socketDir, 0o700); err != nil {
		return fmt.Errorf("create socket folder: %w", err)
	}
	if c.acct != nil {
		if err := os.Chown(c.socketDir, int(c.acct.uid), int(c.acct.gid)); err != nil {
			return fmt.Errorf("hand socket folder to %s: %w", c.acct.name, err)
		}
	}

	fi, err := os.Stat(c.socketDir)
	if err != nil {
		return fmt.Errorf("inspect socket folder: %w", err)
	}
	want := uint32(os.Geteuid())
	if c.acct != nil {
		want = c.acct.uid
	}
	if fi.Sys().(*syscall.Stat_t).Uid != want || fi.Mode().Perm() != 0o700 {
		return fmt.Errorf("socket folder %s belongs to someone else or is open to others",
			c.socketDir)
	}
	return nil
}

// openForSearch lets other users pass through dir without listing it, so
// that the cluster's user reaches its folder inside.
func openForSearch(dir string, log *slog.Logger) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("inspect data folder: %w", err)
	}
	if fi.Mode().Perm()&0o001 != 0 || fi.Sys().(*syscall.Stat_t).Uid != 0 {
		return nil
	}
	if err := os.Chmod(dir, fi.Mode().Perm()|0o001); err != nil {
		return fmt.Errorf("open data folder for search: %w", err)
	}
	log.Info("Opened data folder for search by the PostgreSQL user", "data_dir", dir)
	return nil
}

// startOrJoin joins a cluster already running on the data folder, or
// initializes the folder if needed and starts the cluster.
func (c *Cluster) startOrJoin(ctx context.Context) error {
	if pid, sock, ok := runningPostmaster(c.pgdata); ok {
		c.socketDir = sock
		c.log.Info("Joined running PostgreSQL", "data_dir", c.pgdata, "pid", pid,
			"socket_dir", sock)
		return nil
	}

	if _, err := os.Stat(filepath.Join(c.pgdata, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return err
		}
	}
	if err := c.writeSettings(); err != nil {
		return err
	}

	logFile := filepath.Join(c.pgdata, "startup.log")
	out, err := c.run(ctx, "pg_ctl", "start", "-D", c.pgdata, "-l", logFile, "-w", "-t", "120", "-s")
	if err != nil {
		return fmt.Errorf("start PostgreSQL in %s: %w: %s%s", c.pgdata, err, out, tail(logFile))
	}
	c.owned = true
	c.log.Info("Started PostgreSQL", "data_dir", c.pgdata, "socket_dir", c.socketDir,
		"version", c.bin.version, "bin_dir", c.bin.dir)
	return nil
}

func (c *Cluster) initdb(ctx context.Context) error {
	out, err := c.run(ctx, "initdb", "-D", c.pgdata, "-U", roleName, "-A", "trust",
		"-E", "UTF8", "--locale=C")
	if err != nil {
		return fmt.Errorf("initialize PostgreSQL cluster in %s: %w: %s", c.pgdata, err, out)
	}
	c.log.Info("Initialized PostgreSQL cluster", "data_dir", c.pgdata, "version", c.bin.version)
	return nil
}

// run runs one of the cluster's programs as the cluster's user, in its own
// process group so that a Ctrl-C meant for prefer does not reach the server.
func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin.dir, name), args...)
	cmd.Dir = c.pgdata
	cmd.Env = childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if c.acct != nil {
		cmd.SysProcAttr.Credential = c.acct.credential()
	}
	return cmd.CombinedOutput()
}

// childEnv is prefer's environment without the PG variables, which would
// point the programs at another data folder or server, and in the C locale.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C")
}

// tail returns the end of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return ""
	}
	const keep = 2000
	if len(b) > keep {
		b = b[len(b)-keep:]
	}
	return "\n" + strings.TrimSpace(string(b))
}
