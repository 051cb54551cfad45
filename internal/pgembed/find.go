package pgembed

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNotInstalled is returned by Start when no PostgreSQL server programs
// (initdb and pg_ctl) can be found on this machine.
var ErrNotInstalled = errors.New("PostgreSQL is not installed: install its server package " +
	"(Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL to a server you run")

// install is one PostgreSQL installation: the folder holding its programs
// and its major version ("15", or "9.6" for the old numbering).
type install struct {
	dir     string
	version string
}

// searchPath says where to look for PostgreSQL programs: first the folders
// of a PATH-style list, then folders matching the globs, newest version first.
type searchPath struct {
	path  string
	globs []string
}

// defaultSearch looks on PATH, then where Debian, Ubuntu and the PGDG
// packages for Red Hat put the server programs.
func defaultSearch() searchPath {
	return searchPath{
		path:  os.Getenv("PATH"),
		globs: []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"},
	}
}

// findInstalls lists the installations sp reaches, PATH ones first, each
// folder once.
func findInstalls(sp searchPath) []install {
	var found []install
	seen := map[string]bool{}
	add := func(dir string) {
		dir, ok := serverDir(dir)
		if !ok || seen[dir] {
			return
		}
		seen[dir] = true
		if v, err := programVersion(dir); err == nil {
			found = append(found, install{dir: dir, version: v})
		}
	}

	for _, dir := range filepath.SplitList(sp.path) {
		if dir != "" {
			add(dir)
		}
	}

	var globbed []install
	for _, pattern := range sp.globs {
		dirs, _ := filepath.Glob(pattern)
		for _, dir := range dirs {
			dir, ok := serverDir(dir)
			if ok && !seen[dir] {
				seen[dir] = true
				globbed = append(globbed, install{dir: dir, version: versionFromPath(dir)})
			}
		}
	}
	slices.SortStableFunc(globbed, func(a, b install) int {
		return compareVersions(b.version, a.version)
	})
	return append(found, globbed...)
}

// serverDir returns the real folder of the initdb in dir, following
// symbolic links, when pg_ctl and postgres lie beside it.
func serverDir(dir string) (string, bool) {
	initdb, err := filepath.EvalSymlinks(filepath.Join(dir, "initdb"))
	if err != nil {
		return "", false
	}
	real := filepath.Dir(initdb)
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		if !isExecutable(filepath.Join(real, name)) {
			return "", false
		}
	}
	return real, true
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// versionFromPath reads the version from a folder such as
// /usr/lib/postgresql/15/bin or /usr/pgsql-15/bin.
func versionFromPath(dir string) string {
	name := filepath.Base(filepath.Dir(dir))
	if i := strings.LastIndexByte(name, '-'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// programVersion asks pg_ctl in dir for its major version.
func programVersion(dir string) (string, error) {
	out, err := exec.Command(filepath.Join(dir, "pg_ctl"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("ask %s for its version: %w", dir, err)
	}

	// The answer reads "pg_ctl (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)".
	fields := strings.Fields(string(out))
	if len(fields) < 3 {
		return "", fmt.Errorf("read version of %s from %q", dir, out)
	}
	return majorVersion(fields[2]), nil
}

// majorVersion cuts a full version down to the part that data folders must
// match: "15.10" gives "15", "9.6.24" gives "9.6".
func majorVersion(full string) string {
	parts := strings.Split(full, ".")
	if n, err := strconv.Atoi(parts[0]); err == nil && n < 10 && len(parts) > 1 {
		return parts[0] + "." + parts[1]
	}
	return parts[0]
}

// compareVersions orders dotted versions by number, so that "16" comes
// after "9.6"; parts that are not numbers count as zero.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// pickInstall chooses the installation to run the cluster in pgdata: the
// one of the version that made the folder, else the first found.
func pickInstall(sp searchPath, pgdata string) (install, error) {
	installs := findInstalls(sp)
	if len(installs) == 0 {
		return install{}, ErrNotInstalled
	}

	made, err := os.ReadFile(filepath.Join(pgdata, "PG_VERSION"))
	if errors.Is(err, os.ErrNotExist) {
		return installs[0], nil
	}
	if err != nil {
		return install{}, fmt.Errorf("read cluster version: %w", err)
	}

	want := strings.TrimSpace(string(made))
	for _, in := range installs {
		if in.version == want {
			return in, nil
		}
	}
	return install{}, fmt.Errorf("data folder %s was made by PostgreSQL %s, which is not installed: "+
		"install it (Debian/Ubuntu: postgresql-%s) or set DATABASE_URL", pgdata, want, want)
}
