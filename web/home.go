package web

import "net/http"

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/annotate", http.StatusSeeOther)
}
