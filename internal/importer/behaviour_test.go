package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prefer-dev/prefer/internal/annotation"
)

func TestDuplicatesInFile(t *testing.T) {
	input := strings.Join([]string{
		`{"id": 1, "prompt": "p", "responses": ["a", "b"]}`,
		`{"id": 2, "prompt": "p", "responses": ["a", "b"]}`, // same text, other id: kept
		`{"id": 1, "prompt": "q", "responses": ["c", "d"]}`, // same id: skipped
		`{"prompt": "r", "responses": ["e", "f"]}`,
		`{"prompt": "r", "responses": ["e", "f"]}`, // same content, no id: skipped
	}, "\n")
	rep, pairs, err := readString("d.jsonl", input, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range pairs {
		ids = append(ids, p.Key()[:4])
	}
	if diff := cmp.Diff([]string{"id:1", "id:2", "sha2"}, ids); diff != "" {
		t.Errorf("kept pairs (-want +got):\n%s", diff)
	}
	if rep.DuplicatesInFile != 2 || rep.Records != 5 {
		t.Errorf("DuplicatesInFile, Records = %d, %d; want 2, 5", rep.DuplicatesInFile, rep.Records)
	}
	var warnings []string
	for _, w := range rep.Warnings {
		warnings = append(warnings, w.Error())
	}
	want := []string{
		"d.jsonl:3: same pair as line 1 (same id); skipped",
		"d.jsonl:5: same pair as line 4 (same prompt and responses); skipped",
	}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestEmitStopsAtFirstProblem(t *testing.T) {
	input := strings.Join([]string{
		`{"prompt": "p1", "responses": ["a", "b"]}`,
		`{"prompt": "p2", "responses": ["a"]}`,
		`{"prompt": "p3", "responses": ["a", "b"]}`,
	}, "\n")
	rep, pairs, err := readString("e.jsonl", input, Options{})
	if err == nil {
		t.Fatal("Read returned no error")
	}
	if len(pairs) != 1 || rep.Pairs != 1 || rep.Records != 3 {
		t.Errorf("emitted %d, report pairs %d records %d; want 1, 1, 3",
			len(pairs), rep.Pairs, rep.Records)
	}
}

func TestEmitError(t *testing.T) {
	input := strings.Repeat(`{"prompt": "p", "responses": ["a", "b"]}`+"\n", 3)
	errFull := errors.New("store is full")
	calls := 0
	_, err := Read(context.Background(), "x.jsonl", strings.NewReader(input), Options{},
		func(annotation.PairInput) error {
			calls++
			return errFull
		})
	if !errors.Is(err, errFull) || calls != 1 {
		t.Errorf("Read = %v after %d calls; want errFull after 1", err, calls)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var lines strings.Builder
	for i := range 10 {
		fmt.Fprintf(&lines, `{"prompt": "p%d", "responses": ["a", "b"]}`+"\n", i)
	}
	calls := 0
	_, err := Read(ctx, "x.jsonl", strings.NewReader(lines.String()), Options{},
		func(annotation.PairInput) error {
			calls++
			if calls == 2 {
				cancel()
			}
			return nil
		})
	if !errors.Is(err, context.Canceled) || calls != 2 {
		t.Errorf("Read = %v after %d calls; want context.Canceled after 2", err, calls)
	}
}

func TestProgress(t *testing.T) {
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, `{"prompt": "prompt %d", "responses": ["a", "b"]}`+"\n", i)
	}
	input := gzipped(b.String())
	var seen []int64
	opts := Options{Progress: func(n int64) { seen = append(seen, n) }}
	rep, _, err := readString("p.jsonl.gz", input, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 || seen[len(seen)-1] != int64(len(input)) || rep.Bytes != int64(len(input)) {
		t.Fatalf("progress %v, Bytes %d; want to end at %d", seen, rep.Bytes, len(input))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("progress went from %d to %d", seen[i-1], seen[i])
		}
	}
}

func TestSourceName(t *testing.T) {
	tests := []struct {
		file string
		opts Options
		want string
	}{
		{"uploads/harmless-base-test.jsonl.gz", Options{}, "source:harmless-base-test"},
		{`C:\data\prefs.json`, Options{}, "source:prefs"},
		{"prefs.ndjson", Options{Source: "source:ultrafeedback"}, "source:ultrafeedback"},
	}
	for _, tt := range tests {
		_, pairs, err := readString(tt.file, `{"prompt": "p", "chosen": "a", "rejected": "b"}`, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := pairs[0].Judgments[0].Annotator; got != tt.want {
			t.Errorf("%s: annotator = %q, want %q", tt.file, got, tt.want)
		}
	}
}

// TestLabelledPlacement checks that chosen lands on a or b by content: the
// same row always gives the same pair, and both sides are used.
func TestLabelledPlacement(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, `{"prompt": "q%d", "chosen": "good %d", "rejected": "bad %d"}`+"\n", i, i, i)
	}
	_, first, err := readString("l.jsonl", b.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, again, err := readString("l.jsonl", b.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("second import differs (-first +second):\n%s", diff)
	}
	chosenA := 0
	for _, p := range first {
		j := p.Judgments[0]
		winner := p.A
		if j.Choice == annotation.ChoiceB {
			winner = p.B
		}
		if !strings.HasPrefix(winner.Text, "good") || !j.Source {
			t.Fatalf("pair %+v: the source's choice does not point at chosen", p)
		}
		if j.Choice == annotation.ChoiceA {
			chosenA++
		}
	}
	if chosenA < 70 || chosenA > 130 {
		t.Errorf("chosen is a in %d of 200 pairs; want near half", chosenA)
	}
}

func TestParseMap(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr string
	}{
		{in: "prompt=question, a=answer_1,b=answer_2,id=qid",
			want: map[string]string{"prompt": "question", "a": "answer_1", "b": "answer_2", "id": "qid"}},
		{in: "prompt=q,a=x,b=y,model_a=ma,model_b=mb,tags=t",
			want: map[string]string{"prompt": "q", "a": "x", "b": "y", "model_a": "ma",
				"model_b": "mb", "tags": "t"}},
		{in: "prompt=q,a=x", wantErr: "map needs b=<field> (prompt, a and b are required)"},
		{in: "prompt=q,a=x,b=y,c=z", wantErr: `map target "c" is not one of prompt, a, b, id, ` +
			`tags, model_a, model_b`},
		{in: "prompt=q,a=x,b", wantErr: `map item "b": want target=field`},
		{in: "prompt=q,a=x,a=y,b=z", wantErr: `map item "a=y": a is mapped twice`},
		{in: " ", want: nil},
		{in: ",", wantErr: "map needs prompt=<field> (prompt, a and b are required)"},
	}
	for _, tt := range tests {
		got, err := ParseMap(tt.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tt.wantErr {
			t.Errorf("ParseMap(%q) error = %q, want %q", tt.in, gotErr, tt.wantErr)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseMap(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestBadMapOption(t *testing.T) {
	_, _, err := readString("m.jsonl", `{"q": "x"}`, Options{Map: map[string]string{"prompt": "q"}})
	want := "import m.jsonl: map needs a=<field> (prompt, a and b are required)"
	if err == nil || err.Error() != want {
		t.Errorf("Read error = %v, want %q", err, want)
	}
}

func TestWarningsAreBounded(t *testing.T) {
	var b strings.Builder
	for i := range 25 {
		fmt.Fprintf(&b, `{"id": %d, "prompt": "p", "chosen": "", "rejected": "no"}`+"\n", i)
	}
	rep, pairs, err := readString("w.jsonl", b.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 25 || len(rep.Warnings) != 20 || rep.MoreWarnings != 5 {
		t.Errorf("%d pairs, %d warnings and %d more; want 25, 20 and 5",
			len(pairs), len(rep.Warnings), rep.MoreWarnings)
	}
	want := `w.jsonl:1: field "chosen": the response is empty`
	if got := rep.Warnings[0].Error(); got != want {
		t.Errorf("first warning = %q, want %q", got, want)
	}
}
