package web

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// leadGold sets or clears a pair's gold answer.
func (s *Server) leadGold(w http.ResponseWriter, r *http.Request) {
	p, pr, err := s.pairParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	gold := annotation.Choice(r.PostFormValue("gold"))
	if gold != "" && !gold.Valid() {
		s.fail(w, r, badInput("gold: pick A, B, tie, both bad or not gold"))
		return
	}

	if err := s.store.SetGold(r.Context(), pr.ID, gold); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("Gold answer set", slog.Int64("pair_id", pr.ID), slog.String("gold",
		string(gold)), slog.Int64("by", currentUser(r.Context()).ID))
	http.Redirect(w, r, fmt.Sprintf("/review/%d/pairs/%d?flash=gold", p.ID,
		pr.ID), http.StatusSeeOther)
}
