package agreement

import "github.com/prefer-dev/prefer/internal/annotation"

// OverlapRule decides how many judgments a pair gets: K to begin with, then
// one more at a time while they disagree by more than Threshold, up to Max.
// Disagreement is the share of judgments that differ from the most common
// choice: 0 when all agree, 1/3 for a two-to-one split.
type OverlapRule struct {
	K         int
	Threshold float64
	Max       int // a Max below K counts as K
}

// Needed returns how many more judgments the pair needs now, given the
// choices of its judgments so far (swapped repeats left out by the caller).
// Choices other than the four verdicts are ignored.
func (r OverlapRule) Needed(choices []annotation.Choice) int {
	var votes [4]int
	n := 0
	for _, c := range choices {
		if i := choiceIndex(c); i >= 0 {
			votes[i]++
			n++
		}
	}

	if n < r.K {
		return r.K - n
	}
	if n == 0 || n >= max(r.Max, r.K) {
		return 0
	}
	top := max(votes[0], votes[1], votes[2], votes[3])
	if disagreement := 1 - float64(top)/float64(n); disagreement > r.Threshold {
		return 1
	}
	return 0
}
