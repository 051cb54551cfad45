package agreement

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/prefer-dev/prefer/internal/testdata"
)

// The reliability data of Krippendorff's "Computing Krippendorff's
// Alpha-Reliability" (2011): four observers, twelve units, values 1 to 5,
// zero where an observer gave no value.
var krippendorffData = [4][12]int{
	{1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0},
	{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3},
	{0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0},
	{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0},
}

func krippendorffJudgments() []Judgment {
	var js []Judgment
	for o, row := range krippendorffData {
		for u, v := range row {
			if v == 0 {
				continue
			}
			js = append(js, Judgment{
				Item:      fmt.Sprintf("unit%d", u+1),
				Annotator: string(rune('A' + o)),
				Label:     strconv.Itoa(v),
			})
		}
	}
	return js
}

func TestKrippendorffPublishedExample(t *testing.T) {
	r, err := Compute(krippendorffJudgments(), Options{
		Order:    []string{"1", "2", "3", "4", "5"},
		Interval: true,
	})
	if err != nil {
		t.Fatal(err)
	}

	// Krippendorff reports three decimals.
	tests := []struct {
		metric string
		want   float64
		got    float64
	}{
		{"nominal", 0.743, r.Nominal.Value},
		{"ordinal", 0.815, r.Ordinal.Value},
		{"interval", 0.849, r.Interval.Value},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 0.0005 {
			t.Errorf("%s alpha = %.4f, want %.3f", tt.metric, tt.got, tt.want)
		}
	}
	if r.OrdinalMissing != 0 {
		t.Errorf("ordinal missing = %d, want 0", r.OrdinalMissing)
	}
}

// Fleiss (1971), as reproduced on Wikipedia: ten subjects, fourteen raters,
// five categories; row i holds how many raters put subject i in each.
var fleissTable = [10][5]int{
	{0, 0, 0, 0, 14},
	{0, 2, 6, 4, 2},
	{0, 0, 3, 5, 6},
	{0, 3, 9, 2, 0},
	{2, 2, 8, 1, 1},
	{7, 7, 0, 0, 0},
	{3, 2, 6, 3, 0},
	{2, 5, 3, 2, 2},
	{6, 5, 2, 1, 0},
	{0, 2, 2, 3, 7},
}

func TestFleissPublishedExample(t *testing.T) {
	var js []Judgment
	for s, row := range fleissTable {
		rater := 0
		for c, n := range row {
			for range n {
				rater++
				js = append(js, Judgment{
					Item:      fmt.Sprintf("s%d", s),
					Annotator: fmt.Sprintf("r%d", rater),
					Label:     fmt.Sprintf("c%d", c+1),
				})
			}
		}
	}

	r, err := Compute(js, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Fleiss-0.210) > 0.0005 || r.FleissReason != "" {
		t.Errorf("Fleiss' kappa = %.4f (%q), want 0.210", r.Fleiss, r.FleissReason)
	}
}

// pandaLMJudgments reads PandaLM's test set as three annotators' labels.
func pandaLMJudgments(t testing.TB) []Judgment {
	path := testdata.Path(t, "pandalm/testset-v1.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read PandaLM test set: %v", err)
	}
	var rows []struct {
		Idx        int `json:"idx"`
		Annotator1 int `json:"annotator1"`
		Annotator2 int `json:"annotator2"`
		Annotator3 int `json:"annotator3"`
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}

	var js []Judgment
	for _, row := range rows {
		for a, label := range []int{row.Annotator1, row.Annotator2, row.Annotator3} {
			js = append(js, Judgment{
				Item:      strconv.Itoa(row.Idx),
				Annotator: fmt.Sprintf("annotator%d", a+1),
				Label:     strconv.Itoa(label),
			})
		}
	}
	return js
}

// PandaLM's authors publish the pairwise Cohen's kappa of their three
// annotators as 0.85, 0.88 and 0.86, rounded to two decimals; so our values
// must lie within half a unit of the last digit, 0.005.
func TestPandaLMPublishedCohen(t *testing.T) {
	js := pandaLMJudgments(t)
	r, err := Compute(js, Options{Ties: []string{"0"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Items != 999 || r.Judgments != 2997 || r.Annotators != 3 {
		t.Fatalf("read %d items, %d judgments, %d annotators; want 999, 2997, 3",
			r.Items, r.Judgments, r.Annotators)
	}

	want := map[[2]string]float64{
		{"annotator1", "annotator2"}: 0.85,
		{"annotator1", "annotator3"}: 0.88,
		{"annotator2", "annotator3"}: 0.86,
	}
	if len(r.Cohen) != len(want) {
		t.Fatalf("got %d annotator pairs, want %d: %+v", len(r.Cohen), len(want), r.Cohen)
	}
	for _, k := range r.Cohen {
		w, ok := want[[2]string{k.A, k.B}]
		if !ok || k.N != 999 || math.Abs(k.Kappa-w) > 0.005 {
			t.Errorf("kappa(%s, %s) = %.4f over %d items, want %.2f over 999",
				k.A, k.B, k.Kappa, k.N, w)
		}
	}
}
