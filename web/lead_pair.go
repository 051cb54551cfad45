package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/markdown"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

// leadPair shows a pair with its judgments, consensus and gold answer, and
// the forms to decide it.
func (s *Server) leadPair(w http.ResponseWriter, r *http.Request) {
	p, pr, err := s.pairParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view, err := s.reviewPairView(r.Context(), p, pr)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view.Page = page(r, fmt.Sprintf("Pair #%d", pr.ID), "review")
	s.render(w, r, http.StatusOK, templates.ReviewPair(view))
}

// pairParam loads the project and the pair named by the URL; a pair of
// another project is not found.
func (s *Server) pairParam(r *http.Request) (store.Project, store.ReviewPair, error) {
	p, err := s.projectParam(r)
	if err != nil {
		return p, store.ReviewPair{}, err
	}
	id, err := idParam(r, "pair")
	if err != nil {
		return p, store.ReviewPair{}, err
	}
	pr, err := s.store.PairInProject(r.Context(), p.ID, id)
	return p, pr, err
}

func (s *Server) reviewPairView(ctx context.Context, p store.Project,
	pr store.ReviewPair) (templates.ReviewPairPage, error) {
	js, err := s.store.JudgmentsOfPair(ctx, pr.ID)
	if err != nil {
		return templates.ReviewPairPage{}, err
	}
	c, err := s.store.PairConsensus(ctx, pr.ID)
	if err != nil {
		return templates.ReviewPairPage{}, err
	}
	history, err := s.store.Adjudications(ctx, pr.ID)
	if err != nil {
		return templates.ReviewPairPage{}, err
	}

	v := templates.ReviewPairPage{
		ProjectID: p.ID, ProjectName: p.Name, PairID: pr.ID,
		A:      templates.Side{Label: "A", HTML: markdown.Render(pr.A.Text)},
		B:      templates.Side{Label: "B", HTML: markdown.Render(pr.B.Text)},
		AModel: pr.A.Model, BModel: pr.B.Model,
		Consensus: string(c.Label), Share: percent(c.Share), Entropy: fixed(c.Entropy),
		Votes: c.Votes, Contested: c.Contested, Final: string(c.Final()), Adjudicated: c.Adjudicated(),
		Gold: string(pr.Gold), Tags: strings.Join(pr.Tags, ", "),
	}
	for _, l := range annotation.Choices {
		v.Labels = append(v.Labels, string(l))
	}
	for _, m := range pr.Prompt.Turns() {
		v.Turns = append(v.Turns, templates.Turn{Role: m.Role, HTML: markdown.Render(m.Content)})
	}
	for _, j := range js {
		v.Judgments = append(v.Judgments, judgmentRow(j))
	}
	for _, h := range history {
		v.History = append(v.History, templates.AdjudicationRow{Label: string(h.Label),
			Note: h.Note, By: h.UserName, When: when(h.CreatedAt)})
	}
	return v, nil
}

func judgmentRow(j store.Judgment) templates.JudgmentRow {
	row := templates.JudgmentRow{Who: j.Annotator, Source: j.IsSource, Choice: string(j.Choice),
		Strength: j.Strength.String(), Rationale: j.Rationale, Kind: j.Kind,
		ShownLeft: j.ShownLeft, Seconds: dash, When: when(j.CreatedAt)}
	if j.Imported {
		row.Kind += ", imported"
	}
	if j.Seconds > 0 {
		row.Seconds = fmt.Sprintf("%.0f", j.Seconds)
	}
	return row
}
