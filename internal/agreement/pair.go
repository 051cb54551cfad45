package agreement

import "github.com/prefer-dev/prefer/internal/annotation"

// PairJudgment is one annotator's verdict on a pair, in the pair's own
// terms, with what quality and consensus need besides the label.
type PairJudgment struct {
	Item      string // the pair
	Annotator string
	Choice    annotation.Choice
	Strength  annotation.Strength

	// LeftShown is the response shown on the left, a or b; empty when not
	// known. A choice equal to it picked the left side.
	LeftShown annotation.Choice

	// Seconds is the time spent on the judgment, zero when not recorded.
	Seconds float64

	// Repeat marks a swapped repeat of the annotator's original judgment
	// of the same pair.
	Repeat bool
}

// PairScale is the ordinal scale of a pairwise judgment, lowest first: from
// a much better, through tie, to b much better. PairRank gives positions.
var PairScale = []string{
	"a_much", "a_clearly", "a_slightly", "tie", "b_slightly", "b_clearly", "b_much",
}

// PairRank returns a choice's place on PairScale, 1 to 7, with 4 for a tie.
// Both bad has no place on the scale, and neither has a or b without a
// strength: both get 0, which ordinal alpha treats as missing.
func PairRank(c annotation.Choice, s annotation.Strength) int {
	if c == annotation.ChoiceTie {
		return 4
	}
	if s < annotation.StrengthSlightly || s > annotation.StrengthMuch {
		return 0
	}
	switch c {
	case annotation.ChoiceA:
		return 4 - int(s)
	case annotation.ChoiceB:
		return 4 + int(s)
	}
	return 0
}

// AgreementJudgments turns pair judgments into judgments for Compute,
// labelled by choice. With strengths, the ranks follow PairScale; without,
// the three-step order a, tie, b (both bad again missing). Swapped repeats
// are left out: they measure self-consistency, not agreement.
func AgreementJudgments(ps []PairJudgment, strengths bool) []Judgment {
	js := make([]Judgment, 0, len(ps))
	for _, p := range ps {
		if p.Repeat {
			continue
		}
		j := Judgment{Item: p.Item, Annotator: p.Annotator, Label: string(p.Choice)}
		if strengths {
			j.Rank = PairRank(p.Choice, p.Strength)
		} else {
			j.Rank = threeStepRank(p.Choice)
		}
		js = append(js, j)
	}
	return js
}

func threeStepRank(c annotation.Choice) int {
	switch c {
	case annotation.ChoiceA:
		return 1
	case annotation.ChoiceTie:
		return 2
	case annotation.ChoiceB:
		return 3
	}
	return 0
}

// choiceIndex numbers the four choices 0 to 3 in the order of
// annotation.Choices, and anything else -1.
func choiceIndex(c annotation.Choice) int {
	switch c {
	case annotation.ChoiceA:
		return 0
	case annotation.ChoiceB:
		return 1
	case annotation.ChoiceTie:
		return 2
	case annotation.ChoiceBothBad:
		return 3
	}
	return -1
}
