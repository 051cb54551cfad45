package trainer

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// SampleOptions control generation.
type SampleOptions struct {
	Temperature float64 `json:"temperature"` // 0 means greedy
	TopP        float64 `json:"top_p"`       // nucleus mass; 0 or 1 means all tokens
	MaxTokens   int     `json:"max_tokens"`  // new tokens; 0 means 64
	Seed        uint64  `json:"seed"`
}

// Samples are completions of one prompt by a run's policy and by its reference.
type Samples struct {
	Policy    string `json:"policy"`
	Reference string `json:"reference"`
}

// Sample generates a completion of prompt from the latest checkpoint of the run in
// checkpointDir (or from that checkpoint file) and from the run's reference model.
func Sample(ctx context.Context, checkpointDir, prompt string, opts SampleOptions) (
	s Samples, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sample: %v", r)
		}
	}()
	path, err := resolveCheckpoint(checkpointDir)
	if err != nil {
		return s, err
	}
	policy, err := NewSampler(path, Config{})
	if err != nil {
		return s, err
	}
	if s.Policy, err = policy.Generate(ctx, prompt, opts); err != nil {
		return s, err
	}
	if policy.base == "" {
		return s, fmt.Errorf("%s names no reference model", path)
	}
	ref, err := NewSampler(policy.base, Config{})
	if err != nil {
		return s, err
	}
	s.Reference, err = ref.Generate(ctx, prompt, opts)
	return s, err
}

// Sampler generates text from one checkpoint.
type Sampler struct {
	md      *model
	tok     Tokenizer
	base    string
	buckets []int
}

// NewSampler loads a checkpoint file; cfg supplies the backend settings (Backend,
// Parallelism) and may be the zero Config.
func NewSampler(path string, cfg Config) (*Sampler, error) {
	h, data, err := loadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	if h.Tokenizer != (ByteTokenizer{}).Name() {
		return nil, fmt.Errorf("%s: unknown tokenizer %q", path, h.Tokenizer)
	}
	b, err := newBackend(cfg)
	if err != nil {
		return nil, err
	}
	md, err := newModel(b, h.Model, splitScope(data, scopeModel))
	if err != nil {
		return nil, err
	}
	return &Sampler{md: md, tok: ByteTokenizer{}, base: h.Base,
		buckets: defaultBuckets(h.Model.MaxLen)}, nil
}

// Generate completes prompt, stopping at the end token, MaxTokens or the model's length.
// The prompt is cut at its start when it leaves no room.
func (s *Sampler) Generate(ctx context.Context, prompt string, opts SampleOptions) (string, error) {
	if opts.MaxTokens <= 0 {
		opts.MaxTokens = 64
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 11))
	maxLen := s.md.cfg.MaxLen
	ids := append([]int32{s.tok.BOS()}, s.tok.Encode(prompt)...)
	if keep := maxLen - min(opts.MaxTokens, maxLen/2); len(ids) > keep {
		ids = append([]int32{s.tok.BOS()}, ids[len(ids)-keep+1:]...)
	}
	start := len(ids)
	for len(ids)-start < opts.MaxTokens && len(ids) < maxLen {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		logits, err := s.nextLogits(ids)
		if err != nil {
			return "", err
		}
		next := pickToken(logits, opts, rng)
		if next == s.tok.EOS() {
			break
		}
		ids = append(ids, next)
	}
	return s.tok.Decode(ids[start:]), nil
}

// nextLogits returns the logits of the token after ids.
// Limitation: there is no key/value cache, so each new token reruns the whole sequence.
func (s *Sampler) nextLogits(ids []int32) ([]float32, error) {
	length := bucketFor(s.buckets, len(ids))
	toks := make([]int32, length)
	pos := make([]float32, length)
	for i := range toks {
		toks[i] = s.tok.Pad()
	}
	copy(toks, ids)
	pos[len(ids)-1] = 1
	out, err := safeExec(s.md.logits, tensors.FromFlatDataAndDimensions(toks, 1, length),
		tensors.FromFlatDataAndDimensions(pos, 1, length))
	if err != nil {
		return nil, err
	}
	return flat32(out[0])
}

// pickToken samples from logits with temperature and nucleus (top-p) filtering, never
// choosing BOS or PAD.
func pickToken(logits []float32, opts SampleOptions, rng *rand.Rand) int32 {
	tok := ByteTokenizer{}
	logits[tok.BOS()], logits[tok.Pad()] = float32(math.Inf(-1)), float32(math.Inf(-1))
	if opts.Temperature <= 0 {
		best := 0
		for i, l := range logits {
			if l > logits[best] {
				best = i
			}
		}
		return int32(best)
	}
	order := make([]int, len(logits))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case logits[a] > logits[b]:
			return -1
		case logits[a] < logits[b]:
			return 1
		}
		return 0
	})
	probs := make([]float64, len(order))
	var total float64
	for i, id := range order {
		probs[i] = math.Exp((float64(logits[id]) - float64(logits[order[0]])) / opts.Temperature)
		total += probs[i]
	}
	keep := len(order)
	if opts.TopP > 0 && opts.TopP < 1 {
		var mass float64
		for i, p := range probs {
			mass += p / total
			if mass >= opts.TopP {
				keep = i + 1
				break
			}
		}
	}
	var kept float64
	for _, p := range probs[:keep] {
		kept += p
	}
	u := rng.Float64() * kept
	for i, p := range probs[:keep] {
		if u < p {
			return int32(order[i])
		}
		u -= p
	}
	return int32(order[keep-1])
}
