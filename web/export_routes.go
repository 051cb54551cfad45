package web

import "github.com/prefer-dev/prefer/internal/annotation"

// exportRoutes are the admin's export and dataset version pages.
func (s *Server) exportRoutes() []Route {
	admin := annotation.RoleAdmin
	return []Route{
		{"GET", "/admin/projects/{project}/export", admin, s.exportShow},
		{"GET", "/admin/projects/{project}/export/preview", admin, s.exportPreview},
		{"GET", "/admin/projects/{project}/export/download", admin, s.exportDownload},
		{"POST", "/admin/projects/{project}/export/versions", admin, s.exportFreeze},
		{"GET", "/admin/projects/{project}/readiness", admin, s.exportReadiness},
		{"GET", "/admin/datasets", admin, s.datasetList},
		{"GET", "/admin/datasets/{version}", admin, s.datasetShow},
		{"GET", "/admin/datasets/{version}/download", admin, s.datasetDownload},
	}
}
