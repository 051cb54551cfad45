package web

import (
	"log/slog"
	"net/http"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/password"
	"github.com/prefer-dev/prefer/internal/store"
)

func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := idParam(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}

	var change store.UserChange
	var newPassword string
	switch r.PostFormValue("action") {
	case "role":
		role, err := annotation.ParseRole(r.PostFormValue("role"))
		if err != nil {
			s.fail(w, r, badInput(err.Error()))
			return
		}
		change.Role = &role
	case "deactivate", "activate":
		active := r.PostFormValue("action") == "activate"
		change.Active = &active
	case "password":
		newPassword = password.Generate()
		hash, err := password.Hash(newPassword)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		change.PasswordHash = &hash
	default:
		s.fail(w, r, badInput("action: must be role, activate, deactivate or password"))
		return
	}

	if err := s.keepAnAdmin(r, id, change); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.store.UpdateUser(ctx, id, change)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("User changed", slog.Int64("user_id", id), slog.String("action",
		r.PostFormValue("action")), slog.Int64("by", currentUser(ctx).ID))

	if newPassword != "" {
		s.renderUsers(w, r, http.StatusOK, page(r, "People", "users"), u.Name, newPassword)
		return
	}
	http.Redirect(w, r, "/admin/users?flash=saved", http.StatusSeeOther)
}

// keepAnAdmin refuses a change that would leave an admin locking themselves
// out: demoting or deactivating their own account.
func (s *Server) keepAnAdmin(r *http.Request, id int64, c store.UserChange) error {
	if id != currentUser(r.Context()).ID {
		return nil
	}
	if (c.Role != nil && *c.Role != annotation.RoleAdmin) || (c.Active != nil && !*c.Active) {
		return badInput("You cannot demote or deactivate yourself; ask another admin.")
	}
	return nil
}
