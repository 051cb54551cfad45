package agreement

// units summarises each item as the distinct values it holds and how often
// each occurs. Missing values (negative codes) are left out, and so are items
// left with fewer than two values, which no pair of judgments can compare.
type units struct {
	start []int32 // unit u's values are at start[u]:start[u+1] of val and cnt
	val   []int32
	cnt   []int32
	nvals int
}

// buildUnits groups the per-judgment values vals by item, the items being
// delimited by start as in coded.
func buildUnits(start, vals []int32, nvals int) *units {
	us := &units{
		start: make([]int32, 1, len(start)),
		val:   make([]int32, 0, len(vals)),
		cnt:   make([]int32, 0, len(vals)),
		nvals: nvals,
	}
	count := make([]int32, nvals)
	var touched []int32
	for it := 0; it+1 < len(start); it++ {
		touched = touched[:0]
		m := 0
		for _, v := range vals[start[it]:start[it+1]] {
			if v < 0 {
				continue
			}
			if count[v] == 0 {
				touched = append(touched, v)
			}
			count[v]++
			m++
		}

		for _, v := range touched {
			if m >= 2 {
				us.val = append(us.val, v)
				us.cnt = append(us.cnt, count[v])
			}
			count[v] = 0
		}
		if m >= 2 {
			us.start = append(us.start, int32(len(us.val)))
		}
	}
	return us
}

// len returns the number of units.
func (us *units) len() int { return len(us.start) - 1 }

// pairs returns the number of unordered pairs of values within unit u and
// how many of them hold the same value.
func (us *units) pairs(u int) (agree, all int) {
	m := 0
	for p := us.start[u]; p < us.start[u+1]; p++ {
		c := int(us.cnt[p])
		agree += c * (c - 1) / 2
		m += c
	}
	return agree, m * (m - 1) / 2
}

// percent returns the share of agreeing pairs over all units, NaN when there
// is no pair at all.
func (us *units) percent() float64 {
	agree, all := 0, 0
	for u := range us.len() {
		a, n := us.pairs(u)
		agree += a
		all += n
	}
	if all == 0 {
		return nan()
	}
	return float64(agree) / float64(all)
}
