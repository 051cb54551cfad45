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

// nextTask reserves (or resumes) the annotator's next pair in the project.
func (s *Server) nextTask(ctx context.Context, p store.Project, u *store.User) (store.Assignment,
	error) {
	a, err := s.store.NextAssignment(ctx, p.ID, u.ID, s.opts.ReservationTTL)
	if errors.Is(err, store.ErrNotFound) {
		return a, store.ErrNoneLeft
	}
	return a, err
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

// taskOrDone builds the view of assignment a, or the done view when err is
// ErrNoneLeft. Other errors are returned.
func (s *Server) taskOrDone(ctx context.Context, p store.Project, userID int64,
	a store.Assignment, err error) (*templates.Task, templates.DoneView, error) {
	if err != nil && !errors.Is(err, store.ErrNoneLeft) {
		return nil, templates.DoneView{}, err
	}
	prog, perr := s.progress(ctx, p.ID, userID)
	if perr != nil {
		return nil, templates.DoneView{}, perr
	}
	done := templates.DoneView{ProjectID: p.ID, ProjectName: p.Name, Progress: prog}
	if err != nil {
		return nil, done, nil
	}
	t := taskView(p, a)
	t.Progress = prog
	return &t, done, nil
}

// renderNext answers an htmx request with the fragment of assignment a (or
// of the done view), or a plain form post with a redirect to the screen.
func (s *Server) renderNext(w http.ResponseWriter, r *http.Request, p store.Project,
	a store.Assignment, err error, notice string) {
	if errors.Is(err, store.ErrPaused) && r.Header.Get("HX-Request") != "" {
		// The full page says why; a fragment could not.
		w.Header().Set("HX-Redirect", fmt.Sprintf("/annotate/%d", p.ID))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Header.Get("HX-Request") == "" {
		if err != nil && !errors.Is(err, store.ErrNoneLeft) && !errors.Is(err, store.ErrPaused) {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/annotate/%d", p.ID), http.StatusSeeOther)
		return
	}

	t, done, err := s.taskOrDone(r.Context(), p, currentUser(r.Context()).ID, a, err)
	switch {
	case err != nil:
		s.fail(w, r, err)
	case t == nil:
		s.render(w, r, http.StatusOK, templates.Done(done))
	default:
		t.Notice = notice
		s.render(w, r, http.StatusOK, templates.TaskView(*t))
	}
}
