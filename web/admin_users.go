package web

import (
	"net/http"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, page(r, "People", "users"), "", "")
}

// renderUsers shows the list of people, with a password to show once when
// one was just created.
func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int,
	pg templates.Page, who, pw string) {
	users, err := s.store.ListUsers(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := templates.UsersPage{Page: pg, NewPassword: pw, NewPasswordUser: who,
		Users: make([]templates.UserRow, len(users))}
	for _, role := range annotation.Roles {
		p.Roles = append(p.Roles, string(role))
	}
	for i, u := range users {
		p.Users[i] = templates.UserRow{ID: u.ID, Name: u.Name, Email: u.Email,
			Role: string(u.Role), Active: u.Active, HasPassword: u.HasPassword}
	}
	s.render(w, r, status, templates.Users(p))
}
