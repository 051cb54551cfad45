package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/prefer-dev/prefer/internal/markdown"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

// nextTask reserves (or resumes) the annotator's next pair in the project and
// builds its view; it returns nil and the done view when none is left.
func (s *Server) nextTask(ctx context.Context, p store.Project,
	u *store.User) (*templates.Task, templates.DoneView, error) {
	prog, err := s.progress(ctx, p.ID, u.ID)
	if err != nil {
		return nil, templates.DoneView{}, err
	}
	done := templates.DoneView{ProjectID: p.ID, ProjectName: p.Name, Progress: prog}

	a, err := s.store.NextAssignment(ctx, p.ID, u.ID, s.opts.ReservationTTL)
	if errors.Is(err, store.ErrNotFound) {
		return nil, done, nil
	}
	if err != nil {
		return nil, done, err
	}
	t := taskView(p, a)
	t.Progress = prog
	return &t, done, nil
}

func (s *Server) progress(ctx context.Context, projectID, userID int64) (templates.Progress, error) {
	pr, err := s.store.ProjectProgress(ctx, projectID, userID)
	if err != nil {
		return templates.Progress{}, err
	}
	return templates.Progress{Done: pr.Done, Wanted: pr.Wanted, Complete: pr.Complete,
		Pairs: pr.Pairs, Mine: pr.Mine, Today: pr.MineToday}, nil
}

// taskView renders a pair's markdown and puts each response on the side the
// assignment drew for it.
func taskView(p store.Project, a store.Assignment) templates.Task {
	turns := a.Pair.Prompt.Turns()
	t := templates.Task{
		ProjectID:    p.ID,
		ProjectName:  p.Name,
		AssignmentID: a.ID,
		Turns:        make([]templates.Turn, len(turns)),
		AskStrength:  string(p.AskStrength),
		AskRationale: string(p.AskRationale),
	}
	for i, m := range turns {
		t.Turns[i] = templates.Turn{Role: m.Role, HTML: markdown.Render(m.Content)}
	}

	first, second := a.Pair.A, a.Pair.B
	if !a.ALeft {
		first, second = second, first
	}
	t.Left = templates.Side{Label: "A", HTML: markdown.Render(first.Text)}
	t.Right = templates.Side{Label: "B", HTML: markdown.Render(second.Text)}
	return t
}

// renderTask answers an htmx request with the task fragment, or a plain
// form post with a redirect back to the screen.
func (s *Server) renderTask(w http.ResponseWriter, r *http.Request, p store.Project,
	notice string) {
	if r.Header.Get("HX-Request") == "" {
		http.Redirect(w, r, fmt.Sprintf("/annotate/%d", p.ID), http.StatusSeeOther)
		return
	}
	t, done, err := s.nextTask(r.Context(), p, currentUser(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if t == nil {
		s.render(w, r, http.StatusOK, templates.Done(done))
		return
	}
	t.Notice = notice
	s.render(w, r, http.StatusOK, templates.TaskView(*t))
}
