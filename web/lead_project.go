package web

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"slices"

	"github.com/prefer-dev/prefer/internal/agreement"
	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

// heatmapMost is how many annotators the kappa heatmap shows at most: those
// with the most judgments. Beyond that the cells become unreadable.
const heatmapMost = 30

// biasP is the p-value below which a share of left picks counts as biased.
const biasP = 0.01

// leadProject shows a project's agreement summary, from the cached report.
func (s *Server) leadProject(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.store.Report(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pauses, err := s.store.Pauses(ctx, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	view := templates.ReviewProjectPage{
		Page:          page(r, p.Name, "review"),
		ProjectID:     p.ID,
		ProjectName:   p.Name,
		Stats:         summaryStats(rep.Agreement, rep.Rounds),
		PerDay:        dayChart(rep.PerDay),
		Kappa:         kappaHeatmap(rep),
		ComputedAt:    when(rep.ComputedAt),
		GoldThreshold: percent(p.GoldThreshold),
		MinGold:       annotation.MinGold,
	}
	var bias []templates.BiasBar
	view.Annotators, bias = annotatorRows(p, rep, pauses)
	view.Bias = templates.NewBiasChart(bias)
	s.render(w, r, http.StatusOK, templates.ReviewProject(view))
}

// summaryStats lists the project-wide figures.
func summaryStats(a *agreement.Report, rounds int) []templates.Stat {
	interval := fmt.Sprintf("with 95%% bootstrap interval (%d resamples of the pairs)", rounds)
	stats := []templates.Stat{
		{Label: "Pairs judged", Value: fmt.Sprint(a.Items)},
		{Label: "Annotators", Value: fmt.Sprint(a.Annotators)},
		{Label: "Judgments", Value: fmt.Sprint(a.Judgments),
			Note: "people's ordinary judgments; gold checks and repeats left out"},
		{Label: "Krippendorff's alpha (nominal)", Value: alphaText(a.Nominal),
			Note: interval},
	}
	if a.Ordinal != nil {
		stats = append(stats, templates.Stat{Label: "Krippendorff's alpha (ordinal)",
			Value: alphaText(*a.Ordinal), Note: "a much better … tie … b much better; " + interval})
	}
	stats = append(stats,
		templates.Stat{Label: "Fleiss' kappa", Value: fixed(a.Fleiss), Note: a.FleissReason},
		cohenStat(a.Cohen),
		templates.Stat{Label: "Percent agreement", Value: percent(a.Percent),
			Note: "share of agreeing pairs of judgments"},
		templates.Stat{Label: "Percent agreement without ties",
			Value: percent(a.PercentWithoutTies), Note: "pairs of judgments with a tie left out"})
	return stats
}

// cohenStat summarises Cohen's kappa as its mean over annotator pairs.
func cohenStat(ks []agreement.PairKappa) templates.Stat {
	sum, n := 0.0, 0
	for _, k := range ks {
		if !math.IsNaN(k.Kappa) {
			sum += k.Kappa
			n++
		}
	}
	mean := math.NaN()
	if n > 0 {
		mean = sum / float64(n)
	}
	return templates.Stat{Label: "Cohen's kappa (mean)", Value: fixed(mean),
		Note: fmt.Sprintf("over %d pairs of annotators sharing at least %d pairs; see the heatmap",
			n, agreement.DefaultMinShared)}
}

func dayChart(days []store.DayCount) templates.Chart {
	bars := make([]templates.DayBar, len(days))
	for i, d := range days {
		bars[i] = templates.DayBar{Day: d.Day.Format("2006-01-02"), N: d.N}
	}
	return templates.NewDayChart(bars)
}

// kappaHeatmap lays out Cohen's kappa between the busiest annotators.
func kappaHeatmap(rep *store.ProjectReport) templates.Heatmap {
	type key struct{ a, b string }
	kappas := map[key]agreement.PairKappa{}
	inPair := map[string]bool{}
	for _, k := range rep.Agreement.Cohen {
		kappas[key{k.A, k.B}], kappas[key{k.B, k.A}] = k, k
		inPair[k.A], inPair[k.B] = true, true
	}

	qs := slices.Clone(rep.Quality)
	slices.SortStableFunc(qs, func(x, y agreement.AnnotatorQuality) int {
		return cmp.Compare(y.Judgments, x.Judgments)
	})
	var names []string
	for _, q := range qs {
		if inPair[q.Annotator] && len(names) < heatmapMost {
			names = append(names, q.Annotator)
		}
	}
	slices.Sort(names)
	return templates.NewHeatmap(names, func(a, b string) (float64, int, bool) {
		k, ok := kappas[key{a, b}]
		return k.Kappa, k.N, ok
	})
}

// annotatorRows formats each annotator's quality, with their pause state,
// and the bars of the position-bias chart.
func annotatorRows(p store.Project, rep *store.ProjectReport,
	pauses map[int64]store.Pause) ([]templates.AnnotatorRow, []templates.BiasBar) {
	rows := make([]templates.AnnotatorRow, 0, len(rep.Quality))
	bars := make([]templates.BiasBar, 0, len(rep.Quality))
	for _, q := range rep.Quality {
		id := rep.UserIDs[q.Annotator]
		biased := q.Left.Of > 0 && q.LeftP < biasP
		row := templates.AnnotatorRow{
			UserID: id, Name: q.Annotator, Judgments: q.Judgments, Repeats: q.Repeats,
			Majority: shareText(q.Majority), Gold: shareText(q.Gold), Left: shareText(q.Left),
			LeftP: pValue(q.LeftP), Ties: shareText(q.Ties), BothBad: shareText(q.BothBad),
			MedianSeconds:   oneDecimal(q.MedianSeconds),
			SelfConsistency: shareText(q.SelfConsistency),
			Flagged:         p.FailsGold(q.Gold.Hits, q.Gold.Of), PositionBias: biased,
			PauseURL: fmt.Sprintf("/review/%d/annotators/%d/pause", p.ID, id),
		}
		if q.Left.Of == 0 {
			row.LeftP = dash
		}
		if ps, ok := pauses[id]; ok && ps.Paused {
			row.Paused, row.PauseReason = true, ps.Reason
		}
		rows = append(rows, row)
		bars = append(bars, templates.BiasBar{Name: q.Annotator, Left: q.Left.Rate(),
			Of: q.Left.Of, Biased: biased})
	}
	return rows, bars
}
