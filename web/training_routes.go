package web

import "github.com/prefer-dev/prefer/internal/annotation"

// trainingRoutes are the admin's training run pages.
func (s *Server) trainingRoutes() []Route {
	admin := annotation.RoleAdmin
	return []Route{
		{"GET", "/admin/runs", admin, s.runList},
		{"GET", "/admin/runs/new", admin, s.runNew},
		{"POST", "/admin/runs", admin, s.runCreate},
		{"GET", "/admin/runs/{run}", admin, s.runShow},
		{"GET", "/admin/runs/{run}/events", admin, s.runEvents},
		{"POST", "/admin/runs/{run}/cancel", admin, s.runCancel},
		{"POST", "/admin/runs/{run}/samples", admin, s.runSamples},
		{"GET", "/admin/runs/{run}/checkpoint", admin, s.runCheckpoint},
		{"GET", "/admin/runs/{run}/metrics.csv", admin, s.runMetricsCSV},
	}
}
