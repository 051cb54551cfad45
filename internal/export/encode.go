package export

import (
	"strconv"
	"unicode/utf8"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// The encoders below append JSON by hand: an export writes millions of rows,
// and reflection would double its cost. Keys come in a fixed order, so the
// same pairs always give the same bytes.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Like encoding/json it escapes
// control characters, invalid UTF-8 and U+2028/U+2029, but not <, > and &.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			buf = appendEscape(buf, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\u202`...)
			buf = append(buf, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

func appendEscape(buf []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(buf, '\\', c)
	case '\n':
		return append(buf, '\\', 'n')
	case '\r':
		return append(buf, '\\', 'r')
	case '\t':
		return append(buf, '\\', 't')
	}
	return append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

func appendFloat(buf []byte, x float64) []byte {
	return strconv.AppendFloat(buf, x, 'f', -1, 64)
}

func appendBool(buf []byte, b bool) []byte { return strconv.AppendBool(buf, b) }

// appendKey appends `,"key":` (without the comma for the first key).
func appendKey(buf []byte, key string, first bool) []byte {
	if !first {
		buf = append(buf, ',')
	}
	buf = append(buf, '"')
	buf = append(buf, key...)
	return append(buf, '"', ':')
}

// appendMessages appends a list of chat messages.
func appendMessages(buf []byte, msgs []annotation.Message) []byte {
	buf = append(buf, '[')
	for i, m := range msgs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendKey(append(buf, '{'), "role", true)
		buf = appendString(buf, m.Role)
		buf = appendKey(buf, "content", false)
		buf = appendString(buf, m.Content)
		buf = append(buf, '}')
	}
	return append(buf, ']')
}

// appendMeta appends the meta object of a preference row. chosen is the
// pair's label in its own terms (a or b), or empty for a pair with no
// chosen side; votes are then given as a, b, tie and both bad.
func appendMeta(buf []byte, p Pair, d Decision, rule Rule) []byte {
	buf = appendKey(append(buf, '{'), "pair_id", true)
	buf = strconv.AppendInt(buf, p.ID, 10)
	buf = appendKey(buf, "votes", false)
	buf = appendVotes(buf, d)
	buf = appendKey(buf, "agreement", false)
	buf = appendFloat(buf, d.Agreement)
	buf = appendKey(buf, "soft_label", false)
	buf = appendFloat(buf, d.SoftLabel)
	buf = appendKey(buf, "weight", false)
	buf = appendFloat(buf, d.Weight)
	buf = appendKey(buf, "consensus", false)
	buf = appendString(buf, string(rule))
	buf = appendKey(buf, "label", false)
	buf = appendString(buf, string(d.Label))
	buf = appendKey(buf, "adjudicated", false)
	buf = appendBool(buf, d.Adjudicated)
	buf = appendKey(buf, "source", false)
	buf = appendBool(buf, d.FromSource)
	return append(buf, '}')
}

// appendVotes writes the votes in the chosen side's terms when the label is
// a or b, otherwise in the pair's own terms.
func appendVotes(buf []byte, d Decision) []byte {
	keys := [4]string{"a", "b", "tie", "both_bad"}
	order := [4]int{0, 1, 2, 3}
	switch d.Label {
	case annotation.ChoiceA:
		keys[0], keys[1] = "chosen", "rejected"
	case annotation.ChoiceB:
		keys[0], keys[1] = "chosen", "rejected"
		order[0], order[1] = 1, 0
	}
	buf = append(buf, '{')
	for i := range 4 {
		buf = appendKey(buf, keys[i], i == 0)
		buf = strconv.AppendInt(buf, int64(d.Votes[order[i]]), 10)
	}
	return append(buf, '}')
}
