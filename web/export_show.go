package web

import (
	"errors"
	"net/http"

	"github.com/prefer-dev/prefer/internal/export"
	"github.com/prefer-dev/prefer/templates"
)

// exportShow shows the export form with the preview of its options.
func (s *Server) exportShow(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o, form, err := readExportForm(r, p.ID)
	preview, err := s.preview(r, p.ID, o, form, err)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.Export(templates.ExportPage{
		Page: page(r, "Export "+p.Name, "datasets"), ProjectName: p.Name, Form: form,
		Preview: preview}))
}

// exportPreview answers the form's changes with the counts alone.
func (s *Server) exportPreview(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o, form, err := readExportForm(r, p.ID)
	preview, err := s.preview(r, p.ID, o, form, err)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.ExportPreviewPart(preview))
}

// preview counts the export without writing it. A bad option becomes the
// preview's message; only a failure of ours is returned.
func (s *Server) preview(r *http.Request, projectID int64, o export.Options,
	form templates.ExportForm, formErr error) (templates.ExportPreview, error) {
	pv := templates.ExportPreview{Form: form}
	var in inputError
	if errors.As(formErr, &in) {
		pv.Error = in.msg
		return pv, nil
	}
	counts, err := s.store.Export(r.Context(), projectID, o, nil, nil)
	if err != nil {
		return pv, err
	}
	pv.Counts = countsView(counts, o.Splits())
	return pv, nil
}
