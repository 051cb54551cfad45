package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/prefer-dev/prefer/internal/export"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
	"github.com/prefer-dev/prefer/trainer"
)

// runForm is the launch form filled with the trainer's defaults.
func runForm() templates.RunForm {
	d := trainer.Defaults()
	return templates.RunForm{
		Loss: d.Loss, Preset: d.Preset, Beta: num(d.Beta), LR: num(d.LR),
		Epochs: num(d.Epochs), BatchSize: strconv.Itoa(d.BatchSize),
		SFTSteps: strconv.Itoa(d.SFTSteps), LogEvery: strconv.Itoa(d.LogEvery),
		EvalFraction: num(d.EvalFraction), Seed: strconv.FormatInt(d.Seed, 10),
	}
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// fillChoices adds the dataset versions, base runs, losses and presets to
// choose from.
func (s *Server) fillChoices(ctx context.Context, f *templates.RunForm) error {
	versions, err := s.store.DatasetVersions(ctx)
	if err != nil {
		return err
	}
	for _, v := range versions {
		if v.Options.Format == export.FormatJudgments {
			continue
		}
		f.Datasets = append(f.Datasets, templates.Option{Value: strconv.FormatInt(v.ID, 10),
			Label: fmt.Sprintf("%s (%s, %d rows, %s)", v.Name, v.ProjectName, v.Rows,
				v.Options.Format)})
	}
	runs, err := s.store.Runs(ctx)
	if err != nil {
		return err
	}
	for _, r := range runs {
		if r.Status != store.RunSucceeded || r.Checkpoint == "" {
			continue
		}
		var cfg trainer.Config
		_ = json.Unmarshal(r.Config, &cfg)
		f.Bases = append(f.Bases, templates.Option{Value: strconv.FormatInt(r.ID, 10),
			Label: fmt.Sprintf("run #%d on %s (%s, %s)", r.ID, r.DatasetName, cfg.Preset,
				cfg.Loss)})
	}
	f.Losses = trainer.Losses
	for name := range trainer.Presets {
		f.Presets = append(f.Presets, name)
	}
	slices.Sort(f.Presets)
	return nil
}

// launch is a checked request to queue a run.
type launch struct {
	datasetID, baseID int64
	cfg               trainer.Config
}

// formReader parses fields and collects one message per bad field.
type formReader struct {
	r        *http.Request
	problems []string
}

func (fr *formReader) bad(label, format string, args ...any) {
	fr.problems = append(fr.problems, label+": "+fmt.Sprintf(format, args...))
}

// float reads a number; empty gives def.
func (fr *formReader) float(name, label string, def float64) float64 {
	v := strings.TrimSpace(fr.r.PostFormValue(name))
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		fr.bad(label, "%q is not a number", v)
		return def
	}
	return f
}

// int reads a whole number; empty gives def.
func (fr *formReader) int(name, label string, def int) int {
	v := strings.TrimSpace(fr.r.PostFormValue(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fr.bad(label, "%q is not a whole number", v)
		return def
	}
	return n
}

// readRunForm parses the launch form into the form to show again and the
// configuration, with every problem found.
func readRunForm(r *http.Request) (templates.RunForm, launch, []string) {
	f := templates.RunForm{}
	val := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f.Dataset, f.Base, f.Loss, f.Preset = val("dataset"), val("base"), val("loss"), val("preset")
	f.Beta, f.LR, f.Epochs, f.Steps = val("beta"), val("lr"), val("epochs"), val("steps")
	f.BatchSize, f.SFTSteps, f.LogEvery = val("batch_size"), val("sft_steps"), val("log_every")
	f.EvalFraction, f.Seed = val("eval_fraction"), val("seed")

	fr := &formReader{r: r}
	var l launch
	d := trainer.Defaults()
	l.datasetID = int64(fr.int("dataset", "Dataset version", 0))
	if l.datasetID <= 0 {
		fr.bad("Dataset version", "choose one (freeze one on the Datasets page first)")
	}
	l.baseID = int64(fr.int("base", "Start from", 0))
	c := trainer.Config{Loss: f.Loss, Preset: f.Preset}
	c.Beta = positive(fr, fr.float("beta", "Beta", d.Beta), "Beta")
	c.LR = positive(fr, fr.float("lr", "Learning rate", d.LR), "Learning rate")
	c.Steps = fr.int("steps", "Steps", 0)
	c.Epochs = fr.float("epochs", "Epochs", 0)
	switch {
	case c.Steps < 0 || c.Epochs < 0:
		fr.bad("Steps and epochs", "must not be negative")
	case c.Steps == 0 && c.Epochs == 0:
		fr.bad("Epochs", "give a number of epochs or of steps")
	case c.Steps > 0:
		c.Epochs = 0
	}
	c.BatchSize = atLeastOne(fr, fr.int("batch_size", "Batch size", d.BatchSize), "Batch size")
	c.SFTSteps = atLeastOne(fr, fr.int("sft_steps", "Supervised steps", d.SFTSteps),
		"Supervised steps")
	c.LogEvery = atLeastOne(fr, fr.int("log_every", "Log every", d.LogEvery), "Log every")
	c.EvalFraction = fr.float("eval_fraction", "Held-out share", d.EvalFraction)
	if c.EvalFraction <= 0 || c.EvalFraction >= 1 {
		fr.bad("Held-out share", "must be above 0 and below 1, got %g", c.EvalFraction)
	}
	c.Seed = int64(fr.int("seed", "Seed", int(d.Seed)))
	l.cfg = c.WithDefaults()

	// The trainer's own checks catch the rest (loss and model names).
	check := l.cfg
	check.OutDir = "set by the worker"
	if err := check.Validate(); err != nil && len(fr.problems) == 0 {
		for _, msg := range strings.Split(err.Error(), "\n") {
			fr.problems = append(fr.problems, "Configuration: "+msg)
		}
	}
	return f, l, fr.problems
}

func positive(fr *formReader, v float64, label string) float64 {
	if v <= 0 {
		fr.bad(label, "must be above 0, got %g", v)
	}
	return v
}

func atLeastOne(fr *formReader, v int, label string) int {
	if v < 1 {
		fr.bad(label, "must be at least 1, got %d", v)
	}
	return v
}

// checkRefs checks the dataset version and the base run against the
// configuration.
func (s *Server) checkRefs(ctx context.Context, l launch) ([]string, error) {
	var problems []string
	v, err := s.store.DatasetVersion(ctx, l.datasetID)
	if errors.Is(err, store.ErrNotFound) {
		return []string{fmt.Sprintf("Dataset version: there is no version %d", l.datasetID)},
			nil
	}
	if err != nil {
		return nil, err
	}
	kto := l.cfg.Loss == trainer.LossKTO
	switch {
	case v.Options.Format == export.FormatJudgments:
		problems = append(problems, fmt.Sprintf("Dataset version: %s holds judgments, not "+
			"preferences; freeze it as trl, trl-conversational or kto", v.Name))
	case kto && v.Options.Format != export.FormatKTO:
		problems = append(problems, fmt.Sprintf("Loss: kto needs a dataset version in the kto "+
			"format; %s is %s", v.Name, v.Options.Format))
	case !kto && v.Options.Format == export.FormatKTO:
		problems = append(problems, fmt.Sprintf("Loss: %s is in the kto format (unpaired); "+
			"train it with the kto loss", v.Name))
	}
	if l.baseID == 0 {
		return problems, nil
	}
	return append(problems, s.checkBase(ctx, l)...), nil
}

// checkBase checks that the base run finished and has the chosen model.
func (s *Server) checkBase(ctx context.Context, l launch) []string {
	base, err := s.store.Run(ctx, l.baseID)
	if err != nil || base.Status != store.RunSucceeded || base.Checkpoint == "" {
		return []string{fmt.Sprintf("Start from: run #%d has no final checkpoint", l.baseID)}
	}
	var bc trainer.Config
	if err := json.Unmarshal(base.Config, &bc); err != nil {
		return []string{fmt.Sprintf("Start from: run #%d has an unreadable configuration",
			l.baseID)}
	}
	want, _ := l.cfg.ModelConfig()
	have, _ := bc.WithDefaults().ModelConfig()
	if have != want {
		return []string{fmt.Sprintf("Model: run #%d is a %s model; pick that preset to start "+
			"from it", l.baseID, bc.Preset)}
	}
	return nil
}
