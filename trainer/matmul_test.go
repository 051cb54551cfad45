package trainer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestFastDotGeneralGradient compares the DotGeneral-based gradient with GoMLX's own rule
// on the axis layouts the model uses and a few others.
func TestFastDotGeneralGradient(t *testing.T) {
	b := testBackend(t)
	cases := []struct {
		name             string
		lhsDims, rhsDims []int
		lc, lb, rc, rb   []int
	}{
		{"dense", []int{2, 3, 4}, []int{4, 5}, []int{2}, nil, []int{0}, nil},
		{"tied head", []int{2, 3, 4}, []int{6, 4}, []int{2}, nil, []int{1}, nil},
		{"scores", []int{2, 3, 2, 4}, []int{2, 5, 2, 4}, []int{3}, []int{0, 2}, []int{3}, []int{0, 2}},
		{"att·v", []int{2, 2, 3, 5}, []int{2, 5, 2, 4}, []int{3}, []int{0, 1}, []int{1}, []int{0, 2}},
		{"two contracted", []int{3, 4, 2}, []int{2, 5, 4}, []int{2, 1}, nil, []int{0, 2}, nil},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lhs, rhs := randTensor(rng, c.lhsDims), randTensor(rng, c.rhsDims)
			grads := func(useFast bool) []float32 {
				e := graph.MustNewExecAny(b, func(l, r *graph.Node) []*graph.Node {
					g := l.Graph()
					defer dots.forget(g)
					var out *graph.Node
					if useFast {
						out = dot(l, c.lc, c.lb, r, c.rc, c.rb)
					} else {
						out = graph.DotGeneral(l, c.lc, c.lb, r, c.rc, c.rb)
					}
					// A non-uniform weighting so that every output element matters differently.
					wts := graph.Sin(graph.Iota(g, out.Shape(), out.Rank()-1))
					loss := graph.ReduceAllSum(graph.Mul(graph.Square(out), wts))
					return graph.Gradient(loss, l, r)
				})
				out := e.MustExec(lhs, rhs)
				return append(tensors.MustCopyFlatData[float32](out[0]),
					tensors.MustCopyFlatData[float32](out[1])...)
			}
			hits := fastDotHits.Load()
			want, got := grads(false), grads(true)
			if fastDotHits.Load() == hits {
				t.Fatal("the fast gradient rule was not used")
			}
			for i := range want {
				if math.Abs(float64(want[i]-got[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("gradient %d: want %g, got %g", i, want[i], got[i])
				}
			}
		})
	}
}

func randTensor(rng *rand.Rand, dims []int) *tensors.Tensor {
	v := make([]float32, size(dims))
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}
