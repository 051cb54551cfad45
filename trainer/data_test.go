package trainer

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

func TestReadExamplesFormats(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Example
	}{
		{"trl", `{"prompt":"Hi","chosen":" a","rejected":" b"}`,
			Example{Prompt: "Hi", Chosen: " a", Rejected: " b"}},
		{"trl with meta", `{"prompt":"Hi","chosen":"a","rejected":"b",` +
			`"meta":{"weight":2.5,"soft_label":0.8,"agreement":0.9,"votes":3,"pair_id":"p1"}}`,
			Example{Prompt: "Hi", Chosen: "a", Rejected: "b", Weight: 2.5, SoftLabel: ptr(0.8)}},
		{"conversational", `{"prompt":[{"role":"system","content":"Be brief."},` +
			`{"role":"user","content":"Hi"}],"chosen":[{"role":"assistant","content":"Hello"}],` +
			`"rejected":[{"role":"assistant","content":"Go away"}]}`,
			Example{Prompt: "\n\nSystem: Be brief.\n\nHuman: Hi\n\nAssistant:", Chosen: " Hello",
				Rejected: " Go away"}},
		{"kto", `{"prompt":"Hi","completion":"Hello","label":false}`,
			Example{Prompt: "Hi", Chosen: "Hello", Desirable: ptr(false)}},
		{"hh implicit prompt",
			`{"chosen":"\n\nHuman: Hi\n\nAssistant: Hey\n\nHuman: Help?\n\nAssistant: Sure.",` +
				`"rejected":"\n\nHuman: Hi\n\nAssistant: Hey\n\nHuman: Help?\n\nAssistant: No."}`,
			Example{Prompt: "\n\nHuman: Hi\n\nAssistant: Hey\n\nHuman: Help?\n\nAssistant:",
				Chosen: " Sure.", Rejected: " No."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadExamples(strings.NewReader(tc.line+"\n"), "x.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Example{tc.want}, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestReadExamplesErrors(t *testing.T) {
	good := `{"prompt":"p","chosen":"a","rejected":"b"}` + "\n"
	tests := []struct {
		name, data string
		want       []string // substrings of the error
	}{
		{"bad json", good + "{oops\n", []string{"x.jsonl:2", "invalid JSON"}},
		{"missing rejected", good + good + `{"prompt":"p","chosen":"a"}`, []string{"x.jsonl:3", "rejected"}},
		{"prompt not text", `{"prompt":5,"chosen":"a","rejected":"b"}`, []string{"x.jsonl:1", "field prompt"}},
		{"soft label range", `{"prompt":"p","chosen":"a","rejected":"b","meta":{"soft_label":2}}`,
			[]string{"x.jsonl:1", "soft_label"}},
		{"kto label type", `{"prompt":"p","completion":"a","label":"yes"}`, []string{"x.jsonl:1"}},
		{"mixed formats", good + `{"prompt":"p","completion":"a","label":true}`, []string{"mixes"}},
		{"no shared turn", `{"chosen":"abc","rejected":"abd"}`, []string{"x.jsonl:1", "Assistant"}},
		{"wrong role", `{"prompt":"p","chosen":[{"role":"user","content":"a"}],"rejected":"b"}`,
			[]string{"x.jsonl:1", "field chosen", "assistant"}},
		{"empty", "\n\n", []string{"no examples"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadExamples(strings.NewReader(tc.data), "x.jsonl")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestReadExamplesFileGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"prompt":"p","chosen":"a","rejected":"b"}` + "\n"))
	zw.Close()
	path := filepath.Join(t.TempDir(), "d.jsonl.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadExamplesFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Chosen != "a" {
		t.Errorf("got %+v", got)
	}
}

func TestFitPairKeepsPromptEnd(t *testing.T) {
	tok := ByteTokenizer{}
	e := fitPair(tok.Encode("0123456789abcdef"), tok.Encode("xyz"), tok.Encode("uv"), 12)
	if got, want := tok.Decode(e.prompt), "89abcdef"; got != want {
		t.Errorf("prompt %q, want %q (its end)", got, want)
	}
	if e.maxLen() > 12 {
		t.Errorf("longest sequence %d > 12", e.maxLen())
	}
	long := fitPair(tok.Encode("p"), tok.Encode(strings.Repeat("r", 40)), tok.Encode("s"), 12)
	if long.eos[0] || long.seqLen(0) > 12 || !long.eos[1] {
		t.Errorf("long response: eos %v, length %d", long.eos, long.seqLen(0))
	}
}
