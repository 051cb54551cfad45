package templates

import (
	"fmt"
	"strconv"
	"time"
)

// TrainingRun is one training run as the list and the run page show it.
type TrainingRun struct {
	ID              int64
	Dataset         string
	DatasetID       int64
	BaseRunID       int64
	Loss            string // the loss function's name
	Preset          string
	Status          string
	CancelRequested bool
	Stage           string
	Step, Total     int
	StageStartStep  int
	StageStartedAt  *time.Time
	Now             time.Time
	Error           string
	Worker          string
	Attempts        int
	CreatedBy       string
	CreatedAt       time.Time
	FinalLoss       *float64
	EvalLoss        *float64
	EvalAccuracy    *float64
	HasCheckpoint   bool
}

// URL is the run's page.
func (r TrainingRun) URL() string { return fmt.Sprintf("/admin/runs/%d", r.ID) }

// EventsURL streams the run's new metrics, log lines and progress.
func (r TrainingRun) EventsURL() string { return r.URL() + "/events" }

// CancelURL is where a cancel is posted.
func (r TrainingRun) CancelURL() string { return r.URL() + "/cancel" }

// SamplesURL is where a prompt to sample is posted.
func (r TrainingRun) SamplesURL() string { return r.URL() + "/samples" }

// CheckpointURL downloads the newest checkpoint.
func (r TrainingRun) CheckpointURL() string { return r.URL() + "/checkpoint" }

// MetricsCSVURL downloads the metrics history.
func (r TrainingRun) MetricsCSVURL() string { return r.URL() + "/metrics.csv" }

// Active reports whether the run may still change.
func (r TrainingRun) Active() bool { return r.Status == "queued" || r.Status == "running" }

// Cancellable reports whether the cancel button is offered.
func (r TrainingRun) Cancellable() bool { return r.Active() && !r.CancelRequested }

// Percent is how far the current stage has come, 0 to 100.
func (r TrainingRun) Percent() int {
	if r.Status == "succeeded" {
		return 100
	}
	if r.Total <= 0 {
		return 0
	}
	return min(100, r.Step*100/r.Total)
}

// ProgressText says where the run stands, with the time left when known.
func (r TrainingRun) ProgressText() string {
	switch {
	case r.Status == "queued":
		return "Waiting for a worker"
	case r.Stage == "":
		return "Starting"
	case r.Total == 0:
		return "Stage " + r.Stage
	}
	text := fmt.Sprintf("Stage %s: step %d of %d", r.Stage, r.Step, r.Total)
	if r.Status != "running" {
		return text
	}
	if left := r.TimeLeft(); left != "" {
		text += ", about " + left + " left in this stage"
	}
	if r.CancelRequested {
		text += " (stopping)"
	}
	return text
}

// TimeLeft estimates the rest of the current stage from its pace so far;
// empty before its first step.
func (r TrainingRun) TimeLeft() string {
	done := r.Step - r.StageStartStep
	if r.StageStartedAt == nil || done <= 0 || r.Step >= r.Total {
		return ""
	}
	perStep := r.Now.Sub(*r.StageStartedAt) / time.Duration(done)
	return roundDuration(perStep * time.Duration(r.Total-r.Step))
}

func roundDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()+0.5))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()+0.5))
	}
	return fmt.Sprintf("%.1f h", d.Hours())
}

// Figure formats an optional metric for a table cell.
func Figure(v *float64) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v, 'f', 3, 64)
}

// RunsPage lists the training runs.
type RunsPage struct {
	Page
	Runs []TrainingRun
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
}

// RunForm is the form that launches a run, with what was typed and what is
// wrong with it.
type RunForm struct {
	Datasets []Option
	Bases    []Option
	Losses   []string
	Presets  []string

	Dataset, Base, Loss, Preset  string
	Beta, LR, Epochs, Steps      string
	BatchSize, SFTSteps          string
	LogEvery, EvalFraction, Seed string
	Problems                     []string
}

// NewRunPage is the launch form.
type NewRunPage struct {
	Page
	Form RunForm
}

// LogLine is one line of a run's log.
type LogLine struct {
	ID      int64
	Level   string
	Message string
	At      time.Time
}

// Time is the line's time of day.
func (l LogLine) Time() string { return l.At.UTC().Format("15:04:05") }

// SampleView is a prompt completed by the policy and by the reference.
type SampleView struct {
	Prompt      string
	MaxTokens   string
	Temperature string
	Policy      string
	Reference   string
	Done        bool
	Error       string
}

// RunPage is one run: progress, charts, log, samples and downloads.
type RunPage struct {
	Page
	Run       TrainingRun
	Config    []NameValue // the trainer settings
	Log       []LogLine
	LogCursor int64 // the newest log line shown
	Sample    SampleView
}

// EventsStart is the stream position the page starts from: every metric,
// the log lines after those shown.
func (p RunPage) EventsStart() string {
	return fmt.Sprintf("%s?cursor=0.%d", p.Run.EventsURL(), p.LogCursor)
}
