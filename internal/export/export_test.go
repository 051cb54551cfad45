package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prefer-dev/prefer/internal/annotation"
)

func labels(s string) []annotation.Choice {
	if s == "" {
		return nil
	}
	var out []annotation.Choice
	for _, l := range strings.Split(s, ",") {
		out = append(out, annotation.Choice(l))
	}
	return out
}

func TestDecide(t *testing.T) {
	type want struct {
		Label     annotation.Choice
		Excluded  Reason
		Agreement float64
		SoftLabel float64
		Weight    float64
		Source    bool
		Adjudged  bool
	}
	tests := []struct {
		name                   string
		people, sources, adjud string
		tags                   []string
		opt                    Options
		want                   want
	}{
		{"majority of three", "a,a,b", "", "", nil, Options{},
			want{Label: "a", Agreement: 0.6667, SoftLabel: 0.6667, Weight: 0.6667}},
		{"majority for b with a tie vote", "b,tie,b", "", "", nil, Options{},
			want{Label: "b", Agreement: 0.6667, SoftLabel: 0.8333, Weight: 0.6667}},
		{"split is no majority", "a,b", "", "", nil, Options{},
			want{Excluded: ReasonNoMajority}},
		{"three ways is no majority", "a,b,tie", "", "", nil, Options{},
			want{Excluded: ReasonNoMajority}},
		{"tie majority left out of trl", "tie,tie,a", "", "", nil, Options{},
			want{Label: "tie", Excluded: ReasonTie, Agreement: 0.6667, SoftLabel: 0.5,
				Weight: 0.6667}},
		{"tie majority kept in judgments", "tie,tie,a", "", "", nil,
			Options{Format: FormatJudgments},
			want{Label: "tie", Agreement: 0.6667, SoftLabel: 0.5, Weight: 0.6667}},
		{"tie majority excluded from judgments on request", "tie,tie,a", "", "", nil,
			Options{Format: FormatJudgments, ExcludeTies: true},
			want{Label: "tie", Excluded: ReasonTie, Agreement: 0.6667, SoftLabel: 0.5,
				Weight: 0.6667}},
		{"both bad left out of trl", "both_bad,both_bad", "", "", nil, Options{},
			want{Label: "both_bad", Excluded: ReasonBothBad, Agreement: 1, SoftLabel: 0.5,
				Weight: 1}},
		{"both bad kept in kto", "both_bad,both_bad", "", "", nil, Options{Format: FormatKTO},
			want{Label: "both_bad", Agreement: 1, SoftLabel: 0.5, Weight: 1}},
		{"unanimous keeps all agreeing", "b,b,b", "", "", nil, Options{Rule: RuleUnanimous},
			want{Label: "b", Agreement: 1, SoftLabel: 1, Weight: 1}},
		{"unanimous refuses a dissent", "a,a,b", "", "", nil, Options{Rule: RuleUnanimous},
			want{Excluded: ReasonNotUnanimous}},
		{"adjudicated needs an adjudication", "a,a,a", "", "", nil,
			Options{Rule: RuleAdjudicated}, want{Excluded: ReasonNotAdjudicated}},
		{"adjudication overrides the majority", "a,a,b", "", "b", nil, Options{},
			want{Label: "b", Agreement: 0.3333, SoftLabel: 1, Weight: 1, Adjudged: true}},
		{"adjudication passes unanimous", "a,b", "", "a", nil, Options{Rule: RuleUnanimous},
			want{Label: "a", Agreement: 0.5, SoftLabel: 1, Weight: 1, Adjudged: true}},
		{"adjudication ignores min agreement", "a,b", "", "a", nil,
			Options{MinAgreement: 0.9},
			want{Label: "a", Agreement: 0.5, SoftLabel: 1, Weight: 1, Adjudged: true}},
		{"sources are ignored when people judged", "a,a,b", "b", "", nil, Options{},
			want{Label: "a", Agreement: 0.6667, SoftLabel: 0.6667, Weight: 0.6667}},
		{"source decides a pair nobody judged", "", "b", "", nil, Options{},
			want{Label: "b", Agreement: 1, SoftLabel: 1, Weight: 1, Source: true}},
		{"no judgments", "", "", "", nil, Options{}, want{Excluded: ReasonNoJudgments}},
		{"below min agreement", "a,a,b", "", "", nil, Options{MinAgreement: 0.7},
			want{Label: "a", Excluded: ReasonLowAgreement, Agreement: 0.6667,
				SoftLabel: 0.6667, Weight: 0.6667}},
		{"at min agreement", "a,a,a,b", "", "", nil, Options{MinAgreement: 0.75},
			want{Label: "a", Agreement: 0.75, SoftLabel: 0.75, Weight: 0.75}},
		{"tag filter", "a", "", "", []string{"math"}, Options{Tags: []string{"code"}},
			want{Excluded: ReasonTag}},
		{"tag filter keeps any listed tag", "a", "", "", []string{"math"},
			Options{Tags: []string{"code", "math"}},
			want{Label: "a", Agreement: 1, SoftLabel: 1, Weight: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.opt
			if opt.Format == "" {
				opt.Format = FormatTRL
			}
			if opt.Rule == "" {
				opt.Rule = RuleMajority
			}
			p := Pair{People: labels(tt.people), Sources: labels(tt.sources),
				Adjudication: annotation.Choice(tt.adjud), Tags: tt.tags}
			d := Decide(p, opt)
			got := want{Label: d.Label, Excluded: d.Excluded, Agreement: d.Agreement,
				SoftLabel: d.SoftLabel, Weight: d.Weight, Source: d.FromSource,
				Adjudged: d.Adjudicated}
			if got.Excluded == ReasonNoMajority || got.Excluded == ReasonNotUnanimous ||
				got.Excluded == ReasonNotAdjudicated || got.Excluded == ReasonNoJudgments ||
				got.Excluded == ReasonTag {
				got = want{Excluded: got.Excluded}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestRowsOfEachFormat(t *testing.T) {
	p := Pair{ID: 7, Prompt: annotation.Prompt{Messages: []annotation.Message{
		{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Hi \"there\"\n"}}},
		A: "Go away.", B: "Hello.", People: labels("b,b,a")}
	tests := []struct {
		format Format
		want   string
	}{
		{FormatTRL, `{"id":"pair-7","prompt":"system: Be brief.\n\nuser: Hi \"there\"\n","chosen":"Hello.",` +
			`"rejected":"Go away.","meta":{"pair_id":7,"votes":{"chosen":2,"rejected":1,` +
			`"tie":0,"both_bad":0},"agreement":0.6667,"soft_label":0.6667,"weight":0.6667,` +
			`"consensus":"majority","label":"b","adjudicated":false,"source":false}}` + "\n"},
		{FormatTRLConversational, `{"id":"pair-7","prompt":[{"role":"system","content":"Be brief."},` +
			`{"role":"user","content":"Hi \"there\"\n"}],` +
			`"chosen":[{"role":"assistant","content":"Hello."}],` +
			`"rejected":[{"role":"assistant","content":"Go away."}],"meta":{"pair_id":7,` +
			`"votes":{"chosen":2,"rejected":1,"tie":0,"both_bad":0},"agreement":0.6667,` +
			`"soft_label":0.6667,"weight":0.6667,"consensus":"majority","label":"b",` +
			`"adjudicated":false,"source":false}}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			o := Options{Format: tt.format, Rule: RuleMajority}
			got := string(AppendRows(nil, p, Decide(p, o), o))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("not valid JSON: %s", got)
			}
		})
	}
}

func TestKTORows(t *testing.T) {
	type row struct {
		Prompt     string `json:"prompt"`
		Completion string `json:"completion"`
		Label      bool   `json:"label"`
	}
	tests := []struct {
		people string
		want   []row
	}{
		{"b,b", []row{{"q", "B", true}, {"q", "A", false}}},
		{"a", []row{{"q", "A", true}, {"q", "B", false}}},
		{"both_bad", []row{{"q", "A", false}, {"q", "B", false}}},
		{"tie", nil},
	}
	for _, tt := range tests {
		o := Options{Format: FormatKTO, Rule: RuleMajority}
		var buf bytes.Buffer
		ex, err := NewExporter(o, &buf, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := Pair{ID: 1, Prompt: annotation.Prompt{Text: "q"}, A: "A", B: "B",
			People: labels(tt.people)}
		if err := ex.Add(p); err != nil {
			t.Fatal(err)
		}
		if _, err := ex.Close(); err != nil {
			t.Fatal(err)
		}
		var got []row
		dec := json.NewDecoder(&buf)
		for dec.More() {
			var r row
			if err := dec.Decode(&r); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("votes %s: (-want +got)\n%s", tt.people, diff)
		}
	}
}

func TestJudgmentRowsReadByAgreement(t *testing.T) {
	left, secs := "a", 12.5
	p := Pair{ID: 3, Judgments: []Judgment{
		{Annotator: "ana", Label: "a", Strength: 2, Rationale: "r", ShownLeft: &left,
			Seconds: &secs, Kind: "ordinary"},
		{Annotator: "source:x", Label: "b", Kind: "ordinary", Source: true},
	}}
	o := Options{Format: FormatJudgments, Rule: RuleMajority}
	got := string(AppendRows(nil, p, Decision{}, o))
	want := `{"item":3,"annotator":"ana","label":"a","strength":2,"rationale":"r",` +
		`"shown_left":"a","seconds":12.5,"kind":"ordinary","source":false}` + "\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("with a person: (-want +got)\n%s", diff)
	}

	p.Judgments = p.Judgments[1:]
	got = string(AppendRows(nil, p, Decision{}, o))
	want = `{"item":3,"annotator":"source:x","label":"b","strength":0,"rationale":"",` +
		`"shown_left":null,"seconds":null,"kind":"ordinary","source":true}` + "\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("source alone: (-want +got)\n%s", diff)
	}
}

// TestAppendStringMatchesEncodingJSON compares the hand-written string
// encoder with encoding/json on awkward strings.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "quote \" slash \\ nl \n tab \t cr \r",
		"\x00\x01\x1f\x7f", "<b>&amp;</b>", "émoji 🙂 中文", "bad \xff utf8 \xc3",
		"line\u2028sep\u2029", "end\\"} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		want = bytes.ReplaceAll(want, []byte(`\u003c`), []byte("<"))
		want = bytes.ReplaceAll(want, []byte(`\u003e`), []byte(">"))
		want = bytes.ReplaceAll(want, []byte(`\u0026`), []byte("&"))
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func TestSplitIsStableAndDisjoint(t *testing.T) {
	const n = 2000
	prompts := make([]string, n)
	for i := range prompts {
		prompts[i] = fmt.Sprintf("prompt %d", i)
	}
	assign := func(seed uint64) []bool {
		out := make([]bool, n)
		for i, p := range prompts {
			out[i] = InTrain(p, 0.9, seed)
		}
		return out
	}

	first, again, other := assign(7), assign(7), assign(8)
	if diff := cmp.Diff(first, again); diff != "" {
		t.Fatalf("same seed, different split (-first +again)\n%s", diff)
	}
	train, moved := 0, 0
	for i := range first {
		if first[i] {
			train++
		}
		if first[i] != other[i] {
			moved++
		}
	}
	// 90% of 2000 with a binomial spread of about 13: 1800 ± 60 is over 4 sigma.
	if train < 1740 || train > 1860 {
		t.Errorf("train part holds %d of %d, want about 1800", train, n)
	}
	if moved == 0 {
		t.Errorf("another seed gives the same split")
	}
}

func TestExporterSplitsByPrompt(t *testing.T) {
	var train, test bytes.Buffer
	o := Options{Format: FormatTRL, Rule: RuleMajority, Split: 0.5, Seed: 3}
	ex, err := NewExporter(o, &train, &test)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		// Two pairs per prompt: they must land in the same part.
		p := Pair{ID: int64(i), Prompt: annotation.Prompt{Text: fmt.Sprintf("q%d", i/2)},
			A: "x", B: "y", People: labels("a")}
		if err := ex.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	c, err := ex.Close()
	if err != nil {
		t.Fatal(err)
	}

	parts := map[string]string{}
	for name, buf := range map[string]*bytes.Buffer{"train": &train, "test": &test} {
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var r struct{ Prompt string }
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			if prev, ok := parts[r.Prompt]; ok && prev != name {
				t.Errorf("prompt %s is in both parts", r.Prompt)
			}
			parts[r.Prompt] = name
		}
	}
	if c.Train+c.Test != 200 || c.Train == 0 || c.Test == 0 {
		t.Errorf("counts train %d, test %d; want two non-empty parts of 200", c.Train, c.Test)
	}
}

func TestPartNames(t *testing.T) {
	tests := []struct{ in, train, test string }{
		{"data.jsonl", "data.train.jsonl", "data.test.jsonl"},
		{"out/data.jsonl.gz", "out/data.train.jsonl.gz", "out/data.test.jsonl.gz"},
		{"data.json", "data.train.json", "data.test.json"},
		{"data", "data.train", "data.test"},
	}
	for _, tt := range tests {
		train, test := PartNames(tt.in)
		if train != tt.train || test != tt.test {
			t.Errorf("PartNames(%q) = %q, %q; want %q, %q", tt.in, train, test, tt.train,
				tt.test)
		}
	}
}

func TestValidateNamesTheOption(t *testing.T) {
	tests := []struct {
		opt  Options
		want string
	}{
		{Options{Format: "csv", Rule: RuleMajority}, "format"},
		{Options{Format: FormatTRL, Rule: "most"}, "consensus"},
		{Options{Format: FormatTRL, Rule: RuleMajority, MinAgreement: 1.5}, "min agreement"},
		{Options{Format: FormatTRL, Rule: RuleMajority, Split: 1}, "split"},
	}
	for _, tt := range tests {
		err := tt.opt.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Validate(%+v) = %v, want an error about %s", tt.opt, err, tt.want)
		}
	}
}
