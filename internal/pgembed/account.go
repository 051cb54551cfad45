package pgembed

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// systemUser is the account prefer creates to run PostgreSQL when prefer
// itself runs as root, which PostgreSQL refuses.
const systemUser = "prefer-postgres"

// account is the system user that runs the cluster's programs.
type account struct {
	name     string
	uid, gid uint32
}

// credential returns the identity a child process takes on, with no
// supplementary groups.
func (a *account) credential() *syscall.Credential {
	return &syscall.Credential{Uid: a.uid, Gid: a.gid, Groups: []uint32{}}
}

// clusterAccount chooses who runs PostgreSQL. Without root, prefer runs it
// as itself and the account is nil. As root it is the owner of an existing
// data folder, else prefer-postgres, created when missing.
func clusterAccount(pgdata string, log *slog.Logger) (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}

	fi, err := os.Stat(pgdata)
	if err == nil {
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != 0 {
			return &account{name: userName(st.Uid), uid: st.Uid, gid: st.Gid}, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("inspect data folder: %w", err)
	}

	u, err := user.Lookup(systemUser)
	if err != nil {
		if err := createSystemUser(log); err != nil {
			return nil, err
		}
		if u, err = user.Lookup(systemUser); err != nil {
			return nil, fmt.Errorf("look up user %s after creating it: %w", systemUser, err)
		}
	}
	return accountOf(u)
}

func userName(uid uint32) string {
	if u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10)); err == nil {
		return u.Username
	}
	return strconv.FormatUint(uint64(uid), 10)
}

func accountOf(u *user.User) (*account, error) {
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("read uid of %s: %w", u.Username, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("read gid of %s: %w", u.Username, err)
	}
	return &account{name: u.Username, uid: uint32(uid), gid: uint32(gid)}, nil
}

// createSystemUser adds prefer-postgres with no home and no login shell.
func createSystemUser(log *slog.Logger) error {
	cmd := exec.Command("useradd", "--system", "--user-group", "--no-create-home",
		"--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", systemUser)
	out, err := cmd.CombinedOutput()

	// Another prefer process may have created the user a moment ago.
	if _, lookErr := user.Lookup(systemUser); lookErr == nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create system user %s to run PostgreSQL, which refuses to run as root "+
			"(run prefer as another user or set DATABASE_URL): %w: %s", systemUser, err, out)
	}
	log.Info("Created system user to run PostgreSQL", "user", systemUser)
	return nil
}

// giveTo makes a owner of path and of everything below it.
func (a *account) giveTo(path string) error {
	return filepath.WalkDir(path, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(p, int(a.uid), int(a.gid)); err != nil {
			return fmt.Errorf("hand %s to user %s: %w", p, a.name, err)
		}
		return nil
	})
}

// blockedFolder returns the first folder on the way to path that a cannot
// search, or "" when a can reach path.
//
// Limitation: it reads mode bits and the primary group only, so a folder
// opened to the user by an ACL or a supplementary group counts as closed.
func (a *account) blockedFolder(path string) (string, error) {
	dir := filepath.Clean(path)
	var chain []string
	for {
		chain = append(chain, dir)
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}

	for i := len(chain) - 1; i >= 0; i-- {
		fi, err := os.Stat(chain[i])
		if err != nil {
			return "", fmt.Errorf("inspect %s: %w", chain[i], err)
		}
		if !a.canSearch(fi) {
			return chain[i], nil
		}
	}
	return "", nil
}

func (a *account) canSearch(fi fs.FileInfo) bool {
	st := fi.Sys().(*syscall.Stat_t)
	mode := fi.Mode().Perm()
	switch {
	case st.Uid == a.uid:
		return mode&0o100 != 0
	case st.Gid == a.gid:
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}
