// Package agreement measures how far annotators agree: percent agreement,
// Cohen's, Fleiss' and Krippendorff's coefficients, consensus per pair,
// annotator quality and the adaptive overlap rule. It is pure computation on
// (item, annotator, label) and knows nothing of SQL or HTTP.
package agreement

import "fmt"

// Judgment is one annotator's label on one item.
type Judgment struct {
	Item      string
	Annotator string
	Label     string

	// Rank places the judgment on an ordered scale for ordinal alpha: 1 is
	// the lowest value. Zero means it has no place there and counts as
	// missing. Options.Order, when given, overrides it.
	Rank int
}

// coded holds judgments as small integers grouped by item, the form every
// statistic here works on. Codes follow the order of first appearance.
type coded struct {
	items      []string
	annotators []string
	labels     []string

	// The judgments of item i are at start[i]:start[i+1] of ann, lab and rank.
	start []int32
	ann   []int32
	lab   []int32
	rank  []int32

	// duplicates counts judgments dropped because the same annotator had
	// already judged the item.
	duplicates int
}

// dictionary gives strings dense integer codes in order of first appearance.
type dictionary struct {
	codes map[string]int32
	names []string
	last  string
	lastC int32
}

func newDictionary(hint int) *dictionary {
	return &dictionary{codes: make(map[string]int32, hint), lastC: -1}
}

// code returns s's code, adding it when new. Rows often come sorted, so the
// previous string is checked first, and a few strings (labels) are compared
// one by one, which is quicker than hashing.
func (d *dictionary) code(s string) int32 {
	if d.lastC >= 0 && s == d.last {
		return d.lastC
	}
	if len(d.names) <= 8 {
		for c, name := range d.names {
			if name == s {
				d.last, d.lastC = s, int32(c)
				return int32(c)
			}
		}
	}

	c, ok := d.codes[s]
	if !ok {
		c = int32(len(d.names))
		d.codes[s] = c
		d.names = append(d.names, s)
	}
	d.last, d.lastC = s, c
	return c
}

// encode codes the judgments, groups them by item and drops repeated
// judgments of an item by the same annotator (the first one stays).
func encode(js []Judgment) (*coded, error) {
	items := newDictionary(len(js) / 3)
	item := make([]int32, len(js))
	for i, j := range js {
		if j.Rank < 0 {
			return nil, fmt.Errorf("judgment %d: rank %d is negative", i, j.Rank)
		}
		item[i] = items.code(j.Item)
	}

	d := &coded{items: items.names}
	d.group(js, item)
	d.dropDuplicates()
	return d, nil
}

// group sorts the judgments by item with a counting sort, keeping their
// order within an item, and codes annotators and labels on the way.
func (d *coded) group(js []Judgment, item []int32) {
	n := len(js)
	start := make([]int32, len(d.items)+1)
	for _, it := range item {
		start[it+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}

	anns, labs := newDictionary(64), newDictionary(8)
	next := make([]int32, len(d.items))
	copy(next, start)
	d.ann, d.lab, d.rank = make([]int32, n), make([]int32, n), make([]int32, n)
	for i, j := range js {
		p := next[item[i]]
		next[item[i]]++
		d.ann[p] = anns.code(j.Annotator)
		d.lab[p] = labs.code(j.Label)
		d.rank[p] = int32(j.Rank)
	}
	d.start, d.annotators, d.labels = start, anns.names, labs.names
}

// dropDuplicates keeps each annotator's first judgment of an item.
func (d *coded) dropDuplicates() {
	seen := make([]int32, len(d.annotators))
	for i := range seen {
		seen[i] = -1
	}

	w := int32(0)
	for it := range d.items {
		from, to := d.start[it], d.start[it+1]
		d.start[it] = w
		for p := from; p < to; p++ {
			a := d.ann[p]
			if seen[a] == int32(it) {
				d.duplicates++
				continue
			}
			seen[a] = int32(it)
			d.ann[w], d.lab[w], d.rank[w] = a, d.lab[p], d.rank[p]
			w++
		}
	}
	d.start[len(d.items)] = w
	d.ann, d.lab, d.rank = d.ann[:w], d.lab[:w], d.rank[:w]
}

// size returns the number of judgments of item it.
func (d *coded) size(it int) int { return int(d.start[it+1] - d.start[it]) }
