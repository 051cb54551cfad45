package templates

import (
	"fmt"
	"math"
	"strconv"
)

// ReviewProjectRow is one project on the lead's list.
type ReviewProjectRow struct {
	ID        int64
	Name      string
	Pairs     int
	Complete  int
	Judgments int
}

// URL is the project's summary page.
func (p ReviewProjectRow) URL() string { return fmt.Sprintf("/review/%d", p.ID) }

// ReviewIndexPage lists the projects a lead can review.
type ReviewIndexPage struct {
	Page
	Projects []ReviewProjectRow
}

// Stat is one figure of a project summary.
type Stat struct {
	Label string
	Value string
	Note  string
}

// AnnotatorRow is one annotator's quality, formatted.
type AnnotatorRow struct {
	UserID          int64
	Name            string
	Judgments       int
	Repeats         int
	Majority        string
	Gold            string
	Left            string
	LeftP           string
	Ties            string
	BothBad         string
	MedianSeconds   string
	SelfConsistency string
	Flagged         bool
	PositionBias    bool
	Paused          bool
	PauseReason     string
	PauseURL        string
}

// ReviewProjectPage is a project's agreement summary for a lead.
type ReviewProjectPage struct {
	Page
	ProjectID     int64
	ProjectName   string
	Stats         []Stat
	PerDay        Chart
	Kappa         Heatmap
	Annotators    []AnnotatorRow
	Bias          Chart
	ComputedAt    string
	GoldThreshold string
	MinGold       int
}

// DisagreementsURL is the project's disagreement queue.
func (p ReviewProjectPage) DisagreementsURL() string {
	return fmt.Sprintf("/review/%d/disagreements", p.ProjectID)
}

// Chart is a small server-drawn SVG chart: bars, reference lines and text.
type Chart struct {
	Width, Height int
	Bars          []Bar
	Lines         []Line
	Texts         []Text
}

// Bar is one rectangle of a chart, with a tooltip.
type Bar struct {
	X, Y, W, H float64
	Fill       string
	Title      string
}

// Line is a reference line.
type Line struct {
	X1, Y1, X2, Y2 float64
	Stroke         string
}

// Text is a label placed at (X, Y); Anchor is start, middle or end.
type Text struct {
	X, Y   float64
	Anchor string
	Value  string
}

// Empty reports whether the chart has nothing to draw.
func (c Chart) Empty() bool { return len(c.Bars) == 0 }

// ViewBox is the chart's SVG viewBox.
func (c Chart) ViewBox() string { return fmt.Sprintf("0 0 %d %d", c.Width, c.Height) }

// num formats a coordinate for an SVG attribute.
func num(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// BiasBar is one annotator's share of left-side picks.
type BiasBar struct {
	Name   string
	Left   float64 // share of a or b picks on the left, NaN when none
	Of     int
	Biased bool // the binomial test says the share is unlikely by chance
}

// NewBiasChart draws each annotator's share of left picks as a horizontal
// bar from 0 to 100%, with a line at 50%; biased annotators in red.
func NewBiasChart(bars []BiasBar) Chart {
	const label, plot, row = 140.0, 360.0, 18.0
	c := Chart{Width: int(label + plot + 60), Height: int(row*float64(len(bars)) + 24)}
	for i, b := range bars {
		y := float64(i) * row
		c.Texts = append(c.Texts, Text{X: label - 6, Y: y + 13, Anchor: "end", Value: b.Name})
		if math.IsNaN(b.Left) {
			c.Texts = append(c.Texts, Text{X: label + 4, Y: y + 13, Anchor: "start",
				Value: "no side picks"})
			continue
		}
		fill := "#4a78c2"
		if b.Biased {
			fill = "#c0392b"
		}
		c.Bars = append(c.Bars, Bar{X: label, Y: y + 3, W: plot * b.Left, H: row - 6, Fill: fill,
			Title: fmt.Sprintf("%s: %.0f%% left of %d", b.Name, 100*b.Left, b.Of)})
		c.Texts = append(c.Texts, Text{X: label + plot + 6, Y: y + 13, Anchor: "start",
			Value: fmt.Sprintf("%.0f%%", 100*b.Left)})
	}
	bottom := row * float64(len(bars))
	c.Lines = append(c.Lines, Line{X1: label + plot/2, Y1: 0, X2: label + plot/2, Y2: bottom,
		Stroke: "#333"})
	c.Texts = append(c.Texts, Text{X: label, Y: bottom + 16, Anchor: "start", Value: "0%"},
		Text{X: label + plot/2, Y: bottom + 16, Anchor: "middle", Value: "50% left"},
		Text{X: label + plot, Y: bottom + 16, Anchor: "end", Value: "100%"})
	return c
}

// DayBar is the number of judgments on one day.
type DayBar struct {
	Day string
	N   int
}

// NewDayChart draws judgments per day as vertical bars.
func NewDayChart(days []DayBar) Chart {
	const height, bottom = 120.0, 20.0
	width := max(16.0, min(40.0, 600.0/math.Max(1, float64(len(days)))))
	c := Chart{Width: int(max(width*float64(len(days)), 160) + 60),
		Height: int(height + bottom + 8)}
	most := 1
	for _, d := range days {
		most = max(most, d.N)
	}
	for i, d := range days {
		h := height * float64(d.N) / float64(most)
		x := 40 + float64(i)*width
		c.Bars = append(c.Bars, Bar{X: x + 1, Y: height - h + 4, W: width - 2, H: h,
			Fill: "#4a78c2", Title: fmt.Sprintf("%s: %d judgments", d.Day, d.N)})
	}
	c.Lines = append(c.Lines, Line{X1: 40, Y1: height + 4, X2: float64(c.Width) - 20,
		Y2: height + 4, Stroke: "#333"})
	c.Texts = append(c.Texts, Text{X: 36, Y: 14, Anchor: "end", Value: strconv.Itoa(most)})
	switch {
	case len(days) == 1:
		c.Texts = append(c.Texts, Text{X: 40, Y: height + bottom + 4, Anchor: "start",
			Value: days[0].Day})
	case len(days) > 1:
		c.Texts = append(c.Texts,
			Text{X: 40, Y: height + bottom + 4, Anchor: "start", Value: days[0].Day},
			Text{X: 40 + width*float64(len(days)), Y: height + bottom + 4, Anchor: "end",
				Value: days[len(days)-1].Day})
	}
	return c
}

// Heatmap is Cohen's kappa between every two annotators as coloured cells.
type Heatmap struct {
	Names  []HeatName
	Cells  []HeatCell
	Width  int
	Height int
	Legend []HeatCell
}

// HeatName is an annotator's label along both axes.
type HeatName struct {
	Name   string
	X, Y   float64 // the row label's anchor
	TX, TY float64 // the column label's anchor (rotated)
}

// Transform rotates the column label.
func (n HeatName) Transform() string {
	return fmt.Sprintf("rotate(-45 %s %s)", num(n.TX), num(n.TY))
}

// HeatCell is one coloured cell with its value written inside.
type HeatCell struct {
	X, Y, Size float64
	Fill       string
	Ink        string
	Text       string
	Title      string
}

// KappaOf gives the kappa of two annotators and how many items they share;
// ok is false when they share too few for a kappa.
type KappaOf func(a, b string) (kappa float64, shared int, ok bool)

// NewHeatmap lays out the kappa of every two of names in a square grid.
func NewHeatmap(names []string, kappa KappaOf) Heatmap {
	const margin, cell = 130.0, 34.0
	n := float64(len(names))
	// Room on the right for the last rotated column label, and for the
	// legend's seven cells however few annotators there are.
	h := Heatmap{Width: int(margin + cell*max(n, 7) + 100), Height: int(margin + cell*n + 50)}
	for i, name := range names {
		pos := margin + cell*float64(i)
		h.Names = append(h.Names, HeatName{Name: name, X: margin - 6, Y: pos + cell/2 + 4,
			TX: pos + cell/2, TY: margin - 6})
		for j, other := range names {
			c := HeatCell{X: margin + cell*float64(j), Y: pos, Size: cell - 1}
			k, shared, ok := kappa(name, other)
			switch {
			case i == j:
				c.Fill, c.Ink, c.Text, c.Title = "#eeeeee", "#555555", "", name
			case !ok || math.IsNaN(k):
				c.Fill, c.Ink, c.Text = "#f4f4f4", "#777777", "·"
				c.Title = fmt.Sprintf("%s and %s: %d shared pairs, no kappa", name, other, shared)
			default:
				c.Fill, c.Ink = kappaColour(k)
				c.Text = fmt.Sprintf("%.2f", k)
				c.Title = fmt.Sprintf("%s and %s: kappa %.2f over %d pairs", name, other, k,
					shared)
			}
			h.Cells = append(h.Cells, c)
		}
	}
	for i, k := range []float64{-0.5, 0, 0.2, 0.4, 0.6, 0.8, 1} {
		c := HeatCell{X: margin + float64(i)*cell, Y: margin + cell*n + 8, Size: cell - 1,
			Text: fmt.Sprintf("%.1f", k), Title: "kappa scale"}
		c.Fill, c.Ink = kappaColour(k)
		h.Legend = append(h.Legend, c)
	}
	return h
}

// kappaColour maps kappa to a fill on a diverging scale, red below zero,
// white at zero and blue at one, and the ink that reads on it.
func kappaColour(k float64) (fill, ink string) {
	k = math.Max(-1, math.Min(1, k))
	from, to := [3]float64{255, 255, 255}, [3]float64{33, 102, 172}
	if k < 0 {
		to = [3]float64{178, 24, 43}
	}
	t := math.Abs(k)
	var rgb [3]int
	for i := range rgb {
		rgb[i] = int(math.Round(from[i] + (to[i]-from[i])*t))
	}
	ink = "#111111"
	if t > 0.55 {
		ink = "#ffffff"
	}
	return fmt.Sprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]), ink
}

// DisagreementRow is one pair in the disagreement queue.
type DisagreementRow struct {
	URL         string
	PairID      int64
	Prompt      string
	Label       string
	Share       string
	Entropy     string
	Votes       int
	Adjudicated string // the adjudicated label, empty when none
}

// DisagreementsPage is the lead's queue of split pairs, most split first.
type DisagreementsPage struct {
	Page
	ProjectID   int64
	ProjectName string
	Rows        []DisagreementRow
	Total       int
	All         bool // adjudicated pairs shown too
}

// ProjectURL is the project's summary.
func (p DisagreementsPage) ProjectURL() string { return fmt.Sprintf("/review/%d", p.ProjectID) }

// ToggleURL shows or hides the adjudicated pairs.
func (p DisagreementsPage) ToggleURL() string {
	if p.All {
		return fmt.Sprintf("/review/%d/disagreements", p.ProjectID)
	}
	return fmt.Sprintf("/review/%d/disagreements?all=1", p.ProjectID)
}

// JudgmentRow is one judgment on the adjudication page.
type JudgmentRow struct {
	Who       string
	Source    bool
	Choice    string
	Strength  string
	Rationale string
	Kind      string
	ShownLeft string
	Seconds   string
	When      string
}

// AdjudicationRow is one recorded decision.
type AdjudicationRow struct {
	Label string
	Note  string
	By    string
	When  string
}

// ReviewPairPage is a pair with everything a lead needs to decide it.
type ReviewPairPage struct {
	Page
	ProjectID   int64
	ProjectName string
	PairID      int64
	Turns       []Turn
	A, B        Side
	AModel      string
	BModel      string
	Judgments   []JudgmentRow
	Consensus   string
	Share       string
	Entropy     string
	Votes       int
	Contested   bool // another label weighed as much as the consensus
	Final       string
	Adjudicated bool
	Gold        string
	Tags        string // comma-separated, for the form
	History     []AdjudicationRow
	Labels      []string
}

// AdjudicateURL is where a final label is posted.
func (p ReviewPairPage) AdjudicateURL() string {
	return fmt.Sprintf("/review/%d/pairs/%d/adjudicate", p.ProjectID, p.PairID)
}

// GoldURL is where the gold answer is posted.
func (p ReviewPairPage) GoldURL() string {
	return fmt.Sprintf("/review/%d/pairs/%d/gold", p.ProjectID, p.PairID)
}

// TagsURL is where the pair's tags are posted.
func (p ReviewPairPage) TagsURL() string {
	return fmt.Sprintf("/review/%d/pairs/%d/tags", p.ProjectID, p.PairID)
}

// QueueURL is the project's disagreement queue.
func (p ReviewPairPage) QueueURL() string {
	return fmt.Sprintf("/review/%d/disagreements", p.ProjectID)
}

// LabelName says a label in words.
func LabelName(label string) string {
	switch label {
	case "a":
		return "A is better"
	case "b":
		return "B is better"
	case "tie":
		return "tie"
	case "both_bad":
		return "both bad"
	case "":
		return "none"
	}
	return label
}
