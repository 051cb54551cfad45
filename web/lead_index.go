package web

import (
	"net/http"

	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) leadIndex(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.ListProjects(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := templates.ReviewIndexPage{Page: page(r, "Review", "review")}
	for _, pr := range list {
		p.Projects = append(p.Projects, templates.ReviewProjectRow{ID: pr.ID, Name: pr.Name,
			Pairs: pr.Pairs, Complete: pr.Complete, Judgments: pr.Judgments})
	}
	s.render(w, r, http.StatusOK, templates.ReviewIndex(p))
}
