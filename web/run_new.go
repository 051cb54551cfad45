package web

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) runNew(w http.ResponseWriter, r *http.Request) {
	f := runForm()
	f.Dataset = r.URL.Query().Get("dataset")
	s.renderRunForm(w, r, http.StatusOK, f)
}

func (s *Server) renderRunForm(w http.ResponseWriter, r *http.Request, status int,
	f templates.RunForm) {
	if err := s.fillChoices(r.Context(), &f); err != nil {
		s.fail(w, r, err)
		return
	}
	p := templates.NewRunPage{Page: page(r, "New training run", "runs"), Form: f}
	s.render(w, r, status, templates.NewRun(p))
}

func (s *Server) runCreate(w http.ResponseWriter, r *http.Request) {
	f, l, problems := readRunForm(r)
	if len(problems) == 0 {
		more, err := s.checkRefs(r.Context(), l)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		problems = more
	}
	if len(problems) > 0 {
		s.log.Warn("Run refused", slog.Any("problems", problems))
		f.Problems = problems
		s.renderRunForm(w, r, http.StatusBadRequest, f)
		return
	}

	cfg, err := json.Marshal(l.cfg)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u := currentUser(r.Context())
	run, err := s.store.CreateRun(r.Context(), store.NewRun{DatasetVersionID: l.datasetID,
		BaseRunID: l.baseID, Config: cfg, CreatedBy: u.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("Run queued", slog.Int64("run_id", run.ID), slog.Int64("by", u.ID),
		slog.Int64("dataset_version_id", l.datasetID))
	http.Redirect(w, r, fmt.Sprintf("/admin/runs/%d", run.ID), http.StatusSeeOther)
}
