package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

// annotateSubmit records a verdict and answers with the next pair, in one
// database transaction.
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

	sv, err := readVerdict(r)
	if err == nil {
		err = p.CheckScreenVerdict(sv)
	}
	if err != nil {
		s.retryTask(w, r, p, u.ID, id, sv, err.Error())
		return
	}

	next, err := s.store.SubmitAndNext(ctx, u.ID, p.ID, id, sv, s.opts.ReservationTTL)
	switch {
	case errors.Is(err, store.ErrPairComplete):
		next, err = s.nextTask(ctx, p, u)
		s.renderNext(w, r, p, next, err,
			"Others completed that pair after your reservation expired.")
	case errors.Is(err, store.ErrSkipped):
		next, err = s.nextTask(ctx, p, u)
		s.renderNext(w, r, p, next, err, "You had skipped that pair.")
	default:
		s.renderNext(w, r, p, next, err, "")
	}
}

// readVerdict reads the verdict form, by screen side.
func readVerdict(r *http.Request) (annotation.ScreenVerdict, error) {
	sv := annotation.ScreenVerdict{Pick: annotation.Pick(r.PostFormValue("choice")),
		Rationale: r.PostFormValue("rationale")}
	if sv.Pick == "" {
		return sv, errors.New("choice: pick A, B, tie or both bad")
	}
	if st := r.PostFormValue("strength"); st != "" {
		n, err := strconv.Atoi(st)
		if err != nil {
			return sv, errors.New("strength: must be 1, 2 or 3")
		}
		sv.Strength = annotation.Strength(n)
	}
	return sv, nil
}

// retryTask shows the same pair again with what was wrong, the form filled
// with what was sent.
func (s *Server) retryTask(w http.ResponseWriter, r *http.Request, p store.Project,
	userID, assignmentID int64, sv annotation.ScreenVerdict, msg string) {
	if r.Header.Get("HX-Request") == "" {
		s.fail(w, r, badInput(msg))
		return
	}
	a, err := s.store.Assignment(r.Context(), userID, assignmentID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, _, err := s.taskOrDone(r.Context(), p, userID, a, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t.Error = msg
	t.Pick, t.Strength, t.Rationale = string(sv.Pick), int(sv.Strength), sv.Rationale
	s.render(w, r, http.StatusOK, templates.TaskView(*t))
}
