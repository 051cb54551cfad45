package agreement

// OverlapRule decides how many judgments a pair gets: K to begin with, then
// one more at a time while they disagree by more than Threshold, up to Max.
// Disagreement is the share of judgments that differ from the most common
// choice: 0 when all agree, 1/3 for a two-to-one split.
type OverlapRule struct {
	K         int
	Threshold float64
	Max       int // a Max below K counts as K
}

// Needed returns how many more judgments the pair needs now, given its
// judgments so far. Swapped repeats and unknown choices are not counted.
func (r OverlapRule) Needed(js []PairJudgment) int {
	var votes [4]int
	n := 0
	for _, j := range js {
		if i := choiceIndex(j.Choice); i >= 0 && !j.Repeat {
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
