package trainer

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// GoMLX v0.26.0 differentiates DotGeneral by broadcasting the incoming gradient to a
// batch×M×N×K tensor and reducing it, which dominates the step time. The rule below
// computes both gradients with DotGeneral itself. It needs the contracting and batch axes,
// which a node does not expose, so every product built through dot records them here.

// dotAxes are the axes one DotGeneral node was built with.
type dotAxes struct {
	lhsContract, lhsBatch, rhsContract, rhsBatch []int
}

// dotRegistry maps the DotGeneral nodes of each graph under construction to their axes.
type dotRegistry struct {
	mu     sync.Mutex
	graphs map[*graph.Graph]map[graph.NodeId]dotAxes
}

var dots = &dotRegistry{graphs: map[*graph.Graph]map[graph.NodeId]dotAxes{}}

// fastDotHits counts gradients built by fastDotGeneralVJP; tests check it is used.
var fastDotHits atomic.Int64

// originalDotGeneralVJP is GoMLX's own rule, kept for products built elsewhere.
var originalDotGeneralVJP graph.VJP

func init() {
	originalDotGeneralVJP = graph.VJPRegistration[graph.NodeTypeDotGeneral]
	graph.VJPRegistration[graph.NodeTypeDotGeneral] = fastDotGeneralVJP
}

func (r *dotRegistry) record(n *graph.Node, a dotAxes) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.graphs[n.Graph()]
	if m == nil {
		m = map[graph.NodeId]dotAxes{}
		r.graphs[n.Graph()] = m
	}
	m[n.Id()] = a
}

func (r *dotRegistry) lookup(n *graph.Node) (dotAxes, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.graphs[n.Graph()][n.Id()]
	return a, ok
}

// forget drops the axes recorded for g; call it once g is built.
func (r *dotRegistry) forget(g *graph.Graph) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.graphs, g)
}

// dot is graph.DotGeneral with a recorded, DotGeneral-based gradient.
func dot(lhs *graph.Node, lhsContract, lhsBatch []int,
	rhs *graph.Node, rhsContract, rhsBatch []int) *graph.Node {
	out := graph.DotGeneral(lhs, lhsContract, lhsBatch, rhs, rhsContract, rhsBatch)
	if out.Type() == graph.NodeTypeDotGeneral {
		dots.record(out, dotAxes{lhsContract, lhsBatch, rhsContract, rhsBatch})
	}
	return out
}

// crossAxes lists, in order, the axes of a rank-r operand that are neither contracted nor batch.
func crossAxes(rank int, contract, batch []int) []int {
	var out []int
	for a := range rank {
		if !slices.Contains(contract, a) && !slices.Contains(batch, a) {
			out = append(out, a)
		}
	}
	return out
}

func iotaFrom(start, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = start + i
	}
	return out
}

func fastDotGeneralVJP(node *graph.Node, vjps []*graph.Node, outShape shapes.Shape) []*graph.Node {
	a, ok := dots.lookup(node)
	if !ok {
		return originalDotGeneralVJP(node, vjps, outShape)
	}
	fastDotHits.Add(1)
	v := vjps[0]
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	return []*graph.Node{
		operandGrad(v, rhs, a.lhsContract, a.lhsBatch, lhs.Rank(), a.rhsContract, a.rhsBatch, true),
		operandGrad(v, lhs, a.rhsContract, a.rhsBatch, rhs.Rank(), a.lhsContract, a.lhsBatch, false),
	}
}

// operandGrad returns the gradient for one operand ("this") of a product, given the
// incoming gradient v (shaped [batch…, lhsCross…, rhsCross…]) and the other operand.
func operandGrad(v, other *graph.Node, thisContract, thisBatch []int, thisRank int,
	otherContract, otherBatch []int, thisIsLHS bool) *graph.Node {
	nb := len(thisBatch)
	thisCross := crossAxes(thisRank, thisContract, thisBatch)
	otherCross := crossAxes(other.Rank(), otherContract, otherBatch)

	// Positions in v of the other operand's cross axes, which this product contracts.
	otherStart := nb + len(thisCross)
	if !thisIsLHS {
		otherStart = nb
	}
	vContract := iotaFrom(otherStart, len(otherCross))
	result := graph.DotGeneral(v, vContract, iotaFrom(0, nb), other, otherCross, otherBatch)

	// result is [batch…, thisCross…, other's contracted axes in axis order].
	sortedOther := slices.Sorted(slices.Values(otherContract))
	perm := make([]int, thisRank)
	for i, ax := range thisBatch {
		perm[ax] = i
	}
	for j, ax := range thisCross {
		perm[ax] = nb + j
	}
	for k, ax := range thisContract {
		perm[ax] = nb + len(thisCross) + slices.Index(sortedOther, otherContract[k])
	}
	if isIdentity(perm) {
		return result
	}
	return graph.TransposeAllAxes(result, perm...)
}

func isIdentity(perm []int) bool {
	for i, p := range perm {
		if i != p {
			return false
		}
	}
	return true
}
