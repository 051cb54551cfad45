package web

import (
	"net/http"

	"github.com/prefer-dev/prefer/internal/export"
	"github.com/prefer-dev/prefer/templates"
)

// readyPairs is the rule of thumb: about this many pairs with a clear
// preference before a fine-tune is worth it.
const readyPairs = 5000

// exportReadiness is the project page's readiness card: pairs with a clear
// majority against the rule of thumb, agreement, ties and both-bad, tags.
func (s *Server) exportReadiness(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.store.Export(r.Context(), p.ID, export.DefaultOptions(), nil, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	report, err := s.store.ProjectAgreementReport(r.Context(), p, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	rd := templates.Readiness{ProjectID: p.ID, Pairs: c.Kept, Target: readyPairs,
		Judged:  c.Pairs - c.Excluded[export.ReasonNoJudgments],
		Ties:    c.Excluded[export.ReasonTie],
		BothBad: c.Excluded[export.ReasonBothBad], Agreement: agreementView(report)}
	for _, t := range c.SortedTags() {
		rd.Tags = append(rd.Tags, templates.NameCount{Name: t.Tag, Count: t.Pairs})
	}
	s.render(w, r, http.StatusOK, templates.ExportReadiness(rd))
}
