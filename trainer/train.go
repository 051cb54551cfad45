package trainer

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// ErrAbandon, wrapped in the cause of the context's cancellation
// (context.WithCancelCause), makes Train stop without saving a last
// checkpoint: for a caller that learnt another process owns the run's
// folder now.
var ErrAbandon = errors.New("training abandoned")

// Event kinds reported by Train.
const (
	EventStage      = "stage"      // a stage starts: Stage is "sft", "reference" or "train"
	EventMetrics    = "metrics"    // training metrics of the steps since the last report
	EventEval       = "eval"       // held-out metrics (names prefixed with eval_)
	EventCheckpoint = "checkpoint" // a checkpoint was written to Checkpoint
)

// Event is one report from Train.
type Event struct {
	Kind       string             `json:"kind"`
	Stage      string             `json:"stage"`
	Step       int                `json:"step"`
	TotalSteps int                `json:"total_steps"`
	Epoch      float64            `json:"epoch"`
	Metrics    map[string]float64 `json:"metrics,omitempty"`
	Checkpoint string             `json:"checkpoint,omitempty"`
	Message    string             `json:"message,omitempty"`
}

// ErrExistingRun is returned when OutDir already holds checkpoints and Resume is false.
var ErrExistingRun = errors.New("output folder already holds a run (resume it or pick another)")

// Train runs one training job: an SFT stage when no base is given, the reference
// log-probabilities (cached on disk), then the preference optimisation, reporting through
// report (which may be nil). It stops between steps when ctx is cancelled, after saving a
// checkpoint, and returns ctx.Err(). It never panics.
func Train(ctx context.Context, cfg Config, examples []Example, report func(Event)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("trainer panic: %v\n%s", r, debug.Stack())
		}
	}()
	if report == nil {
		report = func(Event) {}
	}
	r, err := newRun(cfg, examples, report)
	if err != nil {
		return err
	}
	return r.execute(ctx)
}

// run holds the state of one Train call.
type run struct {
	cfg           Config
	mcfg          ModelConfig
	tok           Tokenizer
	kto           bool
	buckets       []int // lengths of single sequences
	sharedBuckets []int // lengths of shared-prompt rows (up to twice as long)
	backend       backends.Backend
	report        func(Event)
	train         []encoded
	eval          []encoded
	basePath      string
	refTrain      [][2]float64
	refEval       [][2]float64
	lossEval      *graph.Exec
	startStep     int
	epoch         int
	batch         int
	total         int
}

func newRun(cfg Config, examples []Example, report func(Event)) (*run, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid config: %w", err)
	}
	kto := cfg.Loss == LossKTO
	for i, e := range examples {
		if err := e.Validate(kto); err != nil {
			return nil, fmt.Errorf("example %d: %w", i+1, err)
		}
	}
	if len(examples) < 2 {
		return nil, fmt.Errorf("need at least 2 examples, got %d", len(examples))
	}
	r := &run{cfg: cfg, tok: ByteTokenizer{}, kto: kto, report: report}
	mcfg, err := cfg.ModelConfig()
	if err != nil {
		return nil, err
	}
	if mcfg.Vocab == 0 {
		mcfg.Vocab = r.tok.VocabSize()
	}
	r.mcfg = mcfg
	r.buckets = cfg.Buckets
	if len(r.buckets) == 0 {
		r.buckets = defaultBuckets(mcfg.MaxLen)
	}
	r.sharedBuckets = defaultBuckets(2 * mcfg.MaxLen)
	trainEx, evalEx := splitHeldOut(examples, cfg.EvalFraction, cfg.Seed)
	r.train = encodeExamples(r.tok, trainEx, mcfg.MaxLen, kto)
	r.eval = encodeExamples(r.tok, evalEx, mcfg.MaxLen, kto)
	if r.backend, err = newBackend(cfg); err != nil {
		return nil, err
	}
	return r, nil
}

// splitHeldOut deterministically sets aside a fraction of the examples for evaluation.
func splitHeldOut(exs []Example, frac float64, seed int64) (train, eval []Example) {
	n := int(math.Round(frac * float64(len(exs))))
	if frac > 0 && n == 0 {
		n = 1
	}
	n = min(n, len(exs)-1)
	perm := rand.New(rand.NewPCG(uint64(seed), 7)).Perm(len(exs))
	for i, p := range perm {
		if i < n {
			eval = append(eval, exs[p])
		} else {
			train = append(train, exs[p])
		}
	}
	return train, eval
}

func (r *run) execute(ctx context.Context) error {
	if err := r.prepareOutDir(); err != nil {
		return err
	}
	base, err := r.loadOrMakeBase(ctx)
	if err != nil {
		return err
	}
	if err := r.referenceLogps(ctx, base); err != nil {
		return err
	}
	policy, err := r.policy(base)
	if err != nil {
		return err
	}
	if r.lossEval, err = lossProgram(r.backend, r.cfg); err != nil {
		return fmt.Errorf("compile held-out loss: %w", err)
	}
	return r.loop(ctx, policy)
}

func (r *run) prepareOutDir() error {
	if err := os.MkdirAll(checkpointDir(r.cfg.OutDir), 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	latest, err := LatestCheckpoint(r.cfg.OutDir)
	if err != nil {
		return err
	}
	if latest != "" && !r.cfg.Resume {
		return fmt.Errorf("%s: %w", r.cfg.OutDir, ErrExistingRun)
	}
	if latest == "" && !r.cfg.Resume {
		os.Remove(metricsPath(r.cfg.OutDir)) // a run that died before its first checkpoint
	}
	return writeAtomic(filepath.Join(r.cfg.OutDir, "config.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r.cfg)
	})
}

// loadOrMakeBase returns the reference weights: cfg.BasePath, a base saved by an earlier
// attempt of this run, or a new one trained by SFT.
func (r *run) loadOrMakeBase(ctx context.Context) (map[string][]float32, error) {
	path := BasePath(r.cfg.OutDir)
	if r.cfg.BasePath != "" {
		p, err := resolveCheckpoint(r.cfg.BasePath)
		if err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
		path = p
	} else if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := r.sft(ctx, path); err != nil {
			return nil, err
		}
	}
	h, data, err := loadCheckpoint(path)
	if err != nil {
		return nil, fmt.Errorf("load base: %w", err)
	}
	if h.Model != r.mcfg {
		return nil, fmt.Errorf("base %s has model %+v, the run wants %+v", path, h.Model, r.mcfg)
	}
	r.basePath = path
	return splitScope(data, scopeModel), nil
}

// sft trains a fresh model on the prompts and chosen responses (KTO: desirable completions)
// and saves it as the run's base.
func (r *run) sft(ctx context.Context, path string) error {
	r.report(Event{Kind: EventStage, Stage: "sft", TotalSteps: r.cfg.SFTSteps,
		Message: "supervised stage: " + r.mcfg.describe()})
	md, err := newModel(r.backend, r.mcfg, initWeights(r.mcfg, r.cfg.Seed))
	if err != nil {
		return err
	}
	t, err := newTrainable(md, r.cfg)
	if err != nil {
		return err
	}
	rows := sftRows(r.train, r.kto, r.cfg.SFTOn == "both")
	n := 2 * r.cfg.BatchSize
	rng := rand.New(rand.NewPCG(uint64(r.cfg.Seed), 99))
	var lossSum float64
	var count int
	for step := 1; step <= r.cfg.SFTSteps; step++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		idx := make([]sftRow, n)
		for i := range idx {
			idx[i] = rows[rng.IntN(len(rows))]
		}
		tokens, targets, mask := buildRows(r.tok, r.train, idx, r.buckets)
		wts := tensors.FromValue(ones32(n))
		out, err := safeExec(t.sft, tokens, targets, mask, wts)
		if err != nil {
			return fmt.Errorf("sft step %d: %w", step, err)
		}
		lossSum += scalar64(out[0])
		count++
		lr := scheduleLR(r.cfg.Schedule, r.cfg.SFTLR, step, r.cfg.WarmupSteps, r.cfg.SFTSteps)
		opt := optScalars(lr, 1, step, r.cfg.WeightDecay, r.cfg.ClipNorm)
		if _, err := safeExec(t.apply, opt...); err != nil {
			return fmt.Errorf("sft update %d: %w", step, err)
		}
		if step%r.cfg.LogEvery == 0 || step == r.cfg.SFTSteps {
			rec := Record{Stage: "sft", Step: step, Total: r.cfg.SFTSteps,
				Metrics: map[string]float64{"loss": lossSum / float64(count), "learning_rate": lr}}
			if err := appendMetrics(r.cfg.OutDir, rec); err != nil {
				return err
			}
			r.report(Event{Kind: EventMetrics, Stage: "sft", Step: step, TotalSteps: r.cfg.SFTSteps,
				Metrics: rec.Metrics})
			lossSum, count = 0, 0
		}
	}
	w, err := modelWeights(md.mlctx, r.mcfg)
	if err != nil {
		return err
	}
	h := ckptHeader{Model: r.mcfg, Tokenizer: r.tok.Name(), Tensors: tensorList(r.mcfg, scopeModel)}
	if err := saveCheckpoint(path, h, prefixed(w, scopeModel)); err != nil {
		return fmt.Errorf("save base: %w", err)
	}
	r.report(Event{Kind: EventCheckpoint, Stage: "sft", Step: r.cfg.SFTSteps,
		TotalSteps: r.cfg.SFTSteps, Checkpoint: path})
	return nil
}

func ones32(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

func prefixed(w map[string][]float32, scope string) map[string][]float32 {
	out := make(map[string][]float32, len(w))
	for k, v := range w {
		out[scope+"/"+k] = v
	}
	return out
}

// sftRow is one sequence for supervised training: example index and slot.
type sftRow struct{ ex, slot int }

// sftRows lists the sequences the SFT stage learns: chosen responses (and rejected ones
// when both is set), or for KTO the desirable completions (all when none is desirable).
func sftRows(data []encoded, kto, both bool) []sftRow {
	var rows []sftRow
	for i, e := range data {
		if !kto || e.desirable > 0.5 || both {
			rows = append(rows, sftRow{i, 0})
		}
		if both && !kto {
			rows = append(rows, sftRow{i, 1})
		}
	}
	if len(rows) == 0 {
		for i := range data {
			rows = append(rows, sftRow{i, 0})
		}
	}
	return rows
}

// buildRows lays out single sequences at the bucket length of the longest.
func buildRows(tok Tokenizer, data []encoded, rows []sftRow, buckets []int) (
	tokens, targets, mask *tensors.Tensor) {
	longest := 0
	for _, rw := range rows {
		longest = max(longest, data[rw.ex].seqLen(rw.slot))
	}
	length := bucketFor(buckets, longest)
	toks := make([]int32, len(rows)*length)
	tgts := make([]int32, len(rows)*length)
	msk := make([]float32, len(rows)*length)
	for i, rw := range rows {
		off := i * length
		fillRow(tok, data[rw.ex], rw.slot, toks[off:off+length], tgts[off:off+length], msk[off:off+length])
	}
	return tensors.FromFlatDataAndDimensions(toks, len(rows), length),
		tensors.FromFlatDataAndDimensions(tgts, len(rows), length),
		tensors.FromFlatDataAndDimensions(msk, len(rows), length)
}

// scheduleLR is the learning rate at a 1-based step: linear warmup, then cosine or linear
// decay to zero at the last step, or constant.
func scheduleLR(kind string, peak float64, step, warmup, total int) float64 {
	if warmup > 0 && step <= warmup {
		return peak * float64(step) / float64(warmup)
	}
	if kind == "constant" || total <= warmup {
		return peak
	}
	progress := float64(step-warmup) / float64(total-warmup)
	if kind == "linear" {
		return peak * (1 - progress)
	}
	return peak * 0.5 * (1 + math.Cos(math.Pi*progress))
}

// referenceLogps fills r.refTrain and r.refEval from the on-disk cache or by running the
// frozen reference once over the data.
func (r *run) referenceLogps(ctx context.Context, base map[string][]float32) error {
	if r.cfg.Loss == LossSimPO || r.cfg.Loss == LossORPO {
		r.refTrain = make([][2]float64, len(r.train))
		r.refEval = make([][2]float64, len(r.eval))
		return nil
	}
	dir := r.cfg.CacheDir
	if dir == "" {
		dir = filepath.Join(r.cfg.OutDir, "refcache")
	}
	key, err := r.cacheKey()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "ref-"+key+".bin")
	all := append(append([]encoded{}, r.train...), r.eval...)
	vals, err := readRefCache(path, len(all))
	if err == nil {
		r.report(Event{Kind: EventStage, Stage: "reference", Message: "loaded from " + path})
	} else {
		r.report(Event{Kind: EventStage, Stage: "reference", Message: "computing into " + path})
		md, err := newModel(r.backend, r.mcfg, base)
		if err != nil {
			return err
		}
		if vals, err = r.scoreAll(ctx, md, all); err != nil {
			return fmt.Errorf("reference log-probabilities: %w", err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create cache folder: %w", err)
		}
		if err := writeRefCache(path, vals); err != nil {
			return err
		}
	}
	r.refTrain, r.refEval = vals[:len(r.train)], vals[len(r.train):]
	return nil
}

// cacheKey hashes the reference checkpoint and the encoded data.
func (r *run) cacheKey() (string, error) {
	h := sha256.New()
	f, err := os.Open(r.basePath)
	if err != nil {
		return "", fmt.Errorf("hash reference: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash reference: %w", err)
	}
	for _, set := range [][]encoded{r.train, r.eval} {
		binary.Write(h, binary.LittleEndian, int64(len(set)))
		for _, e := range set {
			for _, s := range [][]int32{e.prompt, e.resp[0], e.resp[1]} {
				binary.Write(h, binary.LittleEndian, int64(len(s)))
				binary.Write(h, binary.LittleEndian, s)
			}
			binary.Write(h, binary.LittleEndian, e.eos)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}

func readRefCache(path string, n int) ([][2]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) != 16*n {
		return nil, fmt.Errorf("%s: size %d, want %d", path, len(b), 16*n)
	}
	out := make([][2]float64, n)
	for i := range out {
		out[i][0] = math.Float64frombits(binary.LittleEndian.Uint64(b[16*i:]))
		out[i][1] = math.Float64frombits(binary.LittleEndian.Uint64(b[16*i+8:]))
	}
	return out, nil
}

func writeRefCache(path string, vals [][2]float64) error {
	return writeAtomic(path, func(w io.Writer) error {
		return binary.Write(w, binary.LittleEndian, vals)
	})
}

// scoreAll returns the summed response log-probabilities of both slots of every example,
// batching examples of similar length together.
func (r *run) scoreAll(ctx context.Context, md *model, data []encoded) ([][2]float64, error) {
	out := make([][2]float64, len(data))
	plan := epochPlan(data, r.cfg.BatchSize, r.cfg.Seed, -1)
	for _, idx := range plan {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		lp, err := md.pairLogps(r.layout(data, idx), r.kto)
		if err != nil {
			return nil, err
		}
		for i, ex := range idx {
			out[ex] = lp[i]
		}
	}
	return out, nil
}

// layout lays out examples idx in the run's layout at their bucket length.
func (r *run) layout(data []encoded, idx []int) batchArgs {
	longest := 0
	for _, i := range idx {
		if r.kto {
			longest = max(longest, data[i].maxLen())
		} else {
			longest = max(longest, data[i].sharedLen())
		}
	}
	if r.kto {
		return buildTwoRowBatch(r.tok, data, idx, r.cfg.BatchSize, bucketFor(r.buckets, longest))
	}
	return buildSharedBatch(r.tok, data, idx, r.cfg.BatchSize, bucketFor(r.sharedBuckets, longest))
}

// policy builds the trainable policy from the base, or from the latest checkpoint when
// resuming, and sets the step and data position to continue from.
func (r *run) policy(base map[string][]float32) (*trainable, error) {
	latest, err := LatestCheckpoint(r.cfg.OutDir)
	if err != nil {
		return nil, err
	}
	weights := base
	var data map[string][]float32
	if latest != "" {
		var h ckptHeader
		if h, data, err = loadCheckpoint(latest); err != nil {
			return nil, err
		}
		if h.Model != r.mcfg {
			return nil, fmt.Errorf("checkpoint %s has model %+v, the run wants %+v", latest, h.Model, r.mcfg)
		}
		weights = splitScope(data, scopeModel)
		r.startStep, r.epoch, r.batch = h.Step, h.Epoch, h.Batch
		if err := truncateMetrics(r.cfg.OutDir, h.Step); err != nil {
			return nil, err
		}
	}
	md, err := newModel(r.backend, r.mcfg, weights)
	if err != nil {
		return nil, err
	}
	t, err := newTrainable(md, r.cfg)
	if err != nil {
		return nil, err
	}
	for _, scope := range []string{scopeM, scopeV} {
		for name, v := range splitScope(data, scope) {
			vr := t.variable(scope, name)
			if vr == nil {
				return nil, fmt.Errorf("checkpoint has unknown tensor %s/%s", scope, name)
			}
			if err := vr.SetValue(tensors.FromFlatDataAndDimensions(v, vr.Shape().Dimensions...)); err != nil {
				return nil, fmt.Errorf("restore %s/%s: %w", scope, name, err)
			}
		}
	}
	return t, nil
}

// totalSteps is cfg.Steps, or the optimizer steps in cfg.Epochs passes over the data.
func (r *run) totalSteps() int {
	if r.cfg.Steps > 0 {
		return r.cfg.Steps
	}
	perEpoch := (len(r.train) + r.cfg.BatchSize - 1) / r.cfg.BatchSize
	return max(1, int(math.Ceil(r.cfg.Epochs*float64(perEpoch)/float64(r.cfg.GradAccum))))
}
