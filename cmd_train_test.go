package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prefer-dev/prefer/internal/testdata"
)

func TestTrainHHRLHF(t *testing.T) {
	data := testdata.Path(t, "hh-rlhf/harmless-base-test.jsonl.gz")
	var stdout, stderr bytes.Buffer
	args := []string{"--data", data, "--loss", "dpo", "--out", t.TempDir(),
		"--preset", "test-tiny", "--max-len", "64", "--sft-steps", "10", "--steps", "6",
		"--log-every", "3", "--batch-size", "8"}
	if err := runTrain(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("runTrain: %v\n%s", err, stderr.String())
	}
	t.Log(stderr.String())

	var evals int
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("stdout line %q is not JSON: %v", sc.Text(), err)
		}
		if acc, ok := line["eval_rewards/accuracies"].(float64); ok {
			evals++
			if acc < 0 || acc > 1 {
				t.Errorf("eval accuracy %g outside [0, 1]", acc)
			}
		}
	}
	if evals == 0 {
		t.Errorf("no held-out accuracy on stdout:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "held-out reward accuracy") {
		t.Errorf("stderr lacks the held-out summary:\n%s", stderr.String())
	}
}

func TestTrainBadData(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.jsonl")
	lines := `{"prompt":"p","chosen":"a","rejected":"b"}
{"prompt":"p","chosen":"a"}
`
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := runTrain(context.Background(), []string{"--data", path, "--out", dir}, &stdout, &stderr)
	if err == nil {
		t.Fatal("runTrain accepted a line without rejected")
	}
	for _, want := range []string{"bad.jsonl:2", "rejected"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}
