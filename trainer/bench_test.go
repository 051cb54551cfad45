package trainer

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// BenchmarkDPOStep measures one optimizer step of DPO (policy forward and backward on the
// chosen and rejected sequences with cached reference log-probabilities, then clipped
// AdamW) for the CPU presets, at full-length sequences so no token is padding. It reports
// tokens/s and the peak Go heap. bench/pytorch/dpo_step.py runs the same step in PyTorch.
//
//	go test ./trainer -run '^$' -bench DPOStep -benchtime 5x
//
// BENCH_SEQ and BENCH_BATCH override the sequence length and pairs per batch;
// BENCH_TWO_ROWS=1 runs chosen and rejected as separate rows (no prompt sharing) and
// BENCH_GOMLX_DOT_GRAD=1 uses GoMLX's own DotGeneral gradient, to measure those levers.
func BenchmarkDPOStep(b *testing.B) {
	for _, c := range []struct {
		preset     string
		seq, batch int
	}{
		{"cpu-1m", 64, 8},
		{"cpu-5m", 128, 8},
	} {
		if v, err := strconv.Atoi(os.Getenv("BENCH_SEQ")); err == nil {
			c.seq = v
		}
		if v, err := strconv.Atoi(os.Getenv("BENCH_BATCH")); err == nil {
			c.batch = v
		}
		b.Run(fmt.Sprintf("%s/seq=%d/batch=%d", c.preset, c.seq, c.batch), func(b *testing.B) {
			benchStep(b, c.preset, c.seq, c.batch)
		})
	}
}

func benchStep(b *testing.B, preset string, seq, batch int) {
	if os.Getenv("BENCH_GOMLX_DOT_GRAD") != "" {
		graph.VJPRegistration[graph.NodeTypeDotGeneral] = originalDotGeneralVJP
		defer func() { graph.VJPRegistration[graph.NodeTypeDotGeneral] = fastDotGeneralVJP }()
	}
	cfg := Config{Preset: preset, BatchSize: batch}.WithDefaults()
	m, err := cfg.ModelConfig()
	if err != nil {
		b.Fatal(err)
	}
	m.Vocab = ByteTokenizer{}.VocabSize()
	md, err := newModel(testBackend(b), m, initWeights(m, 1))
	if err != nil {
		b.Fatal(err)
	}
	tr, err := newTrainable(md, cfg)
	if err != nil {
		b.Fatal(err)
	}

	// Pairs whose two sequences fill exactly seq inputs each: a 16-byte prompt and responses.
	data := make([]encoded, batch)
	tok := ByteTokenizer{}
	for i := range data {
		p := tok.Encode(fmt.Sprintf("%016d", i))
		respLen := seq - len(p) - 1
		a, r := make([]int32, respLen), make([]int32, respLen)
		for j := range a {
			a[j], r[j] = int32('a'+(i+j)%26), int32('A'+(i*j)%26)
		}
		data[i] = encoded{prompt: p, resp: [2][]int32{a, r}, eos: [2]bool{true, true}, weight: 1, soft: 1}
	}
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
	}
	var ba batchArgs
	if os.Getenv("BENCH_TWO_ROWS") != "" {
		ba = buildTwoRowBatch(tok, data, idx, batch, seq)
		cfg.Loss = LossKTO // the two-row layout's loss; the same model work as DPO
	} else {
		ba = buildSharedBatch(tok, data, idx, batch, data[0].sharedLen())
	}
	tr.run = cfg
	pb := pairBatch{ref: make([][2]float64, batch), lens: ba.lens, weight: ba.weight, soft: ba.soft,
		desirable: ba.des}
	args := append(append([]any{}, ba.inputs...), pb.tensors()[1:]...)
	step := func(n int) {
		if _, err := safeExec(tr.pref, args...); err != nil {
			b.Fatal(err)
		}
		if _, err := safeExec(tr.apply, optScalars(1e-3, 1, n, 0.01, 1)...); err != nil {
			b.Fatal(err)
		}
	}
	step(1) // compile outside the timing

	peak := watchHeap()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		step(i + 2)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(2*batch*seq*b.N)/elapsed.Seconds(), "tokens/s")
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(NumParams(m)), "params")
}

// watchHeap samples the Go heap until the returned function is called, which returns the
// largest in-use size seen.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		wg.Wait()
		return peak.Load()
	}
}
