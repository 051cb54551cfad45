package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prefer-dev/prefer/templates"
	"github.com/prefer-dev/prefer/trainer"
)

// sampleTimeout bounds one request for samples.
const sampleTimeout = time.Minute

// runSamples completes a prompt with the run's newest checkpoint and with
// its reference model, shown side by side.
//
// Limitation: sampling runs in the web process with all cores, briefly.
func (s *Server) runSamples(w http.ResponseWriter, r *http.Request) {
	p, err := s.runPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sv, opts, problem := readSampleForm(r)
	p.Sample = sv
	status := http.StatusOK
	switch {
	case problem != "":
		p.Sample.Error, status = problem, http.StatusUnprocessableEntity
	case !p.Run.HasCheckpoint:
		p.Sample.Error = "No checkpoint yet: samples come once training has saved one."
		status = http.StatusUnprocessableEntity
	default:
		status = s.sample(r, &p, opts)
	}
	s.render(w, r, status, templates.Run(p))
}

func (s *Server) sample(r *http.Request, p *templates.RunPage, opts trainer.SampleOptions) int {
	run, err := s.store.Run(r.Context(), p.Run.ID)
	if err != nil {
		p.Sample.Error = "The run could not be read."
		return http.StatusInternalServerError
	}
	ctx, cancel := context.WithTimeout(r.Context(), sampleTimeout)
	defer cancel()
	began := time.Now()
	out, err := trainer.Sample(ctx, run.OutDir, p.Sample.Prompt, opts)
	if err != nil {
		s.log.Error("Sampling failed", slog.Int64("run_id", run.ID), slog.Any("err", err))
		p.Sample.Error = "Sampling failed: " + err.Error()
		return http.StatusInternalServerError
	}
	s.log.Info("Sampled", slog.Int64("run_id", run.ID), slog.Duration("took", time.Since(began)))
	p.Sample.Policy, p.Sample.Reference, p.Sample.Done = out.Policy, out.Reference, true
	return http.StatusOK
}

// readSampleForm reads the prompt and the generation settings.
func readSampleForm(r *http.Request) (templates.SampleView, trainer.SampleOptions, string) {
	sv := templates.SampleView{Prompt: r.PostFormValue("prompt"),
		MaxTokens:   strings.TrimSpace(r.PostFormValue("max_tokens")),
		Temperature: strings.TrimSpace(r.PostFormValue("temperature"))}
	opts := trainer.SampleOptions{MaxTokens: 32, Seed: 1}
	if strings.TrimSpace(sv.Prompt) == "" {
		return sv, opts, "Prompt: write one to complete."
	}
	if sv.MaxTokens != "" {
		n, err := strconv.Atoi(sv.MaxTokens)
		if err != nil || n < 1 || n > 512 {
			return sv, opts, "New tokens: give a whole number from 1 to 512."
		}
		opts.MaxTokens = n
	}
	if sv.Temperature != "" {
		t, err := strconv.ParseFloat(sv.Temperature, 64)
		if err != nil || t < 0 || t > 5 {
			return sv, opts, "Temperature: give a number from 0 to 5."
		}
		opts.Temperature = t
	}
	return sv, opts, ""
}
