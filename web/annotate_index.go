package web

import (
	"net/http"

	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) annotateIndex(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.ListProjects(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]templates.ProjectRow, len(list))
	for i, p := range list {
		rows[i] = templates.ProjectRow{ID: p.ID, Name: p.Name, Pairs: p.Pairs,
			Complete: p.Complete, Judgments: p.Judgments, K: p.K}
	}
	s.render(w, r, http.StatusOK, templates.Projects(page(r, "Projects", "annotate"), rows))
}
