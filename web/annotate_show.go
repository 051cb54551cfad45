package web

import (
	"net/http"

	"github.com/prefer-dev/prefer/internal/markdown"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) annotateShow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(ctx)
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.nextTask(ctx, p, u)
	t, done, err := s.taskOrDone(ctx, p, u.ID, a, err)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	screen := templates.AnnotateScreen{
		Page:           page(r, p.Name, "annotate"),
		ProjectID:      p.ID,
		ProjectName:    p.Name,
		GuidelinesHTML: markdown.Render(p.Guidelines),
		Task:           t,
		Done:           done,
	}
	s.render(w, r, http.StatusOK, templates.Annotate(screen))
}

// projectParam loads the project named by the {project} URL parameter.
func (s *Server) projectParam(r *http.Request) (store.Project, error) {
	id, err := idParam(r, "project")
	if err != nil {
		return store.Project{}, err
	}
	return s.store.ProjectByID(r.Context(), id)
}
