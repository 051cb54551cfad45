package importer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// FuzzRead feeds Read arbitrary bytes, with format detection or a field
// map: it must never panic, and it must either return well-formed pairs or
// an ErrorList of located problems.
func FuzzRead(f *testing.F) {
	seeds := []string{
		`{"prompt": "p", "responses": ["a", "b"]}`,
		`{"prompt": [{"role": "user", "content": "hi"}], ` +
			`"responses": [{"text": "a", "model": "m"}, "b"], "id": 3}`,
		`{"prompt": "p", "responses": ["a", "b"], ` +
			`"judgments": [{"annotator": "x", "choice": "a", "strength": "much"}]}`,
		"[\n {\"prompt\": \"p\",\n  \"chosen\": \"a\", \"rejected\": \"b\"}\n]",
		`{"chosen": "\n\nHuman: hi\n\nAssistant: yo", "rejected": "\n\nHuman: hi\n\nAssistant: go"}`,
		`{"chosen": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], ` +
			`"rejected": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "b"}]}`,
		`[{"idx": 1, "instruction": "i", "input": "", "response1": true, "response2": "", ` +
			`"annotator1": 0, "cmp_key": "x_y"}]`,
		`[{"input": "i", "output_1": "a", "output_2": "b", "label": 2}]`,
		`{"prompt": "p", "responses": ["a"]}`,
		`{"prompt": "p", "responses": ["a", "b"]` + "\n{}",
		"[1, \"x\", {\"prompt\": tru}]",
		"\x1f\x8b\x08\x00",
		"\ufeff[]",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
	}
	f.Add([]byte(`{"q": "p", "x": "a", "y": {"text": "b"}, "i": 1, "t": ["z"], "more": 2}`), true)
	f.Add([]byte(`[{"q": [{"role": "user", "content": "p"}], "x": "a", "y": ""}]`), true)
	mapping := map[string]string{"prompt": "q", "a": "x", "b": "y", "id": "i", "tags": "t"}
	f.Fuzz(func(t *testing.T, data []byte, mapped bool) {
		var opts Options
		if mapped {
			opts.Map = mapping
		}
		var pairs []annotation.PairInput
		rep, err := Read(context.Background(), "fuzz.jsonl", strings.NewReader(string(data)),
			opts, func(p annotation.PairInput) error {
				pairs = append(pairs, p)
				return nil
			})
		if err != nil {
			checkErr(t, err)
		}
		if rep.Pairs != len(pairs) {
			t.Fatalf("report says %d pairs, emitted %d", rep.Pairs, len(pairs))
		}
		judgments := 0
		for _, p := range pairs {
			checkPair(t, p)
			judgments += len(p.Judgments)
		}
		if rep.Judgments != judgments {
			t.Fatalf("report says %d judgments, emitted %d", rep.Judgments, judgments)
		}
	})
}

func checkErr(t *testing.T, err error) {
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %v (%T) is not an ErrorList", err, err)
	}
	for _, e := range list {
		if e.File != "fuzz.jsonl" || e.Msg == "" || e.Line < 0 {
			t.Fatalf("badly located error %#v", e)
		}
	}
}

// checkPair checks what every emitted pair must satisfy.
func checkPair(t *testing.T, p annotation.PairInput) {
	if p.Prompt.IsConversation() {
		if len(p.Prompt.Messages) == 0 {
			t.Fatalf("pair %+v: empty conversation", p)
		}
		for _, m := range p.Prompt.Messages {
			if !roles[m.Role] {
				t.Fatalf("pair %+v: role %q", p, m.Role)
			}
		}
	} else if strings.TrimSpace(p.Prompt.Text) == "" {
		t.Fatalf("pair %+v: empty prompt", p)
	}
	texts := []string{p.Prompt.Text, p.A.Text, p.B.Text, p.ExternalID}
	for _, m := range p.Prompt.Messages {
		texts = append(texts, m.Content)
	}
	for _, s := range texts {
		if strings.ContainsRune(s, 0) {
			t.Fatalf("pair %+v: NUL in text", p)
		}
	}
	seen := map[string]bool{}
	for _, j := range p.Judgments {
		if err := j.Validate(); err != nil {
			t.Fatalf("pair %+v: judgment: %v", p, err)
		}
		if seen[j.Annotator] {
			t.Fatalf("pair %+v: annotator %q twice", p, j.Annotator)
		}
		seen[j.Annotator] = true
	}
	if p.Key() == "" {
		t.Fatalf("pair %+v: no key", p)
	}
}
