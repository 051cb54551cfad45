package agreement

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// synthetic makes judgments of items by annotators. Each item has a true
// label; an annotator gives it with probability faith and otherwise a label
// drawn at random. Some annotators skip some items, so items have uneven
// numbers of judgments.
func synthetic(seed uint64, items, annotators, labels int, faith float64) []Judgment {
	rng := rand.New(rand.NewPCG(seed, 1))
	var js []Judgment
	for it := range items {
		truth := rng.IntN(labels)
		for a := range annotators {
			if rng.Float64() < 0.2 {
				continue
			}
			l := truth
			if rng.Float64() >= faith {
				l = rng.IntN(labels)
			}
			js = append(js, Judgment{
				Item:      fmt.Sprintf("item%d", it),
				Annotator: fmt.Sprintf("ann%d", a),
				Label:     fmt.Sprintf("L%d", l),
				Rank:      l + 1,
			})
		}
	}
	return js
}

// statistics gathers every coefficient of a report, named.
func statistics(r *Report) map[string]float64 {
	s := map[string]float64{
		"percent":       r.Percent,
		"alpha nominal": r.Nominal.Value,
	}
	if r.Ordinal != nil {
		s["alpha ordinal"] = r.Ordinal.Value
	}
	if r.Interval != nil {
		s["alpha interval"] = r.Interval.Value
	}
	if r.FleissReason == "" {
		s["fleiss"] = r.Fleiss
	}
	for _, k := range r.Cohen {
		s["cohen "+k.A+" "+k.B] = k.Kappa
	}
	return s
}

func compute(t *testing.T, js []Judgment, opt Options) *Report {
	t.Helper()
	r, err := Compute(js, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPerfectAgreementGivesOne(t *testing.T) {
	for _, skip := range []bool{false, true} {
		js := synthetic(7, 200, 5, 4, 1)
		if !skip {
			js = complete(js)
		}
		r := compute(t, js, Options{Interval: true})
		if !skip && r.FleissReason != "" {
			t.Fatalf("Fleiss' kappa not computed: %s", r.FleissReason)
		}
		for name, v := range statistics(r) {
			if math.Abs(v-1) > 1e-12 {
				t.Errorf("uneven=%v: %s = %v, want 1", skip, name, v)
			}
		}
	}
}

// complete keeps only the items that every annotator judged, so that
// Fleiss' kappa applies.
func complete(js []Judgment) []Judgment {
	count := map[string]int{}
	for _, j := range js {
		count[j.Item]++
	}
	most := 0
	for _, n := range count {
		most = max(most, n)
	}
	var out []Judgment
	for _, j := range js {
		if count[j.Item] == most {
			out = append(out, j)
		}
	}
	return out
}

// Labels drawn independently of the item agree only by chance, so every
// chance-corrected coefficient sits near 0. With 3000 items the standard
// error of alpha is about 0.01; 0.05 leaves room without hiding a bias.
func TestIndependentLabelsGiveAboutZero(t *testing.T) {
	js := complete(synthetic(11, 3000, 4, 3, 0))
	r := compute(t, js, Options{Interval: true, MinShared: 100})
	stats := statistics(r)
	delete(stats, "percent")
	if _, ok := stats["fleiss"]; !ok {
		t.Fatalf("Fleiss' kappa not computed: %s", r.FleissReason)
	}
	for name, v := range stats {
		if math.Abs(v) > 0.05 {
			t.Errorf("%s = %.4f, want about 0", name, v)
		}
	}
	if math.Abs(r.Percent-1.0/3) > 0.03 {
		t.Errorf("percent agreement = %.4f, want about 1/3", r.Percent)
	}
}

// Renaming the categories (and, for the ordinal scale, keeping their order)
// changes no statistic.
func TestRelabellingChangesNothing(t *testing.T) {
	js := synthetic(3, 300, 5, 4, 0.6)
	names := []string{"zeta", "alpha", "mu", "beta"}
	renamed := make([]Judgment, len(js))
	for i, j := range js {
		renamed[i] = j
		renamed[i].Label = names[j.Rank-1]
	}
	opt := Options{Interval: true, Rounds: 50, Seed: 5}
	before, after := compute(t, js, opt), compute(t, renamed, opt)

	want, got := statistics(before), statistics(after)
	if len(want) < 10 {
		t.Fatalf("only %d statistics compared", len(want))
	}
	for name, w := range want {
		if math.Abs(got[name]-w) > 1e-12 {
			t.Errorf("%s = %v after relabelling, want %v", name, got[name], w)
		}
	}
	if before.Nominal.Low != after.Nominal.Low || before.Ordinal.High != after.Ordinal.High {
		t.Errorf("bootstrap intervals differ: %+v %+v", before.Nominal, after.Nominal)
	}
}

// Compute reads only the Rank of a judgment for the ordinal scale; the order
// of the labels given as Options.Order must agree with it.
func TestOrderMatchesRanks(t *testing.T) {
	js := synthetic(5, 200, 4, 5, 0.5)
	fromRank := compute(t, js, Options{})
	order := []string{"L0", "L1", "L2", "L3", "L4"}
	for i := range js {
		js[i].Rank = 0
	}
	fromOrder := compute(t, js, Options{Order: order})
	if fromRank.Ordinal.Value != fromOrder.Ordinal.Value {
		t.Errorf("ordinal alpha from ranks %v, from order %v",
			fromRank.Ordinal.Value, fromOrder.Ordinal.Value)
	}
}

func TestBootstrapIsSeededAndCoversAlpha(t *testing.T) {
	js := synthetic(9, 400, 3, 3, 0.7)
	opt := Options{Rounds: 200, Seed: 42}
	a, b := compute(t, js, opt), compute(t, js, opt)
	if a.Nominal != b.Nominal {
		t.Errorf("same seed, different intervals: %+v and %+v", a.Nominal, b.Nominal)
	}
	if !(a.Nominal.Low < a.Nominal.Value && a.Nominal.Value < a.Nominal.High) {
		t.Errorf("interval [%v, %v] does not hold alpha %v",
			a.Nominal.Low, a.Nominal.High, a.Nominal.Value)
	}
	opt.Seed = 43
	if c := compute(t, js, opt); c.Nominal == a.Nominal {
		t.Errorf("different seeds gave the same interval %+v", c.Nominal)
	}
}
