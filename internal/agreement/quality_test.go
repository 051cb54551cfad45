package agreement

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prefer-dev/prefer/internal/annotation"
)

func TestQuality(t *testing.T) {
	js := []PairJudgment{
		{Item: "p1", Annotator: "x", Choice: choiceA, LeftShown: choiceA, Seconds: 10},
		{Item: "p1", Annotator: "y", Choice: choiceA, LeftShown: choiceB, Seconds: 20},
		{Item: "p1", Annotator: "w", Choice: choiceA},
		{Item: "p1", Annotator: "z", Choice: choiceB},
		{Item: "p2", Annotator: "x", Choice: tie, Seconds: 12},
		{Item: "p2", Annotator: "y", Choice: choiceB},
		{Item: "p2", Annotator: "z", Choice: choiceB},
		{Item: "p3", Annotator: "x", Choice: choiceB, LeftShown: choiceA},
		{Item: "p3", Annotator: "y", Choice: choiceB, LeftShown: choiceB},
		{Item: "p3", Annotator: "z", Choice: bothBad},
		{Item: "p1", Annotator: "x", Choice: choiceA, LeftShown: choiceB, Repeat: true},
		{Item: "p3", Annotator: "x", Choice: choiceA, LeftShown: choiceB, Repeat: true},
		{Item: "p2", Annotator: "y", Choice: choiceB, Repeat: true},
		{Item: "p2", Annotator: "y", Choice: "maybe"},
	}
	gold := map[string]annotation.Choice{"p1": choiceA}

	// x: on p1 the others say a (3 to 1 with x left out), on p2 b, on p3
	// they split b against both bad and give no majority.
	want := []AnnotatorQuality{{
		Annotator: "w", Judgments: 1, Majority: Share{1, 1}, Gold: Share{1, 1},
		LeftP: 1, Ties: Share{0, 1}, BothBad: Share{0, 1}, MedianSeconds: nan(),
	}, {
		Annotator: "x", Judgments: 3, Repeats: 2, Majority: Share{1, 2}, Gold: Share{1, 1},
		Left: Share{1, 4}, LeftP: 10.0 / 16, Ties: Share{1, 3}, BothBad: Share{0, 3},
		MedianSeconds: 11, SelfConsistency: Share{1, 2},
	}, {
		Annotator: "y", Judgments: 3, Repeats: 1, Majority: Share{1, 1}, Gold: Share{1, 1},
		Left: Share{1, 2}, LeftP: 1, Ties: Share{0, 3}, BothBad: Share{0, 3},
		MedianSeconds: 20, SelfConsistency: Share{1, 1},
	}, {
		Annotator: "z", Judgments: 3, Majority: Share{0, 2}, Gold: Share{0, 1},
		LeftP: 1, Ties: Share{0, 3}, BothBad: Share{1, 3}, MedianSeconds: nan(),
	}}
	got := Quality(js, gold)
	if diff := cmp.Diff(want, got, floats); diff != "" {
		t.Errorf("Quality (-want +got):\n%s", diff)
	}
}

// A second original judgment of the same pair by the same annotator counts
// nowhere, whatever its choice.
func TestQualityIgnoresSecondOriginal(t *testing.T) {
	js := []PairJudgment{
		{Item: "p", Annotator: "x", Choice: choiceA},
		{Item: "p", Annotator: "x", Choice: choiceA},
		{Item: "p", Annotator: "y", Choice: choiceA},
	}
	got := Quality(js, nil)
	if got[0].Judgments != 1 || got[0].Majority != (Share{1, 1}) {
		t.Errorf("x: %+v, want one judgment agreeing once", got[0])
	}
}

func TestShareRate(t *testing.T) {
	if r := (Share{1, 4}).Rate(); r != 0.25 {
		t.Errorf("rate of 1 in 4 = %v", r)
	}
	if r := (Share{}).Rate(); !math.IsNaN(r) {
		t.Errorf("rate of nothing = %v, want NaN", r)
	}
}

func TestBinomialHalf(t *testing.T) {
	tests := []struct {
		k, n int
		want float64
	}{
		{9, 10, 2 * 11.0 / 1024},
		{1, 10, 2 * 11.0 / 1024},
		{0, 5, 2.0 / 32},
		// P(X <= 5) for n = 20: (1+20+190+1140+4845+15504) / 2^20.
		{15, 20, 2 * 21700.0 / (1 << 20)},
		{5, 10, 1},
		{0, 1, 1},
		{0, 0, 1},
		{3, 2, 1},
	}
	for _, tt := range tests {
		if got := BinomialHalf(tt.k, tt.n); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("BinomialHalf(%d, %d) = %v, want %v", tt.k, tt.n, got, tt.want)
		}
	}
}

// For large n the exact p-value approaches the normal approximation with
// continuity correction; 5% apart at z = 4 is already generous.
func TestBinomialHalfLargeN(t *testing.T) {
	n, k := 10000, 5200
	z := (float64(k) - 0.5 - float64(n)/2) / math.Sqrt(float64(n)/4)
	approx := math.Erfc(z / math.Sqrt2)
	got := BinomialHalf(k, n)
	if math.Abs(got-approx)/approx > 0.05 {
		t.Errorf("BinomialHalf(%d, %d) = %.3g, normal approximation %.3g", k, n, got, approx)
	}
}

// The input order does not matter: a repeat listed before its original is
// still compared with it, and a repeat without an original with nothing.
func TestQualityRepeatBeforeOriginal(t *testing.T) {
	js := []PairJudgment{
		{Item: "p", Annotator: "x", Choice: choiceB, Repeat: true},
		{Item: "q", Annotator: "x", Choice: choiceA, Repeat: true},
		{Item: "p", Annotator: "x", Choice: choiceB},
	}
	got := Quality(js, nil)
	if len(got) != 1 || got[0].SelfConsistency != (Share{1, 1}) || got[0].Repeats != 2 {
		t.Errorf("Quality = %+v, want x consistent once with two repeats", got)
	}
}
