package agreement

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Metric is the distance between two values that Krippendorff's alpha uses.
type Metric int

// The metrics alpha supports. Ordinal and Interval read values as ranks:
// Interval treats them as equally spaced.
const (
	Nominal Metric = iota
	Ordinal
	Interval
)

// String names the metric.
func (m Metric) String() string {
	switch m {
	case Ordinal:
		return "ordinal"
	case Interval:
		return "interval"
	}
	return "nominal"
}

// coincidence is Krippendorff's coincidence matrix: o[c][k] counts the
// pairs of values c and k within units, each unit weighted by 1/(m-1) where
// m is its number of values. Nominal alpha needs only its diagonal and
// margins, so the full matrix is kept for the other metrics alone.
type coincidence struct {
	nvals int
	diag  []float64
	marg  []float64
	full  []float64 // nvals*nvals, nil for nominal
}

func newCoincidence(nvals int, m Metric) *coincidence {
	c := &coincidence{
		nvals: nvals,
		diag:  make([]float64, nvals),
		marg:  make([]float64, nvals),
	}
	if m != Nominal {
		c.full = make([]float64, nvals*nvals)
	}
	return c
}

func (c *coincidence) reset() {
	clear(c.diag)
	clear(c.marg)
	clear(c.full)
}

// add adds unit u of us to the matrix.
func (c *coincidence) add(us *units, u int) {
	from, to := us.start[u], us.start[u+1]
	m := int32(0)
	for p := from; p < to; p++ {
		m += us.cnt[p]
	}

	w := 1 / float64(m-1)
	for p := from; p < to; p++ {
		v, n := us.val[p], float64(us.cnt[p])
		c.marg[v] += n
		c.diag[v] += n * (n - 1) * w
		if c.full == nil {
			continue
		}
		for q := from; q < to; q++ {
			k := float64(us.cnt[q])
			if q == p {
				k--
			}
			c.full[int(v)*c.nvals+int(us.val[q])] += n * k * w
		}
	}
}

// alpha returns 1 - D_o/D_e for the metric, NaN when it is undefined: fewer
// than two pairable values, or no expected disagreement (one value only).
func (c *coincidence) alpha(m Metric) float64 {
	n := 0.0
	for _, x := range c.marg {
		n += x
	}
	if n < 2 {
		return nan()
	}
	if m == Nominal {
		return c.nominal(n)
	}

	delta := c.distances(m)
	obs, exp := 0.0, 0.0
	for i := range c.nvals {
		for k := range c.nvals {
			d := delta[i*c.nvals+k]
			obs += c.full[i*c.nvals+k] * d
			exp += c.marg[i] * c.marg[k] * d
		}
	}
	if exp == 0 {
		return nan()
	}
	return 1 - (n-1)*obs/exp
}

// nominal computes nominal alpha from the diagonal and margins alone.
func (c *coincidence) nominal(n float64) float64 {
	same, squares := 0.0, 0.0
	for v := range c.nvals {
		same += c.diag[v]
		squares += c.marg[v] * c.marg[v]
	}
	exp := n*n - squares
	if exp == 0 {
		return nan()
	}
	return 1 - (n-1)*(n-same)/exp
}

// distances returns the squared distance between every two values. The
// ordinal distance between ranks c < k counts the values from c to k, the
// two ends by half: (n_c/2 + n_{c+1} + ... + n_{k-1} + n_k/2)^2.
func (c *coincidence) distances(m Metric) []float64 {
	nv := c.nvals
	delta := make([]float64, nv*nv)
	cum := make([]float64, nv+1)
	for v := range nv {
		cum[v+1] = cum[v] + c.marg[v]
	}
	for i := range nv {
		for k := i + 1; k < nv; k++ {
			var d float64
			if m == Interval {
				d = float64(k - i)
			} else {
				d = cum[k+1] - cum[i] - (c.marg[i]+c.marg[k])/2
			}
			delta[i*nv+k] = d * d
			delta[k*nv+i] = d * d
		}
	}
	return delta
}

// alphaOf computes alpha over all units.
func alphaOf(us *units, m Metric) float64 {
	c := newCoincidence(us.nvals, m)
	for u := range us.len() {
		c.add(us, u)
	}
	return c.alpha(m)
}

// bootstrap returns a 95% percentile interval for alpha from rounds
// resamples of the units with replacement, drawn from a generator seeded by
// seed so that the same input gives the same interval. Resamples where
// alpha is undefined are skipped; when more than half are, so is the
// interval (NaN, NaN).
func bootstrap(us *units, m Metric, rounds int, seed uint64) (lo, hi float64) {
	nu := us.len()
	if rounds <= 0 || nu == 0 {
		return nan(), nan()
	}

	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	c := newCoincidence(us.nvals, m)
	got := make([]float64, 0, rounds)
	for range rounds {
		c.reset()
		for range nu {
			c.add(us, rng.IntN(nu))
		}
		if a := c.alpha(m); !math.IsNaN(a) {
			got = append(got, a)
		}
	}
	if 2*len(got) < rounds {
		return nan(), nan()
	}

	slices.Sort(got)
	return quantile(got, 0.025), quantile(got, 0.975)
}

// quantile interpolates linearly between the order statistics of sorted.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i]*(1-f) + sorted[i+1]*f
}

func nan() float64 { return math.NaN() }
