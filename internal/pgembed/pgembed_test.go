package pgembed

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// openTempDir returns an empty folder that the cluster's user can reach:
// t.TempDir makes its folders 0700, which closes them to prefer-postgres
// when the tests run as root.
func openTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startCluster starts a cluster in dataDir and stops it when the test ends.
func startCluster(t *testing.T, dataDir string, log *slog.Logger) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	c, err := Start(ctx, dataDir, log)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return c
}

func connect(t *testing.T, c *Cluster) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), c.URL())
	if err != nil {
		t.Fatalf("connect to %s: %v", c.URL(), err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func show(t *testing.T, conn *pgx.Conn, setting string) string {
	t.Helper()
	var v string
	if err := conn.QueryRow(context.Background(), "SHOW "+setting).Scan(&v); err != nil {
		t.Fatalf("SHOW %s: %v", setting, err)
	}
	return v
}

func TestStartStopRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := openTempDir(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))

	c := startCluster(t, dataDir, log)
	conn := connect(t, c)
	if got := show(t, conn, "listen_addresses"); got != "" {
		t.Errorf("listen_addresses = %q, want empty (no TCP)", got)
	}
	if got, want := show(t, conn, "unix_socket_directories"), c.socketDir; got != want {
		t.Errorf("unix_socket_directories = %q, want %q", got, want)
	}
	if got, want := c.socketDir, filepath.Join(dataDir, "postgres"); got != want {
		t.Errorf("socket folder = %q, want %q", got, want)
	}
	const seed = "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('x')"
	if _, err := conn.Exec(ctx, seed); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, _, ok := runningPostmaster(c.pgdata); ok {
		t.Fatal("server still running after Stop")
	}
	if !strings.Contains(logs.String(), "Initialized PostgreSQL cluster") {
		t.Errorf("first start did not log initdb; logs:\n%s", logs.String())
	}

	// The second start must reuse the folder: same data, no second initdb.
	logs.Reset()
	c2 := startCluster(t, dataDir, log)
	var v string
	if err := connect(t, c2).QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "x" {
		t.Errorf("row from first run = %q, %v; want \"x\"", v, err)
	}
	if strings.Contains(logs.String(), "Initialized PostgreSQL cluster") {
		t.Errorf("second start ran initdb again; logs:\n%s", logs.String())
	}
}

func TestJoinRunningCluster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := openTempDir(t)
	first := startCluster(t, dataDir, slog.New(slog.DiscardHandler))

	second := startCluster(t, dataDir, slog.New(slog.DiscardHandler))
	if second.owned {
		t.Fatal("second Start claims to own a cluster the first one runs")
	}
	if got, want := second.URL(), first.URL(); got != want {
		t.Errorf("joined URL = %q, want %q", got, want)
	}
	if err := second.Stop(ctx); err != nil {
		t.Fatalf("Stop joined cluster: %v", err)
	}

	var one int
	if err := connect(t, first).QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Errorf("cluster stopped by a process that only joined it: %v", err)
	}
}

func TestLongPathUsesTempSocketFolder(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(openTempDir(t), strings.Repeat("d", 100))
	if err := os.Mkdir(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}

	c := startCluster(t, dataDir, slog.New(slog.DiscardHandler))
	if !strings.HasPrefix(c.socketDir, os.TempDir()) {
		t.Errorf("socket folder = %q, want one under %s", c.socketDir, os.TempDir())
	}
	if got := show(t, connect(t, c), "unix_socket_directories"); got != c.socketDir {
		t.Errorf("unix_socket_directories = %q, want %q", got, c.socketDir)
	}

	if err := c.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(c.socketDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket folder %s left behind after Stop: %v", c.socketDir, err)
	}
}

// TestClosedFolderAsRoot starts a cluster for a data folder under a folder
// that the cluster's user cannot enter, as with a DATA_DIR under /root: the
// cluster's files go to a folder of their own under fallbackRoot.
func TestClosedFolderAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the cluster as another user")
	}
	closed := filepath.Join(openTempDir(t), "closed")
	if err := os.Mkdir(closed, 0o700); err != nil {
		t.Fatal(err)
	}

	dataDir := filepath.Join(closed, "data")
	var c *Cluster
	// Registered first, so it runs after the cluster has stopped.
	t.Cleanup(func() {
		if c != nil {
			os.RemoveAll(c.pgdata)
		}
	})
	c = startCluster(t, dataDir, slog.New(slog.DiscardHandler))
	if !strings.HasPrefix(c.pgdata, fallbackRoot+"/") {
		t.Fatalf("cluster folder %s, want one under %s", c.pgdata, fallbackRoot)
	}
	conn := connect(t, c)
	if got := show(t, conn, "data_directory"); got != c.pgdata {
		t.Errorf("data_directory = %s, want %s", got, c.pgdata)
	}
}

func TestNotInstalled(t *testing.T) {
	empty := t.TempDir()
	sp := searchPath{path: empty, globs: []string{filepath.Join(empty, "*", "bin")}}

	_, err := start(context.Background(), t.TempDir(), slog.New(slog.DiscardHandler), sp)
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("error = %v, want ErrNotInstalled", err)
	}
	for _, want := range []string{"apt-get install postgresql", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// fakeInstall makes a folder of stand-in server programs whose pg_ctl
// reports version.
func fakeInstall(t *testing.T, dir, version string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho 'pg_ctl (PostgreSQL) " + version + ".1'\n"
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPickInstall(t *testing.T) {
	root := t.TempDir()
	onPath := filepath.Join(root, "path")
	fakeInstall(t, onPath, "14")
	for _, v := range []string{"9.6", "15", "16"} {
		fakeInstall(t, filepath.Join(root, "lib", v, "bin"), v)
	}
	glob := []string{filepath.Join(root, "lib", "*", "bin")}

	tests := []struct {
		name      string
		path      string
		made      string // PG_VERSION of the data folder; empty for a new one
		want      string // version picked
		wantError string
	}{
		{name: "newest by number", want: "16"},
		{name: "PATH first", path: onPath, want: "14"},
		{name: "version of existing folder", path: onPath, made: "15", want: "15"},
		{name: "old numbering", made: "9.6", want: "9.6"},
		{name: "missing version", made: "12", wantError: "(Debian/Ubuntu: postgresql-12)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pgdata := t.TempDir()
			if tt.made != "" {
				err := os.WriteFile(filepath.Join(pgdata, "PG_VERSION"), []byte(tt.made+"\n"), 0o600)
				if err != nil {
					t.Fatal(err)
				}
			}

			got, err := pickInstall(searchPath{path: tt.path, globs: glob}, pgdata)
			if tt.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantError) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.version != tt.want {
				t.Errorf("picked version %s in %s, want %s", got.version, got.dir, tt.want)
			}
		})
	}
}
