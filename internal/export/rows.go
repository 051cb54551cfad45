package export

import (
	"strconv"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// AppendRows appends the rows that a kept pair gives in format o.Format,
// each ending in a newline.
func AppendRows(buf []byte, p Pair, d Decision, o Options) []byte {
	switch o.Format {
	case FormatTRL:
		return appendTRL(buf, p, d, o.Rule)
	case FormatTRLConversational:
		return appendConversational(buf, p, d, o.Rule)
	case FormatKTO:
		return appendKTO(buf, p, d, o.Rule)
	case FormatJudgments:
		return appendJudgments(buf, p)
	}
	return buf
}

// sides returns the chosen and rejected texts of a pair decided a or b.
func sides(p Pair, d Decision) (chosen, rejected string) {
	if d.Label == annotation.ChoiceB {
		return p.B, p.A
	}
	return p.A, p.B
}

// RowID is the "id" of a pair's rows: the id it was imported with, or
// "pair-" and its database id. Importing a file keeps the ids, so an export
// of the re-imported pairs gives the same ids again.
func RowID(p Pair) string {
	if p.ExternalID != "" {
		return p.ExternalID
	}
	return "pair-" + strconv.FormatInt(p.ID, 10)
}

// appendID starts a row with its id.
func appendID(buf []byte, p Pair) []byte {
	buf = appendKey(append(buf, '{'), "id", true)
	return appendString(buf, RowID(p))
}

func appendTRL(buf []byte, p Pair, d Decision, rule Rule) []byte {
	chosen, rejected := sides(p, d)
	buf = appendKey(appendID(buf, p), "prompt", false)
	buf = appendString(buf, p.Prompt.Flatten())
	buf = appendKey(buf, "chosen", false)
	buf = appendString(buf, chosen)
	buf = appendKey(buf, "rejected", false)
	buf = appendString(buf, rejected)
	buf = appendKey(buf, "meta", false)
	buf = appendMeta(buf, p, d, rule)
	return append(buf, '}', '\n')
}

func appendConversational(buf []byte, p Pair, d Decision, rule Rule) []byte {
	chosen, rejected := sides(p, d)
	buf = appendKey(appendID(buf, p), "prompt", false)
	buf = appendMessages(buf, p.Prompt.Turns())
	buf = appendKey(buf, "chosen", false)
	buf = appendMessages(buf, []annotation.Message{{Role: "assistant", Content: chosen}})
	buf = appendKey(buf, "rejected", false)
	buf = appendMessages(buf, []annotation.Message{{Role: "assistant", Content: rejected}})
	buf = appendKey(buf, "meta", false)
	buf = appendMeta(buf, p, d, rule)
	return append(buf, '}', '\n')
}

// appendKTO writes a desirable and an undesirable row for a preference and
// two undesirable rows for a pair judged both bad.
func appendKTO(buf []byte, p Pair, d Decision, rule Rule) []byte {
	prompt := p.Prompt.Flatten()
	first, second := sides(p, d)
	good := d.Label == annotation.ChoiceA || d.Label == annotation.ChoiceB
	buf = appendKTORow(buf, prompt, first, good, p, d, rule)
	return appendKTORow(buf, prompt, second, false, p, d, rule)
}

func appendKTORow(buf []byte, prompt, completion string, label bool, p Pair, d Decision,
	rule Rule) []byte {
	buf = appendKey(appendID(buf, p), "prompt", false)
	buf = appendString(buf, prompt)
	buf = appendKey(buf, "completion", false)
	buf = appendString(buf, completion)
	buf = appendKey(buf, "label", false)
	buf = appendBool(buf, label)
	buf = appendKey(buf, "meta", false)
	buf = appendMeta(buf, p, d, rule)
	return append(buf, '}', '\n')
}

// appendJudgments writes one row per judgment, the pair id as the item.
// As in a consensus, a source's judgments are written only for a pair that
// no person judged, so that `prefer agreement` never counts a source as an
// annotator beside people (alone on a pair, it adds nothing to agreement).
func appendJudgments(buf []byte, p Pair) []byte {
	people := false
	for _, j := range p.Judgments {
		people = people || !j.Source
	}
	for _, j := range p.Judgments {
		if people && j.Source {
			continue
		}
		buf = appendKey(append(buf, '{'), "item", true)
		buf = strconv.AppendInt(buf, p.ID, 10)
		buf = appendKey(buf, "annotator", false)
		buf = appendString(buf, j.Annotator)
		buf = appendKey(buf, "label", false)
		buf = appendString(buf, string(j.Label))
		buf = appendKey(buf, "strength", false)
		buf = strconv.AppendInt(buf, int64(j.Strength), 10)
		buf = appendKey(buf, "rationale", false)
		buf = appendString(buf, j.Rationale)
		buf = appendKey(buf, "shown_left", false)
		if j.ShownLeft != nil {
			buf = appendString(buf, *j.ShownLeft)
		} else {
			buf = append(buf, "null"...)
		}
		buf = appendKey(buf, "seconds", false)
		if j.Seconds != nil {
			buf = appendFloat(buf, *j.Seconds)
		} else {
			buf = append(buf, "null"...)
		}
		buf = appendKey(buf, "kind", false)
		buf = appendString(buf, j.Kind)
		buf = appendKey(buf, "source", false)
		buf = appendBool(buf, j.Source)
		buf = append(buf, '}', '\n')
	}
	return buf
}
