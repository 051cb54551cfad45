package web

import (
	"fmt"
	"log/slog"
	"net/http"
)

func (s *Server) runCancel(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "run")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.store.Run(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	u := currentUser(r.Context())
	if err := s.store.CancelRun(r.Context(), id, u.Name); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("Run cancel requested", slog.Int64("run_id", id), slog.Int64("by", u.ID))
	http.Redirect(w, r, fmt.Sprintf("/admin/runs/%d", id), http.StatusSeeOther)
}
