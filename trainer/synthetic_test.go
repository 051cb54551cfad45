package trainer

import (
	"math/rand/v2"
	"strings"
)

// syntheticPairs returns pairs whose chosen response starts with 'A' and whose rejected
// one starts with 'B'; both then echo the prompt's letters.
func syntheticPairs(n int, seed uint64) []Example {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]Example, n)
	for i := range out {
		var b strings.Builder
		for range 3 {
			b.WriteByte(byte('a' + rng.IntN(8)))
		}
		w := b.String()
		out[i] = Example{Prompt: "q" + w + ">", Chosen: "A" + w + ".", Rejected: "B" + w + "."}
	}
	return out
}

// tinyConfig is a model and schedule small enough for unit tests on two cores.
func tinyConfig(out string) Config {
	return Config{
		Preset: "test-tiny", Model: ModelConfig{MaxLen: 16}, OutDir: out,
		BatchSize: 16, SFTSteps: 60, SFTOn: "both", LR: 3e-3, SFTLR: 1e-2, Steps: 30,
		WarmupSteps: 3, LogEvery: 5, SaveEvery: 10, EvalFraction: 0.2, Beta: 0.5,
	}
}
