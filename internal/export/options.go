package export

import (
	"fmt"
	"math"
)

// Format names a dataset layout.
type Format string

// The formats export writes.
const (
	FormatTRL               Format = "trl"
	FormatTRLConversational Format = "trl-conversational"
	FormatKTO               Format = "kto"
	FormatJudgments         Format = "judgments"
)

// Formats lists every format in a stable order.
var Formats = []Format{FormatTRL, FormatTRLConversational, FormatKTO, FormatJudgments}

// Valid reports whether f is a known format.
func (f Format) Valid() bool {
	for _, g := range Formats {
		if f == g {
			return true
		}
	}
	return false
}

// Paired reports whether the format needs a chosen and a rejected side.
func (f Format) Paired() bool { return f == FormatTRL || f == FormatTRLConversational }

// Rule is how a pair's judgments become one label.
type Rule string

// The consensus rules.
const (
	RuleMajority    Rule = "majority"
	RuleUnanimous   Rule = "unanimous"
	RuleAdjudicated Rule = "adjudicated"
)

// Rules lists every rule in a stable order.
var Rules = []Rule{RuleMajority, RuleUnanimous, RuleAdjudicated}

// Valid reports whether r is a known rule.
func (r Rule) Valid() bool {
	return r == RuleMajority || r == RuleUnanimous || r == RuleAdjudicated
}

// Options choose what an export keeps and how it writes it.
type Options struct {
	Format Format `json:"format"`
	Rule   Rule   `json:"consensus"`

	// MinAgreement is the least share of votes for the consensus label.
	MinAgreement float64 `json:"min_agreement"`

	// ExcludeTies leaves out pairs whose consensus is a tie.
	ExcludeTies bool `json:"exclude_ties"`

	// Tags keeps only pairs that carry at least one of them; empty keeps all.
	Tags []string `json:"tags,omitempty"`

	// Split is the train share, strictly between 0 and 1; zero means no
	// split. Seed chooses the split.
	Split float64 `json:"split,omitempty"`
	Seed  uint64  `json:"seed,omitempty"`
}

// DefaultOptions are what an export does when told nothing.
func DefaultOptions() Options {
	return Options{Format: FormatTRL, Rule: RuleMajority}
}

// Validate names the first option that is out of range.
func (o Options) Validate() error {
	switch {
	case !o.Format.Valid():
		return fmt.Errorf("format: %q is not one of trl, trl-conversational, kto, judgments",
			o.Format)
	case !o.Rule.Valid():
		return fmt.Errorf("consensus: %q is not one of majority, unanimous, adjudicated", o.Rule)
	case math.IsNaN(o.MinAgreement) || o.MinAgreement < 0 || o.MinAgreement > 1:
		return fmt.Errorf("min agreement: %v is outside 0..1", o.MinAgreement)
	case math.IsNaN(o.Split) || o.Split < 0 || o.Split >= 1:
		return fmt.Errorf("split: %v must be a train share between 0 and 1 (0 for none)",
			o.Split)
	}
	for _, t := range o.Tags {
		if t == "" {
			return fmt.Errorf("tag: must not be empty")
		}
	}
	return nil
}

// Splits reports whether the export has a train and a test part.
func (o Options) Splits() bool { return o.Split > 0 }
