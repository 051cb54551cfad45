package trainer

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckpointRoundTripAndPrune(t *testing.T) {
	out := t.TempDir()
	m := ModelConfig{Vocab: 259, Dim: 8, Layers: 1, Heads: 2, MLP: 16, MaxLen: 16}
	w := initWeights(m, 1)
	h := ckptHeader{Model: m, Tokenizer: "bytes", Step: 3, Epoch: 1, Batch: 2,
		Tensors: tensorList(m, scopeModel)}
	if err := os.MkdirAll(checkpointDir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	for step := 1; step <= 4; step++ {
		h.Step = step
		if err := saveCheckpoint(stepCheckpointPath(out, step), h, prefixed(w, scopeModel)); err != nil {
			t.Fatal(err)
		}
		if err := pruneCheckpoints(out, 2); err != nil {
			t.Fatal(err)
		}
	}
	paths, err := Checkpoints(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{stepCheckpointPath(out, 3), stepCheckpointPath(out, 4)}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("kept checkpoints (-want +got)\n%s", diff)
	}
	entries, _ := os.ReadDir(checkpointDir(out))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}

	got, data, err := loadCheckpoint(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	if got.Step != 4 || got.Epoch != 1 || got.Batch != 2 || got.Model != m {
		t.Errorf("header %+v", got)
	}
	if diff := cmp.Diff(w, splitScope(data, scopeModel)); diff != "" {
		t.Errorf("weights (-want +got)\n%s", diff)
	}
}

func TestLoadCheckpointRejectsTruncated(t *testing.T) {
	dir := t.TempDir()
	m := ModelConfig{Vocab: 259, Dim: 8, Layers: 1, Heads: 2, MLP: 16, MaxLen: 16}
	path := filepath.Join(dir, "c.ckpt")
	h := ckptHeader{Model: m, Tokenizer: "bytes", Tensors: tensorList(m, scopeModel)}
	if err := saveCheckpoint(path, h, prefixed(initWeights(m, 1), scopeModel)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)-10], 0o644)
	if _, _, err := loadCheckpoint(path); err == nil {
		t.Error("truncated checkpoint loaded without error")
	}
}

// TestEveryLossTrains runs a few steps of each loss and checks the metrics are finite and
// the training loss falls.
func TestEveryLossTrains(t *testing.T) {
	base := t.TempDir()
	pairs := syntheticPairs(64, 8)
	first := tinyConfig(filepath.Join(base, "first"))
	first.Steps = 1
	if err := Train(context.Background(), first, pairs, nil); err != nil {
		t.Fatal(err)
	}
	kto := make([]Example, 0, 2*len(pairs))
	for _, p := range pairs {
		kto = append(kto, Example{Prompt: p.Prompt, Chosen: p.Chosen, Desirable: ptr(true)},
			Example{Prompt: p.Prompt, Chosen: p.Rejected, Desirable: ptr(false)})
	}
	for _, loss := range Losses {
		t.Run(loss, func(t *testing.T) {
			cfg := tinyConfig(filepath.Join(base, loss))
			cfg.Loss, cfg.Steps, cfg.LogEvery, cfg.BasePath = loss, 12, 4, BasePath(first.OutDir)
			cfg.LabelSmoothing = 0.1
			data := pairs
			if loss == LossKTO {
				data = kto
			}
			var losses []float64
			err := Train(context.Background(), cfg, data, func(e Event) {
				if e.Kind != EventMetrics {
					return
				}
				for k, v := range e.Metrics {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Errorf("step %d: %s = %v", e.Step, k, v)
					}
				}
				losses = append(losses, e.Metrics["loss"])
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(losses) < 2 || losses[len(losses)-1] >= losses[0] {
				t.Errorf("loss did not fall: %v", losses)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	good := Config{OutDir: "x"}.WithDefaults()
	if err := good.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	bad := good
	bad.Loss, bad.Beta, bad.Preset, bad.OutDir = "nope", -1, "huge", ""
	err := bad.Validate()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"loss", "beta", "preset", "out_dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}
