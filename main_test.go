package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/internal/testdata"
	"github.com/prefer-dev/prefer/internal/testdb"
)

// runCLI runs prefer with args against a fresh database and returns stdout.
func runCLI(t *testing.T, dbURL string, stdin string, args ...string) (string, error) {
	t.Helper()
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("DATA_DIR", t.TempDir())
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	err := run(context.Background(), args, strings.NewReader(stdin), &out, io.Discard, log)
	return out.String(), err
}

func TestImportCommandSharedData(t *testing.T) {
	dbURL := testdb.URL(t)
	out, err := runCLI(t, dbURL, "", "import", "--project", "panda",
		testdata.Path(t, "pandalm/testset-v1.json"))
	if err != nil {
		t.Fatalf("import PandaLM: %v\n%s", err, out)
	}
	if !strings.Contains(out, "999 new pairs, 2997 judgments") {
		t.Errorf("PandaLM import output:\n%s\nwant 999 new pairs, 2997 judgments", out)
	}

	out, err = runCLI(t, dbURL, "", "import", "--project", "hh",
		testdata.Path(t, "hh-rlhf/harmless-base-test.jsonl.gz"))
	if err != nil {
		t.Fatalf("import HH-RLHF: %v\n%s", err, out)
	}
	if !strings.Contains(out, "gzip") || !strings.Contains(out, "2312 new pairs") {
		t.Errorf("HH-RLHF import output:\n%s\nwant gzip detected and 2312 new pairs", out)
	}

	// Importing the same file again adds nothing and says so.
	out, err = runCLI(t, dbURL, "", "import", "--project", "panda",
		testdata.Path(t, "pandalm/testset-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "0 new pairs") || !strings.Contains(out, "999 pairs were already") {
		t.Errorf("second import output:\n%s\nwant 0 new pairs and 999 already there", out)
	}
}

func TestImportCommandBadFileChangesNothing(t *testing.T) {
	dbURL := testdb.URL(t)
	dir := t.TempDir()
	good := `{"prompt": "p1", "responses": ["a", "b"]}` + "\n"
	bad := `{"prompt": "p2", "responses": ["only one"]}` + "\n"
	path := filepath.Join(dir, "pairs.jsonl")
	if err := os.WriteFile(path, []byte(good+good[:0]+bad), 0o644); err != nil {
		t.Fatal(err)
	}

	_, err := runCLI(t, dbURL, "", "import", "--project", "new", path)
	if err == nil {
		t.Fatal("import of a bad file succeeded")
	}
	if !strings.Contains(err.Error(), "pairs.jsonl:2") || !strings.Contains(err.Error(),
		"responses") {
		t.Errorf("error %q should name the file, line 2 and the field", err)
	}

	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	projects, err := st.ListProjects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(projects) != 0 {
		t.Errorf("after a failed import there are %d projects, want none", len(projects))
	}
}

func TestUserAddCommand(t *testing.T) {
	dbURL := testdb.URL(t)
	out, err := runCLI(t, dbURL, "", "user", "add", "--email", "lead@example.com",
		"--role", "lead")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Password (shown once): ") {
		t.Errorf("output %q: want a generated password", out)
	}

	_, err = runCLI(t, dbURL, "a chosen password\n", "user", "add", "--email",
		"x@example.com", "--role", "boss")
	if err == nil || !strings.Contains(err.Error(), "role") {
		t.Errorf("unknown role: error %v, want one naming the role", err)
	}

	out, err = runCLI(t, dbURL, "a chosen password\n", "user", "add", "--email",
		"ann@example.com")
	if err != nil || strings.Contains(out, "Password") {
		t.Errorf("password from stdin: %v, output %q: want no generated password", err, out)
	}
}
