package importer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// The turn markers of Anthropic HH-RLHF transcripts.
const (
	humanMark     = "\n\nHuman:"
	assistantMark = "\n\nAssistant:"
)

// isTranscript reports whether s looks like an HH-RLHF transcript.
func isTranscript(s string) bool {
	s = markStart(s)
	return strings.HasPrefix(strings.TrimLeft(s, " \t"), humanMark) &&
		strings.Contains(s, assistantMark)
}

// markStart gives a transcript that begins with "Human:" its missing
// leading blank line.
func markStart(s string) string {
	if strings.HasPrefix(s, "Human:") {
		return "\n\n" + s
	}
	return s
}

// splitTranscript cuts an HH-RLHF transcript into messages.
func splitTranscript(s string) ([]annotation.Message, bool) {
	s = markStart(s)
	var msgs []annotation.Message
	start, role := -1, ""
	for pos := 0; ; {
		i, next, width := nextMark(s, pos)
		if start < 0 && strings.TrimSpace(s[:max(i, 0)]) != "" {
			return nil, false
		}
		end := i
		if i < 0 {
			end = len(s)
		}
		if start >= 0 {
			msgs = append(msgs, annotation.Message{Role: role, Content: strings.TrimSpace(s[start:end])})
		}
		if i < 0 {
			return msgs, len(msgs) > 0
		}
		start, role, pos = i+width, next, i+width
	}
}

// nextMark finds the next turn marker at or after pos.
func nextMark(s string, pos int) (at int, role string, width int) {
	h := strings.Index(s[pos:], humanMark)
	a := strings.Index(s[pos:], assistantMark)
	switch {
	case h < 0 && a < 0:
		return -1, "", 0
	case a < 0 || (h >= 0 && h < a):
		return pos + h, "user", len(humanMark)
	}
	return pos + a, "assistant", len(assistantMark)
}

// splitConversations takes the leading messages that chosen and rejected
// share, up to an assistant turn in both, as the prompt, and the rest of
// each as its response.
func splitConversations(c, r []annotation.Message, rec value, rd *reader,
) (annotation.Prompt, annotation.Response, annotation.Response, *Error) {
	shared := 0
	for shared < len(c) && shared < len(r) && c[shared] == r[shared] {
		shared++
	}
	cut := min(shared, len(c)-1, len(r)-1)
	for cut > 0 && (c[cut].Role != "assistant" || r[cut].Role != "assistant") {
		cut--
	}
	if cut <= 0 {
		return annotation.Prompt{}, annotation.Response{}, annotation.Response{},
			rec.errorf("chosen and rejected share no conversation before an assistant turn, " +
				"so no prompt can be taken from them")
	}

	switch {
	case cut == len(c)-1 && cut == len(r)-1 && c[cut] == r[cut]:
		rd.warn(rec.errorf("chosen and rejected are identical"))
	case cut < len(c)-1 || cut < len(r)-1:
		rd.warn(rec.errorf("chosen and rejected part before their last assistant turn; "+
			"each response holds the turns after message %d", cut))
	}
	prompt := annotation.Prompt{Messages: c[:cut]}
	return prompt, annotation.Response{Text: joinTurns(c[cut:])},
		annotation.Response{Text: joinTurns(r[cut:])}, nil
}

// joinTurns writes the turns of a response as one text: the first turn's
// content, then each later turn marked by its role.
func joinTurns(msgs []annotation.Message) string {
	if len(msgs) == 1 {
		return msgs[0].Content
	}
	var b strings.Builder
	for i, m := range msgs {
		if i > 0 {
			b.WriteString("\n\n")
			if m.Role != "assistant" || msgs[i-1].Role != "assistant" {
				b.WriteString(roleLabel(m.Role))
				b.WriteString(": ")
			}
		}
		b.WriteString(m.Content)
	}
	return b.String()
}

func roleLabel(role string) string {
	switch role {
	case "user":
		return "Human"
	case "assistant":
		return "Assistant"
	}
	return "System"
}

// splitStrings splits plain-text chosen and rejected into prompt and
// responses: HH-RLHF transcripts by turns, other text at the shared prefix,
// cut back to white space so no word is split.
func splitStrings(c, r string, rec value, rd *reader,
) (annotation.Prompt, annotation.Response, annotation.Response, *Error) {
	if isTranscript(c) && isTranscript(r) {
		cm, okC := splitTranscript(c)
		rm, okR := splitTranscript(r)
		if okC && okR {
			return splitConversations(cm, rm, rec, rd)
		}
		return annotation.Prompt{}, annotation.Response{}, annotation.Response{},
			rec.errorf("text before the first Human: turn of the transcript")
	}
	if isTranscript(c) != isTranscript(r) {
		return annotation.Prompt{}, annotation.Response{}, annotation.Response{},
			rec.errorf("only one of chosen and rejected is a Human:/Assistant: transcript")
	}

	n := sharedPrefix(c, r)
	prompt := strings.TrimRightFunc(c[:n], unicode.IsSpace)
	if strings.TrimSpace(prompt) == "" {
		return annotation.Prompt{}, annotation.Response{}, annotation.Response{},
			rec.errorf("chosen and rejected share no beginning to take as the prompt; " +
				"give a prompt field")
	}
	return annotation.Prompt{Text: prompt},
		annotation.Response{Text: strings.TrimLeftFunc(c[n:], unicode.IsSpace)},
		annotation.Response{Text: strings.TrimLeftFunc(r[n:], unicode.IsSpace)}, nil
}

// sharedPrefix is the length of the longest common prefix of a and b that
// ends in white space (or is all of the shorter string when the other goes
// on with white space).
func sharedPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	atBoundary := func(i int) bool {
		return (i == len(a) || startsSpace(a[i:])) && (i == len(b) || startsSpace(b[i:]))
	}
	for n > 0 && !atBoundary(n) {
		n--
	}
	return n
}

func startsSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}
