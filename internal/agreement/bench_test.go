package agreement

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// benchProject is one project of the size the issue names: 1,000,000
// judgments of 300,000 pairs by 200 annotators (100,000 pairs with four
// judgments, 200,000 with three), grouped by pair as a query ordered by
// pair returns them.
var benchProject = sync.OnceValue(func() []PairJudgment {
	const pairs, annotators = 300_000, 200
	rng := rand.New(rand.NewPCG(2024, 6))
	names := make([]string, annotators)
	for a := range names {
		names[a] = fmt.Sprintf("annotator-%d", a)
	}

	js := make([]PairJudgment, 0, 1_000_000)
	for p := range pairs {
		item := fmt.Sprintf("pair-%d", p)
		truth := annotation.Choices[rng.IntN(4)]
		who := rng.Perm(annotators)[:3+boolToInt(p%3 == 0)]
		for _, a := range who {
			c := truth
			if rng.Float64() < 0.3 {
				c = annotation.Choices[rng.IntN(4)]
			}
			j := PairJudgment{Item: item, Annotator: names[a], Choice: c}
			if c == annotation.ChoiceA || c == annotation.ChoiceB {
				j.Strength = annotation.Strength(1 + rng.IntN(3))
			}
			js = append(js, j)
		}
	}
	return js
})

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// projectAgreement is what the agreement page of a project computes: the
// report without bootstrap (percent, Cohen for all pairs, Fleiss, nominal
// and ordinal alpha) and the consensus of every pair.
func projectAgreement(b *testing.B, ps []PairJudgment) {
	r, err := Compute(AgreementJudgments(ps, true), Options{Ties: []string{"tie"}})
	if err != nil {
		b.Fatal(err)
	}
	verdicts := ConsensusByItem(ps, true)
	if r.Judgments != len(ps) || len(verdicts) != r.Items || r.FleissReason == "" {
		b.Fatalf("report covers %d judgments, %d items", r.Judgments, r.Items)
	}
}

func BenchmarkProjectAgreement(b *testing.B) {
	sorted := benchProject()
	shuffled := append([]PairJudgment(nil), sorted...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) {
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	})

	for _, bc := range []struct {
		name string
		ps   []PairJudgment
	}{{"by_pair", sorted}, {"shuffled", shuffled}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			before := cpuTime(b)
			for b.Loop() {
				projectAgreement(b, bc.ps)
			}
			b.ReportMetric(float64(cpuTime(b)-before)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// BenchmarkParts times the steps of the project agreement on its own.
func BenchmarkParts(b *testing.B) {
	ps := benchProject()
	js := AgreementJudgments(ps, true)
	d, err := encode(js)
	if err != nil {
		b.Fatal(err)
	}
	ranks := make([]int32, len(d.rank))
	for p, k := range d.rank {
		ranks[p] = k - 1
	}

	parts := []struct {
		name string
		run  func()
	}{
		{"encode", func() { _, _ = encode(js) }},
		{"percent", func() { buildUnits(d.start, d.lab, len(d.labels)).percent() }},
		{"cohen", func() { cohen(d, DefaultMinShared) }},
		{"fleiss", func() { fleiss(d) }},
		{"alpha_nominal", func() { alphaOf(buildUnits(d.start, d.lab, len(d.labels)), Nominal) }},
		{"alpha_ordinal", func() { alphaOf(buildUnits(d.start, ranks, 7), Ordinal) }},
		{"consensus", func() { ConsensusByItem(ps, true) }},
		{"quality", func() { Quality(ps, nil) }},
	}
	for _, p := range parts {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				p.run()
			}
		})
	}
}

// cpuTime returns the user and system time the process has used so far, a
// measure that a busy machine disturbs less than the wall clock.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
