package web

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// leadTags replaces a pair's tags, such as the failure mode it shows.
func (s *Server) leadTags(w http.ResponseWriter, r *http.Request) {
	p, pr, err := s.pairParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tags := annotation.ParseTags(r.PostFormValue("tags"))
	if err := annotation.CheckTags(tags); err != nil {
		s.fail(w, r, badInput(err.Error()))
		return
	}

	if err := s.store.SetPairTags(r.Context(), pr.ID, tags); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("Pair tags set", slog.Int64("pair_id", pr.ID), slog.Int("tags", len(tags)),
		slog.Int64("by", currentUser(r.Context()).ID))
	http.Redirect(w, r, fmt.Sprintf("/review/%d/pairs/%d?flash=saved", p.ID, pr.ID),
		http.StatusSeeOther)
}
