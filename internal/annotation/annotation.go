// Package annotation holds the words of prefer as Go types: prompts, pairs,
// judgments, roles and the rules that relate them. It knows nothing of SQL or
// HTTP, so every other package can share it.
package annotation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Message is one turn of a conversation.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Prompt is what a pair's responses answer: either plain text or a
// conversation. Exactly one of Text and Messages is set.
type Prompt struct {
	Text     string
	Messages []Message
}

// IsConversation reports whether the prompt is a list of chat messages.
func (p Prompt) IsConversation() bool { return p.Messages != nil }

// Turns returns the prompt as a conversation; plain text becomes one user turn.
func (p Prompt) Turns() []Message {
	if p.IsConversation() {
		return p.Messages
	}
	return []Message{{Role: "user", Content: p.Text}}
}

// Flatten returns the prompt as one string, turns separated by blank lines
// and prefixed by their role, for formats that need plain text.
func (p Prompt) Flatten() string {
	if !p.IsConversation() {
		return p.Text
	}
	var b strings.Builder
	for i, m := range p.Messages {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(m.Role)
		b.WriteString(": ")
		b.WriteString(m.Content)
	}
	return b.String()
}

// MarshalJSON writes a plain prompt as a JSON string and a conversation as a
// list of messages, the shape prefer reads back.
func (p Prompt) MarshalJSON() ([]byte, error) {
	if p.IsConversation() {
		return json.Marshal(p.Messages)
	}
	return json.Marshal(p.Text)
}

// UnmarshalJSON reads a string or a list of messages.
func (p *Prompt) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*p = Prompt{Text: s}
		return nil
	}
	var msgs []Message
	if err := json.Unmarshal(data, &msgs); err != nil {
		return fmt.Errorf("prompt must be a string or a list of {role, content} messages")
	}
	if msgs == nil {
		msgs = []Message{}
	}
	*p = Prompt{Messages: msgs}
	return nil
}

// Choice is a verdict on a pair in the pair's own terms, never by screen side.
type Choice string

// The four verdicts an annotator can give.
const (
	ChoiceA       Choice = "a"
	ChoiceB       Choice = "b"
	ChoiceTie     Choice = "tie"
	ChoiceBothBad Choice = "both_bad"
)

// Choices lists every valid choice in a stable order.
var Choices = []Choice{ChoiceA, ChoiceB, ChoiceTie, ChoiceBothBad}

// Valid reports whether c is one of the four verdicts.
func (c Choice) Valid() bool {
	switch c {
	case ChoiceA, ChoiceB, ChoiceTie, ChoiceBothBad:
		return true
	}
	return false
}

// Strength says how much better the preferred response is. Zero means not
// given (and is the only value allowed with a tie or both bad).
type Strength int

// Strength levels, in increasing order.
const (
	StrengthNone     Strength = 0
	StrengthSlightly Strength = 1
	StrengthClearly  Strength = 2
	StrengthMuch     Strength = 3
)

// Valid reports whether s is within the scale.
func (s Strength) Valid() bool { return s >= StrengthNone && s <= StrengthMuch }

// String names the strength as annotators see it.
func (s Strength) String() string {
	switch s {
	case StrengthSlightly:
		return "slightly better"
	case StrengthClearly:
		return "clearly better"
	case StrengthMuch:
		return "much better"
	}
	return ""
}

// Ask says whether a project asks for a strength or a rationale.
type Ask string

// The three ways a project can ask for an optional part of a judgment.
const (
	AskOff      Ask = "off"
	AskOptional Ask = "optional"
	AskRequired Ask = "required"
)

// Valid reports whether a is one of off, optional and required.
func (a Ask) Valid() bool { return a == AskOff || a == AskOptional || a == AskRequired }

// Response is one completion of a pair.
type Response struct {
	Text  string `json:"text"`
	Model string `json:"model,omitempty"`
}

// JudgmentInput is a verdict brought in by an import, either from a person of
// another tool or from a named source such as the label of a preference file.
type JudgmentInput struct {
	Annotator string
	Source    bool
	Choice    Choice
	Strength  Strength
	Rationale string
}

// PairInput is a pair as an import reads it, before it has a database id.
type PairInput struct {
	ExternalID string
	Prompt     Prompt
	A, B       Response
	Tags       []string
	Meta       json.RawMessage
	Judgments  []JudgmentInput
}

// Key identifies the pair within a project: the file's id when it gave one,
// otherwise a hash of the content.
func (p PairInput) Key() string {
	if p.ExternalID != "" {
		return "id:" + p.ExternalID
	}
	return "sha256:" + p.ContentHash()
}

// ContentHash is a hex SHA-256 of the prompt and both responses.
func (p PairInput) ContentHash() string {
	h := sha256.New()
	prompt, _ := json.Marshal(p.Prompt)
	for _, part := range [][]byte{prompt, []byte(p.A.Text), []byte(p.B.Text)} {
		fmt.Fprintf(h, "%d:", len(part))
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Validate checks a judgment's parts against each other.
func (j JudgmentInput) Validate() error {
	if !j.Choice.Valid() {
		return fmt.Errorf("choice %q is not one of a, b, tie, both_bad", j.Choice)
	}
	if !j.Strength.Valid() {
		return fmt.Errorf("strength %d is outside 0..3", j.Strength)
	}
	if j.Strength != StrengthNone && (j.Choice == ChoiceTie || j.Choice == ChoiceBothBad) {
		return fmt.Errorf("strength is only given with a or b")
	}
	if strings.TrimSpace(j.Annotator) == "" {
		return fmt.Errorf("annotator is empty")
	}
	return nil
}

// ChoiceOnScreen turns a pick of the left or right side into the pair's own
// terms, given whether response a was shown on the left.
func ChoiceOnScreen(pickedLeft, aLeft bool) Choice {
	if pickedLeft == aLeft {
		return ChoiceA
	}
	return ChoiceB
}

// Pick is what an annotator chose on the screen: a side, a tie or both bad.
type Pick string

// The four picks of the annotation screen.
const (
	PickLeft    Pick = "left"
	PickRight   Pick = "right"
	PickTie     Pick = "tie"
	PickBothBad Pick = "both_bad"
)

// ScreenVerdict is a verdict as the screen sends it, by side. Only the store,
// which knows the side each response was shown on, turns it into a Verdict.
type ScreenVerdict struct {
	Pick      Pick
	Strength  Strength
	Rationale string
}

// InPairTerms returns the verdict in the pair's own terms, given whether
// response a was shown on the left.
func (sv ScreenVerdict) InPairTerms(aLeft bool) (Verdict, error) {
	v := Verdict{Strength: sv.Strength, Rationale: sv.Rationale}
	switch sv.Pick {
	case PickLeft, PickRight:
		v.Choice = ChoiceOnScreen(sv.Pick == PickLeft, aLeft)
	case PickTie:
		v.Choice = ChoiceTie
	case PickBothBad:
		v.Choice = ChoiceBothBad
	default:
		return v, fmt.Errorf("choice: %q is not left, right, tie or both_bad", sv.Pick)
	}
	return v, nil
}
