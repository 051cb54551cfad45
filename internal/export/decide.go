package export

import (
	"math"
	"slices"

	"github.com/prefer-dev/prefer/internal/agreement"
	"github.com/prefer-dev/prefer/internal/annotation"
)

// Pair is one pair as the store streams it for an export.
type Pair struct {
	ID int64
	// ExternalID is the id the pair had in the file it came from, if any.
	ExternalID string
	Prompt     annotation.Prompt
	A, B       string
	Tags       []string

	// People and Sources are the labels of the ordinary judgments, in the
	// order they were made, by people and by imported sources.
	People, Sources []annotation.Choice

	// Adjudication is the pair's latest adjudication, empty when none.
	Adjudication annotation.Choice

	// Judgments are every judgment of the pair; the store fills them for
	// the judgments format only.
	Judgments []Judgment
}

// Judgment is one judgment as the judgments format writes it.
type Judgment struct {
	Annotator string            `json:"annotator"`
	Label     annotation.Choice `json:"label"`
	Strength  int               `json:"strength"`
	Rationale string            `json:"rationale"`
	ShownLeft *string           `json:"shown_left"`
	Seconds   *float64          `json:"seconds"`
	Kind      string            `json:"kind"`
	Source    bool              `json:"source"`
}

// Votes counts labels in the order of annotation.Choices: a, b, tie, both bad.
type Votes [4]int

// Total is the number of votes.
func (v Votes) Total() int { return v[0] + v[1] + v[2] + v[3] }

// Of returns the votes for one label.
func (v Votes) Of(c annotation.Choice) int {
	if i := slices.Index(annotation.Choices, c); i >= 0 {
		return v[i]
	}
	return 0
}

func countVotes(cs []annotation.Choice) Votes {
	var v Votes
	for _, c := range cs {
		if i := slices.Index(annotation.Choices, c); i >= 0 {
			v[i]++
		}
	}
	return v
}

// Reason says why a pair was left out; empty when it was kept.
type Reason string

// Why pairs are left out of an export.
const (
	ReasonTag            Reason = "tag"
	ReasonNoJudgments    Reason = "no_judgments"
	ReasonNoMajority     Reason = "no_majority"
	ReasonNotUnanimous   Reason = "not_unanimous"
	ReasonNotAdjudicated Reason = "not_adjudicated"
	ReasonLowAgreement   Reason = "below_min_agreement"
	ReasonTie            Reason = "tie"
	ReasonBothBad        Reason = "both_bad"
)

// Decision is what an export makes of one pair.
type Decision struct {
	Label       annotation.Choice
	Votes       Votes
	FromSource  bool
	Adjudicated bool
	Agreement   float64 // share of the votes for Label
	SoftLabel   float64 // probability that the chosen side is better
	Weight      float64
	Excluded    Reason
}

// Keep reports whether the pair is written.
func (d Decision) Keep() bool { return d.Excluded == "" }

// Decide applies the options' consensus rule and filters to one pair.
func Decide(p Pair, o Options) Decision {
	if len(o.Tags) > 0 && !hasAny(p.Tags, o.Tags) {
		return Decision{Excluded: ReasonTag}
	}
	d := consensus(p, o.Rule)
	if d.Excluded != "" {
		return d
	}
	if !d.Adjudicated && d.Agreement < o.MinAgreement {
		d.Excluded = ReasonLowAgreement
		return d
	}

	switch {
	case d.Label == annotation.ChoiceTie && (o.ExcludeTies || o.Format != FormatJudgments):
		d.Excluded = ReasonTie
	case d.Label == annotation.ChoiceBothBad && o.Format.Paired():
		d.Excluded = ReasonBothBad
	}
	return d
}

// consensus finds the pair's label under rule, with its vote figures.
func consensus(p Pair, rule Rule) Decision {
	labels := p.People
	d := Decision{}
	if len(labels) == 0 {
		labels, d.FromSource = p.Sources, len(p.Sources) > 0
	}
	d.Votes = countVotes(labels)

	switch {
	case p.Adjudication != "":
		d.Label, d.Adjudicated = p.Adjudication, true
	case rule == RuleAdjudicated:
		d.Excluded = ReasonNotAdjudicated
	case d.Votes.Total() == 0:
		d.Excluded = ReasonNoJudgments
	case rule == RuleUnanimous && d.Votes.Of(labels[0]) != len(labels):
		d.Excluded = ReasonNotUnanimous
	default:
		d.Label, d.Excluded = majority(labels)
	}
	if d.Excluded == "" {
		d.figures()
	}
	return d
}

// majority asks the agreement package for the unweighted consensus; a
// contested verdict (no single label with most votes) is no majority.
func majority(labels []annotation.Choice) (annotation.Choice, Reason) {
	js := make([]agreement.PairJudgment, len(labels))
	for i, c := range labels {
		js[i] = agreement.PairJudgment{Choice: c}
	}
	v := agreement.Consensus(js, false)
	if v.Contested {
		return "", ReasonNoMajority
	}
	return v.Label, ""
}

// figures fills agreement, soft label and weight from the votes.
func (d *Decision) figures() {
	total := d.Votes.Total()
	if total > 0 {
		d.Agreement = float64(d.Votes.Of(d.Label)) / float64(total)
	}
	d.Weight = d.Agreement
	d.SoftLabel = 0.5
	switch d.Label {
	case annotation.ChoiceA, annotation.ChoiceB:
		other := annotation.ChoiceB
		if d.Label == annotation.ChoiceB {
			other = annotation.ChoiceA
		}
		if total > 0 {
			chosen, rejected := d.Votes.Of(d.Label), d.Votes.Of(other)
			neither := total - chosen - rejected
			d.SoftLabel = (float64(chosen) + 0.5*float64(neither)) / float64(total)
		}
	}
	if d.Adjudicated && (d.Label == annotation.ChoiceA || d.Label == annotation.ChoiceB) {
		d.SoftLabel, d.Weight = 1, 1
	}
	d.Agreement, d.SoftLabel, d.Weight = round4(d.Agreement), round4(d.SoftLabel),
		round4(d.Weight)
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func hasAny(have, want []string) bool {
	for _, t := range want {
		if slices.Contains(have, t) {
			return true
		}
	}
	return false
}
