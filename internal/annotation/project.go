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
	Quality
}

// Quality are a project's quality control settings.
type Quality struct {
	// GoldRate is the share of handed-out pairs that are gold pairs, mixed in
	// so that they look like any other; RepeatRate the share that are swapped
	// repeats of the annotator's own earlier judgments. Both 0 to 1.
	GoldRate   float64
	RepeatRate float64

	// GoldThreshold is the gold accuracy below which an annotator is flagged
	// once they have judged MinGold gold pairs; with PauseBelow they are also
	// paused in the project until a lead unpauses them.
	GoldThreshold float64
	PauseBelow    bool

	// Disagreement is the share of judgments differing from the most common
	// choice above which a pair with k judgments asks for one more, up to
	// MaxJudgments. MaxJudgments zero or equal to k turns this off.
	Disagreement float64
	MaxJudgments int
}

// MinGold is how many gold pairs an annotator must have judged before their
// gold accuracy can flag or pause them.
const MinGold = 5

// FailsGold reports whether an annotator with hits right answers out of
// judged gold pairs is below the gold threshold: it takes MinGold judged
// pairs before anyone is flagged.
func (q Quality) FailsGold(hits, judged int) bool {
	return judged >= MinGold && float64(hits) < q.GoldThreshold*float64(judged)
}

// DefaultQuality is the quality control a new project starts with: no gold
// or repeats mixed in, and no adaptive overlap.
var DefaultQuality = Quality{GoldThreshold: 0.7, Disagreement: 0.3}

// MaxPerPair returns the most judgments a pair may collect: MaxJudgments, or
// K when that is smaller.
func (s ProjectSettings) MaxPerPair() int { return max(s.MaxJudgments, s.K) }

// DefaultK is how many judgments a pair collects unless the project says
// otherwise.
const DefaultK = 3

// NewProjectSettings returns the defaults for a project called name.
func NewProjectSettings(name string) ProjectSettings {
	return ProjectSettings{Name: name, K: DefaultK, AskStrength: AskOff, AskRationale: AskOff,
		Quality: DefaultQuality}
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
	if err := s.Quality.validate(s.K); err != nil {
		return err
	}
	return CheckTags(s.Tags)
}

// CheckTags says which tag is empty or too long, if any.
func CheckTags(tags []string) error {
	for _, t := range tags {
		if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > 100 {
			return fmt.Errorf("tags: %q must be 1 to 100 characters", t)
		}
	}
	return nil
}

func (q Quality) validate(k int) error {
	share := func(x float64) bool { return x >= 0 && x <= 1 }
	switch {
	case !share(q.GoldRate):
		return fmt.Errorf("gold rate: %g is outside 0..1", q.GoldRate)
	case !share(q.RepeatRate):
		return fmt.Errorf("repeat rate: %g is outside 0..1", q.RepeatRate)
	case q.GoldRate+q.RepeatRate > 1:
		return fmt.Errorf("gold rate and repeat rate: together %g, more than 1",
			q.GoldRate+q.RepeatRate)
	case !share(q.GoldThreshold):
		return fmt.Errorf("gold threshold: %g is outside 0..1", q.GoldThreshold)
	case !share(q.Disagreement):
		return fmt.Errorf("disagreement threshold: %g is outside 0..1", q.Disagreement)
	case q.MaxJudgments != 0 && (q.MaxJudgments < k || q.MaxJudgments > 50):
		return fmt.Errorf("maximum judgments per pair: %d is outside k..50 (%d..50)",
			q.MaxJudgments, k)
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
