package web

import (
	"net/http"
	"strconv"

	"github.com/prefer-dev/prefer/internal/store"
)

// datasetDownload sends a version's stored gzip bytes as they are: the same
// bytes every time, whatever happened to the project since.
func (s *Server) datasetDownload(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "version")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.store.DatasetVersion(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	part := valueOr(r.FormValue("part"), store.PartTrain)
	data, err := s.store.DatasetVersionPart(r.Context(), id, part)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	name := fileName(v.Name)
	sum := v.SHA256
	if v.Split() {
		name += "." + part
		if part == store.PartTest {
			sum = v.TestSHA256
		}
	}
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.jsonl.gz"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("ETag", `"`+sum+`"`)
	w.Write(data)
}
