package agreement

import (
	"cmp"
	"math"
	"slices"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// Share is a number of hits out of a number of cases.
type Share struct {
	Hits int `json:"hits"`
	Of   int `json:"of"`
}

// Rate returns Hits/Of, NaN when there were no cases.
func (s Share) Rate() float64 {
	if s.Of == 0 {
		return nan()
	}
	return float64(s.Hits) / float64(s.Of)
}

func (s *Share) count(hit bool) {
	s.Of++
	if hit {
		s.Hits++
	}
}

// AnnotatorQuality measures one annotator's work. Rates over original
// judgments leave swapped repeats out; Left and MedianSeconds use both.
type AnnotatorQuality struct {
	Annotator string
	Judgments int // original judgments
	Repeats   int // swapped repeats

	// Majority counts the original judgments that match the most common
	// choice of the other annotators on the same pair, over the pairs where
	// one choice is more common than every other.
	Majority Share

	// Gold counts the original judgments of pairs with a gold answer that
	// match it.
	Gold Share

	// Left counts the a or b choices that picked the response shown on the
	// left, among those whose side is known. LeftP is the exact two-sided
	// binomial p-value of that count against one half: small values hint at
	// position bias.
	Left  Share
	LeftP float64

	Ties    Share // ties among original judgments
	BothBad Share // both bad among original judgments

	MedianSeconds float64 // over judgments with a recorded time; NaN if none

	// SelfConsistency counts the swapped repeats whose choice equals that of
	// the original judgment (the first one when there are several).
	SelfConsistency Share
}

// qualityState carries what Quality gathers while it walks the pairs.
type qualityState struct {
	js      []PairJudgment
	gold    map[string]annotation.Choice
	anns    *dictionary
	out     []AnnotatorQuality
	seconds [][]float64

	// For the pair at hand: which annotators gave an original judgment
	// (stamp holds the pair's number) and its choice.
	stamp  []int32
	choice []int
	first  []bool // scratch: which of the pair's judgments count as originals
}

// Quality measures every annotator in js, ordered by name. gold maps items
// to their gold answers and may be nil. Judgments with a choice other than
// the four verdicts are ignored.
func Quality(js []PairJudgment, gold map[string]annotation.Choice) []AnnotatorQuality {
	s := &qualityState{js: js, gold: gold, anns: newDictionary(64)}
	start, order := groupPairs(js)
	for it := 0; it+1 < len(start); it++ {
		s.pair(int32(it), order[start[it]:start[it+1]])
	}

	for a := range s.out {
		s.out[a].MedianSeconds = median(s.seconds[a])
		s.out[a].LeftP = BinomialHalf(s.out[a].Left.Hits, s.out[a].Left.Of)
	}
	slices.SortFunc(s.out, func(x, y AnnotatorQuality) int {
		return cmp.Compare(x.Annotator, y.Annotator)
	})
	return s.out
}

// groupPairs returns the indexes of the judgments with a valid choice,
// grouped by pair (pair i at start[i]:start[i+1]), in input order within.
func groupPairs(js []PairJudgment) (start, order []int32) {
	items := newDictionary(len(js) / 3)
	item := make([]int32, len(js))
	for i, j := range js {
		item[i] = -1
		if choiceIndex(j.Choice) >= 0 {
			item[i] = items.code(j.Item)
		}
	}

	start = make([]int32, len(items.names)+1)
	for _, it := range item {
		if it >= 0 {
			start[it+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	next := slices.Clone(start[:len(items.names)])
	order = make([]int32, start[len(items.names)])
	for i, it := range item {
		if it >= 0 {
			order[next[it]] = int32(i)
			next[it]++
		}
	}
	return start, order
}

// annotator returns the index of name's entry, adding it when new.
func (s *qualityState) annotator(name string) int {
	a := int(s.anns.code(name))
	if a == len(s.out) {
		s.out = append(s.out, AnnotatorQuality{Annotator: name})
		s.seconds = append(s.seconds, nil)
		s.stamp = append(s.stamp, -1)
		s.choice = append(s.choice, 0)
	}
	return a
}

// pair scores the judgments of one pair, given by their indexes.
func (s *qualityState) pair(it int32, idx []int32) {
	// The first original of each annotator is the one that counts; a second
	// original counts nowhere. first marks them.
	var votes [4]int32
	first := s.first[:0]
	for k, i := range idx {
		first = append(first, false)
		j := s.js[i]
		a := s.annotator(j.Annotator)
		s.single(a, j)
		if !j.Repeat && s.stamp[a] != it {
			s.stamp[a], s.choice[a], first[k] = it, choiceIndex(j.Choice), true
			votes[s.choice[a]]++
		}
	}
	s.first = first

	for k, i := range idx {
		j := s.js[i]
		a := s.anns.code(j.Annotator)
		c := choiceIndex(j.Choice)
		switch {
		case j.Repeat && s.stamp[a] == it:
			s.out[a].SelfConsistency.count(c == s.choice[a])
		case first[k]:
			s.original(int(a), j, c, votes)
		}
	}
}

// single counts what one judgment shows on its own: time and side.
func (s *qualityState) single(a int, j PairJudgment) {
	q := &s.out[a]
	if j.Seconds > 0 {
		s.seconds[a] = append(s.seconds[a], j.Seconds)
	}
	sided := j.LeftShown == annotation.ChoiceA || j.LeftShown == annotation.ChoiceB
	if sided && (j.Choice == annotation.ChoiceA || j.Choice == annotation.ChoiceB) {
		q.Left.count(j.Choice == j.LeftShown)
	}
	if j.Repeat {
		q.Repeats++
	}
}

// original scores an annotator's original judgment of a pair against gold
// and against the others' majority; votes holds every original's choice.
func (s *qualityState) original(a int, j PairJudgment, c int, votes [4]int32) {
	q := &s.out[a]
	q.Judgments++
	q.Ties.count(c == 2)
	q.BothBad.count(c == 3)
	if g, ok := s.gold[j.Item]; ok {
		q.Gold.count(j.Choice == g)
	}

	votes[c]--
	if top, ok := plurality(votes); ok {
		q.Majority.count(c == top)
	}
}

// plurality returns the choice with strictly the most votes, if any.
func plurality(votes [4]int32) (int, bool) {
	best, unique := 0, true
	for c := 1; c < 4; c++ {
		switch {
		case votes[c] > votes[best]:
			best, unique = c, true
		case votes[c] == votes[best]:
			unique = false
		}
	}
	return best, unique && votes[best] > 0
}

// median returns the median of xs, NaN when empty. It sorts xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return nan()
	}
	slices.Sort(xs)
	m := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[m]
	}
	return (xs[m-1] + xs[m]) / 2
}

// BinomialHalf returns the exact two-sided p-value of k successes in n
// trials when each succeeds with probability one half: twice the smaller
// tail, at most 1.
func BinomialHalf(k, n int) float64 {
	if n <= 0 || k < 0 || k > n {
		return 1
	}
	m := min(k, n-k)

	// Terms shrink as i falls below n/2, so summing downward from m lets
	// the loop stop once they no longer matter.
	logHalfN := float64(n) * math.Ln2
	lgN, _ := math.Lgamma(float64(n + 1))
	tail := 0.0
	for i := m; i >= 0; i-- {
		lgI, _ := math.Lgamma(float64(i + 1))
		lgR, _ := math.Lgamma(float64(n - i + 1))
		term := math.Exp(lgN - lgI - lgR - logHalfN)
		tail += term
		if term < tail*1e-17 {
			break
		}
	}
	return min(1, 2*tail)
}
