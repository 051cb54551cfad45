package trainer

import (
	"fmt"
	"os"
	"strings"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // the pure-Go backend
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// newBackend opens the GoMLX backend: cfg.Backend, else $GOMLX_BACKEND, else the Go
// backend with ops run one after another (its default scheduling deadlocked on two cores
// when every worker held an op that waited for a worker), its blocked matrix product
// (2-3x faster than the small-matrix one on the CPU presets) and at most cfg.Parallelism
// workers.
func newBackend(cfg Config) (backends.Backend, error) {
	spec := cfg.Backend
	if spec == "" {
		spec = os.Getenv(backends.ConfigEnvVar)
	}
	if spec == "" {
		spec = "go:ops_sequential,dotgeneral_large"
		if cfg.Parallelism > 0 {
			spec += fmt.Sprintf(",parallelism=%d", cfg.Parallelism)
		}
	}
	b, err := backends.NewWithConfig(spec)
	if err != nil {
		return nil, fmt.Errorf("open backend %q: %w", spec, err)
	}
	return b, nil
}

// model is one transformer with its weights in a GoMLX context and its compiled programs.
type model struct {
	cfg     ModelConfig
	backend backends.Backend
	mlctx   *context.Context
	twoRow  *context.Exec // two-row batch inputs -> log-probabilities [B, 2]
	shared  *context.Exec // shared-prompt batch inputs -> log-probabilities [B, 2]
	logits  *context.Exec // tokens, position one-hot -> next-token logits [N, V]
}

func newModel(b backends.Backend, m ModelConfig, weights map[string][]float32) (*model, error) {
	mlctx, err := newModelContext(m, weights)
	if err != nil {
		return nil, err
	}
	md := &model{cfg: m, backend: b, mlctx: mlctx}
	for _, kto := range []bool{true, false} {
		e, err := context.NewExecAny(b, mlctx, func(mlctx *context.Context, in []*graph.Node) *graph.Node {
			defer dots.forget(in[0].Graph())
			return pairLogps(weightNodes(mlctx, in[0].Graph(), m), m, in, kto)
		})
		if err != nil {
			return nil, fmt.Errorf("compile log-probabilities: %w", err)
		}
		if kto {
			md.twoRow = e
		} else {
			md.shared = e
		}
	}
	md.logits, err = context.NewExecAny(b, mlctx, func(mlctx *context.Context,
		in []*graph.Node) *graph.Node {
		w := weightNodes(mlctx, in[0].Graph(), m)
		logits := forward(w, m, in[0])                    // [N, L, V]
		pos := graph.InsertAxes(in[1], -1)                // [N, L, 1]
		return graph.ReduceSum(graph.Mul(logits, pos), 1) // [N, V]
	})
	if err != nil {
		return nil, fmt.Errorf("compile logits: %w", err)
	}
	return md, nil
}

// pairLogps returns the summed response log-probabilities [B, 2] of a batch laid out by
// buildTwoRowBatch (twoRows) or buildSharedBatch.
func pairLogps(w map[string]*graph.Node, m ModelConfig, in []*graph.Node, twoRows bool) *graph.Node {
	if twoRows {
		return graph.Reshape(seqLogps(w, m, in[0], in[1], in[2]), -1, 2)
	}
	tokens, targets, pos, attn, maskC, maskR, maskB, branch :=
		in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7]
	logp := logSoftmax(forwardMasked(w, m, tokens, pos, attn)) // [B, L, V]
	lp := pick(logp, targets)                                  // [B, L]
	c := graph.ReduceSum(graph.Mul(lp, maskC), 1)
	r := graph.ReduceSum(graph.Mul(lp, maskR), 1)
	atBranch := graph.ReduceSum(graph.Mul(logp, graph.InsertAxes(maskB, -1)), 1) // [B, V]
	r = graph.Add(r, pick(atBranch, branch))
	return graph.Add(graph.Mul(graph.InsertAxes(c, -1), oneHotRow(c, 0)),
		graph.Mul(graph.InsertAxes(r, -1), oneHotRow(c, 1)))
}

// oneHotRow is the constant [1, 2] row with a 1 at column j, in x's dtype.
func oneHotRow(x *graph.Node, j int) *graph.Node {
	v := [][]float32{{1, 0}}
	if j == 1 {
		v = [][]float32{{0, 1}}
	}
	return graph.ConvertDType(graph.Const(x.Graph(), v), x.DType())
}

// pairLogps runs the model on a batch and returns each pair's log-probabilities.
func (md *model) pairLogps(ba batchArgs, twoRows bool) ([][2]float64, error) {
	e := md.shared
	if twoRows {
		e = md.twoRow
	}
	out, err := safeExec(e, ba.inputs...)
	if err != nil {
		return nil, err
	}
	v, err := flat32(out[0])
	if err != nil {
		return nil, err
	}
	return pairs32(v), nil
}

// safeExec runs an Exec, turning GoMLX panics into errors.
func safeExec(e *context.Exec, args ...any) (out []*tensors.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gomlx: %v", r)
		}
	}()
	out, err = e.Exec(args...)
	if err != nil {
		return nil, fmt.Errorf("gomlx: %w", err)
	}
	return out, nil
}

func flat32(t *tensors.Tensor) ([]float32, error) {
	defer t.FinalizeAll()
	return tensors.CopyFlatData[float32](t)
}

func flat64(t *tensors.Tensor) ([]float64, error) {
	defer t.FinalizeAll()
	return tensors.CopyFlatData[float64](t)
}

// scalar64 reads a scalar tensor of any float type.
func scalar64(t *tensors.Tensor) float64 {
	defer t.FinalizeAll()
	switch t.DType() {
	case dtypes.Float32:
		return float64(tensors.ToScalar[float32](t))
	default:
		return tensors.ToScalar[float64](t)
	}
}

// trainable adds optimizer state to a model and compiles its training programs.
type trainable struct {
	*model
	run   Config
	specs []paramSpec
	pref  *context.Exec // micro-batch gradient of the preference loss, accumulated
	sft   *context.Exec // micro-batch gradient of the SFT loss, accumulated
	apply *context.Exec // clipped AdamW update from the accumulated gradient
}

func newTrainable(md *model, run Config) (*trainable, error) {
	t := &trainable{model: md, run: run, specs: paramSpecs(md.cfg)}
	for _, s := range t.specs {
		for _, scope := range []string{scopeM, scopeV, scopeAcc} {
			z := make([]float32, size(s.dims))
			md.mlctx.In(scope).VariableWithValue(s.name, tensors.FromFlatDataAndDimensions(z, s.dims...))
		}
	}
	var err error
	if t.pref, err = context.NewExecAny(md.backend, md.mlctx, t.prefGraph); err != nil {
		return nil, fmt.Errorf("compile preference step: %w", err)
	}
	if t.sft, err = context.NewExecAny(md.backend, md.mlctx, t.sftGraph); err != nil {
		return nil, fmt.Errorf("compile SFT step: %w", err)
	}
	if t.apply, err = context.NewExecAny(md.backend, md.mlctx, t.applyGraph); err != nil {
		return nil, fmt.Errorf("compile optimizer: %w", err)
	}
	return t, nil
}

func (t *trainable) variable(scope, name string) *context.Variable {
	return t.mlctx.GetVariableByScopeAndName("/"+scope, name)
}

// accumulate adds the gradient of loss to the accumulators.
func (t *trainable) accumulate(loss *graph.Node, w map[string]*graph.Node) {
	nodes := make([]*graph.Node, len(t.specs))
	for i, s := range t.specs {
		nodes[i] = w[s.name]
	}
	grads := graph.Gradient(loss, nodes...)
	for i, s := range t.specs {
		acc := t.variable(scopeAcc, s.name)
		acc.SetValueGraph(graph.Add(acc.ValueGraph(loss.Graph()), grads[i]))
	}
}

// prefGraph: the batch inputs of buildSharedBatch (KTO: buildTwoRowBatch), then ref, lens
// [B, 2] and weight, soft, desirable [B]. Outputs the loss and the policy log-probabilities.
func (t *trainable) prefGraph(mlctx *context.Context, in []*graph.Node) []*graph.Node {
	g := in[0].Graph()
	defer dots.forget(g)
	w := weightNodes(mlctx, g, t.cfg)
	n := len(in) - 5
	pol := pairLogps(w, t.cfg, in[:n], t.run.Loss == LossKTO)
	li := splitPairs(to64(pol), in[n], in[n+1], in[n+2], in[n+3], in[n+4])
	loss := weightedMean(exampleLosses(t.run, li), li.weight)
	t.accumulate(loss, w)
	return []*graph.Node{loss, pol}
}

// sftGraph: inputs tokens, targets, mask [N, L] and row weights [N]; the loss is the mean
// negative log-likelihood per response token.
func (t *trainable) sftGraph(mlctx *context.Context, in []*graph.Node) []*graph.Node {
	g := in[0].Graph()
	defer dots.forget(g)
	w := weightNodes(mlctx, g, t.cfg)
	lp := tokenLogps(forward(w, t.cfg, in[0]), in[1])
	mask := graph.Mul(in[2], graph.InsertAxes(in[3], -1))
	total := graph.Max(graph.ReduceAllSum(mask), graph.OnesLike(graph.ReduceAllSum(mask)))
	loss := graph.Neg(graph.Div(graph.ReduceAllSum(graph.Mul(lp, mask)), total))
	t.accumulate(loss, w)
	return []*graph.Node{loss}
}

// applyGraph: inputs lr, scale (1/micro-batches), bc1, bc2 (Adam bias corrections), wd,
// clip (0 for none) as float32 scalars. Updates weights and moments, zeroes the
// accumulators and returns the gradient's global norm before clipping.
func (t *trainable) applyGraph(mlctx *context.Context, in []*graph.Node) *graph.Node {
	g := in[0].Graph()
	lr, scale, bc1, bc2, wd, clip := in[0], in[1], in[2], in[3], in[4], in[5]
	const b1, b2, eps = 0.9, 0.999, 1e-8

	grads := make([]*graph.Node, len(t.specs))
	sq := graph.ScalarZero(g, dtypes.Float32)
	for i, s := range t.specs {
		acc := t.variable(scopeAcc, s.name)
		grads[i] = graph.Mul(acc.ValueGraph(g), scale)
		sq = graph.Add(sq, graph.ReduceAllSum(graph.Square(grads[i])))
		acc.SetValueGraph(graph.ZerosLike(grads[i]))
	}
	norm := graph.Sqrt(sq)
	// coef = clip/max(norm, clip) when clipping, else 1.
	coef := graph.Where(graph.GreaterThan(clip, graph.ZerosLike(clip)),
		graph.Div(clip, graph.Max(norm, graph.Max(clip, graph.Const(g, float32(1e-12))))),
		graph.OnesLike(clip))

	for i, s := range t.specs {
		gr := graph.Mul(grads[i], coef)
		m, v, p := t.variable(scopeM, s.name), t.variable(scopeV, s.name), t.variable(scopeModel, s.name)
		mNew := graph.Add(graph.MulScalar(m.ValueGraph(g), b1), graph.MulScalar(gr, 1-b1))
		vNew := graph.Add(graph.MulScalar(v.ValueGraph(g), b2), graph.MulScalar(graph.Square(gr), 1-b2))
		step := graph.Div(graph.Div(mNew, bc1),
			graph.AddScalar(graph.Sqrt(graph.Div(vNew, bc2)), eps))
		pv := p.ValueGraph(g)
		if s.decay {
			// Decoupled weight decay, on matrices only (not norms or biases).
			step = graph.Add(step, graph.Mul(pv, wd))
		}
		m.SetValueGraph(mNew)
		v.SetValueGraph(vNew)
		p.SetValueGraph(graph.Sub(pv, graph.Mul(step, lr)))
	}
	return norm
}

// lossProgram evaluates exampleLosses on host values, for held-out metrics.
func lossProgram(b backends.Backend, run Config) (*graph.Exec, error) {
	return graph.NewExecAny(b, func(in []*graph.Node) *graph.Node {
		li := splitPairs(in[0], in[1], in[2], in[3], in[4], in[5])
		return exampleLosses(run, li)
	})
}

// opt holds the scalars of one optimizer update.
func optScalars(lr float64, micro int, step int, wd, clip float64) []any {
	bc1 := 1 - pow(0.9, step)
	bc2 := 1 - pow(0.999, step)
	return []any{float32(lr), float32(1 / float64(micro)), float32(bc1), float32(bc2),
		float32(wd), float32(clip)}
}

func pow(x float64, n int) float64 {
	r := 1.0
	for range n {
		r *= x
	}
	return r
}

// backendName describes the backend for logs and metrics.
func backendName(b backends.Backend) string {
	return strings.TrimSpace(b.Name())
}
