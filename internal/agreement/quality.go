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

// qualityState carries what Quality gathers in its passes.
type qualityState struct {
	items   *dictionary
	counts  [][4]int32 // original choices per item, one per annotator
	byName  map[string]int
	out     []AnnotatorQuality
	seconds [][]float64
	first   map[[2]int32]int // (item, annotator) to the choice of the original
	counted []bool           // which judgments are the first original of their pair
}

// Quality measures every annotator in js, ordered by name. gold maps items
// to their gold answers and may be nil. Judgments with a choice other than
// the four verdicts are ignored.
func Quality(js []PairJudgment, gold map[string]annotation.Choice) []AnnotatorQuality {
	s := &qualityState{
		items:   newDictionary(len(js) / 3),
		byName:  make(map[string]int),
		first:   make(map[[2]int32]int, len(js)),
		counted: make([]bool, len(js)),
	}
	for i, j := range js {
		s.gather(i, j, gold)
	}
	for i, j := range js {
		s.compare(i, j)
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

// annotator returns the index of name's entry, adding it when new.
func (s *qualityState) annotator(name string) int {
	a, ok := s.byName[name]
	if !ok {
		a = len(s.out)
		s.byName[name] = a
		s.out = append(s.out, AnnotatorQuality{Annotator: name})
		s.seconds = append(s.seconds, nil)
	}
	return a
}

// gather counts what needs no other judgment, and the original choices per
// item for the majority and self-consistency of the second pass.
func (s *qualityState) gather(i int, j PairJudgment, gold map[string]annotation.Choice) {
	c := choiceIndex(j.Choice)
	if c < 0 {
		return
	}
	a := s.annotator(j.Annotator)
	q := &s.out[a]
	if j.Seconds > 0 {
		s.seconds[a] = append(s.seconds[a], j.Seconds)
	}
	if c <= 1 && (j.LeftShown == annotation.ChoiceA || j.LeftShown == annotation.ChoiceB) {
		q.Left.count(j.Choice == j.LeftShown)
	}
	if j.Repeat {
		q.Repeats++
		return
	}

	it := s.items.code(j.Item)
	if int(it) == len(s.counts) {
		s.counts = append(s.counts, [4]int32{})
	}
	key := [2]int32{it, int32(a)}
	if _, seen := s.first[key]; seen {
		return // a second original of the same pair counts nowhere
	}
	s.first[key] = c
	s.counted[i] = true
	s.counts[it][c]++

	q.Judgments++
	q.Ties.count(c == 2)
	q.BothBad.count(c == 3)
	if g, ok := gold[j.Item]; ok {
		q.Gold.count(j.Choice == g)
	}
}

// compare scores a judgment against the others' majority, or a repeat
// against its original.
func (s *qualityState) compare(i int, j PairJudgment) {
	c := choiceIndex(j.Choice)
	it, known := s.items.codes[j.Item]
	if c < 0 || !known {
		return // an unknown choice, or only repeats of this pair
	}
	a := s.byName[j.Annotator]
	if j.Repeat {
		if orig, ok := s.first[[2]int32{it, int32(a)}]; ok {
			s.out[a].SelfConsistency.count(c == orig)
		}
		return
	}
	if !s.counted[i] {
		return // a second original of the pair
	}

	others := s.counts[it]
	others[c]--
	if top, ok := plurality(others); ok {
		s.out[a].Majority.count(c == top)
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
