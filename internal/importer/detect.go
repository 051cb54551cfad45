package importer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// Formats a file's records can be in; Report.Format holds one.
const (
	FormatPairs       = "pairs"        // {prompt, responses: [a, b], id?, tags?, meta?}
	FormatJudged      = "judged"       // pairs with judgments: [{annotator, choice, ...}]
	FormatTRL         = "trl"          // {prompt, chosen, rejected}
	FormatTRLImplicit = "trl-implicit" // {chosen, rejected}, prompt shared inside
	FormatHHRLHF      = "hh-rlhf"      // {chosen, rejected} as Human:/Assistant: transcripts
	FormatPandaLM     = "pandalm"      // {instruction, input, response1, response2, annotator1..3}
	FormatLLMBar      = "llmbar"       // {input, output_1, output_2, label}
	FormatMapped      = "mapped"       // any object read through Options.Map
)

// family groups formats that may share one file.
func family(format string) string {
	switch format {
	case FormatPairs, FormatJudged:
		return "prefer pairs"
	case FormatTRL, FormatTRLImplicit, FormatHHRLHF:
		return "chosen/rejected"
	}
	return format
}

// knownFormats is the hint given for a record that fits no format.
const knownFormats = `pairs {prompt, responses}, judged pairs {prompt, responses, judgments}, ` +
	`TRL {prompt?, chosen, rejected}, PandaLM {instruction, input, response1, response2, ` +
	`annotator1..3}, LLMBar {input, output_1, output_2, label}; ` +
	`for other fields give a map such as --map prompt=question,a=answer_1,b=answer_2`

// detect names the format of one record from its fields, or "".
func detect(o *object) string {
	switch {
	case o.has("responses"):
		if o.has("judgments") {
			return FormatJudged
		}
		return FormatPairs
	case o.has("chosen") && o.has("rejected"):
		if o.has("prompt") {
			return FormatTRL
		}
		if c, ok := o.get("chosen"); ok {
			if s, err := c.str(); err == nil && isTranscript(s) {
				return FormatHHRLHF
			}
		}
		return FormatTRLImplicit
	case o.has("response1") && o.has("response2"):
		return FormatPandaLM
	case o.has("output_1") && o.has("output_2"):
		return FormatLLMBar
	}
	return ""
}

// parse turns one record into a pair, noting every problem in ps.
func (rd *reader) parse(v value, ps *problems) annotation.PairInput {
	o, err := v.object()
	if err != nil {
		if !v.isObject() {
			err = v.errorf("a record must be a JSON object, found %s", v.kind())
		}
		ps.add(err)
		return annotation.PairInput{}
	}

	format := FormatMapped
	if len(rd.opts.Map) == 0 {
		format = detect(o)
	}
	if format == "" {
		ps.add(v.errorf("record matches no format: found fields %s; known formats: %s",
			fieldList(o.names()), knownFormats))
		return annotation.PairInput{}
	}
	if !rd.sameFamily(format, v, ps) {
		return annotation.PairInput{}
	}

	p := rd.build(format, o, ps)
	p.Tags = addTags(p.Tags, rd.opts.Tags...)
	return p
}

// sameFamily records the first record's format and checks later ones
// against it.
func (rd *reader) sameFamily(format string, v value, ps *problems) bool {
	if rd.family == "" {
		rd.family = family(format)
		rd.rep.Format = format
		return true
	}
	if family(format) != rd.family {
		ps.add(v.errorf("mixed formats: this record is %s but the file began as %s",
			format, rd.rep.Format))
		return false
	}
	return true
}

func (rd *reader) build(format string, o *object, ps *problems) annotation.PairInput {
	switch format {
	case FormatPairs, FormatJudged:
		return readPairs(o, ps)
	case FormatTRL:
		return rd.readTRL(o, ps)
	case FormatTRLImplicit, FormatHHRLHF:
		return rd.readImplicit(o, ps)
	case FormatPandaLM:
		return rd.readPandaLM(o, ps)
	case FormatLLMBar:
		return rd.readLLMBar(o, ps)
	}
	return rd.readMapped(o, ps)
}

// fieldList quotes names for a message, sorted, at most ten.
func fieldList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	more := ""
	if len(sorted) > 10 {
		more = fmt.Sprintf(" and %d more", len(sorted)-10)
		sorted = sorted[:10]
	}
	for i, n := range sorted {
		sorted[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(sorted, ", ") + more
}

// addTags appends tags not yet present, keeping order.
func addTags(tags []string, more ...string) []string {
	if len(more) == 0 {
		return tags
	}
	seen := make(map[string]bool, len(tags)+len(more))
	for _, t := range tags {
		seen[t] = true
	}
	for _, t := range more {
		if !seen[t] && t != "" {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	return tags
}
