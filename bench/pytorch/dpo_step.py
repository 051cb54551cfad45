#!/usr/bin/python3
"""One DPO optimizer step in PyTorch, the same step as trainer.BenchmarkDPOStep.

Same model as prefer's trainer: decoder-only, pre-norm, causal multi-head attention,
MLP with the x*sigmoid(1.702x) GELU approximation, fixed sinusoidal positions, output head
tied to the embedding, byte vocabulary of 259. The step: policy forward and backward on the
chosen and rejected sequences (2*batch rows of seq tokens, no padding), DPO sigmoid loss
against cached reference log-probabilities, global-norm clipping at 1, AdamW.

Prints one JSON object: tokens/s and peak resident memory.
Run with Debian's interpreter: /usr/bin/python3 bench/pytorch/dpo_step.py --preset cpu-1m
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn.functional as F

PRESETS = {
    "cpu-1m": dict(dim=128, layers=4, heads=4, seq=64, batch=8),
    "cpu-5m": dict(dim=256, layers=6, heads=8, seq=128, batch=8),
}
VOCAB = 259


class Block(torch.nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(dim)
        self.wq = torch.nn.Linear(dim, dim, bias=False)
        self.wk = torch.nn.Linear(dim, dim, bias=False)
        self.wv = torch.nn.Linear(dim, dim, bias=False)
        self.wo = torch.nn.Linear(dim, dim, bias=False)
        self.ln2 = torch.nn.LayerNorm(dim)
        self.w1 = torch.nn.Linear(dim, 4 * dim)
        self.w2 = torch.nn.Linear(4 * dim, dim)

    def forward(self, x, mask):
        n, length, dim = x.shape
        hd = dim // self.heads
        h = self.ln1(x)
        q = self.wq(h).view(n, length, self.heads, hd).transpose(1, 2)
        k = self.wk(h).view(n, length, self.heads, hd).transpose(1, 2)
        v = self.wv(h).view(n, length, self.heads, hd).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + mask
        out = torch.softmax(scores, dim=-1) @ v
        x = x + self.wo(out.transpose(1, 2).reshape(n, length, dim))
        h = self.w1(self.ln2(x))
        h = h * torch.sigmoid(1.702 * h)
        return x + self.w2(h)


class Model(torch.nn.Module):
    def __init__(self, dim, layers, heads):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, dim)
        torch.nn.init.normal_(self.embed.weight, std=0.02)
        self.blocks = torch.nn.ModuleList(Block(dim, heads) for _ in range(layers))
        self.lnf = torch.nn.LayerNorm(dim)
        self.dim = dim

    def forward(self, tokens):
        n, length = tokens.shape
        pos = torch.arange(length).unsqueeze(1)
        i = torch.arange(0, self.dim, 2)
        freq = torch.pow(10000.0, -i / self.dim)
        pe = torch.zeros(length, self.dim)
        pe[:, 0::2] = torch.sin(pos * freq)
        pe[:, 1::2] = torch.cos(pos * freq)
        mask = torch.full((length, length), -1e9).triu(1)
        x = self.embed(tokens) + pe
        for b in self.blocks:
            x = b(x, mask)
        return self.lnf(x) @ self.embed.weight.T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="cpu-1m", choices=sorted(PRESETS))
    ap.add_argument("--seq", type=int)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="0: PyTorch's default")
    args = ap.parse_args()
    p = dict(PRESETS[args.preset])
    seq = args.seq or p["seq"]
    batch = args.batch or p["batch"]
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    model = Model(p["dim"], p["layers"], p["heads"])
    decay = [w for n, w in model.named_parameters() if w.dim() == 2]
    other = [w for n, w in model.named_parameters() if w.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": other, "weight_decay": 0.0}], lr=1e-3)
    rows = 2 * batch
    tokens = torch.randint(0, 256, (rows, seq))
    targets = torch.randint(0, 256, (rows, seq))
    mask = torch.zeros(rows, seq)
    mask[:, 16:] = 1  # response tokens after a 16-token prompt
    ref = torch.zeros(batch, 2, dtype=torch.float64)  # cached reference log-probabilities
    beta = 0.1

    def step():
        logits = model(tokens)
        logp = torch.log_softmax(logits, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        seq_logp = (logp * mask).sum(-1).double().view(batch, 2)
        h = beta * ((seq_logp[:, 0] - ref[:, 0]) - (seq_logp[:, 1] - ref[:, 1]))
        loss = -F.logsigmoid(h).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    step()  # warm-up
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    elapsed = time.perf_counter() - start
    params = sum(w.numel() for w in model.parameters())
    print(json.dumps({
        "framework": "pytorch " + torch.__version__, "preset": args.preset, "seq": seq,
        "batch": batch, "threads": torch.get_num_threads(), "params": params,
        "tokens_per_second": rows * seq * args.steps / elapsed,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
