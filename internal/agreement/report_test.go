package agreement

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// judgments builds judgments from "item annotator label" triples.
func judgments(rows ...string) []Judgment {
	js := make([]Judgment, len(rows))
	for i, row := range rows {
		f := strings.Fields(row)
		js[i] = Judgment{Item: f[0], Annotator: f[1], Label: f[2]}
	}
	return js
}

var floats = cmp.Options{cmpopts.EquateNaNs(), cmpopts.EquateApprox(0, 1e-12)}

func TestComputeSmall(t *testing.T) {
	tests := []struct {
		name string
		js   []Judgment
		opt  Options
		want *Report
	}{{
		// Pairs on i1: (a,a) agree, (a,tie) twice; on i2: (b,a). Without
		// ties only (a,a) and (b,a) remain.
		name: "percent with and without ties",
		js:   judgments("i1 x a", "i1 y a", "i1 z tie", "i2 x b", "i2 y a"),
		opt:  Options{Ties: []string{"tie"}, MinShared: 1},
		want: &Report{
			Items: 2, Annotators: 3, Judgments: 5,
			Percent: 0.25, PercentWithoutTies: 0.5, TieLabels: []string{"tie"},
			Fleiss: nan(), FleissReason: "items have between 2 and 3 judgments; " +
				"Fleiss' kappa needs the same number for every item",
			// o(a,a)=1, o(a,tie)=o(tie,a)=1 from i1 (weight 1/2 each of
			// 2 and 2 pairs), o(a,b)=o(b,a)=1 from i2; n=5, n_a=3.
			// alpha = 1 - 4*(5-1)/(25-9-1-1) = 1 - 16/14.
			Nominal: Alpha{Value: 1 - 16.0/14, Low: nan(), High: nan()},
			// x and z never give the same label, nor do y and z: p_o =
			// p_e = 0. x and y: p_o = 1/2, p_e = 1/2 * 1 = 1/2.
			Cohen: []PairKappa{
				{A: "x", B: "y", N: 2, Kappa: 0},
				{A: "x", B: "z", N: 1, Kappa: 0},
				{A: "y", B: "z", N: 1, Kappa: 0},
			},
		},
	}, {
		// x: a a b b, y: a b b b. p_o = 3/4, p_e = 1/2, kappa = 1/2.
		name: "cohen by hand, duplicate ignored",
		js: judgments("1 x a", "1 y a", "2 x a", "2 y b", "3 x b", "3 y b",
			"4 x b", "4 y b", "4 y a"),
		opt: Options{MinShared: 4},
		want: &Report{
			Items: 4, Annotators: 2, Judgments: 8, Duplicates: 1,
			Percent: 0.75, PercentWithoutTies: nan(), Fleiss: 1 - 0.25/(1-0.53125),
			Nominal: Alpha{Value: 1 - 2*7.0/(64-34), Low: nan(), High: nan()},
			Cohen:   []PairKappa{{A: "x", B: "y", N: 4, Kappa: 0.5}},
		},
	}, {
		name: "no pairs at all",
		js:   judgments("1 x a", "2 x b"),
		want: &Report{
			Items: 2, Annotators: 1, Judgments: 2,
			Percent: nan(), PercentWithoutTies: nan(),
			Fleiss: nan(), FleissReason: "every item has a single judgment",
			Nominal: Alpha{Value: nan(), Low: nan(), High: nan()},
		},
	}, {
		name: "no judgments",
		want: &Report{
			Percent: nan(), PercentWithoutTies: nan(),
			Fleiss: nan(), FleissReason: "there are no judgments",
			Nominal: Alpha{Value: nan(), Low: nan(), High: nan()},
		},
	}, {
		name: "one label only",
		js:   judgments("1 x a", "1 y a", "2 x a", "2 y a"),
		opt:  Options{MinShared: 2},
		want: &Report{
			Items: 2, Annotators: 2, Judgments: 4,
			Percent: 1, PercentWithoutTies: nan(),
			Fleiss: nan(), FleissReason: "every judgment has the same label",
			Nominal: Alpha{Value: nan(), Low: nan(), High: nan()},
			Cohen:   []PairKappa{{A: "x", B: "y", N: 2, Kappa: nan()}},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compute(tt.js, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.Fleiss == 0 && tt.want.FleissReason == "" {
				t.Fatal("bad test")
			}
			opts := append(floats, cmpopts.IgnoreUnexported(Report{}))
			if diff := cmp.Diff(tt.want, got, opts...); diff != "" {
				t.Errorf("Compute (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeRejects(t *testing.T) {
	tests := []struct {
		name string
		js   []Judgment
		opt  Options
		want string
	}{
		{"negative rank", []Judgment{{Item: "1", Annotator: "x", Label: "a", Rank: -1}},
			Options{}, "rank -1 is negative"},
		{"label twice in order", judgments("1 x a"), Options{Order: []string{"a", "a"}},
			`order lists label "a" twice`},
		{"negative min shared", judgments("1 x a"), Options{MinShared: -1},
			"must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compute(tt.js, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// Labels outside Options.Order are missing for ordinal alpha and counted.
func TestOrdinalMissing(t *testing.T) {
	js := judgments("1 x a", "1 y b", "1 z both_bad", "2 x b", "2 y b", "3 x a", "3 y a")
	r, err := Compute(js, Options{Order: []string{"a", "tie", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.OrdinalMissing != 1 {
		t.Errorf("ordinal missing = %d, want 1", r.OrdinalMissing)
	}
	// Without both_bad the data are those of nominal alpha on a and b alone.
	plain, err := Compute(judgments("1 x a", "1 y b", "2 x b", "2 y b", "3 x a", "3 y a"),
		Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(plain.Nominal.Value, r.Ordinal.Value, floats); diff != "" {
		t.Errorf("ordinal alpha on two values (-nominal +ordinal):\n%s", diff)
	}
}

func TestReportJSON(t *testing.T) {
	js := judgments("1 x a", "1 y a", "2 x a", "2 y b", "3 x b", "3 y tie")
	r, err := Compute(js, Options{
		Ties: []string{"tie"}, Order: []string{"a", "tie", "b"}, MinShared: 3,
		Rounds: 20, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}

	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	keys := []string{"items", "annotators", "judgments", "percent_agreement",
		"percent_agreement_without_ties", "fleiss_kappa", "krippendorff_alpha_nominal",
		"krippendorff_alpha_nominal_ci", "krippendorff_alpha_ordinal",
		"krippendorff_alpha_ordinal_ci", "cohen_kappa"}
	for _, k := range keys {
		if _, ok := got[k]; !ok {
			t.Errorf("key %q missing from %s", k, data)
		}
	}
	if len(got) != len(keys) {
		t.Errorf("got %d keys, want %d: %s", len(got), len(keys), data)
	}
	cohen := got["cohen_kappa"].([]any)
	wantPair := map[string]any{"a": "x", "b": "y", "n": 3.0, "kappa": r.Cohen[0].Kappa}
	if diff := cmp.Diff([]any{wantPair}, cohen); diff != "" {
		t.Errorf("cohen_kappa (-want +got):\n%s", diff)
	}
}
