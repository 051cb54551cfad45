package web

import "github.com/prefer-dev/prefer/internal/annotation"

// leadRoutes are the lead's agreement and review pages.
func (s *Server) leadRoutes() []Route {
	lead := annotation.RoleLead
	return []Route{
		{"GET", "/review", lead, s.leadIndex},
		{"GET", "/review/{project}", lead, s.leadProject},
		{"GET", "/review/{project}/disagreements", lead, s.leadDisagreements},
		{"GET", "/review/{project}/pairs/{pair}", lead, s.leadPair},
		{"POST", "/review/{project}/pairs/{pair}/adjudicate", lead, s.leadAdjudicate},
		{"POST", "/review/{project}/pairs/{pair}/gold", lead, s.leadGold},
		{"POST", "/review/{project}/pairs/{pair}/tags", lead, s.leadTags},
		{"POST", "/review/{project}/annotators/{user}/pause", lead, s.leadPause},
	}
}
