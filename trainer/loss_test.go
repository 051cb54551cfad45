package trainer

import (
	"math"
	"testing"
)

// evalLosses runs exampleLosses through GoMLX on fixed host values.
func evalLosses(t *testing.T, cfg Config, pb pairBatch) []float64 {
	t.Helper()
	e, err := lossProgram(testBackend(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Exec(pb.tensors()...)
	if err != nil {
		t.Fatal(err)
	}
	v, err := flat64(out[0])
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLossesAgainstHandValues(t *testing.T) {
	// Policy chosen/rejected -10/-12, reference -11/-11.5, lengths 4 and 5 tokens.
	one := pairBatch{
		pol: [][2]float64{{-10, -12}}, ref: [][2]float64{{-11, -11.5}},
		lens: [][2]float64{{4, 5}}, weight: []float64{1}, soft: []float64{1},
		desirable: []float64{1},
	}
	soft := one
	soft.soft = []float64{0.7}
	tests := []struct {
		name string
		cfg  Config
		pb   pairBatch
		want float64 // computed by hand from the papers' formulas
	}{
		{"dpo", Config{Loss: LossDPO, Beta: 0.1}, one, 0.6209570477895321},
		{"cdpo", Config{Loss: LossDPO, Beta: 0.1, LabelSmoothing: 0.1}, one, 0.6359570477895321},
		{"robust", Config{Loss: LossRobust, Beta: 0.1, LabelSmoothing: 0.1}, one, 0.602207047789532},
		{"hinge", Config{Loss: LossHinge, Beta: 0.1}, one, 0.85},
		{"ipo", Config{Loss: LossIPO, Beta: 0.1}, one, 21.6225},
		{"simpo", Config{Loss: LossSimPO, Beta: 0.1, Gamma: 0.5}, one, 0.980313318044875},
		{"orpo", Config{Loss: LossORPO, Beta: 0.1}, one, 2.5749368565368305},
		{"dpo soft label 0.7", Config{Loss: LossDPO, Beta: 0.1}, soft, 0.665957047789532},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := evalLosses(t, tc.cfg, tc.pb)[0]
			if math.Abs(got-tc.want) > 1e-6 {
				t.Errorf("loss = %.9f, want %.9f", got, tc.want)
			}
		})
	}
}

func TestKTOLossAgainstHandValues(t *testing.T) {
	// Example 0 desirable, example 1 undesirable; slot 1 holds the mismatched completions,
	// whose mean log-ratio (0.4 and 0.2) gives the reference point z = 0.3.
	pb := pairBatch{
		pol: [][2]float64{{-10, -13}, {-12, -9}}, ref: [][2]float64{{-11, -13.4}, {-11.5, -9.2}},
		lens: [][2]float64{{4, 5}, {4, 5}}, weight: []float64{1, 1}, soft: []float64{1, 1},
		desirable: []float64{1, 0},
	}
	got := evalLosses(t, Config{Loss: LossKTO, Beta: 0.1, DesirableW: 1, UndesirableW: 1}, pb)
	want := []float64{0.48250714233361025, 0.48001065984441815}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-6 {
			t.Errorf("example %d: loss = %.9f, want %.9f", i, got[i], want[i])
		}
	}
}

func TestDPOLossIsLn2WhenPolicyIsReference(t *testing.T) {
	pb := pairBatch{
		pol: [][2]float64{{-3, -7}, {-20, -1}}, ref: [][2]float64{{-3, -7}, {-20, -1}},
		lens: [][2]float64{{2, 3}, {9, 1}}, weight: []float64{1, 2}, soft: []float64{1, 0.6},
		desirable: []float64{0, 0},
	}
	for i, got := range evalLosses(t, Config{Loss: LossDPO, Beta: 0.1}, pb) {
		if math.Abs(got-math.Ln2) > 1e-9 {
			t.Errorf("example %d: loss = %.12f, want ln 2", i, got)
		}
	}
}

func TestScheduleLR(t *testing.T) {
	tests := []struct {
		kind        string
		step, total int
		want        float64
	}{
		{"cosine", 1, 10, 0.5}, // warmup 2: half way
		{"cosine", 2, 10, 1},   // warmup done
		{"cosine", 6, 10, 0.5}, // cosine midpoint
		{"cosine", 10, 10, 0},  // end
		{"linear", 6, 10, 0.5}, // linear midpoint
		{"constant", 9, 10, 1}, // after warmup
	}
	for _, tc := range tests {
		if got := scheduleLR(tc.kind, 1, tc.step, 2, tc.total); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s step %d: lr = %g, want %g", tc.kind, tc.step, got, tc.want)
		}
	}
}
