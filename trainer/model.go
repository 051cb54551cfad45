package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Scopes of the GoMLX context: model weights, optimizer moments, gradient accumulators.
const (
	scopeModel = "model"
	scopeM     = "adam_m"
	scopeV     = "adam_v"
	scopeAcc   = "grad_acc"
)

// paramSpec names one weight tensor of the model.
type paramSpec struct {
	name  string
	dims  []int
	init  string // "normal", "ones", "zeros"
	decay bool   // weight decay applies (matrices only, never norms or biases)
}

// paramSpecs lists the model's weights in a fixed order.
func paramSpecs(m ModelConfig) []paramSpec {
	specs := []paramSpec{{"embed", []int{m.Vocab, m.Dim}, "normal", true}}
	for l := range m.Layers {
		p := func(s string) string { return fmt.Sprintf("l%d_%s", l, s) }
		specs = append(specs,
			paramSpec{p("ln1_g"), []int{m.Dim}, "ones", false},
			paramSpec{p("ln1_b"), []int{m.Dim}, "zeros", false},
			paramSpec{p("wq"), []int{m.Dim, m.Dim}, "normal", true},
			paramSpec{p("wk"), []int{m.Dim, m.Dim}, "normal", true},
			paramSpec{p("wv"), []int{m.Dim, m.Dim}, "normal", true},
			paramSpec{p("wo"), []int{m.Dim, m.Dim}, "out", true},
			paramSpec{p("ln2_g"), []int{m.Dim}, "ones", false},
			paramSpec{p("ln2_b"), []int{m.Dim}, "zeros", false},
			paramSpec{p("w1"), []int{m.Dim, m.MLP}, "normal", true},
			paramSpec{p("b1"), []int{m.MLP}, "zeros", false},
			paramSpec{p("w2"), []int{m.MLP, m.Dim}, "out", true},
			paramSpec{p("b2"), []int{m.Dim}, "zeros", false},
		)
	}
	return append(specs,
		paramSpec{"lnf_g", []int{m.Dim}, "ones", false},
		paramSpec{"lnf_b", []int{m.Dim}, "zeros", false})
}

// NumParams counts the weights of a model.
func NumParams(m ModelConfig) int {
	n := 0
	for _, s := range paramSpecs(m) {
		size := 1
		for _, d := range s.dims {
			size *= d
		}
		n += size
	}
	return n
}

// initWeights returns freshly initialised weights, deterministic for a seed: normal(0, 0.02),
// with output projections scaled down by the depth as in GPT-2.
func initWeights(m ModelConfig, seed int64) map[string][]float32 {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	out := map[string][]float32{}
	for _, s := range paramSpecs(m) {
		size := 1
		for _, d := range s.dims {
			size *= d
		}
		w := make([]float32, size)
		std := 0.02
		if s.init == "out" {
			std /= math.Sqrt(2 * float64(m.Layers))
		}
		for i := range w {
			switch s.init {
			case "ones":
				w[i] = 1
			case "normal", "out":
				w[i] = float32(rng.NormFloat64() * std)
			}
		}
		out[s.name] = w
	}
	return out
}

// newModelContext creates a GoMLX context holding the given weights under scopeModel.
func newModelContext(m ModelConfig, weights map[string][]float32) (*context.Context, error) {
	mlctx := context.New().Checked(false)
	mc := mlctx.In(scopeModel)
	for _, s := range paramSpecs(m) {
		w, ok := weights[s.name]
		if !ok {
			return nil, fmt.Errorf("weights lack %q", s.name)
		}
		if len(w) != size(s.dims) {
			return nil, fmt.Errorf("weight %q has %d values, want %v", s.name, len(w), s.dims)
		}
		mc.VariableWithValue(s.name, tensors.FromFlatDataAndDimensions(w, s.dims...))
	}
	return mlctx, nil
}

func size(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// modelWeights copies the model's weights out of mlctx.
func modelWeights(mlctx *context.Context, m ModelConfig) (map[string][]float32, error) {
	out := map[string][]float32{}
	for _, s := range paramSpecs(m) {
		v := mlctx.GetVariableByScopeAndName("/"+scopeModel, s.name)
		if v == nil {
			return nil, fmt.Errorf("variable %q missing", s.name)
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("read %q: %w", s.name, err)
		}
		w, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, fmt.Errorf("copy %q: %w", s.name, err)
		}
		out[s.name] = w
	}
	return out, nil
}

// weightNodes returns the graph nodes of the model's weights by name.
func weightNodes(mlctx *context.Context, g *graph.Graph, m ModelConfig) map[string]*graph.Node {
	nodes := map[string]*graph.Node{}
	for _, s := range paramSpecs(m) {
		v := mlctx.GetVariableByScopeAndName("/"+scopeModel, s.name)
		nodes[s.name] = v.ValueGraph(g)
	}
	return nodes
}

// dense multiplies x [..., in] by w [in, out].
func dense(x, w *graph.Node) *graph.Node {
	return dot(x, []int{x.Rank() - 1}, nil, w, []int{0}, nil)
}

// addBias adds a vector to the last axis of x.
func addBias(x, b *graph.Node) *graph.Node {
	dims := make([]int, x.Rank())
	for i := range dims {
		dims[i] = 1
	}
	dims[len(dims)-1] = b.Shape().Dimensions[0]
	return graph.Add(x, graph.Reshape(b, dims...))
}

// layerNorm normalises the last axis. It divides by Sqrt because GoMLX has no gradient
// for Rsqrt.
func layerNorm(x, gain, bias *graph.Node) *graph.Node {
	last := x.Rank() - 1
	mean := graph.ReduceAndKeep(x, graph.ReduceMean, last)
	xc := graph.Sub(x, mean)
	variance := graph.ReduceAndKeep(graph.Square(xc), graph.ReduceMean, last)
	std := graph.Sqrt(graph.AddScalar(variance, 1e-5))
	return addBias(graph.Mul(graph.Div(xc, std), reshapeLast(gain, x.Rank())), bias)
}

func reshapeLast(v *graph.Node, rank int) *graph.Node {
	dims := make([]int, rank)
	for i := range dims {
		dims[i] = 1
	}
	dims[rank-1] = v.Shape().Dimensions[0]
	return graph.Reshape(v, dims...)
}

// gelu is the sigmoid approximation x·σ(1.702x).
func gelu(x *graph.Node) *graph.Node {
	return graph.Mul(x, graph.Sigmoid(graph.MulScalar(x, 1.702)))
}

// positions returns fixed sinusoidal position encodings [1, L, d]. Fixed encodings avoid
// slicing a learned table, whose gradient needs Pad, which simplego lacks.
func positions(g *graph.Graph, length, d int) *graph.Node {
	pe := make([]float32, length*d)
	for p := range length {
		for i := 0; i < d; i += 2 {
			freq := math.Pow(10000, -float64(i)/float64(d))
			pe[p*d+i] = float32(math.Sin(float64(p) * freq))
			if i+1 < d {
				pe[p*d+i+1] = float32(math.Cos(float64(p) * freq))
			}
		}
	}
	return graph.Const(g, tensors.FromFlatDataAndDimensions(pe, 1, length, d))
}

// causalMask returns [1, 1, L, L] with 0 where a query may attend and -1e9 elsewhere.
func causalMask(g *graph.Graph, length int) *graph.Node {
	m := make([]float32, length*length)
	for q := range length {
		for k := q + 1; k < length; k++ {
			m[q*length+k] = -1e9
		}
	}
	return graph.Const(g, tensors.FromFlatDataAndDimensions(m, 1, 1, length, length))
}

// softmaxLast is a softmax over the last axis whose shift is kept out of the gradient.
func softmaxLast(x *graph.Node) *graph.Node {
	last := x.Rank() - 1
	shift := graph.StopGradient(graph.ReduceAndKeep(x, graph.ReduceMax, last))
	e := graph.Exp(graph.Sub(x, shift))
	return graph.Div(e, graph.ReduceAndKeep(e, graph.ReduceSum, last))
}

// forward returns the logits [N, L, V] of the model for tokens [N, L] with causal
// attention and positions 0…L-1.
func forward(w map[string]*graph.Node, m ModelConfig, tokens *graph.Node) *graph.Node {
	return forwardMasked(w, m, tokens, nil, nil)
}

// forwardMasked is forward with explicit positions [N, L] (int32) and an additive attention
// mask [N, 1, L, L]; nil means the defaults. Rows that share a prompt between two
// responses use them (see fillSharedRow).
func forwardMasked(w map[string]*graph.Node, m ModelConfig,
	tokens, pos, mask *graph.Node) *graph.Node {
	g := tokens.Graph()
	n, length := tokens.Shape().Dimensions[0], tokens.Shape().Dimensions[1]
	hd := m.Dim / m.Heads

	x := graph.Gather(w["embed"], graph.Reshape(tokens, n, length, 1))
	if pos == nil {
		x = graph.Add(x, positions(g, length, m.Dim))
	} else {
		x = graph.Add(x, positionsOf(pos, m.Dim))
	}
	if mask == nil {
		mask = causalMask(g, length)
	}
	for l := range m.Layers {
		p := func(s string) *graph.Node { return w[fmt.Sprintf("l%d_%s", l, s)] }
		h := layerNorm(x, p("ln1_g"), p("ln1_b"))
		q := graph.Reshape(dense(h, p("wq")), n, length, m.Heads, hd)
		k := graph.Reshape(dense(h, p("wk")), n, length, m.Heads, hd)
		v := graph.Reshape(dense(h, p("wv")), n, length, m.Heads, hd)

		// scores [N, H, Lq, Lk]
		scores := dot(q, []int{3}, []int{0, 2}, k, []int{3}, []int{0, 2})
		scores = graph.Add(graph.MulScalar(scores, 1/math.Sqrt(float64(hd))), mask)
		att := softmaxLast(scores)
		// out [N, H, Lq, hd] -> [N, Lq, H, hd] -> [N, Lq, D]
		out := dot(att, []int{3}, []int{0, 1}, v, []int{1}, []int{0, 2})
		out = graph.Reshape(graph.TransposeAllAxes(out, 0, 2, 1, 3), n, length, m.Dim)
		x = graph.Add(x, dense(out, p("wo")))

		h = layerNorm(x, p("ln2_g"), p("ln2_b"))
		h = gelu(addBias(dense(h, p("w1")), p("b1")))
		x = graph.Add(x, addBias(dense(h, p("w2")), p("b2")))
	}
	x = layerNorm(x, w["lnf_g"], w["lnf_b"])
	return dot(x, []int{2}, nil, w["embed"], []int{1}, nil)
}

// positionsOf computes the sinusoidal encodings [N, L, d] of explicit positions [N, L],
// with the same interleaved sin/cos layout as positions.
func positionsOf(pos *graph.Node, d int) *graph.Node {
	g := pos.Graph()
	n, length := pos.Shape().Dimensions[0], pos.Shape().Dimensions[1]
	half := (d + 1) / 2
	freq := make([]float32, half)
	for j := range freq {
		freq[j] = float32(math.Pow(10000, -float64(2*j)/float64(d)))
	}
	angle := graph.Mul(graph.Reshape(graph.ConvertDType(pos, dtypes.Float32), n, length, 1),
		graph.Const(g, tensors.FromFlatDataAndDimensions(freq, 1, 1, half)))
	sc := graph.Concatenate([]*graph.Node{
		graph.InsertAxes(graph.Sin(angle), -1), graph.InsertAxes(graph.Cos(angle), -1)}, -1)
	return graph.StopGradient(graph.Reshape(sc, n, length, d))
}

// logSoftmax normalises logits over the last axis; the shift is kept out of the gradient.
func logSoftmax(logits *graph.Node) *graph.Node {
	last := logits.Rank() - 1
	shift := graph.StopGradient(graph.ReduceAndKeep(logits, graph.ReduceMax, last))
	z := graph.Sub(logits, shift)
	return graph.Sub(z, graph.Log(graph.ReduceAndKeep(graph.Exp(z), graph.ReduceSum, last)))
}

// pick returns logp[..., target] for integer targets shaped like logp without its last axis.
func pick(logp, targets *graph.Node) *graph.Node {
	last := logp.Rank() - 1
	onehot := graph.OneHot(targets, logp.Shape().Dimensions[last], logp.DType())
	return graph.ReduceSum(graph.Mul(logp, onehot), last)
}

// tokenLogps returns log p(target) at each position [N, L] from logits [N, L, V].
func tokenLogps(logits, targets *graph.Node) *graph.Node {
	return pick(logSoftmax(logits), targets)
}

// seqLogps returns the summed log-probabilities [N] of the masked target tokens.
func seqLogps(w map[string]*graph.Node, m ModelConfig, tokens, targets, mask *graph.Node) *graph.Node {
	lp := tokenLogps(forward(w, m, tokens), targets)
	return graph.ReduceSum(graph.Mul(lp, mask), 1)
}

// describe gives a one-line summary of a model configuration.
func (m ModelConfig) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "d=%d layers=%d heads=%d mlp=%d max_len=%d vocab=%d params=%d",
		m.Dim, m.Layers, m.Heads, m.MLP, m.MaxLen, m.Vocab, NumParams(m))
	return b.String()
}
