package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) annotateSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := idParam(r, "assignment")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.store.Assignment(ctx, u.ID, id)
	if err != nil || a.Pair.ProjectID != p.ID {
		s.fail(w, r, errNotFound)
		return
	}

	v, err := readVerdict(r, a.ALeft)
	if err == nil {
		err = p.CheckVerdict(v)
	}
	if err != nil {
		s.retryTask(w, r, p, a, err.Error())
		return
	}

	err = s.store.SubmitJudgment(ctx, u.ID, a.ID, v)
	switch {
	case errors.Is(err, store.ErrPairComplete):
		s.renderTask(w, r, p, "Others completed that pair after your reservation expired.")
	case errors.Is(err, store.ErrSkipped):
		s.renderTask(w, r, p, "You had skipped that pair.")
	case err != nil:
		s.fail(w, r, err)
	default:
		s.renderTask(w, r, p, "")
	}
}

// readVerdict reads the form: the choice by screen side, turned into the
// pair's own terms with the side the assignment drew.
func readVerdict(r *http.Request, aLeft bool) (annotation.Verdict, error) {
	v := annotation.Verdict{Rationale: r.PostFormValue("rationale")}
	side := r.PostFormValue("choice")
	switch side {
	case "left", "right":
		v.Choice = annotation.ChoiceOnScreen(side == "left", aLeft)
	case "tie":
		v.Choice = annotation.ChoiceTie
	case "both_bad":
		v.Choice = annotation.ChoiceBothBad
	case "":
		return v, errors.New("choice: pick A, B, tie or both bad")
	default:
		return v, errors.New("choice: must be left, right, tie or both_bad")
	}

	if st := r.PostFormValue("strength"); st != "" {
		n, err := strconv.Atoi(st)
		if err != nil {
			return v, errors.New("strength: must be 1, 2 or 3")
		}
		v.Strength = annotation.Strength(n)
	}
	return v, nil
}

// retryTask shows the same pair again with what was wrong.
func (s *Server) retryTask(w http.ResponseWriter, r *http.Request, p store.Project,
	a store.Assignment, msg string) {
	if r.Header.Get("HX-Request") == "" {
		s.fail(w, r, badInput(msg))
		return
	}
	t := taskView(p, a)
	prog, err := s.progress(r.Context(), p.ID, a.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t.Progress = prog
	t.Error = msg
	s.render(w, r, http.StatusOK, templates.TaskView(t))
}
