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
	q := p.Quality
	return templates.ProjectForm{ID: p.ID, Name: p.Name, Guidelines: p.Guidelines, K: p.K,
		AskStrength: string(p.AskStrength), AskRationale: string(p.AskRationale),
		Tags:     strings.Join(p.Tags, ", "),
		GoldRate: formatShare(q.GoldRate), RepeatRate: formatShare(q.RepeatRate),
		GoldThreshold: formatShare(q.GoldThreshold), PauseBelow: q.PauseBelow,
		Disagreement: formatShare(q.Disagreement), MaxJudgments: p.MaxPerPair()}
}

func formatShare(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// readQuality reads the quality control part of the settings form.
func readQuality(r *http.Request, form *templates.ProjectForm) (annotation.Quality, error) {
	form.GoldRate = strings.TrimSpace(r.PostFormValue("gold_rate"))
	form.RepeatRate = strings.TrimSpace(r.PostFormValue("repeat_rate"))
	form.GoldThreshold = strings.TrimSpace(r.PostFormValue("gold_threshold"))
	form.Disagreement = strings.TrimSpace(r.PostFormValue("disagreement"))
	form.PauseBelow = r.PostFormValue("pause_below") == "on"

	q := annotation.DefaultQuality
	q.PauseBelow = form.PauseBelow
	for _, f := range []struct {
		name, value string
		into        *float64
	}{
		{"gold rate", form.GoldRate, &q.GoldRate},
		{"repeat rate", form.RepeatRate, &q.RepeatRate},
		{"gold threshold", form.GoldThreshold, &q.GoldThreshold},
		{"disagreement threshold", form.Disagreement, &q.Disagreement},
	} {
		if f.value == "" {
			continue
		}
		x, err := strconv.ParseFloat(f.value, 64)
		if err != nil {
			return q, badInput(f.name + ": not a number")
		}
		*f.into = x
	}
	if v := strings.TrimSpace(r.PostFormValue("max_judgments")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return q, badInput("maximum judgments per pair: not a number")
		}
		q.MaxJudgments, form.MaxJudgments = n, n
	}
	return q, nil
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

	q, err := readQuality(r, &form)
	if err != nil {
		return annotation.ProjectSettings{}, form, err
	}

	ps := annotation.ProjectSettings{Name: form.Name, Guidelines: form.Guidelines, K: k,
		AskStrength:  annotation.Ask(form.AskStrength),
		AskRationale: annotation.Ask(form.AskRationale),
		Tags:         annotation.ParseTags(form.Tags), Quality: q}
	if err := ps.Validate(); err != nil {
		return ps, form, badInput(err.Error())
	}
	return ps, form, nil
}
