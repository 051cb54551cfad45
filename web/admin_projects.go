package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) adminProjects(w http.ResponseWriter, r *http.Request) {
	s.renderProjects(w, r, http.StatusOK, page(r, "Projects", "projects"),
		projectForm(store.Project{ProjectSettings: annotation.NewProjectSettings("")}))
}

func (s *Server) renderProjects(w http.ResponseWriter, r *http.Request, status int,
	pg templates.Page, form templates.ProjectForm) {
	list, err := s.store.ListProjects(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := templates.ProjectsPage{Page: pg, New: form}
	for _, pr := range list {
		p.Projects = append(p.Projects, templates.ProjectRow{ID: pr.ID, Name: pr.Name,
			Pairs: pr.Pairs, Complete: pr.Complete, Judgments: pr.Judgments, K: pr.K})
	}
	s.render(w, r, status, templates.AdminProjects(p))
}

// projectForm fills the settings form from a project.
func projectForm(p store.Project) templates.ProjectForm {
	return templates.ProjectForm{ID: p.ID, Name: p.Name, Guidelines: p.Guidelines, K: p.K,
		AskStrength: string(p.AskStrength), AskRationale: string(p.AskRationale),
		Tags: strings.Join(p.Tags, ", ")}
}

// readProjectForm reads the settings form. The returned form echoes what was
// typed, to show it again when it is not valid.
func readProjectForm(r *http.Request) (annotation.ProjectSettings, templates.ProjectForm, error) {
	form := templates.ProjectForm{
		Name:         strings.TrimSpace(r.PostFormValue("name")),
		Guidelines:   r.PostFormValue("guidelines"),
		AskStrength:  r.PostFormValue("ask_strength"),
		AskRationale: r.PostFormValue("ask_rationale"),
		Tags:         r.PostFormValue("tags"),
	}
	k, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("k")))
	if err != nil {
		return annotation.ProjectSettings{}, form, badInput("judgments per pair: not a number")
	}
	form.K = k

	ps := annotation.ProjectSettings{Name: form.Name, Guidelines: form.Guidelines, K: k,
		AskStrength:  annotation.Ask(form.AskStrength),
		AskRationale: annotation.Ask(form.AskRationale),
		Tags:         annotation.ParseTags(form.Tags)}
	if err := ps.Validate(); err != nil {
		return ps, form, badInput(err.Error())
	}
	return ps, form, nil
}
