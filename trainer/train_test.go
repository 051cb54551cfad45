package trainer

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestGradientFiniteDifference checks the accumulated DPO gradient of a tiny model against
// central differences of the loss on a few weights of every kind.
func TestGradientFiniteDifference(t *testing.T) {
	m := ModelConfig{Vocab: 259, Dim: 16, Layers: 1, Heads: 2, MLP: 32, MaxLen: 16}
	cfg := Config{Loss: LossDPO, Beta: 0.5}
	md, err := newModel(testBackend(t), m, initWeights(m, 3))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := newTrainable(md, cfg)
	if err != nil {
		t.Fatal(err)
	}
	data := encodeExamples(ByteTokenizer{}, syntheticPairs(4, 5), m.MaxLen, false)
	ba := buildSharedBatch(ByteTokenizer{}, data, []int{0, 1, 2, 3}, 4, 24)
	ref := [][2]float64{{-30, -28}, {-29, -31}, {-30, -30}, {-27, -33}}
	pb := pairBatch{ref: ref, lens: ba.lens, weight: []float64{1, 1, 2, 1}, soft: []float64{1, 1, 0.8, 1},
		desirable: make([]float64, 4)}
	args := append(append([]any{}, ba.inputs...), pb.tensors()[1:]...)
	loss := func() float64 {
		out, err := safeExec(tr.pref, args...)
		if err != nil {
			t.Fatal(err)
		}
		return scalar64(out[0])
	}
	loss() // fills the accumulators with the gradient at the current weights

	// Read every gradient first: each later loss evaluation adds to the accumulators.
	names := []string{"embed", "l0_wq", "l0_wv", "l0_w1", "l0_ln1_g", "l0_b2", "lnf_b"}
	grads := map[string][]float32{}
	for _, name := range names {
		grads[name] = tensors.MustCopyFlatData[float32](tr.variable(scopeAcc, name).MustValue())
	}
	for _, name := range names {
		grad := grads[name]
		pv := tr.variable(scopeModel, name)
		orig := tensors.MustCopyFlatData[float32](pv.MustValue())
		for _, i := range []int{0, len(orig) / 3, len(orig) - 1} {
			if name == "embed" {
				i = int('a')*m.Dim + i%m.Dim // a row the batch uses
			}
			const h = 1e-2
			set := func(delta float32) {
				w := append([]float32(nil), orig...)
				w[i] += delta
				pv.MustSetValue(tensors.FromFlatDataAndDimensions(w, pv.Shape().Dimensions...))
			}
			set(h)
			plus := loss()
			set(-h)
			minus := loss()
			set(0)
			numeric := (plus - minus) / (2 * h)
			if math.Abs(numeric-float64(grad[i])) > 3e-4+0.05*math.Abs(numeric) {
				t.Errorf("%s[%d]: gradient %g, finite difference %g", name, i, grad[i], numeric)
			}
		}
	}
}

// TestSharedPromptMatchesTwoRows checks that holding the prompt once per pair gives the
// log-probabilities of running chosen and rejected as separate sequences.
func TestSharedPromptMatchesTwoRows(t *testing.T) {
	m := ModelConfig{Vocab: 259, Dim: 16, Layers: 2, Heads: 2, MLP: 32, MaxLen: 32}
	md, err := newModel(testBackend(t), m, initWeights(m, 5))
	if err != nil {
		t.Fatal(err)
	}
	exs := []Example{
		{Prompt: "hello there", Chosen: "yes", Rejected: "no thanks"},
		{Prompt: "", Chosen: "a longer answer here", Rejected: "b"},
		{Prompt: "a very long prompt that will be cut at its start", Chosen: "ok", Rejected: "fine, sure"},
	}
	data := encodeExamples(ByteTokenizer{}, exs, m.MaxLen, false)
	idx := []int{0, 1, 2}
	two, err := md.pairLogps(buildTwoRowBatch(ByteTokenizer{}, data, idx, 3, 32), true)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := md.pairLogps(buildSharedBatch(ByteTokenizer{}, data, idx, 3, 64), false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range two {
		for j := range 2 {
			if math.Abs(two[i][j]-shared[i][j]) > 1e-4 {
				t.Errorf("pair %d slot %d: two rows %.6f, shared prompt %.6f", i, j, two[i][j], shared[i][j])
			}
		}
	}
}

func TestStepZeroLossIsLn2(t *testing.T) {
	cfg := tinyConfig(t.TempDir())
	cfg.SFTSteps, cfg.Steps, cfg.LogEvery = 5, 1, 1
	var first map[string]float64
	err := Train(context.Background(), cfg, syntheticPairs(40, 2), func(e Event) {
		if e.Kind == EventMetrics && e.Stage == "train" && first == nil {
			first = e.Metrics
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]float64{"loss": math.Ln2, "rewards/chosen": 0, "rewards/rejected": 0,
		"rewards/margins": 0}
	for k, want := range checks {
		if got, ok := first[k]; !ok || math.Abs(got-want) > 1e-5 {
			t.Errorf("step 1 %s = %v, want %g", k, first[k], want)
		}
	}
}

// TestLearnsSyntheticPreference trains on pairs whose chosen response starts with 'A' and
// checks held-out accuracy and that sampled completions start with 'A' more often than
// the reference's, which saw both kinds of responses in its SFT stage.
func TestLearnsSyntheticPreference(t *testing.T) {
	out := t.TempDir()
	cfg := tinyConfig(out)
	var eval map[string]float64
	err := Train(context.Background(), cfg, syntheticPairs(200, 1), func(e Event) {
		if e.Kind == EventEval {
			eval = e.Metrics
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if acc := eval["eval_rewards/accuracies"]; acc < 0.95 {
		t.Errorf("held-out reward accuracy %.3f, want >= 0.95 (metrics %v)", acc, eval)
	}

	latest, err := LatestCheckpoint(out)
	if err != nil || latest == "" {
		t.Fatalf("no checkpoint: %v", err)
	}
	share := func(path string) float64 {
		s, err := NewSampler(path, Config{})
		if err != nil {
			t.Fatal(err)
		}
		hits := 0
		prompts := syntheticPairs(40, 99)
		for i, p := range prompts {
			opts := SampleOptions{Temperature: 1, MaxTokens: 6, Seed: uint64(i)}
			text, err := s.Generate(context.Background(), p.Prompt, opts)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(text, "A") {
				hits++
			}
		}
		return float64(hits) / float64(len(prompts))
	}
	policy, reference := share(latest), share(BasePath(out))
	t.Logf("share starting with A: policy %.2f, reference %.2f", policy, reference)
	if policy < 0.9 || policy < reference+0.25 {
		t.Errorf("policy share %.2f, reference %.2f: want policy >= 0.9 and 0.25 above", policy, reference)
	}

	s, err := Sample(context.Background(), out, "qabc>", SampleOptions{MaxTokens: 5})
	if err != nil {
		t.Fatal(err)
	}
	if s.Policy == "" && s.Reference == "" {
		t.Errorf("Sample returned nothing")
	}
}

// TestResumeJoinsUp cancels a run after step 12 of 20, resumes it, and compares every
// step's metrics with an uninterrupted run.
func TestResumeJoinsUp(t *testing.T) {
	pairs := syntheticPairs(120, 4)
	full := tinyConfig(t.TempDir())
	full.Steps, full.SaveEvery, full.LogEvery = 20, 5, 1
	if err := Train(context.Background(), full, pairs, nil); err != nil {
		t.Fatal(err)
	}

	cut := full
	cut.OutDir = t.TempDir()
	cut.BasePath = BasePath(full.OutDir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := Train(ctx, cut, pairs, func(e Event) {
		if e.Kind == EventMetrics && e.Step == 12 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run returned %v, want context.Canceled", err)
	}
	if err := Train(context.Background(), cut, pairs, nil); !errors.Is(err, ErrExistingRun) {
		t.Errorf("second run without resume returned %v, want ErrExistingRun", err)
	}
	cut.Resume = true
	var refNote string
	err = Train(context.Background(), cut, pairs, func(e Event) {
		if e.Stage == "reference" {
			refNote = e.Message
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(refNote, "loaded from") {
		t.Errorf("resumed run did not reuse the cached reference log-probabilities: %q", refNote)
	}

	want, got := trainLosses(t, full.OutDir), trainLosses(t, cut.OutDir)
	if len(got) != 20 || len(want) != 20 {
		t.Fatalf("history has %d steps (uninterrupted %d), want 20", len(got), len(want))
	}
	for step := 1; step <= 20; step++ {
		if math.Abs(got[step]-want[step]) > 1e-4 {
			t.Errorf("step %d: resumed loss %.6f, uninterrupted %.6f", step, got[step], want[step])
		}
	}
}

// trainLosses maps each train step of a run's history to its loss, failing on duplicates.
func trainLosses(t *testing.T, dir string) map[int]float64 {
	t.Helper()
	recs, err := LoadMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]float64{}
	for _, r := range recs {
		l, ok := r.Metrics["loss"]
		if r.Stage != "train" || !ok {
			continue
		}
		if _, dup := out[r.Step]; dup {
			t.Errorf("%s: step %d recorded twice", dir, r.Step)
		}
		out[r.Step] = l
	}
	return out
}

// TestAbandonSavesNothing: a run stopped with ErrAbandon as the cause leaves
// no checkpoint beyond the ones its schedule saved.
func TestAbandonSavesNothing(t *testing.T) {
	pairs := syntheticPairs(60, 4)
	cfg := tinyConfig(t.TempDir())
	cfg.Steps, cfg.SaveEvery, cfg.LogEvery = 20, 5, 1

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	err := Train(ctx, cfg, pairs, func(e Event) {
		if e.Kind == EventMetrics && e.Stage == "train" && e.Step == 7 {
			cancel(ErrAbandon)
		}
	})
	if !errors.Is(err, ErrAbandon) {
		t.Fatalf("abandoned run returned %v, want ErrAbandon", err)
	}
	latest, err := LatestCheckpoint(cfg.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	if got := filepath.Base(latest); got != "step-00000005.ckpt" {
		t.Errorf("latest checkpoint %s, want the scheduled one of step 5, none at step 7", got)
	}
}
