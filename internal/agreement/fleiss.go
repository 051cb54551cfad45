package agreement

import "fmt"

// fleiss returns Fleiss' kappa over the items, or NaN and the reason it does
// not apply: it needs the same number (at least two) of judgments per item,
// and at least two labels in use.
func fleiss(d *coded) (float64, string) {
	if len(d.items) == 0 {
		return nan(), "there are no judgments"
	}
	lo, hi := d.size(0), d.size(0)
	for it := range d.items {
		lo, hi = min(lo, d.size(it)), max(hi, d.size(it))
	}
	if lo != hi {
		return nan(), fmt.Sprintf("items have between %d and %d judgments; "+
			"Fleiss' kappa needs the same number for every item", lo, hi)
	}
	if lo < 2 {
		return nan(), "every item has a single judgment"
	}

	// Summing each judgment's label count over an item gives the sum of the
	// squared counts, the raw material of the observed agreement P_i.
	total := make([]float64, len(d.labels))
	count := make([]int, len(d.labels))
	squares := 0
	for it := range d.items {
		labs := d.lab[d.start[it]:d.start[it+1]]
		for _, l := range labs {
			count[l]++
			total[l]++
		}
		for _, l := range labs {
			squares += count[l]
		}
		for _, l := range labs {
			count[l] = 0
		}
	}

	n, m := float64(len(d.items)), float64(lo)
	observed := (float64(squares) - n*m) / (n * m * (m - 1))
	expected := 0.0
	for _, t := range total {
		p := t / (n * m)
		expected += p * p
	}
	if expected == 1 {
		return nan(), "every judgment has the same label"
	}
	return (observed - expected) / (1 - expected), ""
}
