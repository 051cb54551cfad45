package trainer

// Tokenizer turns text into token ids and back. A real subword tokenizer can implement it
// later; the trainer only needs the ids, the vocabulary size and the special tokens.
type Tokenizer interface {
	Encode(text string) []int32
	Decode(ids []int32) string
	VocabSize() int
	BOS() int32 // starts every sequence
	EOS() int32 // ends every response
	Pad() int32 // fills a sequence up to its bucket length
	Name() string
}

// ByteTokenizer maps each byte to its own id and adds three special tokens after them.
type ByteTokenizer struct{}

// Encode returns the bytes of text as ids.
func (ByteTokenizer) Encode(text string) []int32 {
	ids := make([]int32, len(text))
	for i := range len(text) {
		ids[i] = int32(text[i])
	}
	return ids
}

// Decode turns byte ids back into text, skipping special tokens.
func (ByteTokenizer) Decode(ids []int32) string {
	b := make([]byte, 0, len(ids))
	for _, id := range ids {
		if id >= 0 && id < 256 {
			b = append(b, byte(id))
		}
	}
	return string(b)
}

// VocabSize is 256 bytes plus BOS, EOS and PAD.
func (ByteTokenizer) VocabSize() int { return 259 }

// BOS is the begin-of-sequence id.
func (ByteTokenizer) BOS() int32 { return 256 }

// EOS is the end-of-response id.
func (ByteTokenizer) EOS() int32 { return 257 }

// Pad is the padding id.
func (ByteTokenizer) Pad() int32 { return 258 }

// Name identifies the tokenizer in checkpoints.
func (ByteTokenizer) Name() string { return "bytes" }
