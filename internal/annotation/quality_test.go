package annotation

import (
	"strings"
	"testing"
)

func TestQualitySettingsValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*ProjectSettings)
		wantErr string // a part of the message; empty for valid
	}{
		{"defaults", func(*ProjectSettings) {}, ""},
		{"max zero means k", func(s *ProjectSettings) { s.MaxJudgments = 0 }, ""},
		{"max above k", func(s *ProjectSettings) { s.MaxJudgments = 7 }, ""},
		{"gold rate negative", func(s *ProjectSettings) { s.GoldRate = -0.1 }, "gold rate"},
		{"repeat rate above 1", func(s *ProjectSettings) { s.RepeatRate = 1.5 }, "repeat rate"},
		{"rates together above 1", func(s *ProjectSettings) { s.GoldRate, s.RepeatRate = 0.6, 0.6 },
			"together"},
		{"threshold above 1", func(s *ProjectSettings) { s.GoldThreshold = 2 }, "gold threshold"},
		{"disagreement below 0", func(s *ProjectSettings) { s.Disagreement = -1 },
			"disagreement threshold"},
		{"max below k", func(s *ProjectSettings) { s.MaxJudgments = 2 }, "maximum judgments"},
		{"max above 50", func(s *ProjectSettings) { s.MaxJudgments = 51 }, "maximum judgments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewProjectSettings("p")
			tc.change(&s)
			err := s.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Validate() = %v, want an error naming %q", err, tc.wantErr)
			}
		})
	}
}

func TestFailsGold(t *testing.T) {
	q := Quality{GoldThreshold: 0.7}
	tests := []struct {
		hits, judged int
		want         bool
	}{
		{0, MinGold - 1, false}, // too few to judge
		{0, MinGold, true},
		{7, 10, false}, // exactly at the threshold passes
		{6, 10, true},
	}
	for _, tc := range tests {
		if got := q.FailsGold(tc.hits, tc.judged); got != tc.want {
			t.Errorf("FailsGold(%d, %d) = %v, want %v", tc.hits, tc.judged, got, tc.want)
		}
	}
}
