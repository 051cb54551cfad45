package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/password"
	"github.com/prefer-dev/prefer/internal/store"
)

func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	role, err := annotation.ParseRole(r.PostFormValue("role"))
	if err == nil {
		_, err = mail.ParseAddress(email)
		if err != nil {
			err = errors.New("email: not a valid address")
		}
	}
	if err != nil {
		pg := page(r, "People", "users")
		pg.Error = err.Error()
		s.renderUsers(w, r, http.StatusBadRequest, pg, "", "")
		return
	}

	pw := password.Generate()
	hash, err := password.Hash(pw)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.store.CreateUser(r.Context(), store.NewUser{Name: r.PostFormValue("name"),
		Email: email, Role: role, PasswordHash: hash})
	if errors.Is(err, store.ErrConflict) {
		pg := page(r, "People", "users")
		pg.Error = "A person with that name or email already exists."
		s.renderUsers(w, r, http.StatusConflict, pg, "", "")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}

	s.log.Info("User created", slog.Int64("user_id", u.ID), slog.String("role", string(role)),
		slog.Int64("by", currentUser(r.Context()).ID))
	s.renderUsers(w, r, http.StatusOK, page(r, "People", "users"), u.Name, pw)
}
