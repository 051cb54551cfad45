package agreement

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prefer-dev/prefer/internal/annotation"
)

const (
	choiceA = annotation.ChoiceA
	choiceB = annotation.ChoiceB
	tie     = annotation.ChoiceTie
	bothBad = annotation.ChoiceBothBad
)

func TestPairRank(t *testing.T) {
	tests := []struct {
		c    annotation.Choice
		s    annotation.Strength
		want string // PairScale entry, "" for no rank
	}{
		{choiceA, 3, "a_much"},
		{choiceA, 2, "a_clearly"},
		{choiceA, 1, "a_slightly"},
		{tie, 0, "tie"},
		{choiceB, 1, "b_slightly"},
		{choiceB, 2, "b_clearly"},
		{choiceB, 3, "b_much"},
		{choiceA, 0, ""},
		{bothBad, 0, ""},
		{"nonsense", 2, ""},
	}
	for _, tt := range tests {
		got := ""
		if r := PairRank(tt.c, tt.s); r > 0 {
			got = PairScale[r-1]
		}
		if got != tt.want {
			t.Errorf("PairRank(%s, %d) is %q on the scale, want %q", tt.c, tt.s, got, tt.want)
		}
	}
}

func TestAgreementJudgments(t *testing.T) {
	ps := []PairJudgment{
		{Item: "p", Annotator: "x", Choice: choiceA, Strength: 2},
		{Item: "p", Annotator: "x", Choice: choiceB, Strength: 2, Repeat: true},
		{Item: "p", Annotator: "y", Choice: bothBad},
		{Item: "p", Annotator: "z", Choice: tie},
	}
	tests := []struct {
		strengths bool
		want      []Judgment
	}{
		{true, []Judgment{
			{Item: "p", Annotator: "x", Label: "a", Rank: 2},
			{Item: "p", Annotator: "y", Label: "both_bad"},
			{Item: "p", Annotator: "z", Label: "tie", Rank: 4},
		}},
		{false, []Judgment{
			{Item: "p", Annotator: "x", Label: "a", Rank: 1},
			{Item: "p", Annotator: "y", Label: "both_bad"},
			{Item: "p", Annotator: "z", Label: "tie", Rank: 2},
		}},
	}
	for _, tt := range tests {
		got := AgreementJudgments(ps, tt.strengths)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("strengths=%v (-want +got):\n%s", tt.strengths, diff)
		}
	}
}

// votes builds one pair's judgments, one per annotator, from choice and
// strength pairs.
func votes(cs ...any) []PairJudgment {
	var ps []PairJudgment
	for i := 0; i < len(cs); i += 2 {
		ps = append(ps, PairJudgment{
			Item:      "p",
			Annotator: string(rune('a' + i/2)),
			Choice:    cs[i].(annotation.Choice),
			Strength:  annotation.Strength(cs[i+1].(int)),
		})
	}
	return ps
}

func TestConsensus(t *testing.T) {
	third := math.Log2(3) // entropy of three equal shares
	tests := []struct {
		name     string
		js       []PairJudgment
		weighted bool
		want     Verdict
	}{
		{"unanimous", votes(choiceA, 1, choiceA, 3), false,
			Verdict{Label: choiceA, Share: 1, Votes: 2}},
		{"two to one", votes(choiceB, 1, choiceB, 1, choiceA, 3), false,
			Verdict{Label: choiceB, Share: 2.0 / 3, Entropy: entropy(2, 1), Votes: 3}},
		{"strength outweighs numbers", votes(choiceB, 1, choiceB, 1, choiceA, 3), true,
			Verdict{Label: choiceA, Share: 3.0 / 5, Entropy: entropy(3, 2), Votes: 3}},
		{"a against b goes to the tie-break", votes(choiceA, 2, choiceB, 2), true,
			Verdict{Label: choiceA, Share: 0.5, Entropy: 1, Votes: 2, Contested: true}},
		{"cautious label wins a tie", votes(choiceA, 0, tie, 0, choiceB, 0), false,
			Verdict{Label: tie, Share: 1.0 / 3, Entropy: third, Votes: 3, Contested: true}},
		{"both bad before a", votes(choiceA, 1, bothBad, 0), true,
			Verdict{Label: bothBad, Share: 0.5, Entropy: 1, Votes: 2, Contested: true}},
		{"raw votes break an equal weight", votes(choiceA, 2, choiceB, 1, choiceB, 1), true,
			Verdict{Label: choiceB, Share: 0.5, Entropy: 1, Votes: 3, Contested: true}},
		{"no votes", nil, false, Verdict{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Consensus(tt.js, tt.weighted)
			if diff := cmp.Diff(tt.want, got, floats); diff != "" {
				t.Errorf("Consensus (-want +got):\n%s", diff)
			}
		})
	}
}

// entropy returns the entropy in bits of weights.
func entropy(ws ...float64) float64 {
	total := 0.0
	for _, w := range ws {
		total += w
	}
	h := 0.0
	for _, w := range ws {
		h -= w / total * math.Log2(w/total)
	}
	return h
}

func TestConsensusSkipsRepeats(t *testing.T) {
	js := votes(choiceA, 1, choiceB, 1, choiceB, 1)
	js[1].Repeat, js[2].Repeat = true, true
	got := Consensus(js, false)
	if got.Label != choiceA || got.Votes != 1 {
		t.Errorf("Consensus = %+v, want a with one vote", got)
	}
}

func TestConsensusByItem(t *testing.T) {
	js := append(votes(choiceA, 1, choiceA, 1), votes(tie, 0, choiceB, 3, choiceB, 1)...)
	for i := 2; i < len(js); i++ {
		js[i].Item = "q"
	}
	got := ConsensusByItem(js, true)
	want := []ItemVerdict{
		{Item: "p", Verdict: Consensus(js[:2], true)},
		{Item: "q", Verdict: Consensus(js[2:], true)},
	}
	if diff := cmp.Diff(want, got, floats); diff != "" {
		t.Errorf("ConsensusByItem (-want +got):\n%s", diff)
	}
	if got[1].Label != choiceB || got[1].Share != 0.8 {
		t.Errorf("q: %+v, want b with share 0.8", got[1])
	}
}

func TestOverlapRule(t *testing.T) {
	rule := OverlapRule{K: 3, Threshold: 0.3, Max: 5}
	repeated := votes(choiceA, 0, choiceA, 0, choiceB, 0)
	repeated[1].Repeat = true
	tests := []struct {
		name string
		rule OverlapRule
		js   []PairJudgment
		want int
	}{
		{"none yet", rule, nil, 3},
		{"one so far", rule, votes(choiceA, 1), 2},
		{"agreed", rule, votes(choiceA, 1, choiceA, 2, choiceA, 3), 0},
		{"split two to one", rule, votes(choiceA, 1, choiceA, 1, choiceB, 1), 1},
		{"settled at three to one", rule,
			votes(choiceA, 1, choiceA, 1, choiceB, 1, choiceA, 1), 0},
		{"still split", rule, votes(choiceA, 1, choiceB, 1, tie, 0, choiceA, 1), 1},
		{"at the maximum", rule,
			votes(choiceA, 1, choiceB, 1, tie, 0, bothBad, 0, choiceA, 1), 0},
		{"maximum below k", OverlapRule{K: 2, Threshold: 0, Max: 1},
			votes(choiceA, 1, choiceB, 1), 0},
		{"repeats and unknown choices ignored", rule,
			append(repeated, votes(annotation.Choice("?"), 0)...), 1},
	}
	for _, tt := range tests {
		if got := tt.rule.Needed(tt.js); got != tt.want {
			t.Errorf("%s: Needed = %d, want %d", tt.name, got, tt.want)
		}
	}
}
