package web

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// leadAdjudicate records a lead's final label for a pair.
func (s *Server) leadAdjudicate(w http.ResponseWriter, r *http.Request) {
	p, pr, err := s.pairParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	label := annotation.Choice(r.PostFormValue("label"))
	if !label.Valid() {
		s.fail(w, r, badInput("label: pick A, B, tie or both bad"))
		return
	}

	u := currentUser(r.Context())
	_, err = s.store.Adjudicate(r.Context(), pr.ID, u.ID, label, r.PostFormValue("note"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("Pair adjudicated", slog.Int64("pair_id", pr.ID), slog.String("label",
		string(label)), slog.Int64("by", u.ID))
	http.Redirect(w, r, fmt.Sprintf("/review/%d/pairs/%d?flash=adjudicated", p.ID,
		pr.ID), http.StatusSeeOther)
}
