package web

import (
	"net/http"

	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	if currentUser(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	p := templates.LoginPage{Page: page(r, "Log in", ""), Next: r.URL.Query().Get("next")}
	s.render(w, r, http.StatusOK, templates.Login(p))
}

// safeNext keeps a redirect target on this site.
func safeNext(next string) string {
	if len(next) < 1 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return "/"
	}
	return next
}
