package web

// exportRoutes are the admin's export and dataset version pages.
func (s *Server) exportRoutes() []Route {
	return nil
}
