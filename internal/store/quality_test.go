package store_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/prefer-dev/prefer/internal/agreement"
	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
)

// craftedJudgment is a judgment written straight into the table.
type craftedJudgment struct {
	pair      int64
	user      int64
	choice    annotation.Choice
	shownLeft annotation.Choice
	seconds   float64
	kind      string
}

func insertJudgments(t *testing.T, st *store.Store, js []craftedJudgment) {
	t.Helper()
	for _, j := range js {
		_, err := st.Pool().Exec(context.Background(), `INSERT INTO judgments
			(pair_id, user_id, choice, shown_left, seconds, kind) VALUES ($1, $2, $3, $4, $5, $6)`,
			j.pair, j.user, j.choice, j.shownLeft, j.seconds, j.kind)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func pairIDs(t *testing.T, st *store.Store, projectID int64) []int64 {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(),
		`SELECT id FROM pairs WHERE project_id = $1 ORDER BY id`, projectID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// side returns a on even pairs and b on odd ones.
func side(i int) annotation.Choice {
	if i%2 == 0 {
		return annotation.ChoiceA
	}
	return annotation.ChoiceB
}

// TestQualityOnCraftedJudgments builds ten pairs whose right answer is a,
// the first five of them gold, and four annotators:
//
//   - left always picks the left side, and sides alternate (a left on even
//     pairs), so it answers a, b, a, b, ... quickly (2 s);
//   - goldfail always answers b: every gold pair wrong;
//   - good1 and good2 always answer a, with sides alternating oppositely.
//
// good1 repeats pairs 0 and 1 consistently; left repeats pair 0 and, still
// picking the left side, contradicts itself.
func TestQualityOnCraftedJudgments(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := newProject(t, st, 4)
	importAll(t, st, p.ID, pairs(10))
	ids := pairIDs(t, st, p.ID)
	for _, id := range ids[:5] {
		if err := st.SetGold(ctx, id, annotation.ChoiceA); err != nil {
			t.Fatal(err)
		}
	}
	left, fail := newAnnotator(t, st, "left"), newAnnotator(t, st, "goldfail")
	good1, good2 := newAnnotator(t, st, "good1"), newAnnotator(t, st, "good2")

	var js []craftedJudgment
	for i, id := range ids {
		js = append(js,
			craftedJudgment{id, left.ID, side(i), side(i), 2, store.KindOrdinary},
			craftedJudgment{id, fail.ID, annotation.ChoiceB, side(i), 30, store.KindOrdinary},
			craftedJudgment{id, good1.ID, annotation.ChoiceA, side(i), 30, store.KindOrdinary},
			craftedJudgment{id, good2.ID, annotation.ChoiceA, side(i + 1), 30,
				store.KindOrdinary})
	}
	js = append(js,
		craftedJudgment{ids[0], good1.ID, annotation.ChoiceA, side(1), 30, store.KindRepeat},
		craftedJudgment{ids[1], good1.ID, annotation.ChoiceA, side(0), 30, store.KindRepeat},
		craftedJudgment{ids[0], left.ID, side(1), side(1), 2, store.KindRepeat})
	insertJudgments(t, st, js)

	r, err := st.ComputeReport(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Agreement.Items != 10 || r.Agreement.Judgments != 40 {
		t.Errorf("agreement over %d items, %d judgments; want 10 and 40 (repeats left out)",
			r.Agreement.Items, r.Agreement.Judgments)
	}

	// Majority of the others: on even pairs (left says a) a leads for
	// everyone, so all but goldfail hit; on odd pairs (left says b) good1's
	// and good2's others lean b and left's and goldfail's others lean a, so
	// nobody hits. Left gets gold pairs 0, 2 and 4 right: 3 of 5, flagged.
	type figures struct {
		Judgments, Repeats      int
		Majority, Gold, Left    agreement.Share
		Ties, BothBad, SelfCons agreement.Share
		Median                  float64
		Flagged, PositionBiased bool
	}
	want := map[string]figures{
		"good1": {10, 2, share(5, 10), share(5, 5), share(6, 12), share(0, 10), share(0, 10),
			share(2, 2), 30, false, false},
		"good2": {10, 0, share(5, 10), share(5, 5), share(5, 10), share(0, 10), share(0, 10),
			share(0, 0), 30, false, false},
		"goldfail": {10, 0, share(0, 10), share(0, 5), share(5, 10), share(0, 10),
			share(0, 10), share(0, 0), 30, true, false},
		"left": {10, 1, share(5, 10), share(3, 5), share(11, 11), share(0, 10), share(0, 10),
			share(0, 1), 2, true, true},
	}
	got := map[string]figures{}
	rule := annotation.Quality{GoldThreshold: 0.7}
	for _, q := range r.Quality {
		got[q.Annotator] = figures{q.Judgments, q.Repeats, q.Majority, q.Gold, q.Left, q.Ties,
			q.BothBad, q.SelfConsistency, q.MedianSeconds, rule.FailsGold(q.Gold.Hits, q.Gold.Of),
			q.LeftP < 0.01}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("quality (-want +got):\n%s", diff)
	}
	for _, q := range r.Quality {
		if q.Annotator == "left" && math.Abs(q.LeftP-2/math.Pow(2, 11)) > 1e-12 {
			t.Errorf("left-always p-value %g, want 2/2^11", q.LeftP)
		}
	}
	if r.UserIDs["goldfail"] != fail.ID {
		t.Errorf("report names goldfail as user %d, want %d", r.UserIDs["goldfail"], fail.ID)
	}
	if len(r.PerDay) != 1 || r.PerDay[0].N != 43 {
		t.Errorf("judgments per day %+v, want one day with 43", r.PerDay)
	}
}

func share(hits, of int) agreement.Share { return agreement.Share{Hits: hits, Of: of} }

// TestReportCache serves the cached report while it is fresh or nothing
// changed, and recomputes it once judgments came in and it is old.
func TestReportCache(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	p := newProject(t, st, 2)
	importAll(t, st, p.ID, pairs(3))
	ids := pairIDs(t, st, p.ID)
	u, v := newAnnotator(t, st, "u"), newAnnotator(t, st, "v")
	insertJudgments(t, st, []craftedJudgment{
		{ids[0], u.ID, annotation.ChoiceA, annotation.ChoiceA, 5, store.KindOrdinary},
		{ids[0], v.ID, annotation.ChoiceA, annotation.ChoiceB, 5, store.KindOrdinary},
	})
	age := func(d time.Duration) {
		_, err := st.Pool().Exec(ctx, `UPDATE agreement_reports
			SET computed_at = computed_at - $2::interval WHERE project_id = $1`, p.ID, d)
		if err != nil {
			t.Fatal(err)
		}
	}

	first, err := st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	insertJudgments(t, st, []craftedJudgment{
		{ids[1], u.ID, annotation.ChoiceB, annotation.ChoiceA, 5, store.KindOrdinary}})
	fresh, err := st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Judgments != 2 {
		t.Errorf("a fresh cached report was recomputed: covers %d judgments, want 2",
			fresh.Judgments)
	}

	age(time.Hour)
	stale, err := st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stale.Judgments != 3 || !stale.ComputedAt.After(first.ComputedAt) {
		t.Errorf("an old report with new judgments: covers %d (want 3), computed %v",
			stale.Judgments, stale.ComputedAt)
	}

	age(time.Hour)
	unchanged, err := st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !unchanged.ComputedAt.Before(stale.ComputedAt) {
		t.Errorf("an old report without new judgments was recomputed")
	}

	// A new gold answer changes gold accuracy: the report is dropped.
	if err := st.SetGold(ctx, ids[0], annotation.ChoiceA); err != nil {
		t.Fatal(err)
	}
	withGold, err := st.Report(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if withGold.Quality[0].Gold.Of != 1 {
		t.Errorf("after setting gold, %s has gold %+v, want 1 gold judgment",
			withGold.Quality[0].Annotator, withGold.Quality[0].Gold)
	}
}
