package agreement

import (
	"cmp"
	"slices"
)

// PairKappa is Cohen's kappa between two annotators over the items both
// judged. Kappa is NaN when both gave one and the same label throughout.
type PairKappa struct {
	A, B  string
	N     int
	Kappa float64
}

// coPairs lists, for every two judgments of the same item, the pair of
// annotators (as a slot) and the two labels, the first label belonging to
// the annotator with the lower code.
type coPairs struct {
	slot   []int32
	la, lb []int32
	owners [][2]int32 // annotator codes of each slot
}

// slotter gives each pair of annotators a slot: a dense table when there
// are few annotators, a map otherwise.
type slotter struct {
	na    int
	dense []int32
	m     map[uint64]int32
}

func newSlotter(na int) *slotter {
	s := &slotter{na: na}
	if na*na <= 1<<22 {
		s.dense = make([]int32, na*na)
		for i := range s.dense {
			s.dense[i] = -1
		}
	} else {
		s.m = make(map[uint64]int32)
	}
	return s
}

// get returns the slot of annotators a < b, or next when they have none.
func (s *slotter) get(a, b int32, next int32) int32 {
	if s.dense != nil {
		p := &s.dense[int(a)*s.na+int(b)]
		if *p < 0 {
			*p = next
		}
		return *p
	}
	key := uint64(a)<<32 | uint64(b)
	if v, ok := s.m[key]; ok {
		return v
	}
	s.m[key] = next
	return next
}

// collectPairs walks every unordered pair of judgments within each item.
func collectPairs(d *coded) *coPairs {
	s := newSlotter(len(d.annotators))
	total := 0
	for it := range d.items {
		m := d.size(it)
		total += m * (m - 1) / 2
	}
	cp := &coPairs{
		slot: make([]int32, 0, total),
		la:   make([]int32, 0, total),
		lb:   make([]int32, 0, total),
	}
	for it := range d.items {
		from, to := d.start[it], d.start[it+1]
		for p := from; p < to; p++ {
			for q := p + 1; q < to; q++ {
				a, b, la, lb := d.ann[p], d.ann[q], d.lab[p], d.lab[q]
				if a > b {
					a, b, la, lb = b, a, lb, la
				}
				sl := s.get(a, b, int32(len(cp.owners)))
				if int(sl) == len(cp.owners) {
					cp.owners = append(cp.owners, [2]int32{a, b})
				}
				cp.slot = append(cp.slot, sl)
				cp.la = append(cp.la, la)
				cp.lb = append(cp.lb, lb)
			}
		}
	}
	return cp
}

// cohen returns Cohen's kappa for every pair of annotators who share at
// least minShared items, ordered by the names of A and then B (A < B).
func cohen(d *coded, minShared int) []PairKappa {
	cp := collectPairs(d)
	start, la, lb := cp.bySlot()

	nl := len(d.labels)
	ca, cb := make([]int, nl), make([]int, nl)
	var out []PairKappa
	for sl, owners := range cp.owners {
		n := int(start[sl+1] - start[sl])
		if n < max(minShared, 1) {
			continue
		}
		k := kappa(la[start[sl]:start[sl+1]], lb[start[sl]:start[sl+1]], ca, cb)
		a, b := d.annotators[owners[0]], d.annotators[owners[1]]
		if a > b {
			a, b = b, a
		}
		out = append(out, PairKappa{A: a, B: b, N: n, Kappa: k})
	}

	slices.SortFunc(out, func(x, y PairKappa) int {
		return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	return out
}

// bySlot regroups the labels by slot with a counting sort.
func (cp *coPairs) bySlot() (start []int32, la, lb []int32) {
	start = make([]int32, len(cp.owners)+1)
	for _, s := range cp.slot {
		start[s+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}

	next := slices.Clone(start[:len(cp.owners)])
	la, lb = make([]int32, len(cp.slot)), make([]int32, len(cp.slot))
	for i, s := range cp.slot {
		p := next[s]
		next[s]++
		la[p], lb[p] = cp.la[i], cp.lb[i]
	}
	return start, la, lb
}

// kappa computes Cohen's kappa of two aligned label lists, using ca and cb
// (zeroed, one entry per label) as scratch and leaving them zeroed.
func kappa(la, lb []int32, ca, cb []int) float64 {
	agree := 0
	for i := range la {
		ca[la[i]]++
		cb[lb[i]]++
		if la[i] == lb[i] {
			agree++
		}
	}

	// Each label's product of margins is added once, at its first sight.
	chance := 0
	for _, l := range la {
		chance += ca[l] * cb[l]
		ca[l] = 0
	}
	for _, l := range lb {
		cb[l] = 0
	}

	n := float64(len(la))
	po, pe := float64(agree)/n, float64(chance)/(n*n)
	if pe == 1 {
		return nan()
	}
	return (po - pe) / (1 - pe)
}
