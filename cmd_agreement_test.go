package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prefer-dev/prefer/internal/testdata"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prefer-dev/prefer/internal/agreement"
)

// agreementOutput is the JSON that `prefer agreement` prints.
type agreementOutput struct {
	Items              int        `json:"items"`
	Annotators         int        `json:"annotators"`
	Judgments          int        `json:"judgments"`
	Duplicates         int        `json:"duplicates_ignored"`
	Percent            *float64   `json:"percent_agreement"`
	PercentWithoutTies *float64   `json:"percent_agreement_without_ties"`
	Fleiss             *float64   `json:"fleiss_kappa"`
	FleissReason       string     `json:"fleiss_kappa_reason"`
	Nominal            *float64   `json:"krippendorff_alpha_nominal"`
	NominalCI          []float64  `json:"krippendorff_alpha_nominal_ci"`
	Ordinal            *float64   `json:"krippendorff_alpha_ordinal"`
	OrdinalCI          []float64  `json:"krippendorff_alpha_ordinal_ci"`
	OrdinalMissing     int        `json:"krippendorff_alpha_ordinal_missing"`
	Cohen              []cohenRow `json:"cohen_kappa"`
}

type cohenRow struct {
	A     string   `json:"a"`
	B     string   `json:"b"`
	N     int      `json:"n"`
	Kappa *float64 `json:"kappa"`
}

func floatPtr(x float64) *float64 { return &x }

// runAgreementOn runs the command and decodes what it prints.
func runAgreementOn(t *testing.T, args []string,
	fromProject func(context.Context, string) ([]agreement.Judgment, error),
) agreementOutput {
	t.Helper()
	var out bytes.Buffer
	if err := runAgreement(context.Background(), args, &out, fromProject); err != nil {
		t.Fatalf("runAgreement(%q): %v", args, err)
	}
	var got agreementOutput
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode output: %v\n%s", err, out.String())
	}
	return got
}

func writeAgreementFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Annotator x says a a b b, y says a b b b (and repeats item 4): p_o = 3/4,
// p_e = 1/2, so kappa is 1/2; Fleiss' p_bar = 3/4, p_e = 34/64.
const smallFile = `[
  {"item": 1, "annotator": "x", "label": "a"}, {"item": 1, "annotator": "y", "label": "a"},
  {"item": 2, "annotator": "x", "label": "a"}, {"item": 2, "annotator": "y", "label": "b"},
  {"item": 3, "annotator": "x", "label": "b"}, {"item": 3, "annotator": "y", "label": "b"},
  {"item": 4, "annotator": "x", "label": "b"}, {"item": 4, "annotator": "y", "label": "b"},
  {"item": 4, "annotator": "y", "label": "a"}
]`

func TestAgreementFile(t *testing.T) {
	path := writeAgreementFile(t, "small.json", smallFile)
	got := runAgreementOn(t, []string{path, "--min-shared", "4", "--bootstrap", "0"}, nil)

	want := agreementOutput{
		Items: 4, Annotators: 2, Judgments: 8, Duplicates: 1,
		Percent: floatPtr(0.75),
		Fleiss:  floatPtr((0.75 - 34.0/64) / (1 - 34.0/64)),
		Nominal: floatPtr(1 - 7*2.0/(64-34)),
		Cohen:   []cohenRow{{A: "x", B: "y", N: 4, Kappa: floatPtr(0.5)}},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

// pandaLMLines writes PandaLM's test set as gzipped JSON Lines, one row per
// annotator's judgment, labels as numbers.
func pandaLMLines(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(testdata.Path(t, "pandalm/testset-v1.json"))
	if err != nil {
		t.Fatalf("read PandaLM test set: %v", err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	for _, row := range rows {
		for a := 1; a <= 3; a++ {
			fmt.Fprintf(gz, `{"item": %v, "annotator": "annotator%d", "label": %v}`+"\n",
				row["idx"], a, row[fmt.Sprintf("annotator%d", a)])
		}
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return writeAgreementFile(t, "pandalm.jsonl.gz", buf.String())
}

// PandaLM publishes kappas of 0.85, 0.88 and 0.86 (two decimals, so within
// 0.005). The flags come after FILE on purpose.
func TestAgreementPandaLMGzipLines(t *testing.T) {
	path := pandaLMLines(t)
	got := runAgreementOn(t, []string{"--tie", "0", path, "--order", "1,0,2",
		"--bootstrap", "200", "--seed", "3"}, nil)

	if got.Items != 999 || got.Judgments != 2997 || got.Annotators != 3 {
		t.Fatalf("counts %d items, %d judgments, %d annotators", got.Items, got.Judgments,
			got.Annotators)
	}
	for i, want := range []float64{0.85, 0.88, 0.86} {
		k := got.Cohen[i]
		if k.Kappa == nil || math.Abs(*k.Kappa-want) > 0.005 {
			t.Errorf("kappa(%s, %s) = %v, want %.2f", k.A, k.B, k.Kappa, want)
		}
	}
	for name, a := range map[string]struct {
		value *float64
		ci    []float64
	}{"nominal": {got.Nominal, got.NominalCI}, "ordinal": {got.Ordinal, got.OrdinalCI}} {
		if a.value == nil || len(a.ci) != 2 || !(a.ci[0] < *a.value && *a.value < a.ci[1]) {
			t.Errorf("%s alpha %v outside its interval %v", name, a.value, a.ci)
		}
	}
	if got.PercentWithoutTies == nil || *got.PercentWithoutTies <= *got.Percent {
		t.Errorf("percent without ties %v, with ties %v: ties are where annotators differ",
			got.PercentWithoutTies, got.Percent)
	}
	if got.Fleiss == nil || got.FleissReason != "" {
		t.Errorf("Fleiss' kappa %v (%s), want a value: three judgments per item",
			got.Fleiss, got.FleissReason)
	}
}

func TestAgreementProject(t *testing.T) {
	var asked string
	from := func(_ context.Context, project string) ([]agreement.Judgment, error) {
		asked = project
		return agreement.AgreementJudgments([]agreement.PairJudgment{
			{Item: "p", Annotator: "x", Choice: "a", Strength: 3},
			{Item: "p", Annotator: "y", Choice: "a", Strength: 2},
			{Item: "p", Annotator: "z", Choice: "tie"},
			{Item: "q", Annotator: "x", Choice: "b", Strength: 1},
			{Item: "q", Annotator: "y", Choice: "b", Strength: 1},
			{Item: "q", Annotator: "z", Choice: "both_bad"},
		}, true), nil
	}
	got := runAgreementOn(t, []string{"--project", "demo", "--bootstrap", "0"}, from)

	if asked != "demo" {
		t.Errorf("fromProject asked for %q, want demo", asked)
	}
	// The tie label is "tie" by default. Left are (a,a) on p, and (b,b) and
	// twice (b,both_bad) on q: 2 agreeing pairs of 4.
	if diff := cmp.Diff(floatPtr(0.5), got.PercentWithoutTies); diff != "" {
		t.Errorf("percent without ties (-want +got):\n%s", diff)
	}
	if got.Ordinal == nil || got.OrdinalMissing != 1 {
		t.Errorf("ordinal alpha %v with %d missing, want a value with both_bad missing",
			got.Ordinal, got.OrdinalMissing)
	}
}

func TestAgreementErrors(t *testing.T) {
	bad := writeAgreementFile(t, "bad.jsonl", `{"item": 1, "annotator": "x", "label": "a"}`+"\n"+
		`{"item": 1, "annotator": "y"}`+"\n")
	good := writeAgreementFile(t, "good.json", smallFile)
	failing := func(context.Context, string) ([]agreement.Judgment, error) {
		return nil, errors.New("no such project")
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad row", []string{bad}, bad + `:2: field "label" is missing`},
		{"no file", []string{}, "give FILE or --project"},
		{"two files", []string{good, good}, "one FILE expected, got 2"},
		{"file and project", []string{good, "--project", "p"}, "not both"},
		{"unknown flag", []string{"--colour", good}, "flag provided but not defined"},
		{"min shared", []string{"--min-shared", "0", good}, "--min-shared must be at least 1"},
		{"empty order label", []string{"--order", "a,,b", good}, "empty label"},
		{"missing file", []string{bad + ".none"}, "no such file"},
		{"not gzip", []string{writeAgreementFile(t, "x.json.gz", smallFile)}, "gzip"},
		{"project fails", []string{"--project", "p"}, `project "p": no such project`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runAgreement(context.Background(), tt.args, &out, failing)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
			if out.Len() > 0 {
				t.Errorf("printed %q on error", out.String())
			}
		})
	}
}

func TestAgreementHelp(t *testing.T) {
	var out bytes.Buffer
	if err := runAgreement(context.Background(), []string{"-h"}, &out, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "usage: prefer agreement") ||
		!strings.Contains(out.String(), "--min-shared N") {
		t.Errorf("help text:\n%s", out.String())
	}
}
