package trainer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// nextBatch returns the next batch of the data stream and advances the position.
func (r *run) nextBatch(plan *[][]int) []int {
	if *plan == nil || r.batch >= len(*plan) {
		if *plan != nil {
			r.epoch++
			r.batch = 0
		}
		*plan = epochPlan(r.train, r.cfg.BatchSize, r.cfg.Seed, r.epoch)
	}
	idx := (*plan)[r.batch]
	r.batch++
	return idx
}

// epochFloat is the data position in epochs.
func (r *run) epochFloat(plan [][]int) float64 {
	if len(plan) == 0 {
		return float64(r.epoch)
	}
	return float64(r.epoch) + float64(r.batch)/float64(len(plan))
}

// loop runs the optimizer steps from r.startStep to the total.
func (r *run) loop(ctx context.Context, t *trainable) error {
	total := r.totalSteps()
	r.total = total
	r.report(Event{Kind: EventStage, Stage: "train", Step: r.startStep, TotalSteps: total,
		Message: fmt.Sprintf("%s on %d pairs (%d held out): %s", r.cfg.Loss, len(r.train),
			len(r.eval), r.mcfg.describe())})

	// Rebuild the epoch's plan and skip to the saved position.
	var plan [][]int
	if r.startStep > 0 {
		plan = epochPlan(r.train, r.cfg.BatchSize, r.cfg.Seed, r.epoch)
	}
	var stats batchStats
	var lossSum, normSum float64
	var tokens, steps int
	began := time.Now()
	for step := r.startStep + 1; step <= total; step++ {
		if err := ctx.Err(); err != nil {
			if cause := context.Cause(ctx); errors.Is(cause, ErrAbandon) {
				return cause
			}
			return r.stop(t, step-1, plan, err)
		}
		for range r.cfg.GradAccum {
			idx := r.nextBatch(&plan)
			loss, n, err := r.microStep(t, idx, &stats)
			if err != nil {
				return fmt.Errorf("step %d: %w", step, err)
			}
			lossSum += loss / float64(r.cfg.GradAccum)
			tokens += n
		}
		lr := scheduleLR(r.cfg.Schedule, r.cfg.LR, step, r.cfg.WarmupSteps, total)
		out, err := safeExec(t.apply, optScalars(lr, r.cfg.GradAccum, step, r.cfg.WeightDecay,
			r.cfg.ClipNorm)...)
		if err != nil {
			return fmt.Errorf("update %d: %w", step, err)
		}
		normSum += scalar64(out[0])
		steps++

		if step%r.cfg.LogEvery == 0 || step == total {
			m := stats.metrics(r.cfg, "", lossSum/float64(steps))
			m["grad_norm"] = normSum / float64(steps)
			m["learning_rate"] = lr
			m["tokens_per_second"] = float64(tokens) / time.Since(began).Seconds()
			if err := r.emit(EventMetrics, step, r.epochFloat(plan), m); err != nil {
				return err
			}
			stats, lossSum, normSum, tokens, steps = batchStats{}, 0, 0, 0, 0
			began = time.Now()
		}
		if (r.cfg.EvalEvery > 0 && step%r.cfg.EvalEvery == 0) || step == total {
			if err := r.evaluate(ctx, t, step, r.epochFloat(plan)); err != nil {
				return err
			}
			began = time.Now()
		}
		if step%r.cfg.SaveEvery == 0 || step == total {
			if err := r.save(t, step); err != nil {
				return err
			}
		}
	}
	return nil
}

// stop saves the progress of a cancelled run and returns the cancellation error.
func (r *run) stop(t *trainable, step int, plan [][]int, cause error) error {
	if step > r.startStep {
		if err := r.save(t, step); err != nil {
			return fmt.Errorf("%w (and saving failed: %v)", cause, err)
		}
	}
	return cause
}

// microStep runs one micro-batch forward and backward, adding its gradient to the
// accumulators, and returns its loss and number of tokens.
func (r *run) microStep(t *trainable, idx []int, stats *batchStats) (float64, int, error) {
	ba := r.layout(r.train, idx)
	ref := make([][2]float64, r.cfg.BatchSize)
	for i := range ref {
		ref[i] = r.refTrain[idx[i%len(idx)]]
	}
	pb := pairBatch{ref: ref, lens: ba.lens, weight: ba.weight, soft: ba.soft, desirable: ba.des}
	args := append(append([]any{}, ba.inputs...), pb.tensors()[1:]...)
	out, err := safeExec(t.pref, args...)
	if err != nil {
		return 0, 0, err
	}
	loss := scalar64(out[0])
	pol, err := flat32(out[1])
	if err != nil {
		return 0, 0, err
	}
	stats.addPairs(r.cfg, pairs32(pol), ref, ba.lens, ba.soft, ba.des, len(idx))
	return loss, ba.tokenCount, nil
}

func pairs32(v []float32) [][2]float64 {
	out := make([][2]float64, len(v)/2)
	for i := range out {
		out[i] = [2]float64{float64(v[2*i]), float64(v[2*i+1])}
	}
	return out
}

// evaluate scores the held-out split with the policy and reports eval_ metrics.
func (r *run) evaluate(ctx context.Context, t *trainable, step int, epoch float64) error {
	if len(r.eval) == 0 {
		return nil
	}
	pol, err := r.scoreAll(ctx, t.model, r.eval)
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	pb := pairBatch{pol: pol, ref: r.refEval, lens: make([][2]float64, len(r.eval)),
		weight: make([]float64, len(r.eval)), soft: make([]float64, len(r.eval)),
		desirable: make([]float64, len(r.eval))}
	for i, e := range r.eval {
		pb.lens[i] = [2]float64{float64(max(1, respTargets(e, 0))), float64(max(1, respTargets(e, 1)))}
		pb.weight[i], pb.soft[i], pb.desirable[i] = e.weight, e.soft, e.desirable
	}
	losses, err := r.evalLosses(pb)
	if err != nil {
		return err
	}
	var sum, wsum float64
	for i, l := range losses {
		sum += l * pb.weight[i]
		wsum += pb.weight[i]
	}
	var stats batchStats
	stats.addPairs(r.cfg, pol, r.refEval, pb.lens, pb.soft, pb.desirable, len(r.eval))
	return r.emit(EventEval, step, epoch, stats.metrics(r.cfg, "eval_", sum/max(wsum, 1e-12)))
}

func (r *run) evalLosses(pb pairBatch) ([]float64, error) {
	var out []*tensors.Tensor
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("gomlx: %v", p)
			}
		}()
		out, err = r.lossEval.Exec(pb.tensors()...)
		return err
	}()
	if err != nil {
		return nil, fmt.Errorf("held-out loss: %w", err)
	}
	return flat64(out[0])
}

// emit records metrics in the history and reports them.
func (r *run) emit(kind string, step int, epoch float64, m map[string]float64) error {
	if err := appendMetrics(r.cfg.OutDir, Record{Stage: "train", Step: step, Total: r.total,
		Epoch: epoch, Metrics: m}); err != nil {
		return err
	}
	r.report(Event{Kind: kind, Stage: "train", Step: step, TotalSteps: r.total, Epoch: epoch, Metrics: m})
	return nil
}

// save writes a step checkpoint with weights, optimizer moments and data position, and
// prunes old ones.
func (r *run) save(t *trainable, step int) error {
	data := map[string][]float32{}
	for _, scope := range []string{scopeModel, scopeM, scopeV} {
		for _, s := range t.specs {
			v, err := t.variable(scope, s.name).Value()
			if err != nil {
				return fmt.Errorf("read %s/%s: %w", scope, s.name, err)
			}
			w, err := tensors.CopyFlatData[float32](v)
			if err != nil {
				return fmt.Errorf("copy %s/%s: %w", scope, s.name, err)
			}
			data[scope+"/"+s.name] = w
		}
	}
	cfg := r.cfg
	h := ckptHeader{Model: r.mcfg, Tokenizer: r.tok.Name(), Step: step, Epoch: r.epoch,
		Batch: r.batch, Base: r.basePath, Config: &cfg,
		Tensors: tensorList(r.mcfg, scopeModel, scopeM, scopeV)}
	path := stepCheckpointPath(r.cfg.OutDir, step)
	if err := saveCheckpoint(path, h, data); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := pruneCheckpoints(r.cfg.OutDir, r.cfg.KeepLast); err != nil {
		return err
	}
	r.report(Event{Kind: EventCheckpoint, Stage: "train", Step: step, TotalSteps: r.total,
		Checkpoint: path})
	return nil
}
