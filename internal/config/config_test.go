package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadGeneratesAndKeepsSessionKey(t *testing.T) {
	dir := t.TempDir()
	first, err := Load(env(map[string]string{"DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	second, err := Load(env(map[string]string{"DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if len(first.SessionKey) < 32 || string(first.SessionKey) != string(second.SessionKey) {
		t.Errorf("session keys %q and %q: want one generated key, kept", first.SessionKey,
			second.SessionKey)
	}
	fi, err := os.Stat(filepath.Join(dir, "session.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("session.key: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	if first.Addr != "127.0.0.1:8080" || !first.TrainInProcess || first.Secure {
		t.Errorf("defaults %+v", first)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SESSION_KEY": "short"}, "SESSION_KEY must be at least 32"},
		{map[string]string{"SECURE_COOKIES": "maybe"}, "SECURE_COOKIES"},
		{map[string]string{"SESSION_KEY_FILE": filepath.Join(dir, "missing")}, "SESSION_KEY_FILE"},
	}
	for _, tt := range tests {
		tt.env["DATA_DIR"] = dir
		_, err := Load(env(tt.env))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%v) error %v, want one naming %s", tt.env, err, tt.want)
		}
	}
}
