package trainer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Example is one training example. For preference losses it is a pair: Prompt, Chosen and
// Rejected. For KTO it is unpaired: Prompt, Chosen (the completion) and Desirable.
type Example struct {
	Prompt    string   `json:"prompt"`
	Chosen    string   `json:"chosen"`
	Rejected  string   `json:"rejected,omitempty"`
	Weight    float64  `json:"weight,omitempty"`     // 0 means 1
	SoftLabel *float64 `json:"soft_label,omitempty"` // P(chosen preferred); nil means 1
	Desirable *bool    `json:"desirable,omitempty"`  // KTO label
}

// weight returns the example's weight, 1 when unset.
func (e Example) weight() float64 {
	if e.Weight == 0 {
		return 1
	}
	return e.Weight
}

// soft returns the probability that Chosen is preferred.
func (e Example) soft() float64 {
	if e.SoftLabel == nil {
		return 1
	}
	return *e.SoftLabel
}

// Validate checks one example against the loss family it is meant for.
func (e Example) Validate(kto bool) error {
	switch {
	case e.Chosen == "":
		return errors.New("chosen (or completion) is empty")
	case kto && e.Desirable == nil:
		return errors.New("label is missing (KTO needs desirable true or false)")
	case !kto && e.Rejected == "":
		return errors.New("rejected is empty")
	case e.Weight < 0:
		return fmt.Errorf("weight %g is negative", e.Weight)
	case e.SoftLabel != nil && (*e.SoftLabel < 0 || *e.SoftLabel > 1):
		return fmt.Errorf("soft_label %g is outside [0, 1]", *e.SoftLabel)
	}
	return nil
}

// ReadExamplesFile reads a JSONL file (gzip when the name ends in .gz); see ReadExamples.
func ReadExamplesFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open data: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: not gzip: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	return ReadExamples(r, path)
}

// ReadExamples parses JSON Lines in the export formats: trl ({"prompt","chosen","rejected"}
// strings, optional "meta" with weight and soft_label), trl-conversational (prompt a list of
// {role, content}, chosen/rejected lists holding the assistant message), kto ({"prompt",
// "completion","label"}) and HH-RLHF's implicit prompt ({"chosen","rejected"} transcripts).
// Errors name the file, the line and the field.
func ReadExamples(r io.Reader, name string) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var out []Example
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		ex, err := parseLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: read: %w", name, line+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no examples", name)
	}
	kto := out[0].Desirable != nil
	for i, e := range out {
		if (e.Desirable != nil) != kto {
			return nil, fmt.Errorf("%s: example %d mixes KTO and pair formats", name, i+1)
		}
	}
	return out, nil
}

// rawLine is the union of the fields of every accepted format.
type rawLine struct {
	Prompt     json.RawMessage `json:"prompt"`
	Chosen     json.RawMessage `json:"chosen"`
	Rejected   json.RawMessage `json:"rejected"`
	Completion json.RawMessage `json:"completion"`
	Label      *bool           `json:"label"`
	Meta       *struct {
		Weight    *float64 `json:"weight"`
		SoftLabel *float64 `json:"soft_label"`
	} `json:"meta"`
}

// message is one turn of a conversation.
type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func parseLine(text []byte) (Example, error) {
	var raw rawLine
	if err := json.Unmarshal(text, &raw); err != nil {
		return Example{}, fmt.Errorf("invalid JSON: %w", err)
	}
	var ex Example
	var err error
	switch {
	case raw.Completion != nil || raw.Label != nil:
		ex, err = parseKTO(raw)
	case raw.Prompt == nil:
		ex, err = parseImplicit(raw)
	default:
		ex, err = parsePair(raw)
	}
	if err != nil {
		return Example{}, err
	}
	if raw.Meta != nil {
		if raw.Meta.Weight != nil {
			ex.Weight = *raw.Meta.Weight
			if ex.Weight == 0 {
				ex.Weight = 1e-12 // an explicit 0 must not read as "unset"
			}
		}
		ex.SoftLabel = raw.Meta.SoftLabel
	}
	if err := ex.Validate(ex.Desirable != nil); err != nil {
		return Example{}, fmt.Errorf("field %s", err)
	}
	return ex, nil
}

func parseKTO(raw rawLine) (Example, error) {
	if raw.Label == nil {
		return Example{}, errors.New("field label: missing or not a boolean")
	}
	prompt, err := promptText(raw.Prompt)
	if err != nil {
		return Example{}, err
	}
	completion, err := responseText(raw.Completion, "completion")
	if err != nil {
		return Example{}, err
	}
	label := *raw.Label
	return Example{Prompt: prompt, Chosen: completion, Desirable: &label}, nil
}

func parsePair(raw rawLine) (Example, error) {
	prompt, err := promptText(raw.Prompt)
	if err != nil {
		return Example{}, err
	}
	chosen, err := responseText(raw.Chosen, "chosen")
	if err != nil {
		return Example{}, err
	}
	rejected, err := responseText(raw.Rejected, "rejected")
	if err != nil {
		return Example{}, err
	}
	return Example{Prompt: prompt, Chosen: chosen, Rejected: rejected}, nil
}

const assistantTag = "\n\nAssistant:"

// parseImplicit splits HH-RLHF transcripts: the prompt is their longest common prefix,
// cut just after its last "\n\nAssistant:".
func parseImplicit(raw rawLine) (Example, error) {
	var chosen, rejected string
	if err := json.Unmarshal(raw.Chosen, &chosen); err != nil || raw.Chosen == nil {
		return Example{}, errors.New("field prompt: missing, and chosen is not a transcript string")
	}
	if err := json.Unmarshal(raw.Rejected, &rejected); err != nil || raw.Rejected == nil {
		return Example{}, errors.New("field rejected: missing or not a string")
	}
	n := 0
	for n < len(chosen) && n < len(rejected) && chosen[n] == rejected[n] {
		n++
	}
	cut := strings.LastIndex(chosen[:n], assistantTag)
	if cut < 0 {
		return Example{}, errors.New(`field chosen: no shared "\n\nAssistant:" turn to split a prompt at`)
	}
	cut += len(assistantTag)
	return Example{Prompt: chosen[:cut], Chosen: chosen[cut:], Rejected: rejected[cut:]}, nil
}

// promptText accepts a string or a list of messages, rendered in the HH style.
func promptText(raw json.RawMessage) (string, error) {
	if raw == nil {
		return "", errors.New("field prompt: missing")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var msgs []message
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return "", errors.New("field prompt: neither a string nor a list of {role, content}")
	}
	var b strings.Builder
	for i, m := range msgs {
		if m.Role == "" {
			return "", fmt.Errorf("field prompt[%d].role: missing", i)
		}
		b.WriteString("\n\n" + roleName(m.Role) + ": " + m.Content)
	}
	b.WriteString(assistantTag)
	return b.String(), nil
}

// responseText accepts a string or a list holding one assistant message.
func responseText(raw json.RawMessage, field string) (string, error) {
	if raw == nil {
		return "", fmt.Errorf("field %s: missing", field)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var msgs []message
	if err := json.Unmarshal(raw, &msgs); err != nil || len(msgs) == 0 {
		return "", fmt.Errorf("field %s: neither a string nor a list of messages", field)
	}
	last := msgs[len(msgs)-1]
	if last.Role != "assistant" {
		return "", fmt.Errorf("field %s: last message has role %q, want assistant", field, last.Role)
	}
	return " " + last.Content, nil
}

func roleName(role string) string {
	switch role {
	case "user":
		return "Human"
	case "assistant":
		return "Assistant"
	default:
		return strings.ToUpper(role[:1]) + role[1:]
	}
}
