// Package trainer is prefer's embedded preference-optimisation trainer: a small
// decoder-only transformer trained with DPO and its relatives on GoMLX.
//
// # Entry points
//
//   - [Train] takes a context, a [Config] and the examples, and reports [Event]s (stage
//     changes, metrics, held-out metrics, checkpoints) through a callback. It returns
//     ctx.Err() when cancelled (after saving a checkpoint between steps), an error on bad
//     input or a failed run, and never panics: GoMLX panics become errors.
//   - [ReadExamplesFile] and [ReadExamples] parse the export formats (trl,
//     trl-conversational, kto, and HH-RLHF transcripts with an implicit prompt) with errors
//     that name the file, line and field.
//   - [Sample] completes a prompt with a run's latest checkpoint and with its reference;
//     [NewSampler] keeps a model loaded for many prompts.
//   - [LoadMetrics] reads a run's metrics history; [Checkpoints], [LatestCheckpoint] and
//     [BasePath] find its files.
//
// # Run folder
//
// Config.OutDir holds config.json, metrics.jsonl (one [Record] per logging step, SFT and
// train stages), base.ckpt (the reference: the given base or the SFT result),
// checkpoints/step-NNNNNNNN.ckpt (the last Config.KeepLast; weights, AdamW moments and the
// data position, each written to a temporary file and renamed) and refcache/ (reference
// log-probabilities keyed by a hash of the reference checkpoint and the encoded data).
// A run with Config.Resume continues from its latest checkpoint; its history is cut back
// to that step so that the metrics join up.
//
// # Model and data
//
// The model is pre-norm, with causal multi-head attention, an MLP, fixed sinusoidal
// positions and an output head tied to the embedding; [Presets] size it (cpu-1m, cpu-5m
// for CPUs, gpu-25m, gpu-85m for accelerators). Text goes through a [Tokenizer]; the default
// [ByteTokenizer] maps bytes to ids. Without Config.BasePath a supervised stage (SFT) on the
// prompts and chosen responses makes the base, which, frozen, is the reference. Any run's
// checkpoint or folder can be the base of the next.
//
// A pair is laid out as one row that holds the prompt once: the rejected response's
// tokens attend to the prompt but not to the chosen response and reuse its positions, so
// the prompt is computed once for both. Rows are grouped by length and padded to a few
// bucket lengths, so graphs are compiled once per bucket. Sequences longer than the
// model's MaxLen lose the end of the response first (keeping at least half the room) and
// then the start of the prompt.
//
// # Losses
//
// All losses start from the summed response log-probabilities of policy and reference:
// dpo (sigmoid; conservative cDPO with LabelSmoothing), robust, hinge, ipo (length
// normalised), simpo (no reference, margin Gamma), orpo (no reference; NLL plus Beta times
// the odds-ratio term) and kto (unpaired; reference point from mismatched completions).
// Example.Weight scales an example in the batch mean; Example.SoftLabel p mixes both
// orders of a pair, p·ℓ(chosen ≻ rejected) + (1−p)·ℓ(rejected ≻ chosen).
//
// # Metrics
//
// Named as TRL names them: loss, rewards/chosen, rewards/rejected, rewards/accuracies,
// rewards/margins, logps/chosen, logps/rejected, grad_norm, learning_rate,
// tokens_per_second, and eval_ versions on the held-out split. Rewards are β times the
// log-ratio to the reference (simpo, orpo: β times the mean token log-probability). For
// kto, rewards/chosen and rewards/rejected average desirable and undesirable examples and
// rewards/accuracies is the share whose reward has the sign of its label.
// tokens_per_second counts the tokens of both sequences of a pair, prompt included twice,
// as a trainer without prompt sharing would process them.
//
// # Backend
//
// GoMLX picks the backend from Config.Backend or $GOMLX_BACKEND, so an installed XLA
// plugin trains on a GPU without code changes. The default is the pure-Go backend, with
// sequential op scheduling (its default scheduler deadlocked on two cores), its blocked
// matrix product and at most Config.Parallelism workers. The package replaces GoMLX's
// gradient of DotGeneral by one written with DotGeneral (about 10x faster) for the
// products it builds, avoids Slice and Pad (unimplemented gradients in the Go backend) by
// reshaping and shifting tokens on the host, and implements its own AdamW (decoupled
// weight decay on matrices only), global-norm clipping and warmup with cosine or linear
// decay.
//
// Limitation: the Go backend's matrix product runs at a few GFLOP/s, so a step costs 3 to
// 10 times what PyTorch with OpenBLAS needs on the same CPU; see bench/pytorch.
package trainer
