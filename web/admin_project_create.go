package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prefer-dev/prefer/internal/store"
)

func (s *Server) adminProjectCreate(w http.ResponseWriter, r *http.Request) {
	ps, form, err := readProjectForm(r)
	if err == nil {
		var p store.Project
		p, err = s.store.CreateProject(r.Context(), ps)
		if err == nil {
			s.log.Info("Project created", slog.Int64("project_id", p.ID),
				slog.Int64("by", currentUser(r.Context()).ID))
			http.Redirect(w, r, fmt.Sprintf("/admin/projects/%d/import", p.ID), http.StatusSeeOther)
			return
		}
	}

	status, msg := statusOf(err)
	if errors.Is(err, store.ErrConflict) {
		msg = "A project with that name already exists."
	}
	if status >= 500 {
		s.fail(w, r, err)
		return
	}
	pg := page(r, "Projects", "projects")
	pg.Error = msg
	s.renderProjects(w, r, status, pg, form)
}
