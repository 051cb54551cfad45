package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
)

func TestAssignmentLifecycle(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := newProject(t, st, 2)
	importAll(t, st, p.ID, pairs(2))
	ann, other := newAnnotator(t, st, "ann"), newAnnotator(t, st, "other")

	a, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
	if err != nil || again.ID != a.ID {
		t.Fatalf("asking again gave assignment %d (%v), want the open one %d", again.ID, err, a.ID)
	}

	// Picking the left side stores the response shown there, by its name.
	v := annotation.ScreenVerdict{Pick: annotation.PickLeft}
	if err := st.SubmitJudgment(ctx, ann.ID, a.ID, v); err != nil {
		t.Fatal(err)
	}
	if err := st.SubmitJudgment(ctx, ann.ID, a.ID, v); err != nil {
		t.Fatalf("second submit of the same assignment: %v, want nil", err)
	}
	js, err := st.JudgmentsOfPair(ctx, a.Pair.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 {
		t.Fatalf("judgments after a double submit = %d, want 1", len(js))
	}
	wantChoice, wantLeft := annotation.ChoiceB, "b"
	if a.ALeft {
		wantChoice, wantLeft = annotation.ChoiceA, "a"
	}
	if js[0].Choice != wantChoice || js[0].ShownLeft != wantLeft {
		t.Errorf("stored choice %s shown_left %s, want %s and %s", js[0].Choice, js[0].ShownLeft,
			wantChoice, wantLeft)
	}

	// The next pair for ann is the other one; ann skips it.
	b, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
	if err != nil || b.Pair.ID == a.Pair.ID {
		t.Fatalf("next assignment %+v (%v): want the other pair", b.Pair.ID, err)
	}
	if err := st.SkipAssignment(ctx, ann.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute); !errors.Is(err,
		store.ErrNotFound) {
		t.Errorf("after judging one pair and skipping the other: %v, want ErrNotFound", err)
	}

	// The skipped pair goes to others.
	c, err := st.NextAssignment(ctx, p.ID, other.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SubmitJudgment(ctx, ann.ID, c.ID, v); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("submitting someone else's assignment: %v, want ErrNotFound", err)
	}
}

func TestExpiredReservationReturnsToPool(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := newProject(t, st, 1)
	importAll(t, st, p.ID, pairs(1))
	slow, fast := newAnnotator(t, st, "slow"), newAnnotator(t, st, "fast")

	held, err := st.NextAssignment(ctx, p.ID, slow.ID, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)

	a, err := st.NextAssignment(ctx, p.ID, fast.ID, time.Minute)
	if err != nil {
		t.Fatalf("after the reservation expired: %v, want the pair", err)
	}
	v := annotation.ScreenVerdict{Pick: annotation.PickTie}
	if err := st.SubmitJudgment(ctx, fast.ID, a.ID, v); err != nil {
		t.Fatal(err)
	}
	err = st.SubmitJudgment(ctx, slow.ID, held.ID, v)
	if !errors.Is(err, store.ErrPairComplete) {
		t.Errorf("late submit on a completed pair: %v, want ErrPairComplete", err)
	}
}

// TestConcurrentAnnotators runs 50 annotators against one project for a few
// seconds and checks the invariants of assignment.
func TestConcurrentAnnotators(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency run skipped in -short mode")
	}
	deadline := time.Now().Add(4 * time.Second)
	st := newStore(t)
	const k, annotators = 3, 50
	p := newProject(t, st, k)
	importAll(t, st, p.ID, pairs(120))

	var acked atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, annotators)
	for i := range annotators {
		u := newAnnotator(t, st, "c"+string(rune('A'+i/26))+string(rune('a'+i%26)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- annotate(st, p.ID, u.ID, deadline, &acked)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	if n := countRows(t, st, `SELECT count(*) FROM judgments`); int64(n) != acked.Load() {
		t.Errorf("stored judgments = %d, acknowledged = %d", n, acked.Load())
	}
	over := countRows(t, st, `SELECT count(*) FROM (SELECT pair_id FROM judgments
		GROUP BY pair_id HAVING count(*) > $1) x`, k)
	if over != 0 {
		t.Errorf("%d pairs have more than k = %d judgments", over, k)
	}
	twice := countRows(t, st, `SELECT count(*) FROM (SELECT 1 FROM judgments
		GROUP BY pair_id, user_id HAVING count(*) > 1) x`)
	if twice != 0 {
		t.Errorf("%d (pair, annotator) combinations are judged twice", twice)
	}
	if n := countRows(t, st, `SELECT count(*) FROM pairs WHERE people < wanted`); n != 0 {
		t.Errorf("%d pairs are still short of k when the run ends, want none", n)
	}
	drift := countRows(t, st, `SELECT count(*) FROM pairs p WHERE people <>
		(SELECT count(*) FROM judgments j WHERE j.pair_id = p.id)`)
	if drift != 0 {
		t.Errorf("%d pairs count people differently from their judgments", drift)
	}
	t.Logf("%d judgments acknowledged", acked.Load())
}

// annotate plays one annotator: take a pair, sometimes skip it, sometimes
// submit twice, until time is up or nothing has been left for a while.
func annotate(st *store.Store, projectID, userID int64, deadline time.Time,
	acked *atomic.Int64) error {
	ctx := context.Background()
	idle := 0
	for time.Now().Before(deadline) {
		a, err := st.NextAssignment(ctx, projectID, userID, 2*time.Second)
		if errors.Is(err, store.ErrNotFound) {
			// Others may still free a place by skipping; look again soon.
			if idle++; idle > 20 {
				return nil
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		idle = 0
		if err != nil {
			return err
		}
		if rand.IntN(10) == 0 {
			if err := st.SkipAssignment(ctx, userID, a.ID); err != nil {
				return err
			}
			continue
		}
		picks := []annotation.Pick{annotation.PickLeft, annotation.PickRight,
			annotation.PickTie, annotation.PickBothBad}
		v := annotation.ScreenVerdict{Pick: picks[rand.IntN(len(picks))]}
		for range 1 + rand.IntN(2) {
			err = st.SubmitJudgment(ctx, userID, a.ID, v)
		}
		switch {
		case err == nil:
			acked.Add(1)
		case errors.Is(err, store.ErrPairComplete):
		default:
			return err
		}
	}
	return nil
}

func TestSubmitAndNext(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := newProject(t, st, 1)
	importAll(t, st, p.ID, pairs(2))
	ann := newAnnotator(t, st, "ann")

	first, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	sv := annotation.ScreenVerdict{Pick: annotation.PickRight, Strength: 3}
	second, err := st.SubmitAndNext(ctx, ann.ID, p.ID, first.ID, sv, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == first.ID || second.Pair.ID == first.Pair.ID {
		t.Errorf("next assignment is the one just judged")
	}

	js, err := st.JudgmentsOfPair(ctx, first.Pair.ID)
	if err != nil || len(js) != 1 {
		t.Fatalf("judgments of the first pair: %v, %v", js, err)
	}
	// Right was picked: that is b when a was on the left, else a.
	want := annotation.ChoiceB
	if !first.ALeft {
		want = annotation.ChoiceA
	}
	if js[0].Choice != want || js[0].Strength != 3 {
		t.Errorf("stored %s/%d, want %s/3", js[0].Choice, js[0].Strength, want)
	}

	_, err = st.SubmitAndNext(ctx, ann.ID, p.ID, second.ID, sv, time.Minute)
	if !errors.Is(err, store.ErrNoneLeft) {
		t.Errorf("submitting the last pair: %v, want ErrNoneLeft", err)
	}
	if js, _ := st.JudgmentsOfPair(ctx, second.Pair.ID); len(js) != 1 {
		t.Errorf("the last pair's verdict was not stored: %d judgments", len(js))
	}
}

// TestQueueLooksPastHeldPairs holds the first pairs with others'
// reservations: a newcomer still gets the free pair behind them.
func TestQueueLooksPastHeldPairs(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := newProject(t, st, 1)
	const held = 12
	importAll(t, st, p.ID, pairs(held+1))
	for i := range held {
		u := newAnnotator(t, st, fmt.Sprintf("holder%d", i))
		if _, err := st.NextAssignment(ctx, p.ID, u.ID, time.Minute); err != nil {
			t.Fatal(err)
		}
	}

	late := newAnnotator(t, st, "late")
	a, err := st.NextAssignment(ctx, p.ID, late.ID, time.Minute)
	if err != nil {
		t.Fatalf("with %d pairs held and one free: %v, want the free pair", held, err)
	}
	if a.Pair.Key != pairs(held + 1)[held].Key() {
		t.Errorf("got pair %s, want the last one", a.Pair.Key)
	}
}

// TestQueueReturnsToPairsBehindFrontier frees a pair the annotator passed
// while it was held: once nothing is left ahead, they get it.
func TestQueueReturnsToPairsBehindFrontier(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := newProject(t, st, 1)
	importAll(t, st, p.ID, pairs(2))
	holder, ann := newAnnotator(t, st, "holder"), newAnnotator(t, st, "ann")

	first, err := st.NextAssignment(ctx, p.ID, holder.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	second, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
	if err != nil || second.Pair.ID == first.Pair.ID {
		t.Fatalf("second annotator: %v, want the other pair", err)
	}
	if _, err := st.SubmitAndNext(ctx, ann.ID, p.ID, second.ID,
		annotation.ScreenVerdict{Pick: annotation.PickTie}, time.Minute); !errors.Is(err,
		store.ErrNoneLeft) {
		t.Fatalf("after judging: %v, want ErrNoneLeft while the first pair is held", err)
	}
	if err := st.SkipAssignment(ctx, holder.ID, first.ID); err != nil {
		t.Fatal(err)
	}

	again, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
	if err != nil || again.Pair.ID != first.Pair.ID {
		t.Errorf("after the holder skipped: %v (pair %d), want pair %d", err, again.Pair.ID,
			first.Pair.ID)
	}
}

func TestJudgedTodayCountsSubmits(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := newProject(t, st, 1)
	importAll(t, st, p.ID, pairs(3))
	ann := newAnnotator(t, st, "ann")

	a, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tie := annotation.ScreenVerdict{Pick: annotation.PickTie}
	if a, err = st.SubmitAndNext(ctx, ann.ID, p.ID, a.ID, tie, time.Minute); err != nil {
		t.Fatal(err)
	}
	// A double submit counts once.
	if err := st.SubmitJudgment(ctx, ann.ID, a.ID, tie); err != nil {
		t.Fatal(err)
	}
	if err := st.SubmitJudgment(ctx, ann.ID, a.ID, tie); err != nil {
		t.Fatal(err)
	}

	n, err := st.JudgedToday(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("judged today = %d, want 2", n)
	}
}

// TestLateVerdictLeavesHolderItsPlace: an expired reservation's verdict may
// not take the place of the annotator who holds the pair now.
func TestLateVerdictLeavesHolderItsPlace(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := newProject(t, st, 1)
	importAll(t, st, p.ID, pairs(1))
	late, holder := newAnnotator(t, st, "late"), newAnnotator(t, st, "holder")
	tie := annotation.ScreenVerdict{Pick: annotation.PickTie}

	old, err := st.NextAssignment(ctx, p.ID, late.ID, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	held, err := st.NextAssignment(ctx, p.ID, holder.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}

	if err := st.SubmitJudgment(ctx, late.ID, old.ID, tie); !errors.Is(err,
		store.ErrPairComplete) {
		t.Errorf("late verdict while another holds the pair: %v, want ErrPairComplete", err)
	}
	if err := st.SubmitJudgment(ctx, holder.ID, held.ID, tie); err != nil {
		t.Errorf("holder's verdict: %v, want it stored", err)
	}
}

func TestSubmitChecksTheProject(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p, other := newProject(t, st, 1), newProject(t, st, 1)
	importAll(t, st, p.ID, pairs(2))
	ann := newAnnotator(t, st, "ann")

	a, err := st.NextAssignment(ctx, p.ID, ann.ID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.SubmitAndNext(ctx, ann.ID, other.ID, a.ID,
		annotation.ScreenVerdict{Pick: annotation.PickTie}, time.Minute)
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("verdict posted under another project: %v, want ErrNotFound", err)
	}
}
