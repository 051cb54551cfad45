// Package importer reads the files that bring pairs into prefer. It is pure:
// it turns bytes into annotation.PairInput values and leaves storing them to
// the caller, which saves a whole file in one transaction.
//
// # Containers
//
// A file is a JSON array of records or JSON Lines (one record per line),
// either of them optionally gzip-compressed. Read tells them apart by their
// first bytes, whatever the file is called, and reads record by record, so
// memory stays flat however large the file is.
//
// # Formats
//
// The format is found from the fields of the first record; all records of a
// file must share it. Each format below is shown by one JSON Lines record.
//
// Pairs to judge (format "pairs"): a prompt and exactly two responses, a and
// b in that order. The prompt is a string or a list of chat messages with
// role system, user or assistant; a response is a string or an object with
// "text" (or "content") and an optional "model". "id" (string or number),
// "tags" (list of strings) and "meta" (object) are optional.
//
//	{"id": "q17", "prompt": "Name a prime.", "responses": ["7", {"text": "9", "model": "m2"}], "tags": ["math"]}
//	{"prompt": [{"role": "user", "content": "Hi!"}], "responses": ["Hello.", "Go away."]}
//
// Pairs with judgments from another tool (format "judged"): the same, with
// "judgments", each by a named annotator, with choice a, b, tie or both_bad
// (a and b are responses[0] and responses[1]), an optional strength
// (1, 2, 3 or "slightly", "clearly", "much"; only with a or b), an optional
// rationale, and "source": true when the judge is a program, not a person.
//
//	{"prompt": "Name a prime.", "responses": ["7", "9"], "judgments": [{"annotator": "ana", "choice": "a", "strength": "clearly", "rationale": "9 = 3 x 3"}]}
//
// Preference rows as TRL uses them (format "trl"): a prompt with a chosen and
// a rejected completion, all strings, or a conversation with two lists of
// assistant messages. The row's label is kept as a judgment by the source
// named in Options.Source ("source:" and the file name by default), never by
// a person. So that annotators do not learn that a is usually better, chosen
// goes to a or b by a hash of the content: the same row always makes the same
// pair. An "id" is read; other fields are kept as meta.
//
//	{"prompt": "Name a prime.", "chosen": "7", "rejected": "9"}
//	{"prompt": [{"role": "user", "content": "Hi!"}], "chosen": [{"role": "assistant", "content": "Hello."}], "rejected": [{"role": "assistant", "content": "Go away."}]}
//
// TRL rows with an implicit prompt (format "trl-implicit"): chosen and
// rejected hold the whole exchange, and the prompt is what they share: the
// leading messages of two conversations, or the common beginning of two
// strings, cut between words.
//
//	{"chosen": [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello."}], "rejected": [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Go away."}]}
//
// Anthropic HH-RLHF (format "hh-rlhf"): implicit-prompt rows whose strings are
// transcripts of "\n\nHuman: " and "\n\nAssistant: " turns. The shared turns
// become a conversation of user and assistant messages and the two final
// assistant turns the responses.
//
//	{"chosen": "\n\nHuman: Hi!\n\nAssistant: Hello.", "rejected": "\n\nHuman: Hi!\n\nAssistant: Go away."}
//
// PandaLM test set (format "pandalm"): the prompt is the instruction,
// followed by a blank line and the input when there is one; a is response1
// and b response2, their models the two halves of cmp_key; annotator1,
// annotator2 and annotator3 become judgments by the people
// "pandalm:annotator1" and so on (0 tie, 1 response1, 2 response2); idx is
// the id and the remaining fields are meta.
//
//	{"idx": 0, "motivation_app": "Grammarly", "cmp_key": "bloom-7b_llama-7b", "instruction": "Fix the grammar.", "input": "He go home.", "response1": "He goes home.", "response2": "He go home.", "annotator1": 1, "annotator2": 1, "annotator3": 1}
//
// LLMBar (format "llmbar"): input, output_1 (a), output_2 (b) and the label
// of the better output, kept as a judgment by the source. The file name
// without extension (such as "Natural") becomes a tag.
//
//	{"input": "Name a prime.", "output_1": "7", "output_2": "9", "label": 1}
//
// Any other objects (format "mapped"): Options.Map says which field holds
// the prompt, a and b, and optionally id, tags, model_a and model_b; the
// command line writes it as --map prompt=question,a=answer_1,b=answer_2,id=qid
// (see ParseMap). Fields not mapped are kept as meta.
//
//	{"qid": 3, "question": "Name a prime.", "answer_1": "7", "answer_2": "9", "lang": "en"}
//
// # Identity and duplicates
//
// A pair is identified by its id when the file gives one, otherwise by a hash
// of its prompt and responses (annotation.PairInput.Key). Rows with the same
// text under different ids are different pairs. A record whose key already
// appeared in the same file is skipped and counted in
// Report.DuplicatesInFile.
//
// # Problems
//
// Read reports every problem it finds, up to Options.MaxErrors, as an
// ErrorList of *Error naming file, line and field:
//
//	pairs.jsonl:17: field "responses": must hold exactly two responses, found 3
//
// Things worth a look that do not stop an import, such as an empty response
// (published data sets hold some, where a model answered nothing), are listed
// in Report.Warnings. In prefer's own formats, pairs and judged, an empty response
// is an error.
package importer
