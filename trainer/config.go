package trainer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Loss names accepted in Config.Loss.
const (
	LossDPO    = "dpo"    // sigmoid DPO, or conservative DPO when LabelSmoothing > 0
	LossRobust = "robust" // robust DPO for a known label noise rate LabelSmoothing
	LossHinge  = "hinge"  // hinge loss on the DPO log-ratio margin
	LossIPO    = "ipo"    // IPO on length-normalised log-ratios
	LossSimPO  = "simpo"  // SimPO: no reference, length-normalised, margin Gamma
	LossORPO   = "orpo"   // ORPO: NLL of chosen plus Beta times the odds-ratio term
	LossKTO    = "kto"    // KTO on unpaired examples
)

// Losses lists every supported loss name.
var Losses = []string{LossDPO, LossRobust, LossHinge, LossIPO, LossSimPO, LossORPO, LossKTO}

// ModelConfig sizes the decoder-only transformer.
type ModelConfig struct {
	Vocab  int `json:"vocab"`   // set from the tokenizer when zero
	Dim    int `json:"dim"`     // embedding width
	Layers int `json:"layers"`  // transformer blocks
	Heads  int `json:"heads"`   // attention heads; Dim must be a multiple
	MLP    int `json:"mlp"`     // hidden width of the feed-forward block; 4*Dim when zero
	MaxLen int `json:"max_len"` // longest sequence, prompt and response together
}

// Presets are the named model sizes. The cpu ones train on a laptop; the others want an
// accelerator (set GOMLX_BACKEND to an XLA plugin).
var Presets = map[string]ModelConfig{
	"cpu-1m":    {Dim: 128, Layers: 4, Heads: 4, MaxLen: 128},
	"cpu-5m":    {Dim: 256, Layers: 6, Heads: 8, MaxLen: 256},
	"gpu-25m":   {Dim: 512, Layers: 8, Heads: 8, MaxLen: 512},
	"gpu-85m":   {Dim: 768, Layers: 12, Heads: 12, MaxLen: 1024},
	"test-tiny": {Dim: 32, Layers: 1, Heads: 2, MaxLen: 64},
}

// Config is one training run. The zero value of a field means its default (see Defaults).
type Config struct {
	Loss           string      `json:"loss"`
	Beta           float64     `json:"beta"`            // DPO temperature; ORPO's lambda
	LabelSmoothing float64     `json:"label_smoothing"` // cDPO/robust noise rate, in [0, 0.5)
	Gamma          float64     `json:"gamma"`           // SimPO margin
	DesirableW     float64     `json:"kto_desirable_weight"`
	UndesirableW   float64     `json:"kto_undesirable_weight"`
	Preset         string      `json:"preset"`
	Model          ModelConfig `json:"model"` // overrides the preset's non-zero fields
	Steps          int         `json:"steps"` // optimizer steps; Epochs used when zero
	Epochs         float64     `json:"epochs"`
	BatchSize      int         `json:"batch_size"` // pairs per micro-batch
	GradAccum      int         `json:"grad_accum"` // micro-batches per optimizer step
	LR             float64     `json:"lr"`
	Schedule       string      `json:"schedule"` // "cosine", "linear" or "constant"
	WarmupSteps    int         `json:"warmup_steps"`
	WeightDecay    float64     `json:"weight_decay"`
	ClipNorm       float64     `json:"clip_norm"` // global gradient norm; 0 means none
	EvalFraction   float64     `json:"eval_fraction"`
	LogEvery       int         `json:"log_every"`
	EvalEvery      int         `json:"eval_every"` // 0: at the end only
	SaveEvery      int         `json:"save_every"`
	KeepLast       int         `json:"keep_last"`
	Seed           int64       `json:"seed"`
	OutDir         string      `json:"out_dir"`
	Resume         bool        `json:"resume"`
	BasePath       string      `json:"base"` // checkpoint file or run directory; SFT when empty
	SFTSteps       int         `json:"sft_steps"`
	SFTLR          float64     `json:"sft_lr"`
	SFTOn          string      `json:"sft_on"`      // "chosen" (default) or "both" responses
	CacheDir       string      `json:"cache_dir"`   // reference log-probabilities; OutDir/refcache
	Parallelism    int         `json:"parallelism"` // CPU workers for the Go backend; 0 = all
	Backend        string      `json:"backend"`     // GoMLX backend config; GOMLX_BACKEND or "go"
	Buckets        []int       `json:"buckets"`     // single-sequence lengths compiled (SFT, KTO)
}

// Defaults returns the configuration used for zero fields: settings that teach a tiny
// model trained from scratch a simple preference within a few dozen steps.
func Defaults() Config {
	return Config{
		Loss: LossDPO, Beta: 0.1, Gamma: 0.5, DesirableW: 1, UndesirableW: 1,
		Preset: "cpu-1m", Epochs: 1, BatchSize: 8, GradAccum: 1, LR: 1e-3,
		Schedule: "cosine", WarmupSteps: 5, WeightDecay: 0.01, ClipNorm: 1,
		EvalFraction: 0.1, LogEvery: 10, SaveEvery: 100, KeepLast: 2, Seed: 1,
		SFTSteps: 200, SFTLR: 2e-3,
	}
}

// WithDefaults returns c with every zero field set from Defaults.
func (c Config) WithDefaults() Config {
	d := Defaults()
	setF := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	setI := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	if c.Loss == "" {
		c.Loss = d.Loss
	}
	if c.Preset == "" {
		c.Preset = d.Preset
	}
	if c.Schedule == "" {
		c.Schedule = d.Schedule
	}
	if c.SFTOn == "" {
		c.SFTOn = "chosen"
	}
	if c.Seed == 0 {
		c.Seed = d.Seed
	}
	setF(&c.Beta, d.Beta)
	setF(&c.Gamma, d.Gamma)
	setF(&c.DesirableW, d.DesirableW)
	setF(&c.UndesirableW, d.UndesirableW)
	setF(&c.LR, d.LR)
	setF(&c.SFTLR, d.SFTLR)
	setF(&c.ClipNorm, d.ClipNorm)
	setF(&c.WeightDecay, d.WeightDecay)
	if c.Steps == 0 {
		setF(&c.Epochs, d.Epochs)
	}
	setI(&c.BatchSize, d.BatchSize)
	setI(&c.GradAccum, d.GradAccum)
	setI(&c.WarmupSteps, d.WarmupSteps)
	setI(&c.LogEvery, d.LogEvery)
	setI(&c.SaveEvery, d.SaveEvery)
	setI(&c.KeepLast, d.KeepLast)
	setI(&c.SFTSteps, d.SFTSteps)
	if c.EvalFraction == 0 {
		c.EvalFraction = d.EvalFraction
	}
	return c
}

// ModelConfig returns the preset named in c with c.Model's non-zero fields on top.
func (c Config) ModelConfig() (ModelConfig, error) {
	m, ok := Presets[c.Preset]
	if !ok {
		return ModelConfig{}, fmt.Errorf("unknown preset %q (have %s)", c.Preset, presetNames())
	}
	o := c.Model
	for _, f := range []struct{ dst, src *int }{
		{&m.Vocab, &o.Vocab}, {&m.Dim, &o.Dim}, {&m.Layers, &o.Layers},
		{&m.Heads, &o.Heads}, {&m.MLP, &o.MLP}, {&m.MaxLen, &o.MaxLen},
	} {
		if *f.src != 0 {
			*f.dst = *f.src
		}
	}
	if m.MLP == 0 {
		m.MLP = 4 * m.Dim
	}
	return m, nil
}

func presetNames() string {
	var names []string
	for n := range Presets {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// Validate reports every problem with c (after defaults are applied) in one error.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !slices.Contains(Losses, c.Loss) {
		bad("loss %q is not one of %s", c.Loss, strings.Join(Losses, ", "))
	}
	if c.Beta <= 0 {
		bad("beta must be positive, got %g", c.Beta)
	}
	if c.LabelSmoothing < 0 || c.LabelSmoothing >= 0.5 {
		bad("label_smoothing must be in [0, 0.5), got %g", c.LabelSmoothing)
	}
	if c.Steps < 0 || c.Epochs < 0 || (c.Steps == 0 && c.Epochs == 0) {
		bad("set a positive number of steps or epochs")
	}
	if c.BatchSize < 1 || c.GradAccum < 1 {
		bad("batch_size and grad_accum must be at least 1")
	}
	if c.LR <= 0 || c.SFTLR <= 0 {
		bad("learning rates must be positive")
	}
	if !slices.Contains([]string{"cosine", "linear", "constant"}, c.Schedule) {
		bad("schedule %q is not cosine, linear or constant", c.Schedule)
	}
	if c.SFTOn != "chosen" && c.SFTOn != "both" {
		bad("sft_on %q is not chosen or both", c.SFTOn)
	}
	if c.EvalFraction < 0 || c.EvalFraction >= 1 {
		bad("eval_fraction must be in [0, 1), got %g", c.EvalFraction)
	}
	if c.WarmupSteps < 0 || c.WeightDecay < 0 || c.ClipNorm < 0 || c.SFTSteps < 0 {
		bad("warmup_steps, weight_decay, clip_norm and sft_steps must not be negative")
	}
	if c.LogEvery < 1 || c.SaveEvery < 1 || c.KeepLast < 1 || c.Parallelism < 0 {
		bad("log_every, save_every and keep_last must be at least 1, parallelism not negative")
	}
	if c.OutDir == "" {
		bad("out_dir is required")
	}
	if m, err := c.ModelConfig(); err != nil {
		errs = append(errs, err)
	} else if m.Dim%m.Heads != 0 || m.Dim < 1 || m.Layers < 1 || m.MaxLen < 8 {
		bad("model: dim %d must be a positive multiple of heads %d, layers >= 1, max_len >= 8",
			m.Dim, m.Heads)
	}
	return errors.Join(errs...)
}
