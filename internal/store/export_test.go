package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/export"
	"github.com/prefer-dev/prefer/internal/importer"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/internal/testdata"
)

// trlRow is a row of the trl format as a reader of it sees it.
type trlRow struct {
	ID       string `json:"id"`
	Prompt   string `json:"prompt"`
	Chosen   string `json:"chosen"`
	Rejected string `json:"rejected"`
	Meta     struct {
		PairID    int64   `json:"pair_id"`
		Agreement float64 `json:"agreement"`
		SoftLabel float64 `json:"soft_label"`
		Weight    float64 `json:"weight"`
		Source    bool    `json:"source"`
		Adjudged  bool    `json:"adjudicated"`
	} `json:"meta"`
}

func readTRL(t *testing.T, data []byte) []trlRow {
	t.Helper()
	var rows []trlRow
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var r trlRow
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("row %d: %v: %s", i+1, err, line)
		}
		rows = append(rows, r)
	}
	return rows
}

func exportBytes(t *testing.T, st *store.Store, projectID int64, o export.Options) ([]byte,
	export.Counts) {
	t.Helper()
	var buf bytes.Buffer
	c, err := st.Export(context.Background(), projectID, o, &buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), c
}

// judged makes a pair whose responses name it, judged by people (ann1,
// ann2, ...) with the labels in people and by one source with source.
func judged(name, people, source string, tags ...string) annotation.PairInput {
	p := annotation.PairInput{ExternalID: name, Prompt: annotation.Prompt{Text: "q " + name},
		A: annotation.Response{Text: name + " a"}, B: annotation.Response{Text: name + " b"},
		Tags: tags}
	for i, l := range strings.Split(people, ",") {
		if l != "" {
			p.Judgments = append(p.Judgments, annotation.JudgmentInput{
				Annotator: fmt.Sprintf("ann%d", i+1), Choice: annotation.Choice(l)})
		}
	}
	if source != "" {
		p.Judgments = append(p.Judgments, annotation.JudgmentInput{Annotator: "source:file",
			Source: true, Choice: annotation.Choice(source)})
	}
	return p
}

// TestExportConsensusRules exports crafted pairs under each rule and filter
// and compares the chosen responses with what the rules say by hand.
func TestExportConsensusRules(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	p := newProject(t, st, 3)
	importAll(t, st, p.ID, []annotation.PairInput{
		judged("p1", "a,a,b", "", "math"),
		judged("p2", "a,b", ""),
		judged("p3", "tie,tie,a", ""),
		judged("p4", "b,b,b", "", "code"),
		judged("p5", "both_bad,both_bad,a", ""),
		judged("p6", "", "b"),
		judged("p7", "a,b", ""),
		judged("p8", "a,a,b", "b", "math"),
		judged("p9", "", ""),
	})
	// p7's split is settled by a lead; an earlier adjudication is replaced.
	lead := newAnnotator(t, st, "lead")
	_, err := st.Pool().Exec(ctx, `
INSERT INTO adjudications (pair_id, label, user_id)
SELECT id, l, $2 FROM pairs, unnest(ARRAY['a', 'b']) l
WHERE project_id = $1 AND external_id = 'p7'`, p.ID, lead.ID)
	if err != nil {
		t.Fatal(err)
	}

	majority := export.DefaultOptions()
	tests := []struct {
		name string
		opt  export.Options
		want []string // chosen responses, in pair order
	}{
		{"majority", majority,
			[]string{"p1 a", "p4 b", "p6 b", "p7 b", "p8 a"}},
		{"majority, exclude ties", func() export.Options {
			o := majority
			o.ExcludeTies = true
			return o
		}(), []string{"p1 a", "p4 b", "p6 b", "p7 b", "p8 a"}},
		{"unanimous", export.Options{Format: export.FormatTRL, Rule: export.RuleUnanimous},
			[]string{"p4 b", "p6 b", "p7 b"}},
		{"adjudicated", export.Options{Format: export.FormatTRL,
			Rule: export.RuleAdjudicated}, []string{"p7 b"}},
		{"min agreement 0.7", export.Options{Format: export.FormatTRL,
			Rule: export.RuleMajority, MinAgreement: 0.7}, []string{"p4 b", "p6 b", "p7 b"}},
		{"tag math", export.Options{Format: export.FormatTRL, Rule: export.RuleMajority,
			Tags: []string{"math"}}, []string{"p1 a", "p8 a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, c := exportBytes(t, st, p.ID, tt.opt)
			var got []string
			for _, r := range readTRL(t, data) {
				got = append(got, r.Chosen)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("chosen (-want +got)\n%s", diff)
			}
			if c.Pairs != 9 || c.Kept != len(tt.want) {
				t.Errorf("counts: %d pairs, %d kept; want 9, %d", c.Pairs, c.Kept, len(tt.want))
			}
		})
	}

	_, c := exportBytes(t, st, p.ID, majority)
	wantExcluded := map[export.Reason]int{export.ReasonNoMajority: 1, export.ReasonTie: 1,
		export.ReasonBothBad: 1, export.ReasonNoJudgments: 1}
	if diff := cmp.Diff(wantExcluded, c.Excluded); diff != "" {
		t.Errorf("excluded (-want +got)\n%s", diff)
	}
}

// TestExportKTOAndJudgments checks the unpaired and the judgments formats
// on the same crafted pairs.
func TestExportKTOAndJudgments(t *testing.T) {
	st := newStore(t)
	p := newProject(t, st, 3)
	importAll(t, st, p.ID, []annotation.PairInput{
		judged("p1", "b,b,a", ""),
		judged("p2", "both_bad,both_bad", ""),
		judged("p3", "tie,tie", ""),
	})

	data, _ := exportBytes(t, st, p.ID, export.Options{Format: export.FormatKTO,
		Rule: export.RuleMajority})
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r struct {
			Completion string `json:"completion"`
			Label      bool   `json:"label"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s=%v", r.Completion, r.Label))
	}
	want := []string{"p1 b=true", "p1 a=false", "p2 a=false", "p2 b=false"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kto (-want +got)\n%s", diff)
	}

	data, c := exportBytes(t, st, p.ID, export.Options{Format: export.FormatJudgments,
		Rule: export.RuleMajority, ExcludeTies: true})
	if n := strings.Count(string(data), "\n"); n != 5 || c.Rows != 5 {
		t.Errorf("judgments: %d lines, %d rows counted; want the 5 judgments of p1 and p2",
			n, c.Rows)
	}
}

// TestExportPandaLMMajority exports PandaLM with its three annotators and
// checks the rows against majorities computed from the raw file.
func TestExportPandaLMMajority(t *testing.T) {
	st := newStore(t)
	p := newProject(t, st, 3)
	path := testdata.Path(t, "pandalm/testset-v1.json")
	importFile(t, st, p.ID, path)

	o := export.Options{Format: export.FormatTRL, Rule: export.RuleMajority, ExcludeTies: true}
	data, c := exportBytes(t, st, p.ID, o)
	got := readTRL(t, data)

	want := pandaLMMajorities(t, path)
	type triple struct{ Prompt, Chosen, Rejected string }
	var gotT []triple
	for _, r := range got {
		gotT = append(gotT, triple{r.Prompt, r.Chosen, r.Rejected})
	}
	var wantT []triple
	for _, w := range want {
		wantT = append(wantT, triple(w))
	}
	if diff := cmp.Diff(wantT, gotT); diff != "" {
		t.Errorf("rows (-want +got)\n%s", diff)
	}
	if c.Rows != len(want) || c.Pairs != 999 {
		t.Errorf("counts: %d rows of %d pairs, want %d of 999", c.Rows, c.Pairs, len(want))
	}
}

// pandaLMMajorities reads the raw PandaLM file and returns, in file order,
// the pairs whose three annotators have a majority other than a tie (0),
// with the majority's response as chosen.
func pandaLMMajorities(t *testing.T, path string) []struct{ Prompt, Chosen, Rejected string } {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &recs); err != nil {
		t.Fatal(err)
	}
	text := func(r json.RawMessage) string {
		var s string
		if json.Unmarshal(r, &s) == nil {
			return s
		}
		return string(r) // a few responses are JSON booleans, imported as their text
	}

	var out []struct{ Prompt, Chosen, Rejected string }
	for _, r := range recs {
		votes := map[string]int{}
		for _, k := range []string{"annotator1", "annotator2", "annotator3"} {
			votes[string(r[k])]++
		}
		label := ""
		for l, n := range votes {
			if n >= 2 {
				label = l
			}
		}
		if label == "" || label == "0" {
			continue
		}
		prompt := text(r["instruction"])
		if in := text(r["input"]); strings.TrimSpace(in) != "" {
			prompt += "\n\n" + in
		}
		chosen, rejected := text(r["response1"]), text(r["response2"])
		if label == "2" {
			chosen, rejected = rejected, chosen
		}
		out = append(out, struct{ Prompt, Chosen, Rejected string }{prompt, chosen, rejected})
	}
	return out
}

func importFile(t *testing.T, st *store.Store, projectID int64, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	_, err = st.ImportPairs(ctx, projectID, func(emit func(annotation.PairInput) error) error {
		_, err := importer.Read(ctx, path, f, importer.Options{}, emit)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExportRoundTrip exports trl, imports the file into a new project and
// exports again. The re-imported pairs carry the file's label as a source
// judgment, which decides a pair nobody judged: the rows come back the same,
// with meta saying their votes came from a source.
func TestExportRoundTrip(t *testing.T) {
	st := newStore(t)
	first := newProject(t, st, 3)
	path := testdata.Path(t, "pandalm/testset-v1.json")
	importFile(t, st, first.ID, path)
	o := export.Options{Format: export.FormatTRL, Rule: export.RuleMajority}
	data, _ := exportBytes(t, st, first.ID, o)

	file := t.TempDir() + "/export.jsonl"
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	second := newProject(t, st, 3)
	importFile(t, st, second.ID, file)
	again, _ := exportBytes(t, st, second.ID, o)

	type row struct{ ID, Prompt, Chosen, Rejected string }
	strip := func(rows []trlRow) []row {
		out := make([]row, len(rows))
		for i, r := range rows {
			out[i] = row{r.ID, r.Prompt, r.Chosen, r.Rejected}
		}
		return out
	}
	before, after := readTRL(t, data), readTRL(t, again)
	if diff := cmp.Diff(strip(before), strip(after)); diff != "" {
		t.Errorf("round trip (-first +second)\n%s", diff)
	}
	for _, r := range after {
		if !r.Meta.Source || r.Meta.Weight != 1 {
			t.Fatalf("re-imported row %d: source %v weight %v; want a source label of weight 1",
				r.Meta.PairID, r.Meta.Source, r.Meta.Weight)
		}
	}
}

// TestFrozenVersionIsImmutable freezes an export, adds judgments, and
// checks that the version's bytes do not change while a new export does.
func TestFrozenVersionIsImmutable(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	p := newProject(t, st, 3)
	importAll(t, st, p.ID, []annotation.PairInput{
		judged("p1", "a,a,b", "", "math"), judged("p2", "b,a", ""), judged("p3", "b", ""),
	})
	o := export.Options{Format: export.FormatTRL, Rule: export.RuleMajority, Split: 0.5,
		Seed: 2}
	v, err := st.FreezeDataset(ctx, p.ID, "v1", o, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v.Rows+v.TestRows != 2 || !v.Split() || v.Counts.Kept != 2 {
		t.Fatalf("version: %d + %d rows, split %v, %d kept; want 2 rows in two parts",
			v.Rows, v.TestRows, v.Split(), v.Counts.Kept)
	}
	var report map[string]any
	if err := json.Unmarshal(v.Agreement, &report); err != nil || report["judgments"] != 6.0 {
		t.Errorf("agreement report %s (%v): want 6 judgments", v.Agreement, err)
	}

	train1 := versionPart(t, st, v.ID, store.PartTrain)
	test1 := versionPart(t, st, v.ID, store.PartTest)
	// A third person breaks p2's split: the live export changes, the version not.
	u := newAnnotator(t, st, "late")
	_, err = st.Pool().Exec(ctx, `
INSERT INTO judgments (pair_id, user_id, choice)
SELECT id, $2, 'a' FROM pairs WHERE project_id = $1 AND external_id = 'p2'`, p.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, c := exportBytes(t, st, p.ID, o); c.Kept != 3 {
		t.Errorf("live export keeps %d pairs after the new judgment, want 3", c.Kept)
	}
	if !bytes.Equal(train1, versionPart(t, st, v.ID, store.PartTrain)) ||
		!bytes.Equal(test1, versionPart(t, st, v.ID, store.PartTest)) {
		t.Errorf("the frozen bytes changed")
	}

	rows := readRows(t, st, v.ID)
	if got := len(readTRL(t, rows)); int64(got) != v.Rows {
		t.Errorf("DatasetVersionRows gave %d rows, want %d", got, v.Rows)
	}
	_, err = st.Pool().Exec(ctx, `UPDATE dataset_versions SET name = 'v2' WHERE id = $1`, v.ID)
	if err == nil {
		t.Errorf("a version could be renamed")
	}
	if _, err := st.FreezeDataset(ctx, p.ID, "v1", o, 0); err == nil {
		t.Errorf("a second version called v1 was accepted")
	}
}

func versionPart(t *testing.T, st *store.Store, id int64, part string) []byte {
	t.Helper()
	data, err := st.DatasetVersionPart(context.Background(), id, part)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		t.Fatalf("%s part is not valid gzip: %v", part, err)
	}
	return data
}

func readRows(t *testing.T, st *store.Store, id int64) []byte {
	t.Helper()
	rc, err := st.DatasetVersionRows(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
