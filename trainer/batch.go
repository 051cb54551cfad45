package trainer

import (
	"math/rand/v2"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// encoded is one example as token ids, ready for batching. Slot 0 holds the chosen
// response (KTO: the completion), slot 1 the rejected one (KTO: a mismatched completion).
type encoded struct {
	prompt    []int32
	resp      [2][]int32
	eos       [2]bool // whether the response kept its end token after truncation
	weight    float64
	soft      float64
	desirable float64
}

// seqLen is the model input length of slot j: BOS, prompt and response, less one for the shift.
func (e encoded) seqLen(j int) int {
	n := len(e.prompt) + len(e.resp[j])
	if e.eos[j] {
		n++
	}
	return n
}

func (e encoded) maxLen() int { return max(e.seqLen(0), e.seqLen(1)) }

// encodeExamples tokenises and truncates examples to at most maxLen input tokens. For KTO
// the mismatched completion of example i is that of example i+1.
func encodeExamples(tok Tokenizer, exs []Example, maxLen int, kto bool) []encoded {
	out := make([]encoded, len(exs))
	for i, e := range exs {
		second := e.Rejected
		desirable := 0.0
		if kto {
			second = exs[(i+1)%len(exs)].Chosen
			if *e.Desirable {
				desirable = 1
			}
		}
		p, a, b := tok.Encode(e.Prompt), tok.Encode(e.Chosen), tok.Encode(second)
		out[i] = fitPair(p, a, b, maxLen)
		out[i].weight, out[i].soft, out[i].desirable = e.weight(), e.soft(), desirable
	}
	return out
}

// fitPair truncates a prompt and two responses so each sequence fits maxLen inputs. It
// cuts responses at their end (dropping EOS) and prompts at their start, keeping the end
// of the prompt next to the response; a response keeps at least half of the room.
func fitPair(p, a, b []int32, maxLen int) encoded {
	e := encoded{prompt: p, resp: [2][]int32{a, b}, eos: [2]bool{true, true}}
	room := maxLen + 1 // BOS, prompt, response and EOS; the shift drops one
	respMax := max(len(a), len(b)) + 1
	if 1+len(p)+respMax <= room {
		return e
	}
	respRoom := max(room-1-len(p), room/2)
	longest := 0
	for j := range 2 {
		if len(e.resp[j])+1 > respRoom {
			e.resp[j] = e.resp[j][:respRoom]
			e.eos[j] = false
		}
		longest = max(longest, len(e.resp[j])+boolInt(e.eos[j]))
	}
	if keep := room - 1 - longest; len(p) > keep {
		e.prompt = p[len(p)-keep:]
	}
	return e
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// defaultBuckets are the sequence lengths graphs are compiled for, up to maxLen.
func defaultBuckets(maxLen int) []int {
	var out []int
	for _, b := range []int{16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048} {
		if b < maxLen {
			out = append(out, b)
		}
	}
	return append(out, maxLen)
}

// bucketFor returns the smallest bucket that holds n tokens.
func bucketFor(buckets []int, n int) int {
	for _, b := range buckets {
		if b >= n {
			return b
		}
	}
	return buckets[len(buckets)-1]
}

// epochPlan returns the batches of one epoch as example indices: shuffled, then grouped so
// that examples of similar length share a batch (less padding), in shuffled batch order.
func epochPlan(data []encoded, batch int, seed int64, epoch int) [][]int {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(epoch)+1))
	idx := rng.Perm(len(data))
	group := batch * 16
	var batches [][]int
	for start := 0; start < len(idx); start += group {
		chunk := idx[start:min(start+group, len(idx))]
		slices.SortStableFunc(chunk, func(x, y int) int { return data[x].maxLen() - data[y].maxLen() })
		for b := 0; b < len(chunk); b += batch {
			batches = append(batches, slices.Clone(chunk[b:min(b+batch, len(chunk))]))
		}
	}
	rng.Shuffle(len(batches), func(i, j int) { batches[i], batches[j] = batches[j], batches[i] })
	return batches
}

// pairTensors holds the model inputs of a batch of pairs laid out as 2B rows: row 2i is
// example i's chosen sequence, row 2i+1 its rejected one.
type pairTensors struct {
	tokens, targets, mask *tensors.Tensor
	lens                  [][2]float64
	weight, soft, des     []float64
	tokenCount            int // non-padding input tokens
}

// buildPairBatch lays out examples idx (padded to size with weight-0 repeats) at length L.
func buildPairBatch(tok Tokenizer, data []encoded, idx []int, size, length int) pairTensors {
	rows := 2 * size
	toks := make([]int32, rows*length)
	tgts := make([]int32, rows*length)
	mask := make([]float32, rows*length)
	pt := pairTensors{lens: make([][2]float64, size), weight: make([]float64, size),
		soft: make([]float64, size), des: make([]float64, size)}
	for i := range size {
		e := data[idx[i%len(idx)]]
		if i < len(idx) {
			pt.weight[i] = e.weight
		}
		pt.soft[i], pt.des[i] = e.soft, e.desirable
		for j := range 2 {
			off := (2*i + j) * length
			n := fillRow(tok, e, j, toks[off:off+length], tgts[off:off+length], mask[off:off+length])
			pt.lens[i][j] = float64(max(n, 1))
			if i < len(idx) {
				pt.tokenCount += e.seqLen(j)
			}
		}
	}
	pt.tokens = tensors.FromFlatDataAndDimensions(toks, rows, length)
	pt.targets = tensors.FromFlatDataAndDimensions(tgts, rows, length)
	pt.mask = tensors.FromFlatDataAndDimensions(mask, rows, length)
	return pt
}

// fillRow writes slot j of e as inputs, next-token targets and a response mask (the shift
// is done here, on the host), and returns the number of response targets.
func fillRow(tok Tokenizer, e encoded, j int, toks, tgts []int32, mask []float32) int {
	full := make([]int32, 0, len(e.prompt)+len(e.resp[j])+2)
	full = append(full, tok.BOS())
	full = append(full, e.prompt...)
	full = append(full, e.resp[j]...)
	if e.eos[j] {
		full = append(full, tok.EOS())
	}
	n := min(len(full)-1, len(toks))
	for i := range toks {
		toks[i], tgts[i] = tok.Pad(), tok.Pad()
	}
	count := 0
	for i := range n {
		toks[i], tgts[i] = full[i], full[i+1]
		if i >= len(e.prompt) {
			mask[i] = 1
			count++
		}
	}
	return count
}

// sharedLen is the length of the single row holding both responses after one prompt.
func (e encoded) sharedLen() int {
	return len(e.prompt) + respTargets(e, 0) + respTargets(e, 1) - 1
}

// respTargets is the number of response targets of slot j (response tokens and EOS).
func respTargets(e encoded, j int) int { return len(e.resp[j]) + boolInt(e.eos[j]) }

// batchArgs are a batch's model inputs with the per-example values the loss needs.
type batchArgs struct {
	inputs            []any // tensors for the log-probability programs
	lens              [][2]float64
	weight, soft, des []float64
	tokenCount        int // tokens of the two sequences, as if each were run on its own
}

// buildSharedBatch lays out B pairs as B rows that hold the prompt once: BOS, prompt,
// chosen, then rejected, whose tokens see the prompt but not the chosen response and take
// the chosen response's positions. Inputs: tokens, targets, positions [B, L], attention
// mask [B, 1, L, L], chosen/rejected/branch masks [B, L] and branch targets [B].
//
// Limitation: the attention mask is sent as a dense B×L×L tensor, 134 MB for 8 rows of
// 2,048 tokens; long-context presets would want it built in the graph from branch points.
func buildSharedBatch(tok Tokenizer, data []encoded, idx []int, size, length int) batchArgs {
	toks := make([]int32, size*length)
	tgts := make([]int32, size*length)
	pos := make([]int32, size*length)
	attn := make([]float32, size*length*length)
	maskC := make([]float32, size*length)
	maskR := make([]float32, size*length)
	maskB := make([]float32, size*length)
	branch := make([]int32, size)
	ba := batchArgs{lens: make([][2]float64, size), weight: make([]float64, size),
		soft: make([]float64, size), des: make([]float64, size)}
	for i := range size {
		e := data[idx[i%len(idx)]]
		if i < len(idx) {
			ba.weight[i] = e.weight
			ba.tokenCount += e.seqLen(0) + e.seqLen(1)
		}
		ba.soft[i], ba.des[i] = e.soft, e.desirable
		ba.lens[i] = [2]float64{float64(respTargets(e, 0)), float64(respTargets(e, 1))}
		row := sharedRow{toks: toks[i*length : (i+1)*length], tgts: tgts[i*length : (i+1)*length],
			pos: pos[i*length : (i+1)*length], attn: attn[i*length*length : (i+1)*length*length],
			maskC: maskC[i*length : (i+1)*length], maskR: maskR[i*length : (i+1)*length],
			maskB: maskB[i*length : (i+1)*length]}
		branch[i] = row.fill(tok, e)
	}
	t := func(v any, dims ...int) *tensors.Tensor {
		switch v := v.(type) {
		case []int32:
			return tensors.FromFlatDataAndDimensions(v, dims...)
		default:
			return tensors.FromFlatDataAndDimensions(v.([]float32), dims...)
		}
	}
	ba.inputs = []any{t(toks, size, length), t(tgts, size, length), t(pos, size, length),
		t(attn, size, 1, length, length), t(maskC, size, length), t(maskR, size, length),
		t(maskB, size, length), tensors.FromFlatDataAndDimensions(branch, size)}
	return ba
}

// sharedRow is one row of a shared-prompt batch.
type sharedRow struct {
	toks, tgts, pos     []int32
	attn                []float32 // L×L additive mask: 0 where attention is allowed
	maskC, maskR, maskB []float32
}

// fill writes pair e into the row and returns the branch target: the first rejected token,
// predicted from the last prompt position, whose own target is the first chosen token.
func (r sharedRow) fill(tok Tokenizer, e encoded) int32 {
	length := len(r.toks)
	p := len(e.prompt)
	fullC := seqTokens(tok, e, 0)
	fullR := seqTokens(tok, e, 1)
	inC := len(fullC) - 1
	for i := range length {
		r.toks[i], r.tgts[i], r.pos[i] = tok.Pad(), tok.Pad(), int32(i)
	}
	for i := range inC {
		r.toks[i], r.tgts[i] = fullC[i], fullC[i+1]
		if i >= p {
			r.maskC[i] = 1
		}
	}
	r.maskB[p] = 1
	nR := len(fullR) - 1 - p
	for k := range nR - 1 {
		i := inC + k
		r.toks[i], r.tgts[i], r.pos[i] = fullR[p+1+k], fullR[p+2+k], int32(p+1+k)
		r.maskR[i] = 1
	}
	used := inC + nR - 1
	for q := range length {
		for k := range length {
			blocked := k > q || (q >= inC && q < used && k > p && k < inC)
			if blocked {
				r.attn[q*length+k] = -1e9
			}
		}
	}
	return fullR[p+1]
}

// seqTokens is BOS, prompt, response j and, unless truncated, EOS.
func seqTokens(tok Tokenizer, e encoded, j int) []int32 {
	full := make([]int32, 0, len(e.prompt)+len(e.resp[j])+2)
	full = append(full, tok.BOS())
	full = append(full, e.prompt...)
	full = append(full, e.resp[j]...)
	if e.eos[j] {
		full = append(full, tok.EOS())
	}
	return full
}

// buildTwoRowBatch lays out B examples as 2B independent causal rows (row 2i: slot 0 of
// example i, row 2i+1: slot 1), used for KTO, whose two slots have different prompts.
func buildTwoRowBatch(tok Tokenizer, data []encoded, idx []int, size, length int) batchArgs {
	pt := buildPairBatch(tok, data, idx, size, length)
	return batchArgs{inputs: []any{pt.tokens, pt.targets, pt.mask}, lens: pt.lens,
		weight: pt.weight, soft: pt.soft, des: pt.des, tokenCount: pt.tokenCount}
}
