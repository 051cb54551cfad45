package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
	"github.com/prefer-dev/prefer/trainer"
)

func (s *Server) runList(w http.ResponseWriter, r *http.Request) {
	runs, err := s.store.Runs(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := templates.RunsPage{Page: page(r, "Training runs", "runs")}
	now := time.Now()
	for _, run := range runs {
		p.Runs = append(p.Runs, trainingRun(run, now))
	}
	s.render(w, r, http.StatusOK, templates.Runs(p))
}

// trainingRun is the view-model of a run.
func trainingRun(run store.Run, now time.Time) templates.TrainingRun {
	var cfg trainer.Config
	_ = json.Unmarshal(run.Config, &cfg) // a broken config shows as blanks
	return templates.TrainingRun{
		ID: run.ID, Dataset: run.DatasetName, DatasetID: run.DatasetVersionID,
		BaseRunID: run.BaseRunID, Loss: cfg.Loss, Preset: cfg.Preset, Status: run.Status,
		CancelRequested: run.CancelRequested, Stage: run.Stage, Step: run.Step,
		Total: run.TotalSteps, StageStartStep: run.StageStartStep,
		StageStartedAt: run.StageStartedAt, Now: now, Error: run.Error, Worker: run.Worker,
		Attempts: run.Attempts, CreatedBy: run.CreatedBy, CreatedAt: run.CreatedAt,
		FinalLoss: run.Headline.Loss, EvalLoss: run.Headline.EvalLoss,
		EvalAccuracy: run.Headline.EvalAccuracy, HasCheckpoint: run.Checkpoint != "",
	}
}
