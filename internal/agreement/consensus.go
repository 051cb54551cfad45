package agreement

import (
	"math"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// Verdict is what a pair's judgments say together.
type Verdict struct {
	Label   annotation.Choice // empty when there are no votes
	Share   float64           // Label's share of the (weighted) votes
	Entropy float64           // of the (weighted) vote shares, in bits
	Votes   int               // judgments counted

	// Contested says that another label had as much weight as Label, which
	// then won by the tie-break.
	Contested bool
}

// tieBreak is the order in which equally weighted labels win: the more
// cautious verdict first, so that a split pair never yields a preference
// unless one side has more raw votes.
var tieBreak = [4]int{2, 3, 0, 1} // tie, both_bad, a, b as choice indexes

// tally adds up the votes of one pair.
type tally struct {
	weight [4]float64
	votes  [4]int
}

// add counts a judgment. Weighted, a or b counts its strength (1 to 3, 1
// when none was given) and tie or both bad count 1; unweighted, every vote
// counts 1. Swapped repeats and unknown choices are skipped.
func (t *tally) add(p PairJudgment, weighted bool) {
	c := choiceIndex(p.Choice)
	if c < 0 || p.Repeat {
		return
	}
	w := 1.0
	if weighted && (c == 0 || c == 1) && p.Strength > annotation.StrengthNone {
		w = float64(p.Strength)
	}
	t.weight[c] += w
	t.votes[c]++
}

// verdict picks the heaviest label. Among equally heavy labels the one with
// more raw votes wins, then the first in tieBreak order.
func (t *tally) verdict() Verdict {
	total, n := 0.0, 0
	for c := range 4 {
		total += t.weight[c]
		n += t.votes[c]
	}
	if n == 0 {
		return Verdict{}
	}

	best, contested := -1, false
	for _, c := range tieBreak {
		switch {
		case best < 0 || t.weight[c] > t.weight[best]:
			best, contested = c, false
		case t.weight[c] == t.weight[best] && t.weight[c] > 0:
			contested = true
			if t.votes[c] > t.votes[best] {
				best = c
			}
		}
	}

	v := Verdict{
		Label:     annotation.Choices[best],
		Share:     t.weight[best] / total,
		Votes:     n,
		Contested: contested,
	}
	for c := range 4 {
		if p := t.weight[c] / total; p > 0 {
			v.Entropy -= p * math.Log2(p)
		}
	}
	return v
}

// Consensus returns the verdict of one pair's judgments, weighting votes by
// strength when weighted is true (see tally.add for the weights).
func Consensus(js []PairJudgment, weighted bool) Verdict {
	var t tally
	for _, j := range js {
		t.add(j, weighted)
	}
	return t.verdict()
}

// ItemVerdict is the consensus of one pair.
type ItemVerdict struct {
	Item string
	Verdict
}

// ConsensusByItem returns the verdict of every pair in js, in order of the
// pairs' first appearance.
func ConsensusByItem(js []PairJudgment, weighted bool) []ItemVerdict {
	items := newDictionary(len(js) / 3)
	tallies := make([]tally, 0, len(js)/3)
	for _, j := range js {
		it := items.code(j.Item)
		if int(it) == len(tallies) {
			tallies = append(tallies, tally{})
		}
		tallies[it].add(j, weighted)
	}

	out := make([]ItemVerdict, len(tallies))
	for it := range tallies {
		out[it] = ItemVerdict{Item: items.names[it], Verdict: tallies[it].verdict()}
	}
	return out
}
