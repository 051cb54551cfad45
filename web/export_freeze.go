package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

// exportFreeze stores the export the form describes as a named version and
// goes to its page.
func (s *Server) exportFreeze(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o, form, err := readExportForm(r, p.ID)
	if err == nil && strings.TrimSpace(form.Name) == "" {
		err = badInput("name: give the version a name")
	}
	if err == nil {
		user := currentUser(r.Context())
		var v store.DatasetVersion
		v, err = s.store.FreezeDataset(r.Context(), p.ID, form.Name, o, user.ID)
		if err == nil {
			s.log.Info("Dataset version frozen", slog.Int64("version_id", v.ID),
				slog.Int64("project_id", p.ID), slog.Int64("rows", v.Rows+v.TestRows),
				slog.Int64("by", user.ID))
			http.Redirect(w, r, fmt.Sprintf("/admin/datasets/%d", v.ID), http.StatusSeeOther)
			return
		}
	}

	status, msg := statusOf(err)
	if errors.Is(err, store.ErrConflict) {
		msg = "A dataset version with that name already exists."
	}
	if status >= 500 {
		s.fail(w, r, err)
		return
	}
	preview, perr := s.preview(r, p.ID, o, form, err)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	pg := page(r, "Export "+p.Name, "datasets")
	pg.Error = msg
	s.render(w, r, status, templates.Export(templates.ExportPage{Page: pg,
		ProjectName: p.Name, Form: form, Preview: preview}))
}
