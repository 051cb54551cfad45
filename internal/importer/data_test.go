package importer

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/testdata"
)

// readFile imports a file and returns its report and pairs.
func readFile(t *testing.T, path string, opts Options) (Report, []annotation.PairInput) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var pairs []annotation.PairInput
	rep, err := Read(context.Background(), filepath.Base(path), f, opts,
		func(p annotation.PairInput) error {
			pairs = append(pairs, p)
			return nil
		})
	if err != nil {
		t.Fatalf("Read(%s): %v", path, err)
	}
	return rep, pairs
}

// counts is what a report says, without warnings and byte counts.
type counts struct {
	Format, Container        string
	Gzip                     bool
	Records, Pairs, Judgment int
	Duplicates               int
}

func countsOf(r Report) counts {
	return counts{r.Format, r.Container, r.Gzip, r.Records, r.Pairs, r.Judgments,
		r.DuplicatesInFile}
}

func TestSharedData(t *testing.T) {
	tests := []struct {
		file string
		want counts
	}{
		{"pandalm/testset-v1.json", counts{FormatPandaLM, ContainerJSON, false, 999, 999, 2997, 0}},
		{"hh-rlhf/harmless-base-test.jsonl.gz",
			counts{FormatHHRLHF, ContainerJSONL, true, 2312, 2312, 2312, 0}},
		{"llmbar/Natural.json", counts{FormatLLMBar, ContainerJSON, false, 100, 100, 100, 0}},
		{"llmbar/Adversarial_GPTInst.json",
			counts{FormatLLMBar, ContainerJSON, false, 92, 92, 92, 0}},
		{"llmbar/Adversarial_GPTOut.json",
			counts{FormatLLMBar, ContainerJSON, false, 47, 47, 47, 0}},
		{"llmbar/Adversarial_Manual.json",
			counts{FormatLLMBar, ContainerJSON, false, 46, 46, 46, 0}},
		{"llmbar/Adversarial_Neighbor.json",
			counts{FormatLLMBar, ContainerJSON, false, 134, 134, 134, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, pairs := readFile(t, testdata.Path(t, tt.file), Options{})
			if diff := cmp.Diff(tt.want, countsOf(rep)); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if len(pairs) != rep.Pairs {
				t.Errorf("emitted %d pairs, report says %d", len(pairs), rep.Pairs)
			}
			for _, w := range rep.Warnings {
				t.Logf("warning: %v", w)
			}
		})
	}
}

// TestPandaLMRow checks the first PandaLM row against the file as written.
func TestPandaLMRow(t *testing.T) {
	_, pairs := readFile(t, testdata.Path(t, "pandalm/testset-v1.json"), Options{})
	got := pairs[0]
	got.Meta = nil
	want := annotation.PairInput{
		ExternalID: "0",
		Prompt: annotation.Prompt{Text: "The sentence you are given might be too wordy, " +
			"complicated, or unclear. Rewrite the sentence and make your writing clearer by " +
			"keeping it concise. Whenever possible, break complex sentences into multiple " +
			"sentences and eliminate unnecessary words.\n\nIf you have any questions about my " +
			"rate or if you find it necessary to increase or decrease the scope for this " +
			"project, please let me know."},
		A: annotation.Response{Text: "If you have any questions about my rate, please let me know.",
			Model: "bloom-7b"},
		B: annotation.Response{Text: "If you have any questions, please let me know.", Model: "llama-7b"},
		Judgments: []annotation.JudgmentInput{
			{Annotator: "pandalm:annotator1", Choice: "b"},
			{Annotator: "pandalm:annotator2", Choice: "b"},
			{Annotator: "pandalm:annotator3", Choice: "b"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first row (-want +got):\n%s", diff)
	}
	wantMeta := `{"motivation_app":"Grammarly","cmp_key":"bloom-7b_llama-7b"}`
	if m := string(pairs[0].Meta); m != wantMeta {
		t.Errorf("meta = %s, want %s", m, wantMeta)
	}
}

// TestHHRLHFLabels checks every HH-RLHF pair against the raw file: the
// prompt is a conversation ending with the user, and the source's choice
// points at the last assistant turn of "chosen".
func TestHHRLHFLabels(t *testing.T) {
	path := testdata.Path(t, "hh-rlhf/harmless-base-test.jsonl.gz")
	rep, pairs := readFile(t, path, Options{})
	rows := rawHHRows(t, path)
	parted := map[int]bool{}
	for _, w := range rep.Warnings {
		if strings.Contains(w.Msg, "part before their last assistant turn") {
			parted[w.Line] = true
		}
	}

	chosenA := 0
	for i, p := range pairs {
		turns := p.Prompt.Messages
		if len(turns) == 0 || turns[len(turns)-1].Role != "user" {
			t.Fatalf("line %d: prompt does not end with a user turn: %+v", i+1, turns)
		}
		winner := p.A.Text
		if p.Judgments[0].Choice == annotation.ChoiceB {
			winner = p.B.Text
		} else {
			chosenA++
		}
		chosen := rows[i]
		last := chosen[strings.LastIndex(chosen, "\n\nAssistant:")+len("\n\nAssistant:"):]
		if !parted[i+1] && winner != strings.TrimSpace(last) {
			t.Errorf("line %d: choice points at %q, want the chosen %q", i+1, winner, last)
		}
	}
	if len(parted) != 5 {
		t.Errorf("%d rows part early, want the 5 known ones", len(parted))
	}
	t.Logf("chosen placed as a in %d of %d pairs", chosenA, len(pairs))
}

// rawHHRows reads the chosen transcripts straight from the file.
func rawHHRows(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	dec := json.NewDecoder(zr)
	for {
		var row struct{ Chosen string }
		if err := dec.Decode(&row); err == io.EOF {
			return rows
		} else if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row.Chosen)
	}
}

// TestLLMBarLabels checks that the source's choices follow the file's labels.
func TestLLMBarLabels(t *testing.T) {
	_, pairs := readFile(t, testdata.Path(t, "llmbar/Natural.json"), Options{})
	got := map[annotation.Choice]int{}
	for _, p := range pairs {
		if diff := cmp.Diff([]string{"Natural"}, p.Tags); diff != "" {
			t.Fatalf("tags (-want +got):\n%s", diff)
		}
		got[p.Judgments[0].Choice]++
	}
	want := map[annotation.Choice]int{"a": 42, "b": 58} // labels 1 and 2 in Natural.json
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("choices (-want +got):\n%s", diff)
	}
}
