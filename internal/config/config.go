// Package config reads prefer's settings from the environment, once.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config holds every setting prefer takes from its environment.
type Config struct {
	// DatabaseURL points at PostgreSQL; empty means a private cluster is
	// started under DataDir.
	DatabaseURL string
	// Addr is the HTTP listen address.
	Addr string
	// DataDir holds the private cluster, the session key and training runs.
	DataDir string
	// SessionKey signs and encrypts the session cookie (at least 32 bytes).
	SessionKey []byte
	// Secure marks cookies Secure; set when prefer is served over TLS.
	Secure bool
	// TrainInProcess lets `prefer serve` run queued training runs itself.
	TrainInProcess bool
}

// Load reads the environment through getenv (os.Getenv in production).
// Without SESSION_KEY or SESSION_KEY_FILE, a key is generated once and kept
// in DataDir so that sessions survive restarts.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:    getenv("DATABASE_URL"),
		Addr:           or(getenv("ADDR"), "127.0.0.1:8080"),
		DataDir:        or(getenv("DATA_DIR"), "prefer-data"),
		TrainInProcess: true,
	}

	var err error
	if c.Secure, err = parseBool(getenv, "SECURE_COOKIES", false); err != nil {
		return c, err
	}
	if c.TrainInProcess, err = parseBool(getenv, "TRAIN_IN_PROCESS", true); err != nil {
		return c, err
	}

	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return c, fmt.Errorf("DATA_DIR %q: %w", c.DataDir, err)
	}
	c.DataDir = abs

	c.SessionKey, err = sessionKey(getenv, c.DataDir)
	return c, err
}

func sessionKey(getenv func(string) string, dataDir string) ([]byte, error) {
	if k := getenv("SESSION_KEY"); k != "" {
		return checkKey("SESSION_KEY", []byte(k))
	}
	if path := getenv("SESSION_KEY_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("SESSION_KEY_FILE: %w", err)
		}
		return checkKey("SESSION_KEY_FILE "+path, []byte(strings.TrimSpace(string(b))))
	}
	return generatedKey(filepath.Join(dataDir, "session.key"))
}

func checkKey(from string, k []byte) ([]byte, error) {
	if len(k) < 32 {
		return nil, fmt.Errorf("%s must be at least 32 characters, got %d", from, len(k))
	}
	return k, nil
}

// generatedKey reads the key kept at path, or writes a new random one there.
func generatedKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return checkKey(path, []byte(strings.TrimSpace(string(b))))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read session key: %w", err)
	}

	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generate session key: %w", err)
	}
	key := hex.EncodeToString(raw)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write session key: %w", err)
	}
	return []byte(key), nil
}

func parseBool(getenv func(string) string, name string, def bool) (bool, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def, fmt.Errorf("%s=%q is not true or false", name, v)
	}
	return b, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
