package web

import (
	"net/http"

	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

// datasetList lists the frozen dataset versions.
func (s *Server) datasetList(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.DatasetVersions(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]templates.VersionRow, len(list))
	for i, v := range list {
		rows[i] = versionRow(v)
	}
	s.render(w, r, http.StatusOK, templates.Datasets(templates.DatasetsPage{
		Page: page(r, "Dataset versions", "datasets"), Versions: rows}))
}

func versionRow(v store.DatasetVersion) templates.VersionRow {
	return templates.VersionRow{ID: v.ID, Name: v.Name, ProjectName: v.ProjectName,
		Format: string(v.Options.Format), Rule: string(v.Options.Rule), Rows: v.Rows,
		TestRows: v.TestRows, Split: v.Split(), SHA256: v.SHA256, TestSHA256: v.TestSHA256,
		Size: v.Size, TestSize: v.TestSize, CreatedBy: v.CreatedBy,
		Created: v.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")}
}
