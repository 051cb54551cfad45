package web

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/prefer-dev/prefer/templates"
)

// disagreementsShown is how many pairs the queue lists at once.
const disagreementsShown = 200

// leadDisagreements lists the project's split pairs, most split first.
func (s *Server) leadDisagreements(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all := r.URL.Query().Get("all") == "1"
	list, total, err := s.store.Disagreements(r.Context(), p.ID, disagreementsShown, all)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	view := templates.DisagreementsPage{Page: page(r, "Disagreements", "review"),
		ProjectID: p.ID, ProjectName: p.Name, Total: total, All: all}
	for _, d := range list {
		row := templates.DisagreementRow{
			URL:    fmt.Sprintf("/review/%d/pairs/%d", p.ID, d.PairID),
			PairID: d.PairID, Prompt: snippet(d.Prompt.Flatten(), 120),
			Label: string(d.Label), Share: percent(d.Share), Entropy: fixed(d.Entropy),
			Votes: d.Votes,
		}
		if d.Adjudication != nil {
			row.Adjudicated = string(d.Adjudication.Label)
		}
		view.Rows = append(view.Rows, row)
	}
	s.render(w, r, http.StatusOK, templates.Disagreements(view))
}

// snippet cuts s to at most n characters, marking the cut.
func snippet(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
