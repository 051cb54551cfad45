package web

// leadRoutes are the lead's agreement and review pages.
func (s *Server) leadRoutes() []Route {
	return nil
}
