package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prefer-dev/prefer/internal/store"
)

func (s *Server) adminProjectUpdate(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ps, form, err := readProjectForm(r)
	if err == nil {
		_, err = s.store.UpdateProject(r.Context(), p.ID, ps)
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/admin/projects/%d?flash=saved", p.ID),
				http.StatusSeeOther)
			return
		}
	}

	status, msg := statusOf(err)
	if errors.Is(err, store.ErrConflict) {
		msg = "Another project has that name."
	}
	if status >= 500 {
		s.fail(w, r, err)
		return
	}
	pg := page(r, p.Name, "projects")
	pg.Error = msg
	s.renderProject(w, r, status, pg, p.ID, form)
}
