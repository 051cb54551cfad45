package web

import (
	"net/http"

	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) adminProjectShow(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderProject(w, r, http.StatusOK, page(r, p.Name, "projects"), p.ID, projectForm(p))
}

func (s *Server) renderProject(w http.ResponseWriter, r *http.Request, status int,
	pg templates.Page, id int64, form templates.ProjectForm) {
	prog, err := s.store.ProjectProgress(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form.ID = id
	s.render(w, r, status, templates.AdminProject(templates.ProjectPage{Page: pg, Form: form,
		Pairs: prog.Pairs, Complete: prog.Complete}))
}
