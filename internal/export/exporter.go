package export

import (
	"fmt"
	"io"
	"sort"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// Counts say what an export kept and why it left pairs out.
type Counts struct {
	Pairs    int `json:"pairs"`    // pairs looked at
	Kept     int `json:"kept"`     // pairs written
	Rows     int `json:"rows"`     // rows written
	Train    int `json:"train"`    // rows in the train part (all rows without a split)
	Test     int `json:"test"`     // rows in the test part
	Chosen   int `json:"chosen"`   // kept pairs with a chosen side
	Ties     int `json:"ties"`     // kept pairs whose consensus is a tie
	BothBad  int `json:"both_bad"` // kept pairs whose consensus is both bad
	Sourced  int `json:"sourced"`  // kept pairs whose votes came from a source
	Adjudged int `json:"adjudicated"`

	// Excluded counts the pairs left out by reason.
	Excluded map[Reason]int `json:"excluded"`
	// Tags counts the kept pairs by tag.
	Tags map[string]int `json:"tags"`
}

// TagCount is one tag with its kept pairs.
type TagCount struct {
	Tag   string
	Pairs int
}

// SortedTags lists the tag counts, most pairs first, then by name.
func (c Counts) SortedTags() []TagCount {
	out := make([]TagCount, 0, len(c.Tags))
	for t, n := range c.Tags {
		out = append(out, TagCount{t, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pairs != out[j].Pairs {
			return out[i].Pairs > out[j].Pairs
		}
		return out[i].Tag < out[j].Tag
	})
	return out
}

// flushAt is the buffered size at which rows go to the writer.
const flushAt = 64 << 10

// Exporter writes the pairs it is given, one at a time, to the train and
// test writers and counts them. Either writer may be nil to count only.
type Exporter struct {
	opt         Options
	train, test io.Writer
	bufs        [2][]byte
	counts      Counts
}

// NewExporter checks the options and returns an exporter. Without a split
// every row goes to train.
func NewExporter(o Options, train, test io.Writer) (*Exporter, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Exporter{opt: o, train: train, test: test,
		counts: Counts{Excluded: map[Reason]int{}, Tags: map[string]int{}}}, nil
}

// Add decides one pair and writes its rows when it is kept.
func (e *Exporter) Add(p Pair) error {
	e.counts.Pairs++
	d := Decide(p, e.opt)
	if !d.Keep() {
		e.counts.Excluded[d.Excluded]++
		return nil
	}
	e.count(p, d)

	part := 0
	if e.opt.Splits() && !InTrain(p.Prompt.Flatten(), e.opt.Split, e.opt.Seed) {
		part = 1
	}
	before := len(e.bufs[part])
	e.bufs[part] = AppendRows(e.bufs[part], p, d, e.opt)
	rows := countLines(e.bufs[part][before:])
	e.counts.Rows += rows
	if part == 0 {
		e.counts.Train += rows
	} else {
		e.counts.Test += rows
	}
	if len(e.bufs[part]) >= flushAt {
		return e.flush(part)
	}
	return nil
}

func (e *Exporter) count(p Pair, d Decision) {
	e.counts.Kept++
	switch d.Label {
	case annotation.ChoiceTie:
		e.counts.Ties++
	case annotation.ChoiceBothBad:
		e.counts.BothBad++
	default:
		e.counts.Chosen++
	}
	if d.FromSource {
		e.counts.Sourced++
	}
	if d.Adjudicated {
		e.counts.Adjudged++
	}
	for _, t := range p.Tags {
		e.counts.Tags[t]++
	}
}

// Close writes what is still buffered and returns the counts.
func (e *Exporter) Close() (Counts, error) {
	for part := range e.bufs {
		if err := e.flush(part); err != nil {
			return e.counts, err
		}
	}
	return e.counts, nil
}

func (e *Exporter) flush(part int) error {
	w := e.train
	if part == 1 {
		w = e.test
	}
	buf := e.bufs[part]
	e.bufs[part] = buf[:0]
	if w == nil || len(buf) == 0 {
		return nil
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write rows: %w", err)
	}
	return nil
}

func countLines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}
