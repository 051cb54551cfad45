// Package export turns a project's pairs and their judgments into preference
// datasets. It is pure: the store streams pairs in, and export decides which
// of them a consensus rule keeps, writes them in a training format and splits
// them into train and test parts. It holds no SQL.
//
// # Formats
//
// Every format is JSON Lines, one object a line, as TRL and Hugging Face
// datasets read them. Rows of the preference formats start with an "id":
// the id the pair was imported with, or "pair-" and its database id; the
// importer reads it back, so pairs with the same texts stay distinct.
//
//   - trl: {"prompt", "chosen", "rejected", "meta"} with plain strings. A
//     conversation prompt is flattened by annotation.Prompt.Flatten: each
//     turn as "role: content", turns separated by a blank line.
//   - trl-conversational: "prompt" is a list of {role, content} messages (a
//     plain prompt becomes one user message); "chosen" and "rejected" are
//     lists holding one assistant message.
//   - kto: {"prompt", "completion", "label", "meta"}, unpaired, with the
//     prompt flattened as in trl. A clear preference gives a desirable row
//     (label true) and an undesirable one; a pair judged both bad gives two
//     undesirable rows; a tie gives nothing.
//   - judgments: one row per judgment of a kept pair, {"item" (the pair id),
//     "annotator", "label", "strength", "rationale", "shown_left", "seconds",
//     "kind", "source"}: the file `prefer agreement` reads. Sources' judgments
//     are written only for pairs that no person judged.
//
// # Meta
//
// Each preference row carries "meta": the pair id, the votes counted (by
// the chosen side's terms: chosen, rejected, tie, both_bad), "agreement"
// (the share of votes for the consensus label), "soft_label" and "weight",
// whether an adjudication decided the pair and whether the votes came from
// an imported source rather than people.
//
// soft_label is the probability that chosen is better: votes for chosen plus
// half the votes for tie and both bad (neither says which side is better),
// over all votes. weight is the agreement. An adjudicated pair has both at 1:
// an expert decided it.
//
// # Consensus
//
// Votes are the people's ordinary judgments; swapped repeats and gold checks
// do not vote, and imported sources are never people. A pair that no person
// judged takes its sources' labels as votes instead, marked "source": true
// in meta; so a TRL file imported and exported again gives the same rows.
// The rules:
//
//   - majority: the label with most votes; a split with no single winner
//     (a against b, or a against tie) keeps no pair.
//   - unanimous: every vote has the same label.
//   - adjudicated: only pairs with an adjudication.
//
// Under every rule the pair's latest adjudication, when it has one, replaces
// the consensus, and --min-agreement does not apply to it.
//
// A consensus of tie or both bad has no chosen side: trl and
// trl-conversational leave such pairs out, kto writes both bad as two
// undesirable rows, and judgments keeps them. ExcludeTies leaves tie pairs
// out of every format.
//
// # Split
//
// With a split, a pair goes to the train part when a hash of the seed and
// its flattened prompt falls below the train share: the same seed gives the
// same parts, and pairs that share a prompt never straddle them.
package export
