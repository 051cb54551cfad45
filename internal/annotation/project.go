package annotation

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ProjectSettings are what an admin chooses for a project.
type ProjectSettings struct {
	Name         string
	Guidelines   string
	K            int
	AskStrength  Ask
	AskRationale Ask
	Tags         []string
}

// DefaultK is how many judgments a pair collects unless the project says
// otherwise.
const DefaultK = 3

// NewProjectSettings returns the defaults for a project called name.
func NewProjectSettings(name string) ProjectSettings {
	return ProjectSettings{Name: name, K: DefaultK, AskStrength: AskOff, AskRationale: AskOff}
}

// Validate reports the first setting that is out of range, naming the field.
func (s ProjectSettings) Validate() error {
	name := strings.TrimSpace(s.Name)
	switch {
	case name == "":
		return fmt.Errorf("name: must not be empty")
	case utf8.RuneCountInString(name) > 200:
		return fmt.Errorf("name: must be at most 200 characters")
	case s.K < 1 || s.K > 50:
		return fmt.Errorf("judgments per pair: %d is outside 1..50", s.K)
	case !s.AskStrength.Valid():
		return fmt.Errorf("strength: %q is not off, optional or required", s.AskStrength)
	case !s.AskRationale.Valid():
		return fmt.Errorf("rationale: %q is not off, optional or required", s.AskRationale)
	}
	for _, t := range s.Tags {
		if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > 100 {
			return fmt.Errorf("tags: %q must be 1 to 100 characters", t)
		}
	}
	return nil
}

// ParseTags splits a comma-separated list, trimming blanks and dropping
// empty and repeated entries.
func ParseTags(s string) []string {
	seen := map[string]bool{}
	tags := []string{}
	for _, t := range strings.Split(s, ",") {
		t = strings.TrimSpace(t)
		if t != "" && !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	return tags
}

// Verdict is what an annotator submits for a pair, in the pair's own terms.
type Verdict struct {
	Choice    Choice
	Strength  Strength
	Rationale string
}

// MaxRationale is the longest rationale accepted, in characters.
const MaxRationale = 5000

// CheckScreenVerdict checks a verdict from the screen against what the
// project asks for; which side is which does not matter for that.
func (s ProjectSettings) CheckScreenVerdict(sv ScreenVerdict) error {
	v, err := sv.InPairTerms(true)
	if err != nil {
		return err
	}
	return s.CheckVerdict(v)
}

// CheckVerdict checks a verdict against what the project asks for.
func (s ProjectSettings) CheckVerdict(v Verdict) error {
	if !v.Choice.Valid() {
		return fmt.Errorf("choice: %q is not one of a, b, tie, both_bad", v.Choice)
	}
	if !v.Strength.Valid() {
		return fmt.Errorf("strength: %d is outside 0..3", v.Strength)
	}

	decisive := v.Choice == ChoiceA || v.Choice == ChoiceB
	switch {
	case v.Strength != StrengthNone && !decisive:
		return fmt.Errorf("strength: only given when one response is better")
	case v.Strength != StrengthNone && s.AskStrength == AskOff:
		return fmt.Errorf("strength: this project does not ask for it")
	case v.Strength == StrengthNone && decisive && s.AskStrength == AskRequired:
		return fmt.Errorf("strength: this project requires it")
	}

	rationale := strings.TrimSpace(v.Rationale)
	switch {
	case rationale != "" && s.AskRationale == AskOff:
		return fmt.Errorf("rationale: this project does not ask for it")
	case rationale == "" && s.AskRationale == AskRequired:
		return fmt.Errorf("rationale: this project requires it")
	case utf8.RuneCountInString(rationale) > MaxRationale:
		return fmt.Errorf("rationale: longer than %d characters", MaxRationale)
	}
	return nil
}
