package trainer

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// lossInputs are the per-example quantities every loss is computed from, as graph nodes
// of shape [B] in float64. For KTO, "chosen" is the example's own completion and
// "rejected" the mismatched completion used for the reference-point estimate.
type lossInputs struct {
	polC, polR *graph.Node // summed policy log-probabilities of the response tokens
	refC, refR *graph.Node // the same under the frozen reference
	lenC, lenR *graph.Node // response token counts (at least 1)
	weight     *graph.Node // example weight; padding examples have 0
	soft       *graph.Node // probability that chosen is preferred (1 for hard labels)
	desirable  *graph.Node // KTO label: 1 desirable, 0 undesirable
}

// logSigmoid is log σ(x) computed without overflow.
func logSigmoid(x *graph.Node) *graph.Node {
	zero := graph.ZerosLike(x)
	return graph.Sub(graph.Min(x, zero), graph.Log1p(graph.Exp(graph.Neg(graph.Abs(x)))))
}

// smoothedSigmoidLoss is −(1−ε)·log σ(h) − ε·log σ(−h), the cDPO form.
func smoothedSigmoidLoss(h *graph.Node, eps float64) *graph.Node {
	l := graph.MulScalar(logSigmoid(h), -(1 - eps))
	if eps == 0 {
		return l
	}
	return graph.Sub(l, graph.MulScalar(logSigmoid(graph.Neg(h)), eps))
}

// logOdds is log(p/(1−p)) for p = exp(a), a < 0, as ORPO defines it.
func logOdds(a *graph.Node) *graph.Node {
	return graph.Sub(a, graph.Log1p(graph.Neg(graph.Exp(a))))
}

// pairLoss is the loss of one ordered pair (c preferred to r), per example.
func pairLoss(cfg Config, polC, polR, refC, refR, lenC, lenR *graph.Node) *graph.Node {
	beta, eps := cfg.Beta, cfg.LabelSmoothing
	logRatio := graph.Sub(graph.Sub(polC, refC), graph.Sub(polR, refR))
	avgC, avgR := graph.Div(polC, lenC), graph.Div(polR, lenR)
	switch cfg.Loss {
	case LossRobust:
		h := graph.MulScalar(logRatio, beta)
		l := graph.Add(graph.MulScalar(logSigmoid(h), -(1-eps)),
			graph.MulScalar(logSigmoid(graph.Neg(h)), eps))
		return graph.DivScalar(l, 1-2*eps)
	case LossHinge:
		h := graph.MulScalar(logRatio, beta)
		return graph.Max(graph.OneMinus(h), graph.ZerosLike(h))
	case LossIPO:
		u := graph.Sub(graph.Div(graph.Sub(polC, refC), lenC), graph.Div(graph.Sub(polR, refR), lenR))
		return graph.Square(graph.AddScalar(u, -1/(2*beta)))
	case LossSimPO:
		h := graph.AddScalar(graph.MulScalar(graph.Sub(avgC, avgR), beta), -cfg.Gamma)
		return smoothedSigmoidLoss(h, eps)
	case LossORPO:
		ratio := logSigmoid(graph.Sub(logOdds(avgC), logOdds(avgR)))
		return graph.Sub(graph.Neg(avgC), graph.MulScalar(ratio, beta))
	default: // DPO, conservative when eps > 0
		return smoothedSigmoidLoss(graph.MulScalar(logRatio, beta), eps)
	}
}

// exampleLosses returns the loss of each example [B]. A soft label p mixes both orders:
// p·ℓ(chosen ≻ rejected) + (1−p)·ℓ(rejected ≻ chosen).
func exampleLosses(cfg Config, in lossInputs) *graph.Node {
	if cfg.Loss == LossKTO {
		return ktoLosses(cfg, in)
	}
	fwd := pairLoss(cfg, in.polC, in.polR, in.refC, in.refR, in.lenC, in.lenR)
	rev := pairLoss(cfg, in.polR, in.polC, in.refR, in.refC, in.lenR, in.lenC)
	return graph.Add(graph.Mul(in.soft, fwd), graph.Mul(graph.OneMinus(in.soft), rev))
}

// ktoLosses implements KTO: the reference point z is the batch's mean log-ratio on
// mismatched prompt/completion pairs, clamped at zero and held constant.
func ktoLosses(cfg Config, in lossInputs) *graph.Node {
	reward := graph.Sub(in.polC, in.refC)
	z := ktoReferencePoint(in)
	desirable := graph.MulScalar(graph.OneMinus(graph.Sigmoid(
		graph.MulScalar(graph.Sub(reward, z), cfg.Beta))), cfg.DesirableW)
	undesirable := graph.MulScalar(graph.OneMinus(graph.Sigmoid(
		graph.MulScalar(graph.Sub(z, reward), cfg.Beta))), cfg.UndesirableW)
	return graph.Add(graph.Mul(in.desirable, desirable),
		graph.Mul(graph.OneMinus(in.desirable), undesirable))
}

// ktoReferencePoint is max(0, weighted mean of polR − refR), without gradient, shaped [B].
func ktoReferencePoint(in lossInputs) *graph.Node {
	kl := graph.Div(graph.ReduceAllSum(graph.Mul(graph.Sub(in.polR, in.refR), in.weight)),
		graph.Max(graph.ReduceAllSum(in.weight), graph.OnesLike(graph.ReduceAllSum(in.weight))))
	kl = graph.StopGradient(graph.Max(kl, graph.ZerosLike(kl)))
	return graph.BroadcastToShape(kl, in.polC.Shape())
}

// weightedMean is Σ wᵢℓᵢ / Σ wᵢ (0 when every weight is 0).
func weightedMean(l, w *graph.Node) *graph.Node {
	total := graph.ReduceAllSum(w)
	total = graph.Max(total, graph.OnesLike(total))
	return graph.Div(graph.ReduceAllSum(graph.Mul(l, w)), total)
}

// column extracts column j of a [B, 2] tensor without Slice (whose gradient needs Pad).
func column(x *graph.Node, j int) *graph.Node {
	sel := []float64{1, 0}
	if j == 1 {
		sel = []float64{0, 1}
	}
	c := graph.ConvertDType(graph.Const(x.Graph(), [][]float64{sel}), x.DType())
	return graph.ReduceSum(graph.Mul(x, c), 1)
}

// splitPairs turns [B, 2] float64 nodes into lossInputs.
func splitPairs(pol, ref, lens, weight, soft, desirable *graph.Node) lossInputs {
	return lossInputs{
		polC: column(pol, 0), polR: column(pol, 1),
		refC: column(ref, 0), refR: column(ref, 1),
		lenC: column(lens, 0), lenR: column(lens, 1),
		weight: weight, soft: soft, desirable: desirable,
	}
}

// to64 converts a node to float64.
func to64(x *graph.Node) *graph.Node { return graph.ConvertDType(x, dtypes.Float64) }

// pairBatch holds the host-side per-example values of one batch for the loss.
type pairBatch struct {
	pol, ref, lens [][2]float64
	weight, soft   []float64
	desirable      []float64
}

func (b pairBatch) tensors() []any {
	return []any{pairsTensor(b.pol), pairsTensor(b.ref), pairsTensor(b.lens),
		tensors.FromValue(b.weight), tensors.FromValue(b.soft), tensors.FromValue(b.desirable)}
}

func pairsTensor(v [][2]float64) *tensors.Tensor {
	flat := make([]float64, 0, 2*len(v))
	for _, p := range v {
		flat = append(flat, p[0], p[1])
	}
	return tensors.FromFlatDataAndDimensions(flat, len(v), 2)
}
