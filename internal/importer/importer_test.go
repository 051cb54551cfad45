package importer

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// readString imports text as a file called name.
func readString(name, text string, opts Options) (Report, []annotation.PairInput, error) {
	var pairs []annotation.PairInput
	rep, err := Read(context.Background(), name, strings.NewReader(text), opts,
		func(p annotation.PairInput) error {
			pairs = append(pairs, p)
			return nil
		})
	return rep, pairs, err
}

// chosenFirst undoes the hashed placement of a labelled pair, so a test can
// state it as chosen (a) and rejected (b) with the source's choice a.
func chosenFirst(p annotation.PairInput) annotation.PairInput {
	if len(p.Judgments) == 1 && p.Judgments[0].Source && p.Judgments[0].Choice == "b" {
		p.A, p.B = p.B, p.A
		p.Judgments = []annotation.JudgmentInput{p.Judgments[0]}
		p.Judgments[0].Choice = annotation.ChoiceA
	}
	return p
}

func text(s string) annotation.Prompt { return annotation.Prompt{Text: s} }

func resp(s string) annotation.Response { return annotation.Response{Text: s} }

func msgs(roleContent ...string) annotation.Prompt {
	var m []annotation.Message
	for i := 0; i+1 < len(roleContent); i += 2 {
		m = append(m, annotation.Message{Role: roleContent[i], Content: roleContent[i+1]})
	}
	return annotation.Prompt{Messages: m}
}

func source(name string) []annotation.JudgmentInput {
	return []annotation.JudgmentInput{{Annotator: name, Source: true, Choice: "a"}}
}

// cmpPairs compares pairs, taking nil and empty lists as equal.
var cmpPairs = cmpopts.EquateEmpty()

func TestFormats(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		input  string
		opts   Options
		format string
		want   []annotation.PairInput
	}{
		{
			name:   "pairs with plain text",
			file:   "p.jsonl",
			input:  `{"prompt": "Say hi", "responses": ["hi", "hello"], "id": "x1"}`,
			format: FormatPairs,
			want: []annotation.PairInput{{
				ExternalID: "x1", Prompt: text("Say hi"), A: resp("hi"), B: resp("hello"),
			}},
		},
		{
			name: "pairs with a conversation, models, numeric id, tags and meta",
			file: "p.jsonl",
			input: `{"prompt": [{"role": "system", "content": "Be brief."}, ` +
				`{"role": "user", "content": "2+2?"}], ` +
				`"responses": [{"text": "4", "model": "m1"}, {"content": "four", "model": "m2"}], ` +
				`"id": 17, "tags": ["math", "math", "easy"], "meta": {"k": [1, 2]}}`,
			format: FormatPairs,
			want: []annotation.PairInput{{
				ExternalID: "17",
				Prompt:     msgs("system", "Be brief.", "user", "2+2?"),
				A:          annotation.Response{Text: "4", Model: "m1"},
				B:          annotation.Response{Text: "four", Model: "m2"},
				Tags:       []string{"math", "easy"},
				Meta:       json.RawMessage(`{"k":[1,2]}`),
			}},
		},
		{
			name: "judged pairs",
			file: "j.jsonl",
			input: `{"prompt": "q", "responses": ["x", "y"], "judgments": [` +
				`{"annotator": "ann", "choice": "a", "strength": 2, "rationale": "shorter"}, ` +
				`{"annotator": "bob", "choice": "b", "strength": "much better"}, ` +
				`{"annotator": "eve", "choice": "tie", "strength": null}, ` +
				`{"annotator": "gpt", "choice": "both_bad", "source": true}]}`,
			format: FormatJudged,
			want: []annotation.PairInput{{
				Prompt: text("q"), A: resp("x"), B: resp("y"),
				Judgments: []annotation.JudgmentInput{
					{Annotator: "ann", Choice: "a", Strength: 2, Rationale: "shorter"},
					{Annotator: "bob", Choice: "b", Strength: 3},
					{Annotator: "eve", Choice: "tie"},
					{Annotator: "gpt", Choice: "both_bad", Source: true},
				},
			}},
		},
		{
			name:   "TRL with plain text",
			file:   "dpo/train.jsonl",
			input:  `{"prompt": "Sky?", "chosen": "Blue.", "rejected": "Green.", "score": 0.5}`,
			format: FormatTRL,
			want: []annotation.PairInput{{
				Prompt: text("Sky?"), A: resp("Blue."), B: resp("Green."),
				Meta: json.RawMessage(`{"score":0.5}`), Judgments: source("source:train"),
			}},
		},
		{
			name: "TRL with an HH-RLHF transcript as prompt",
			file: "t.jsonl",
			input: `{"prompt": "\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: Joke?\n\nAssistant:", ` +
				`"chosen": " No.", "rejected": " Knock knock."}`,
			format: FormatTRL,
			want: []annotation.PairInput{{
				Prompt: msgs("user", "Hi", "assistant", "Hello.", "user", "Joke?"),
				A:      resp("No."), B: resp("Knock knock."), Judgments: source("source:t"),
			}},
		},
		{
			name: "TRL conversational",
			file: "t.json",
			input: `[{"prompt": [{"role": "user", "content": "Sky?"}], ` +
				`"chosen": [{"role": "assistant", "content": "Blue."}], ` +
				`"rejected": [{"role": "assistant", "content": "Green."}], "id": "s1"}]`,
			opts:   Options{Source: "source:ultra"},
			format: FormatTRL,
			want: []annotation.PairInput{{
				ExternalID: "s1", Prompt: msgs("user", "Sky?"), A: resp("Blue."),
				B: resp("Green."), Judgments: source("source:ultra"),
			}},
		},
		{
			name: "TRL implicit prompt, conversational",
			file: "t.jsonl",
			input: `{"chosen": [{"role": "user", "content": "Hi"}, ` +
				`{"role": "assistant", "content": "Hello!"}], ` +
				`"rejected": [{"role": "user", "content": "Hi"}, ` +
				`{"role": "assistant", "content": "Go away."}]}`,
			format: FormatTRLImplicit,
			want: []annotation.PairInput{{
				Prompt: msgs("user", "Hi"), A: resp("Hello!"), B: resp("Go away."),
				Judgments: source("source:t"),
			}},
		},
		{
			name:   "TRL implicit prompt, plain text cut between words",
			file:   "t.jsonl",
			input:  `{"chosen": "The answer is four", "rejected": "The answer is five"}`,
			format: FormatTRLImplicit,
			want: []annotation.PairInput{{
				Prompt: text("The answer is"), A: resp("four"), B: resp("five"),
				Judgments: source("source:t"),
			}},
		},
		{
			name: "HH-RLHF transcript",
			file: "hh.jsonl",
			input: `{"chosen": "\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: Joke?\n\nAssistant: No.", ` +
				`"rejected": "\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: Joke?` +
				`\n\nAssistant: Sure: knock knock."}`,
			format: FormatHHRLHF,
			want: []annotation.PairInput{{
				Prompt: msgs("user", "Hi", "assistant", "Hello.", "user", "Joke?"),
				A:      resp("No."), B: resp("Sure: knock knock."),
				Judgments: source("source:hh"),
			}},
		},
		{
			name: "PandaLM",
			file: "testset.json",
			input: `[{"idx": 3, "motivation_app": "Grammarly", "cmp_key": "bloom-7b_llama-7b", ` +
				`"instruction": "Fix it.", "input": "teh cat", "response1": "the cat", ` +
				`"response2": "The cat.", "annotator1": 2, "annotator2": 0, "annotator3": 1},` +
				`{"idx": 4, "cmp_key": "a_b", "instruction": "Say yes.", "input": "", ` +
				`"response1": true, "response2": "yes", "annotator1": 1}]`,
			format: FormatPandaLM,
			want: []annotation.PairInput{{
				ExternalID: "3", Prompt: text("Fix it.\n\nteh cat"),
				A:    annotation.Response{Text: "the cat", Model: "bloom-7b"},
				B:    annotation.Response{Text: "The cat.", Model: "llama-7b"},
				Meta: json.RawMessage(`{"motivation_app":"Grammarly","cmp_key":"bloom-7b_llama-7b"}`),
				Judgments: []annotation.JudgmentInput{
					{Annotator: "pandalm:annotator1", Choice: "b"},
					{Annotator: "pandalm:annotator2", Choice: "tie"},
					{Annotator: "pandalm:annotator3", Choice: "a"},
				},
			}, {
				ExternalID: "4", Prompt: text("Say yes."),
				A:         annotation.Response{Text: "true", Model: "a"},
				B:         annotation.Response{Text: "yes", Model: "b"},
				Meta:      json.RawMessage(`{"cmp_key":"a_b"}`),
				Judgments: []annotation.JudgmentInput{{Annotator: "pandalm:annotator1", Choice: "a"}},
			}},
		},
		{
			name:   "LLMBar",
			file:   "LLMBar/Natural.json",
			input:  `[{"input": "Name a color.", "output_1": "Red", "output_2": "Seven", "label": 1}]`,
			opts:   Options{Tags: []string{"bench"}},
			format: FormatLLMBar,
			want: []annotation.PairInput{{
				Prompt: text("Name a color."), A: resp("Red"), B: resp("Seven"),
				Tags: []string{"Natural", "bench"}, Judgments: source("source:Natural"),
			}},
		},
		{
			name: "mapped",
			file: "m.jsonl",
			input: `{"question": "Q?", "answer_1": "x", "answer_2": "y", "qid": 9, "lang": "en"}` +
				"\n" + `{"question": [{"role": "user", "content": "Hi"}], "answer_1": "x", ` +
				`"answer_2": {"text": "y", "model": "m"}}`,
			opts: Options{Map: map[string]string{
				"prompt": "question", "a": "answer_1", "b": "answer_2", "id": "qid"}},
			format: FormatMapped,
			want: []annotation.PairInput{{
				ExternalID: "9", Prompt: text("Q?"), A: resp("x"), B: resp("y"),
				Meta: json.RawMessage(`{"lang":"en"}`),
			}, {
				Prompt: msgs("user", "Hi"), A: resp("x"),
				B: annotation.Response{Text: "y", Model: "m"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, got, err := readString(tt.file, tt.input, tt.opts)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if rep.Format != tt.format {
				t.Errorf("format = %q, want %q", rep.Format, tt.format)
			}
			for i := range got {
				got[i] = chosenFirst(got[i])
			}
			if diff := cmp.Diff(tt.want, got, cmpPairs); diff != "" {
				t.Errorf("pairs (-want +got):\n%s", diff)
			}
		})
	}
}

// gzipped compresses s; writing to memory cannot fail.
func gzipped(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func TestContainers(t *testing.T) {
	const line = `{"prompt": "p", "responses": ["a", "b"]}`
	two := line + "\n" + strings.Replace(line, `"p"`, `"q"`, 1)
	array := "[\n  " + strings.ReplaceAll(two, "\n", ",\n  ") + "\n]\n"
	type got struct {
		Container string
		Gzip      bool
		Pairs     int
	}
	tests := []struct {
		name  string
		input string
		want  got
	}{
		{"JSON Lines", two, got{ContainerJSONL, false, 2}},
		{"JSON Lines with CRLF and blank lines", "\r\n" + strings.ReplaceAll(two, "\n", "\r\n\r\n"),
			got{ContainerJSONL, false, 2}},
		{"JSON array", array, got{ContainerJSON, false, 2}},
		{"JSON array on one line", "[" + strings.ReplaceAll(two, "\n", ",") + "]",
			got{ContainerJSON, false, 2}},
		{"empty JSON array", "[]", got{ContainerJSON, false, 0}},
		{"byte order mark", "\ufeff" + two, got{ContainerJSONL, false, 2}},
		{"gzip JSON Lines", gzipped(two), got{ContainerJSONL, true, 2}},
		{"gzip JSON array", gzipped(array), got{ContainerJSON, true, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, pairs, err := readString("f", tt.input, Options{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(tt.want, got{rep.Container, rep.Gzip, len(pairs)}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if rep.Bytes != int64(len(tt.input)) {
				t.Errorf("Bytes = %d, want %d", rep.Bytes, len(tt.input))
			}
		})
	}
}

func TestErrors(t *testing.T) {
	const ok = `{"prompt": "p", "responses": ["a", "b"]}`
	tests := []struct {
		name  string
		file  string
		input string
		opts  Options
		want  []string
	}{
		{
			name:  "one response",
			file:  "pairs.jsonl",
			input: ok + "\n" + `{"prompt": "p", "responses": ["a"]}`,
			want:  []string{`pairs.jsonl:2: field "responses": must hold exactly two responses, found 1`},
		},
		{
			name:  "missing prompt, empty response and unknown field in one record",
			file:  "pairs.jsonl",
			input: `{"responses": ["a", " "], "tag": "x"}`,
			want: []string{
				`pairs.jsonl:1: field "tag": unknown field ` +
					`(known: prompt, responses, id, tags, meta, judgments)`,
				`pairs.jsonl:1: field "prompt": missing`,
				`pairs.jsonl:1: field "responses[1]": the response text is empty`,
			},
		},
		{
			name: "bad messages",
			file: "c.jsonl",
			input: `{"prompt": [{"role": "human", "content": "x"}, {"role": "user", "content": ["x"]}, ` +
				`"hi", {"role": "user"}], "responses": ["a", "b"]}`,
			want: []string{
				`c.jsonl:1: field "prompt[0].role": role "human" is not one of system, user, assistant`,
				`c.jsonl:1: field "prompt[1].content": must be a string, found a list`,
				`c.jsonl:1: field "prompt[2]": a message must be an object {role, content}, found a string`,
				`c.jsonl:1: field "prompt[3].content": missing`,
			},
		},
		{
			name: "bad judgments in a pretty-printed array",
			file: "judged.json",
			input: "[\n" + // line 1
				"  {\n" + // 2
				"    \"prompt\": \"p\",\n" +
				"    \"responses\": [\"a\", \"b\"],\n" +
				"    \"judgments\": [\n" + // 5
				"      {\"annotator\": \"ann\", \"choice\": \"A\"},\n" + // 6
				"      {\"annotator\": \"bob\",\n" + // 7
				"       \"choice\": \"tie\",\n" + // 8
				"       \"strength\": 2},\n" + // 9
				"      {\"annotator\": \"cy\", \"choice\": \"b\", \"strength\": 4},\n" + // 10
				"      {\"annotator\": \"cy\", \"choice\": \"a\"},\n" + // 11
				"      {\"choice\": \"a\"}\n" + // 12
				"    ]\n" +
				"  }\n" +
				"]\n",
			want: []string{
				`judged.json:6: field "judgments[0].choice": choice "A" is not one of a, b, tie, both_bad`,
				`judged.json:9: field "judgments[1].strength": ` +
					`a strength is only given with choice a or b, not tie`,
				`judged.json:10: field "judgments[2].strength": strength 4 is outside 1..3`,
				`judged.json:12: field "judgments[4].annotator": missing`,
			},
		},
		{
			name:  "bad JSON on a line",
			file:  "x.jsonl",
			input: ok + "\n" + `{"prompt": "p", "responses": ["a", "b"]` + "\n" + `{"prompt": 'p'}`,
			want: []string{
				`x.jsonl:2: bad JSON: unexpected end of JSON input (JSON Lines needs one whole ` +
					`record per line; write records that span lines as a JSON array)`,
				`x.jsonl:3: bad JSON at column 12: invalid character '\'' looking for beginning of value`,
			},
		},
		{
			name:  "bad JSON in an array",
			file:  "x.json",
			input: "[\n" + ok + ",\n" + ok + ",\n{\"prompt\": tru}\n]",
			want:  []string{`x.json:4: bad JSON: invalid character '}' in literal true (expecting 'e')`},
		},
		{
			name:  "array not closed",
			file:  "x.json",
			input: "[\n" + ok + ",\n" + ok + "\n",
			want:  []string{`x.json:4: the file ends before the JSON array is closed`},
		},
		{
			name:  "data after the array",
			file:  "x.json",
			input: "[" + ok + "]\n\n[]",
			want:  []string{`x.json:3: unexpected data after the JSON array`},
		},
		{
			name:  "record that matches no format",
			file:  "q.jsonl",
			input: `{"question": "q", "answer": "a"}`,
			want: []string{`q.jsonl:1: record matches no format: found fields "answer", "question"; ` +
				`known formats: ` + knownFormats},
		},
		{
			name:  "mixed formats",
			file:  "mix.jsonl",
			input: ok + "\n" + `{"chosen": "x y", "rejected": "x z"}`,
			want: []string{`mix.jsonl:2: mixed formats: ` +
				`this record is trl-implicit but the file began as pairs`},
		},
		{
			name:  "records that are not objects",
			file:  "a.json",
			input: "[\n  " + ok + ",\n  [1, 2],\n  \"text\"\n]",
			want: []string{
				`a.json:3: a record must be a JSON object, found a list`,
				`a.json:4: a record must be a JSON object, found a string`,
			},
		},
		{
			name:  "empty file",
			file:  "e.jsonl",
			input: " \n\n",
			want:  []string{`e.jsonl: the file holds no records`},
		},
		{
			name:  "not JSON",
			file:  "data.csv",
			input: "\nprompt,a,b\n",
			want: []string{`data.csv:2: not JSON records: expected a JSON array or JSON Lines of ` +
				`objects, found 'p'`},
		},
		{
			name:  "broken gzip",
			file:  "x.jsonl.gz",
			input: "\x1f\x8b\x00garbage",
			want:  []string{`x.jsonl.gz: not a readable gzip file: gzip: invalid header`},
		},
		{
			name:  "gzip JSON Lines cut off",
			file:  "cut.jsonl.gz",
			input: cut(gzipped(strings.Repeat(ok+"\n", 3)), 12),
			want:  []string{`cut.jsonl.gz:3: the file ends early (cut off?)`},
		},
		{
			name:  "gzip JSON array cut off",
			file:  "cut.json.gz",
			input: cut(gzipped("[\n"+ok+",\n"+ok+"\n]\n"), 12),
			want:  []string{`cut.json.gz:5: the file ends early: unexpected EOF`},
		},
		{
			name:  "field given twice",
			file:  "d.jsonl",
			input: `{"prompt": "p", "responses": ["a", "b"], "id": true, "tags": "x", "meta": [1], "id": 2}`,
			want:  []string{`d.jsonl:1: field "id": appears twice in the same object`},
		},
		{
			name:  "bad id, tags and meta",
			file:  "d.jsonl",
			input: `{"prompt": "p", "responses": ["a", "b"], "id": "", "tags": ["x", ""], "meta": [1]}`,
			want: []string{
				`d.jsonl:1: field "id": the id is empty`,
				`d.jsonl:1: field "tags[1]": a tag is empty`,
				`d.jsonl:1: field "meta": meta must be an object, found a list`,
			},
		},
		{
			name:  "NUL characters",
			file:  "n.jsonl",
			input: `{"prompt": "p\u0000", "responses": ["a", "b"], "meta": {"k": "\u0000"}}`,
			want: []string{
				`n.jsonl:1: field "prompt": holds a NUL character (\u0000), which cannot be stored`,
				`n.jsonl:1: field "meta": holds a NUL character (\u0000), which cannot be stored`,
			},
		},
		{
			name:  "bad PandaLM verdict",
			file:  "p.json",
			input: `[{"instruction": "i", "response1": "a", "response2": "b", "annotator1": 3}]`,
			want: []string{`p.json:1: field "annotator1": ` +
				`3 is not 0 (tie), 1 (response1) or 2 (response2)`},
		},
		{
			name:  "bad LLMBar label",
			file:  "l.json",
			input: `[{"input": "i", "output_1": "a", "output_2": "b", "label": "1"}]`,
			want:  []string{`l.json:1: field "label": must be a whole number, found a string`},
		},
		{
			name:  "HH-RLHF without a shared conversation",
			file:  "hh.jsonl",
			input: `{"chosen": "\n\nHuman: a\n\nAssistant: b", "rejected": "\n\nHuman: c\n\nAssistant: d"}`,
			want: []string{`hh.jsonl:1: chosen and rejected share no conversation before an ` +
				`assistant turn, so no prompt can be taken from them`},
		},
		{
			name:  "TRL with mixed shapes",
			file:  "t.jsonl",
			input: `{"prompt": "p", "chosen": [{"role": "assistant", "content": "x"}], "rejected": "y"}`,
			want: []string{
				`t.jsonl:1: field "chosen": must be a string like the prompt, found a list`,
			},
		},
		{
			name:  "mapped field missing",
			file:  "m.jsonl",
			input: `{"question": "q", "answer_1": "x"}`,
			opts:  Options{Map: map[string]string{"prompt": "question", "a": "answer_1", "b": "answer_2"}},
			want:  []string{`m.jsonl:1: field "answer_2": missing (mapped to b)`},
		},
		{
			name:  "too many problems",
			file:  "many.jsonl",
			input: strings.Repeat("{}\n", 5),
			opts:  Options{MaxErrors: 3},
			want: []string{
				`many.jsonl:1: record matches no format: found fields none; known formats: ` + knownFormats,
				`many.jsonl:2: record matches no format: found fields none; known formats: ` + knownFormats,
				`many.jsonl:3: record matches no format: found fields none; known formats: ` + knownFormats,
				`many.jsonl:3: stopped after 3 problems`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readString(tt.file, tt.input, tt.opts)
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Read error = %v, want an ErrorList", err)
			}
			var got []string
			for _, e := range list {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDocExamples reads every example record of the package documentation,
// which the README reuses, so that none of them goes stale.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var examples []string
	for _, line := range strings.Split(string(doc), "\n") {
		if ex, ok := strings.CutPrefix(line, "//\t{"); ok {
			examples = append(examples, "{"+ex)
		}
	}
	want := []string{FormatPairs, FormatPairs, FormatJudged, FormatTRL, FormatTRL,
		FormatTRLImplicit, FormatHHRLHF, FormatPandaLM, FormatLLMBar, FormatMapped}
	if len(examples) != len(want) {
		t.Fatalf("found %d examples, want %d", len(examples), len(want))
	}
	for i, ex := range examples {
		var opts Options
		if want[i] == FormatMapped {
			opts.Map, err = ParseMap("prompt=question,a=answer_1,b=answer_2,id=qid")
			if err != nil {
				t.Fatal(err)
			}
		}
		rep, pairs, err := readString("example.jsonl", ex, opts)
		if err != nil || len(pairs) != 1 || rep.Format != want[i] || len(rep.Warnings) > 0 {
			t.Errorf("example %s: format %q, %d pairs, warnings %v, error %v; want %s",
				ex, rep.Format, len(pairs), rep.Warnings, err, want[i])
		}
	}
}

// cut drops the last n bytes of s.
func cut(s string, n int) string { return s[:len(s)-n] }
