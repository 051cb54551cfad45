package web

import (
	"net/http"
	"net/url"
	"strings"

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

// safeNext keeps a redirect target on this site: a path that starts with
// one slash, with no backslash and no control character (browsers drop
// tabs and newlines, which would turn "/\t/evil" into "//evil").
func safeNext(next string) string {
	if len(next) < 1 || next[0] != '/' || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}
