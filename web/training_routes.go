package web

// trainingRoutes are the admin's training run pages.
func (s *Server) trainingRoutes() []Route {
	return nil
}
