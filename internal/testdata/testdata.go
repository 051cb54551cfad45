// Package testdata finds the shared, openly licensed preference data that
// tests run on: the folder shared/data beside the module's root.
package testdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns the path of rel inside ../shared/data, relative to the module
// root, and fails the test when it is missing.
func Path(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testdata: no go.mod above the working folder")
		}
		dir = parent
	}

	path := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("testdata: shared data %s is missing (expected beside the repository): %v",
			rel, err)
	}
	return path
}
