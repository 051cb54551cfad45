package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prefer-dev/prefer/internal/testdata"
	"github.com/prefer-dev/prefer/internal/testdb"
)

// TestExportJudgmentsReadByAgreement exports PandaLM's judgments and checks
// that `prefer agreement` finds the same agreement in the file as in the
// project.
func TestExportJudgmentsReadByAgreement(t *testing.T) {
	dbURL := testdb.URL(t)
	if out, err := runCLI(t, dbURL, "", "import", "--project", "panda",
		testdata.Path(t, "pandalm/testset-v1.json")); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	file := filepath.Join(t.TempDir(), "judgments.jsonl")
	if out, err := runCLI(t, dbURL, "", "export", "--project", "panda", "--format",
		"judgments", "--out", file); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}

	type figures struct {
		Items   int     `json:"items"`
		Percent float64 `json:"percent_agreement"`
		Alpha   float64 `json:"krippendorff_alpha_nominal"`
	}
	read := func(args ...string) figures {
		out, err := runCLI(t, dbURL, "", append([]string{"agreement", "--bootstrap", "0"},
			args...)...)
		if err != nil {
			t.Fatalf("agreement %v: %v", args, err)
		}
		var f figures
		if err := json.Unmarshal([]byte(out), &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	fromFile, fromProject := read(file), read("--project", "panda")
	if fromFile != fromProject || fromFile.Items != 999 {
		t.Errorf("agreement of the file %+v, of the project %+v; want the same, 999 items",
			fromFile, fromProject)
	}
}

// TestExportSplitFiles writes a gzip split twice and checks the parts: the
// names, disjoint ids, all kept rows, and the same bytes for the same seed.
func TestExportSplitFiles(t *testing.T) {
	dbURL := testdb.URL(t)
	if out, err := runCLI(t, dbURL, "", "import", "--project", "panda",
		testdata.Path(t, "pandalm/testset-v1.json")); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	dir := t.TempDir()
	export := func(name string) (train, test []byte) {
		_, err := runCLI(t, dbURL, "", "export", "--project", "panda", "--split", "0.8",
			"--seed", "5", "--out", filepath.Join(dir, name+".jsonl.gz"))
		if err != nil {
			t.Fatal(err)
		}
		return gunzip(t, filepath.Join(dir, name+".train.jsonl.gz")),
			gunzip(t, filepath.Join(dir, name+".test.jsonl.gz"))
	}
	train, test := export("a")
	train2, test2 := export("b")
	if !bytes.Equal(train, train2) || !bytes.Equal(test, test2) {
		t.Errorf("the same seed gave different parts")
	}

	ids := map[string]string{}
	for part, data := range map[string][]byte{"train": train, "test": test} {
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var r struct{ ID string }
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			if ids[r.ID] != "" {
				t.Errorf("row %s appears twice (%s and %s)", r.ID, ids[r.ID], part)
			}
			ids[r.ID] = part
		}
	}
	nTrain := strings.Count(string(train), "\n")
	// PandaLM has 894 pairs with a majority preference (105 tie majorities).
	if len(ids) != 894 || nTrain < 894*7/10 || nTrain > 894*9/10 {
		t.Errorf("%d rows, %d in train; want 894, about 80%% in train", len(ids), nTrain)
	}
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestExportArgumentErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--format", "trl"}, "--project is required"},
		{[]string{"--project", "p", "--format", "csv"}, `--format: "csv"`},
		{[]string{"--project", "p", "--consensus", "most"}, `--consensus: "most"`},
		{[]string{"--project", "p", "--split", "0.9"}, "give --out FILE"},
		{[]string{"--project", "p", "--min-agreement", "2"}, "--min-agreement: 2"},
		{[]string{"--project", "p", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		_, err := parseExportArgs(tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one containing %q", tt.args, err, tt.want)
		}
	}
}
