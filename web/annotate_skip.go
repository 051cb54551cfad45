package web

import (
	"errors"
	"net/http"

	"github.com/prefer-dev/prefer/internal/store"
)

func (s *Server) annotateSkip(w http.ResponseWriter, r *http.Request) {
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

	err = s.store.SkipAssignment(ctx, u.ID, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	next, err := s.nextTask(ctx, p, u)
	s.renderNext(w, r, p, next, err, "")
}
