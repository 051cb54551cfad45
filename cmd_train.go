package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/prefer-dev/prefer/trainer"
)

// runTrain implements `prefer train`: it trains on a JSONL export headless and prints one
// JSON object of metrics per logging step to stdout; progress notes go to stderr.
func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, data, err := parseTrainFlags(args, stderr)
	if err != nil {
		return err
	}
	examples, err := trainer.ReadExamplesFile(data)
	if err != nil {
		return fmt.Errorf("read data: %w", err)
	}
	fmt.Fprintf(stderr, "prefer train: %d examples from %s, loss %s, output %s\n",
		len(examples), data, cfg.Loss, cfg.OutDir)

	// The Go backend prints a line to os.Stdout when its parallelism is set; keep stdout
	// for metrics only. stdout itself was captured before the swap.
	saved := os.Stdout
	os.Stdout = os.Stderr
	defer func() { os.Stdout = saved }()

	enc := json.NewEncoder(stdout)
	var lastEval map[string]float64
	err = trainer.Train(ctx, cfg, examples, func(e trainer.Event) {
		switch e.Kind {
		case trainer.EventMetrics, trainer.EventEval:
			enc.Encode(metricsLine(e))
			if e.Kind == trainer.EventEval {
				lastEval = e.Metrics
			}
		case trainer.EventCheckpoint:
			fmt.Fprintf(stderr, "checkpoint %s\n", e.Checkpoint)
		case trainer.EventStage:
			fmt.Fprintf(stderr, "stage %s %s\n", e.Stage, e.Message)
		}
	})
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("training interrupted; continue with --resume: %w", err)
	}
	if err != nil {
		return fmt.Errorf("training failed: %w", err)
	}
	if acc, ok := lastEval["eval_rewards/accuracies"]; ok {
		fmt.Fprintf(stderr, "held-out reward accuracy %.4f, loss %.4f\n", acc, lastEval["eval_loss"])
	}
	return nil
}

// metricsLine flattens an event into one JSON object with sorted keys.
func metricsLine(e trainer.Event) map[string]any {
	line := map[string]any{"stage": e.Stage, "step": e.Step, "total_steps": e.TotalSteps,
		"epoch": e.Epoch}
	keys := make([]string, 0, len(e.Metrics))
	for k := range e.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		line[k] = e.Metrics[k]
	}
	return line
}

func parseTrainFlags(args []string, stderr io.Writer) (trainer.Config, string, error) {
	d := trainer.Defaults()
	var cfg trainer.Config
	var data string
	var maxLen int
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&data, "data", "", "JSONL file (trl, trl-conversational, kto, HH-RLHF; .gz ok)")
	fs.StringVar(&cfg.Loss, "loss", d.Loss, "dpo, robust, hinge, ipo, simpo, orpo or kto")
	fs.Float64Var(&cfg.Beta, "beta", d.Beta, "loss temperature (ORPO: lambda)")
	fs.Float64Var(&cfg.LabelSmoothing, "label-smoothing", 0, "cDPO/robust label noise rate")
	fs.Float64Var(&cfg.Gamma, "gamma", d.Gamma, "SimPO margin")
	fs.IntVar(&cfg.Steps, "steps", 0, "optimizer steps (overrides --epochs)")
	fs.Float64Var(&cfg.Epochs, "epochs", d.Epochs, "passes over the training split")
	fs.StringVar(&cfg.OutDir, "out", "", "output folder for checkpoints and metrics")
	fs.BoolVar(&cfg.Resume, "resume", false, "continue from the latest checkpoint in --out")
	fs.StringVar(&cfg.Preset, "preset", d.Preset, "model size: cpu-1m, cpu-5m, gpu-25m, gpu-85m")
	fs.IntVar(&maxLen, "max-len", 0, "longest sequence (default: the preset's)")
	fs.Float64Var(&cfg.LR, "lr", d.LR, "peak learning rate")
	fs.IntVar(&cfg.BatchSize, "batch-size", d.BatchSize, "pairs per micro-batch")
	fs.IntVar(&cfg.GradAccum, "grad-accum", d.GradAccum, "micro-batches per step")
	fs.StringVar(&cfg.BasePath, "base", "", "base checkpoint or run folder (default: SFT first)")
	fs.IntVar(&cfg.SFTSteps, "sft-steps", d.SFTSteps, "steps of the SFT stage without --base")
	fs.Float64Var(&cfg.EvalFraction, "eval-fraction", d.EvalFraction, "held-out share")
	fs.Int64Var(&cfg.Seed, "seed", d.Seed, "random seed")
	fs.IntVar(&cfg.LogEvery, "log-every", d.LogEvery, "steps between metric lines")
	fs.IntVar(&cfg.EvalEvery, "eval-every", 0, "steps between held-out evaluations (0: end)")
	fs.IntVar(&cfg.SaveEvery, "save-every", d.SaveEvery, "steps between checkpoints")
	fs.IntVar(&cfg.Parallelism, "parallelism", 0, "CPU workers (0: all)")
	if err := fs.Parse(args); err != nil {
		return cfg, "", err
	}
	if fs.NArg() > 0 {
		return cfg, "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if data == "" {
		return cfg, "", errors.New("--data is required")
	}
	if cfg.OutDir == "" {
		return cfg, "", errors.New("--out is required")
	}
	cfg.Model.MaxLen = maxLen
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return cfg, "", fmt.Errorf("invalid flags: %w", err)
	}
	return cfg, data, nil
}
