package store_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
)

// projectWith creates a project with k and the quality settings q.
func projectWith(t *testing.T, st *store.Store, k int, q annotation.Quality) store.Project {
	t.Helper()
	ps := annotation.NewProjectSettings(t.Name())
	ps.K, ps.Quality = k, q
	p, err := st.CreateProject(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// verdictFor is the screen verdict that means choice c for assignment a.
func verdictFor(a store.Assignment, c annotation.Choice) annotation.ScreenVerdict {
	switch c {
	case annotation.ChoiceA, annotation.ChoiceB:
		if (c == annotation.ChoiceA) == a.ALeft {
			return annotation.ScreenVerdict{Pick: annotation.PickLeft}
		}
		return annotation.ScreenVerdict{Pick: annotation.PickRight}
	case annotation.ChoiceTie:
		return annotation.ScreenVerdict{Pick: annotation.PickTie}
	}
	return annotation.ScreenVerdict{Pick: annotation.PickBothBad}
}

// TestGoldMixingRate hands out 300 pairs to one annotator, from a project
// where half the pairs are gold and the gold rate is 0.25, and counts the
// gold assignments: the share must be near 0.25 (4 standard deviations).
// Gold judgments do not count towards k.
func TestGoldMixingRate(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	const draws, rate = 300, 0.25
	p := projectWith(t, st, 1, annotation.Quality{GoldRate: rate, GoldThreshold: 0.5})
	importAll(t, st, p.ID, pairs(2*draws))
	_, err := st.Pool().Exec(ctx, `UPDATE pairs SET gold = 'a' WHERE project_id = $1
		AND id % 2 = 0`, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	ann := newAnnotator(t, st, "ann")

	gold := 0
	for range draws {
		a, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind == store.KindGold {
			gold++
			if a.Pair.ID%2 != 0 {
				t.Fatalf("gold assignment of pair %d, which is not gold", a.Pair.ID)
			}
		}
		if err := st.SubmitJudgment(ctx, ann.ID, a.ID, verdictFor(a,
			annotation.ChoiceA)); err != nil {
			t.Fatal(err)
		}
	}

	got, sd := float64(gold)/draws, math.Sqrt(rate*(1-rate)/draws)
	if math.Abs(got-rate) > 4*sd {
		t.Errorf("gold share %.3f over %d pairs, want %.2f ± %.3f", got, draws, rate, 4*sd)
	}
	people := countRows(t, st, `SELECT coalesce(sum(people), 0) FROM pairs WHERE project_id = $1`,
		p.ID)
	if people != draws-gold {
		t.Errorf("pairs count %d people's judgments, want %d (gold ones not counted)",
			people, draws-gold)
	}
	kinds := countRows(t, st, `SELECT count(*) FROM judgments WHERE kind = 'gold'`)
	if kinds != gold {
		t.Errorf("%d judgments of kind gold, want %d", kinds, gold)
	}
}

// TestGoldPairOfCompletePairIsServed checks that gold mixing may hand out a
// gold pair that already has its k judgments, and that the verdict is kept
// without passing k.
func TestGoldPairOfCompletePairIsServed(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := projectWith(t, st, 1, annotation.Quality{GoldRate: 1})
	importAll(t, st, p.ID, pairs(1))
	id := pairIDs(t, st, p.ID)[0]
	first, second := newAnnotator(t, st, "first"), newAnnotator(t, st, "second")

	a, err := st.NextAssignment(ctx, p.ID, first.ID, time.Minute)
	if err != nil || a.Kind != store.KindOrdinary {
		t.Fatalf("first assignment %+v (%v), want an ordinary one", a, err)
	}
	if err := st.SubmitJudgment(ctx, first.ID, a.ID, verdictFor(a, "tie")); err != nil {
		t.Fatal(err)
	}
	if err := st.SetGold(ctx, id, annotation.ChoiceTie); err != nil {
		t.Fatal(err)
	}

	g, err := st.NextAssignment(ctx, p.ID, second.ID, time.Minute)
	if err != nil || g.Kind != store.KindGold || g.Pair.ID != id {
		t.Fatalf("second annotator got %+v (%v), want the complete gold pair", g, err)
	}
	if err := st.SubmitJudgment(ctx, second.ID, g.ID, verdictFor(g, "tie")); err != nil {
		t.Fatalf("gold verdict on a complete pair: %v", err)
	}
	c, err := st.PairConsensus(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Votes != 1 || c.Gold != annotation.ChoiceTie {
		t.Errorf("consensus counts %d votes with gold %q, want 1 (the gold check left out), tie",
			c.Votes, c.Gold)
	}
}

// TestRepeatsAreSwappedAndDoNotCount judges with a repeat rate of 1: after
// repeatGap later judgments, each earlier judgment comes back once with the
// sides swapped; repeats do not count towards k or the consensus.
func TestRepeatsAreSwappedAndDoNotCount(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := projectWith(t, st, 1, annotation.Quality{RepeatRate: 1})
	importAll(t, st, p.ID, pairs(6))
	ann := newAnnotator(t, st, "ann")

	aLeft := map[int64]bool{} // the side of each pair's first showing
	var kinds []string
	a, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
	for err == nil {
		kinds = append(kinds, a.Kind)
		if a.Kind == store.KindRepeat {
			was, seen := aLeft[a.Pair.ID]
			if !seen || was == a.ALeft {
				t.Errorf("repeat of pair %d: seen before %v, a left then %v and now %v",
					a.Pair.ID, seen, was, a.ALeft)
			}
		} else {
			aLeft[a.Pair.ID] = a.ALeft
		}
		a, err = st.SubmitAndNext(ctx, ann.ID, p.ID, a.ID, verdictFor(a, "a"), time.Minute)
	}
	if !errors.Is(err, store.ErrNoneLeft) {
		t.Fatal(err)
	}

	// The first judgment can come back once three more followed it; each
	// repeat is a later judgment too, so the next one can follow at once.
	// Pairs five and six are judged last and never come back.
	o, r := store.KindOrdinary, store.KindRepeat
	want := []string{o, o, o, o, r, r, r, r, o, o}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("kinds handed out (-want +got):\n%s", diff)
	}
	if n := countRows(t, st, `SELECT count(*) FROM pairs WHERE people <> 1`); n != 0 {
		t.Errorf("%d pairs count other than 1 person: repeats counted towards k", n)
	}
	all, err := st.ProjectConsensus(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for id, c := range all {
		if c.Votes != 1 {
			t.Errorf("pair %d: consensus of %d votes, want 1 (repeats left out)", id, c.Votes)
		}
	}
}

// TestAdaptiveOverlap has k = 3, at most 5 judgments and a threshold of
// 0.3: a 2:1 split (disagreement 1/3) asks for a fourth judgment, a 3:1
// split (1/4) is enough, and a split that stays wide stops at 5.
func TestAdaptiveOverlap(t *testing.T) {
	ctx := context.Background()
	a, b, tie := annotation.ChoiceA, annotation.ChoiceB, annotation.ChoiceTie
	tests := []struct {
		name   string
		votes  []annotation.Choice
		wanted []int // pairs.wanted after each vote
	}{
		{"agree", []annotation.Choice{a, a, a}, []int{3, 3, 3}},
		{"two to one, then settled", []annotation.Choice{a, b, a, a}, []int{3, 3, 4, 4}},
		{"split to the maximum", []annotation.Choice{a, b, tie, b, tie}, []int{3, 3, 4, 5, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			p := projectWith(t, st, 3, annotation.Quality{Disagreement: 0.3, MaxJudgments: 5})
			importAll(t, st, p.ID, pairs(1))

			var got []int
			for i, c := range tc.votes {
				u := newAnnotator(t, st, "ann"+string(rune('a'+i)))
				as, err := st.NextAssignment(ctx, p.ID, u.ID, time.Minute)
				if err != nil {
					t.Fatalf("vote %d: %v", i, err)
				}
				if err := st.SubmitJudgment(ctx, u.ID, as.ID, verdictFor(as, c)); err != nil {
					t.Fatal(err)
				}
				got = append(got, countRows(t, st, `SELECT wanted FROM pairs`))
			}
			if diff := cmp.Diff(tc.wanted, got); diff != "" {
				t.Errorf("wanted after each vote (-want +got):\n%s", diff)
			}

			late := newAnnotator(t, st, "late")
			if _, err := st.NextAssignment(ctx, p.ID, late.ID, time.Minute); !errors.Is(err,
				store.ErrNotFound) {
				t.Errorf("after the pair completed: %v, want ErrNotFound", err)
			}
		})
	}
}

// TestAdjudicationOverridesConsensus: a 2:1 pair says a until a lead
// decides b, then tie; the latest decision stands and both are kept.
func TestAdjudicationOverridesConsensus(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := newProject(t, st, 3)
	importAll(t, st, p.ID, pairs(2))
	ids := pairIDs(t, st, p.ID)
	var js []craftedJudgment
	for i, c := range []annotation.Choice{"a", "a", "b"} {
		u := newAnnotator(t, st, "ann"+string(rune('a'+i)))
		js = append(js, craftedJudgment{ids[0], u.ID, c, "a", 3, store.KindOrdinary})
	}
	insertJudgments(t, st, js)
	lead, err := st.CreateUser(ctx, store.NewUser{Name: "lead", Email: "lead@example.com",
		Role: annotation.RoleLead})
	if err != nil {
		t.Fatal(err)
	}

	before, err := st.PairConsensus(ctx, ids[0])
	if err != nil || before.Final() != "a" || before.Adjudicated() {
		t.Fatalf("before adjudication: %+v (%v), want a by consensus", before, err)
	}
	if _, err := st.Adjudicate(ctx, ids[0], lead.ID, "b", "b follows the guidelines"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Adjudicate(ctx, ids[1], lead.ID, "both_bad", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Adjudicate(ctx, ids[0], lead.ID, "tie", "on second thought"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Adjudicate(ctx, ids[0], lead.ID, "worse", ""); err == nil {
		t.Error("adjudicating with the label worse was accepted")
	}

	all, err := st.ProjectConsensus(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64][2]annotation.Choice{}
	for id, c := range all {
		got[id] = [2]annotation.Choice{c.Label, c.Final()}
	}
	want := map[int64][2]annotation.Choice{ids[0]: {"a", "tie"}, ids[1]: {"", "both_bad"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("consensus and final label by pair (-want +got):\n%s", diff)
	}

	history, err := st.Adjudications(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 2 {
		t.Fatalf("kept %d adjudications, want 2", len(history))
	}
	for _, h := range history {
		if h.UserName != "lead" || h.UserID != lead.ID || time.Since(h.CreatedAt) > time.Minute {
			t.Errorf("adjudication kept as by %q (%d) at %v, want lead just now", h.UserName,
				h.UserID, h.CreatedAt)
		}
	}
	if history[0].Label != "tie" || history[1].Note != "b follows the guidelines" {
		t.Errorf("history %+v, want tie first, then b with its note", history)
	}
}

// TestGoldFailurePauses serves only gold pairs (rate 1) to an annotator who
// gets them wrong: after annotation.MinGold of them they are paused, and a
// lead's unpause gives them pairs again.
func TestGoldFailurePauses(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := projectWith(t, st, 1, annotation.Quality{GoldRate: 1, GoldThreshold: 0.7,
		PauseBelow: true})
	importAll(t, st, p.ID, pairs(20))
	_, err := st.Pool().Exec(ctx, `UPDATE pairs SET gold = 'a' WHERE project_id = $1`, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	ann, lead := newAnnotator(t, st, "ann"), newAnnotator(t, st, "lead")

	a, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
	judged := 0
	for err == nil {
		judged++
		a, err = st.SubmitAndNext(ctx, ann.ID, p.ID, a.ID, verdictFor(a, "b"), time.Minute)
	}
	if !errors.Is(err, store.ErrPaused) || judged != annotation.MinGold {
		t.Fatalf("after %d wrong gold answers: %v, want ErrPaused after %d", judged, err,
			annotation.MinGold)
	}
	if _, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute); !errors.Is(err,
		store.ErrPaused) {
		t.Errorf("paused annotator asking for a pair: %v, want ErrPaused", err)
	}

	if err := st.SetPaused(ctx, p.ID, ann.ID, lead.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute); err != nil {
		t.Errorf("unpaused annotator asking for a pair: %v", err)
	}
	pauses, err := st.Pauses(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := pauses[ann.ID]; got.Paused || got.ByLead != "lead" {
		t.Errorf("pause state %+v, want unpaused by lead", got)
	}
}
