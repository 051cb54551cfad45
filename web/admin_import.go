package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/importer"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) adminImportShow(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.Import(templates.ImportPage{
		Page: page(r, "Import into "+p.Name, "projects"), ProjectID: p.ID, ProjectName: p.Name}))
}

// adminImportSubmit streams the uploaded files, part by part, into one
// import transaction: nothing is buffered whole and nothing is written when
// any file is bad.
func (s *Server) adminImportSubmit(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, badInput("upload: expected a multipart form with files"))
		return
	}

	rep := &templates.ImportReport{}
	res, err := s.store.ImportPairs(r.Context(), p.ID,
		func(emit func(annotation.PairInput) error) error {
			return readUpload(r.Context(), mr, rep, emit)
		})
	status := http.StatusOK
	if err != nil {
		status, err = importFailure(err, rep)
		if status >= 500 {
			s.fail(w, r, err)
			return
		}
	} else {
		fillReport(rep, res)
		s.log.Info("Imported", slog.Int64("project_id", p.ID), slog.Int("added", res.Added),
			slog.Int("existing", res.Existing), slog.Int("judgments", res.Judgments))
	}

	s.render(w, r, status, templates.Import(templates.ImportPage{
		Page: page(r, "Import into "+p.Name, "projects"), ProjectID: p.ID, ProjectName: p.Name,
		Report: rep}))
}

// readUpload reads the form's parts in order: the field mapping, then each
// file (the form puts the mapping first, and browsers send fields in order).
func readUpload(ctx context.Context, mr *multipart.Reader, rep *templates.ImportReport,
	emit func(annotation.PairInput) error) error {
	var opts importer.Options
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return badInput(fmt.Sprintf("upload: %v", err))
		}

		switch part.FormName() {
		case "map":
			if len(rep.Files) > 0 {
				return badInput("upload: the field mapping must come before the files")
			}
			b, _ := io.ReadAll(io.LimitReader(part, 4096))
			if opts.Map, err = importer.ParseMap(string(b)); err != nil {
				return badInput(fmt.Sprintf("field mapping: %v", err))
			}
		case "files":
			if part.FileName() == "" {
				continue
			}
			fr, err := importer.Read(ctx, part.FileName(), part, opts, emit)
			if err != nil {
				return err
			}
			rep.Files = append(rep.Files, templates.ImportedFile{Name: part.FileName(),
				Format: fr.Format, Pairs: fr.Pairs})
		}
	}
	if len(rep.Files) == 0 {
		return badInput("upload: no file chosen")
	}
	return nil
}

// importFailure turns an import error into the report's list of problems
// when it is the file's fault.
func importFailure(err error, rep *templates.ImportReport) (int, error) {
	var list importer.ErrorList
	var one *importer.Error
	var in inputError
	switch {
	case errors.As(err, &list):
		for _, e := range list {
			rep.Errors = append(rep.Errors, e.Error())
		}
	case errors.As(err, &one):
		rep.Errors = append(rep.Errors, one.Error())
	case errors.As(err, &in):
		rep.Errors = append(rep.Errors, in.msg)
	case errors.Is(err, store.ErrConflict):
		rep.Errors = append(rep.Errors, err.Error())
	default:
		return http.StatusInternalServerError, err
	}
	return http.StatusUnprocessableEntity, nil
}

func fillReport(rep *templates.ImportReport, res store.ImportResult) {
	rep.Added, rep.Existing, rep.ExistingKeys = res.Added, res.Existing, res.ExistingKeys
	rep.Judgments, rep.Skipped = res.Judgments, res.SkippedJudgments
	rep.NewAnnotators = res.NewAnnotators
}
