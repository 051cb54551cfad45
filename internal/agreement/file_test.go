package agreement

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadJudgments(t *testing.T) {
	want := []Judgment{
		{Item: "1", Annotator: "ann", Label: "a"},
		{Item: "p2", Annotator: "7", Label: "2.5"},
		{Item: "3", Annotator: "ann", Label: "1"},
	}
	tests := []struct {
		name, text string
	}{
		{"array", `[
  {"item": 1, "annotator": "ann", "label": "a"},
  {"item": "p2", "annotator": 7, "label": 2.50, "extra": true},
  {"item": 3, "annotator": "ann", "label": 1e0}
]`},
		{"lines", `{"item": 1, "annotator": "ann", "label": "a"}

{"item": "p2", "annotator": 7, "label": 25e-1}
{"item": 3, "annotator": "ann", "label": 1}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadJudgments(strings.NewReader(tt.text), "f.json")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ReadJudgments (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadJudgmentsErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"missing field in array", "[\n{\"item\": 1, \"annotator\": \"x\", \"label\": \"a\"},\n" +
			"\n  {\"item\": 2, \"annotator\": \"x\"}\n]",
			`f.json:4: field "label" is missing`},
		{"null label in lines", "{\"item\": 1, \"annotator\": \"x\", \"label\": \"a\"}\n" +
			"{\"item\": 1, \"annotator\": \"y\", \"label\": null}",
			`f.json:2: field "label" must be a string or a number, not null`},
		{"empty annotator", `{"item": 1, "annotator": "", "label": "a"}`,
			`f.json:1: field "annotator" is empty`},
		{"boolean item", "\n\n" + `{"item": true, "annotator": "x", "label": "a"}`,
			`f.json:3: field "item" must be a string or a number, not a boolean`},
		{"not an object", "[\n  [1, 2, 3]\n]", "f.json:2: row must be an object"},
		{"broken line", "{\"item\": 1, \"annotator\": \"x\", \"label\": \"a\"}\n{\"item\": ",
			"f.json:2: invalid JSON"},
		{"two values on a line", `{"item": 1} {"item": 2}`, "f.json:1: invalid JSON"},
		{"broken array", "[\n{\"item\": 1, \"annotator\": \"x\", \"label\": \"a\"},\n{\"item\"",
			"f.json:3: invalid JSON"},
		{"text after the array", "[]\n]", "f.json:2: unexpected text after the array"},
		{"empty", "  \n", "f.json: no judgments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJudgments(strings.NewReader(tt.text), "f.json")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want one starting %q", err, tt.want)
			}
		})
	}
}
