package web

import (
	"fmt"
	"log/slog"
	"net/http"
)

// leadPause pauses or unpauses an annotator in a project.
func (s *Server) leadPause(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	userID, err := idParam(r, "user")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	action := r.PostFormValue("action")
	if action != "pause" && action != "unpause" {
		s.fail(w, r, badInput("action: must be pause or unpause"))
		return
	}

	lead := currentUser(r.Context())
	if err := s.store.SetPaused(r.Context(), p.ID, userID, lead.ID, action == "pause"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("Annotator pause changed", slog.Int64("project_id", p.ID),
		slog.Int64("user_id", userID), slog.String("action", action), slog.Int64("by", lead.ID))
	http.Redirect(w, r, fmt.Sprintf("/review/%d?flash=saved", p.ID), http.StatusSeeOther)
}
