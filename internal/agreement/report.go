package agreement

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// DefaultMinShared is how many items two annotators must share, unless
// Options say otherwise, for their Cohen's kappa to be reported.
const DefaultMinShared = 10

// Options choose what a Report computes.
type Options struct {
	// Ties names the labels that mean a tie. When given, percent agreement
	// is also reported without the pairs in which either judgment is a tie.
	Ties []string

	// Order lists labels from lowest to highest. It gives the ranks for
	// ordinal alpha, overriding Judgment.Rank; other labels count as missing.
	Order []string

	// MinShared is the fewest shared items for Cohen's kappa; zero means
	// DefaultMinShared.
	MinShared int

	// Interval asks for interval alpha as well, on the ranks taken as
	// equally spaced numbers.
	Interval bool

	// Rounds is the number of bootstrap resamples of the items behind each
	// alpha's 95% interval; zero skips the intervals. Seed seeds them, so
	// the same judgments and seed give the same interval. Items with fewer
	// than two values add nothing to alpha and are not resampled.
	Rounds int
	Seed   uint64
}

// Alpha is Krippendorff's alpha with its bootstrap interval. Value is NaN
// when alpha is undefined, Low and High when no interval was computed.
type Alpha struct {
	Value, Low, High float64
}

// Report is the agreement of a set of judgments. Undefined statistics are
// NaN; they marshal to JSON null.
type Report struct {
	Items      int
	Annotators int
	Judgments  int // judgments used, after dropping duplicates
	Duplicates int // later judgments of an item by the same annotator, ignored

	Percent            float64
	PercentWithoutTies float64 // NaN also when no TieLabels were given
	TieLabels          []string

	Fleiss       float64
	FleissReason string // why Fleiss' kappa is NaN

	Nominal        Alpha
	Ordinal        *Alpha // nil when the judgments have no order
	Interval       *Alpha // nil unless asked
	OrdinalMissing int    // judgments without a rank, left out of ordinal alpha

	Cohen []PairKappa

	rounds int
}

// Compute measures the agreement of the judgments. An annotator's second
// judgment of the same item is ignored and counted in Duplicates.
func Compute(js []Judgment, opt Options) (*Report, error) {
	if opt.MinShared < 0 || opt.Rounds < 0 {
		return nil, fmt.Errorf("min shared %d and rounds %d must not be negative",
			opt.MinShared, opt.Rounds)
	}
	d, err := encode(js)
	if err != nil {
		return nil, err
	}
	ordinal, err := d.applyOrder(opt.Order)
	if err != nil {
		return nil, err
	}

	r := &Report{
		Items:      len(d.items),
		Annotators: len(d.annotators),
		Judgments:  len(d.lab),
		Duplicates: d.duplicates,
		TieLabels:  opt.Ties,
		rounds:     opt.Rounds,
	}
	r.nominal(d, opt)
	if ordinal {
		r.ordinal(d, opt)
	}
	r.Fleiss, r.FleissReason = fleiss(d)
	r.Cohen = cohen(d, cmpOr(opt.MinShared, DefaultMinShared))
	return r, nil
}

// nominal fills the statistics that treat labels as unordered categories.
func (r *Report) nominal(d *coded, opt Options) {
	us := buildUnits(d.start, d.lab, len(d.labels))
	r.Percent = us.percent()
	r.Nominal = estimate(us, Nominal, opt)
	r.PercentWithoutTies = nan()
	if len(opt.Ties) == 0 {
		return
	}

	tie := make([]bool, len(d.labels))
	for l, name := range d.labels {
		tie[l] = contains(opt.Ties, name)
	}
	vals := make([]int32, len(d.lab))
	for p, l := range d.lab {
		vals[p] = l
		if tie[l] {
			vals[p] = -1
		}
	}
	r.PercentWithoutTies = buildUnits(d.start, vals, len(d.labels)).percent()
}

// ordinal fills ordinal (and when asked interval) alpha from the ranks.
func (r *Report) ordinal(d *coded, opt Options) {
	top := int32(0)
	vals := make([]int32, len(d.rank))
	for p, k := range d.rank {
		vals[p] = k - 1
		top = max(top, k)
		if k == 0 {
			r.OrdinalMissing++
		}
	}

	us := buildUnits(d.start, vals, int(top))
	a := estimate(us, Ordinal, opt)
	r.Ordinal = &a
	if opt.Interval {
		a := estimate(us, Interval, opt)
		r.Interval = &a
	}
}

// applyOrder sets the ranks from order when it is given, and reports
// whether the judgments have an order at all.
func (d *coded) applyOrder(order []string) (bool, error) {
	if len(order) == 0 {
		for _, k := range d.rank {
			if k > 0 {
				return true, nil
			}
		}
		return false, nil
	}

	rank := make([]int32, len(d.labels))
	for i, name := range order {
		if contains(order[:i], name) {
			return false, fmt.Errorf("order lists label %q twice", name)
		}
		for l, have := range d.labels {
			if have == name {
				rank[l] = int32(i + 1)
			}
		}
	}
	for p, l := range d.lab {
		d.rank[p] = rank[l]
	}
	return true, nil
}

func estimate(us *units, m Metric, opt Options) Alpha {
	a := Alpha{Value: alphaOf(us, m), Low: nan(), High: nan()}
	if opt.Rounds > 0 {
		a.Low, a.High = bootstrap(us, m, opt.Rounds, opt.Seed)
	}
	return a
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func cmpOr(x, fallback int) int {
	if x == 0 {
		return fallback
	}
	return x
}

// reportJSON fixes the keys and their order; a nil RawMessage is omitted.
type reportJSON struct {
	Items          int             `json:"items"`
	Annotators     int             `json:"annotators"`
	Judgments      int             `json:"judgments"`
	Duplicates     int             `json:"duplicates_ignored,omitempty"`
	Percent        json.RawMessage `json:"percent_agreement"`
	WithoutTies    json.RawMessage `json:"percent_agreement_without_ties,omitempty"`
	Fleiss         json.RawMessage `json:"fleiss_kappa"`
	FleissReason   string          `json:"fleiss_kappa_reason,omitempty"`
	Nominal        json.RawMessage `json:"krippendorff_alpha_nominal"`
	NominalCI      json.RawMessage `json:"krippendorff_alpha_nominal_ci,omitempty"`
	Ordinal        json.RawMessage `json:"krippendorff_alpha_ordinal,omitempty"`
	OrdinalCI      json.RawMessage `json:"krippendorff_alpha_ordinal_ci,omitempty"`
	OrdinalMissing int             `json:"krippendorff_alpha_ordinal_missing,omitempty"`
	Interval       json.RawMessage `json:"krippendorff_alpha_interval,omitempty"`
	IntervalCI     json.RawMessage `json:"krippendorff_alpha_interval_ci,omitempty"`
	Cohen          []PairKappa     `json:"cohen_kappa"`
}

// MarshalJSON writes the report with the keys of `prefer agreement`.
func (r Report) MarshalJSON() ([]byte, error) {
	out := reportJSON{
		Items:        r.Items,
		Annotators:   r.Annotators,
		Judgments:    r.Judgments,
		Duplicates:   r.Duplicates,
		Percent:      number(r.Percent),
		Fleiss:       number(r.Fleiss),
		FleissReason: r.FleissReason,
		Cohen:        r.Cohen,
	}
	if out.Cohen == nil {
		out.Cohen = []PairKappa{}
	}
	if len(r.TieLabels) > 0 {
		out.WithoutTies = number(r.PercentWithoutTies)
	}
	out.Nominal, out.NominalCI = r.alphaJSON(&r.Nominal)
	if r.Ordinal != nil {
		out.Ordinal, out.OrdinalCI = r.alphaJSON(r.Ordinal)
		out.OrdinalMissing = r.OrdinalMissing
	}
	if r.Interval != nil {
		out.Interval, out.IntervalCI = r.alphaJSON(r.Interval)
	}
	return json.Marshal(out)
}

// alphaJSON returns alpha and its interval, the interval nil when no
// bootstrap was run and null when it was but gave none.
func (r Report) alphaJSON(a *Alpha) (value, ci json.RawMessage) {
	value = number(a.Value)
	if r.rounds == 0 {
		return value, nil
	}
	if math.IsNaN(a.Low) {
		return value, json.RawMessage("null")
	}
	ci = fmt.Appendf(nil, "[%s,%s]", number(a.Low), number(a.High))
	return value, ci
}

// MarshalJSON writes {"a", "b", "n", "kappa"}, kappa null when undefined.
func (k PairKappa) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		A     string          `json:"a"`
		B     string          `json:"b"`
		N     int             `json:"n"`
		Kappa json.RawMessage `json:"kappa"`
	}{k.A, k.B, k.N, number(k.Kappa)})
}

// number writes x as a JSON number, or null when it is NaN or infinite.
func number(x float64) json.RawMessage {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return json.RawMessage("null")
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64)
}
