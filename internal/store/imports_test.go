package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
)

func TestImportPairsWithJudgments(t *testing.T) {
	st := newStore(t)
	p := newProject(t, st, 3)
	ps := pairs(3)
	ps[0].ExternalID = "first"
	ps[0].Judgments = []annotation.JudgmentInput{
		{Annotator: "tool:alice", Choice: annotation.ChoiceA, Strength: 2, Rationale: "clearer"},
		{Annotator: "tool:bob", Choice: annotation.ChoiceTie},
		{Annotator: "source:file", Source: true, Choice: annotation.ChoiceB},
	}

	res := importAll(t, st, p.ID, ps)

	want := store.ImportResult{Added: 3, Judgments: 3,
		NewAnnotators: []string{"tool:alice", "tool:bob", "source:file"}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("import result (-want +got):\n%s", diff)
	}
	// Sources are judgments but never people: the pair counts two people.
	got := countRows(t, st, `SELECT people FROM pairs WHERE external_id = 'first'`)
	if got != 2 {
		t.Errorf("people on the pair = %d, want 2 (the source is not a person)", got)
	}
	if n := countRows(t, st, `SELECT count(*) FROM users WHERE is_source`); n != 1 {
		t.Errorf("sources = %d, want 1", n)
	}
	if n := countRows(t, st,
		`SELECT count(*) FROM users WHERE name = 'tool:alice' AND password_hash IS NULL`); n != 1 {
		t.Errorf("imported annotator should exist without a password")
	}
}

func TestImportReportsExistingPairs(t *testing.T) {
	st := newStore(t)
	p := newProject(t, st, 3)
	importAll(t, st, p.ID, pairs(5))

	// Same content again, plus one new pair and one pair with identical text
	// under an id: the id makes it a different pair.
	again := pairs(6)
	withID := pairs(1)[0]
	withID.ExternalID = "x1"
	again = append(again, withID)
	res := importAll(t, st, p.ID, again)

	if res.Added != 2 || res.Existing != 5 {
		t.Errorf("second import added %d and found %d existing, want 2 and 5", res.Added,
			res.Existing)
	}
	if n := countRows(t, st, `SELECT count(*) FROM pairs WHERE project_id = $1`, p.ID); n != 7 {
		t.Errorf("pairs in project = %d, want 7", n)
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	st := newStore(t)
	p := newProject(t, st, 3)
	bad := errors.New("line 4500: bad record")

	_, err := st.ImportPairs(context.Background(), p.ID,
		func(emit func(annotation.PairInput) error) error {
			// More than one chunk is flushed before the failure.
			for _, pr := range pairs(4500) {
				if err := emit(pr); err != nil {
					return err
				}
			}
			return bad
		})

	if !errors.Is(err, bad) {
		t.Fatalf("import error = %v, want the reader's error", err)
	}
	for _, table := range []string{"pairs", "judgments", "users"} {
		if n := countRows(t, st, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s holds %d rows after a failed import, want 0", table, n)
		}
	}
}

func TestImportSameAnnotatorTwiceOnAPairFails(t *testing.T) {
	st := newStore(t)
	p := newProject(t, st, 3)
	ps := pairs(1)
	ps[0].Judgments = []annotation.JudgmentInput{
		{Annotator: "dup", Choice: annotation.ChoiceA},
		{Annotator: "dup", Choice: annotation.ChoiceB},
	}
	_, err := st.ImportPairs(context.Background(), p.ID,
		func(emit func(annotation.PairInput) error) error { return emit(ps[0]) })
	if err == nil {
		t.Fatal("import with one annotator judging a pair twice succeeded")
	}
	if n := countRows(t, st, `SELECT count(*) FROM pairs`); n != 0 {
		t.Errorf("pairs = %d after the failed import, want 0", n)
	}
}

func TestImportRefusesSourceNamedLikeAPerson(t *testing.T) {
	st := newStore(t)
	p := newProject(t, st, 3)
	newAnnotator(t, st, "ana")
	ps := pairs(1)
	ps[0].Judgments = []annotation.JudgmentInput{
		{Annotator: "ana", Source: true, Choice: annotation.ChoiceA}}

	_, err := st.ImportPairs(context.Background(), p.ID,
		func(emit func(annotation.PairInput) error) error { return emit(ps[0]) })
	if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), `"ana"`) {
		t.Errorf("import of a source named like a person: %v, want a conflict naming it", err)
	}
	if n := countRows(t, st, `SELECT count(*) FROM pairs`); n != 0 {
		t.Errorf("pairs = %d after the refused import, want 0", n)
	}
}
