package importer

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// genReader writes n generated records on the fly, so the benchmark input
// itself takes no memory: as JSON Lines, or as a pretty-printed JSON array.
type genReader struct {
	n, i  int
	array bool
	buf   []byte
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.i > g.n {
			return 0, io.EOF
		}
		g.buf = g.record(g.buf)
		g.i++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func (g *genReader) record(b []byte) []byte {
	i := g.i
	if !g.array {
		if i == g.n {
			return b
		}
		return fmt.Appendf(b, `{"id": %d, "prompt": [{"role": "user", "content": "Question %d: `+
			`how many legs has a spider?"}], "responses": [{"text": "Eight legs, number %d.", `+
			`"model": "m1"}, "Six, I think (%d)."], "tags": ["bench"], "judgments": `+
			`[{"annotator": "ann", "choice": "a", "strength": 2}]}`+"\n", i, i, i, i)
	}
	switch {
	case i == g.n:
		return append(b, "\n]\n"...)
	case i == 0:
		b = append(b, "[\n"...)
	default:
		b = append(b, ",\n"...)
	}
	return fmt.Appendf(b, "  {\n    \"idx\": %d,\n    \"cmp_key\": \"m1_m2\",\n"+
		"    \"instruction\": \"Question %d: how many legs has a spider?\",\n"+
		"    \"input\": \"\",\n    \"response1\": \"Eight legs, number %d.\",\n"+
		"    \"response2\": \"Six, I think (%d).\",\n"+
		"    \"annotator1\": 1,\n    \"annotator2\": 1,\n    \"annotator3\": 0\n  }", i, i, i, i)
}

// BenchmarkRead imports generated files of 10k and 100k pairs. Besides time
// and allocations it reports pairs/s and the most heap in use above the
// starting point while reading: if memory stays flat, 100k pairs need about
// the same heap as 10k (only the set of keys seen grows, a few dozen bytes
// a pair).
func BenchmarkRead(b *testing.B) {
	for _, container := range []string{"jsonl", "json"} {
		for _, n := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%dk", container, n/1000), func(b *testing.B) {
				benchmarkRead(b, n, container == "json")
			})
		}
	}
}

func benchmarkRead(b *testing.B, n int, array bool) {
	b.ReportAllocs()
	var peak uint64
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		runtime.GC()
		base := heapInUse()
		pairs := 0
		emit := func(annotation.PairInput) error {
			pairs++
			if pairs%5000 == 0 {
				peak = max(peak, heapInUse()-min(base, heapInUse()))
			}
			return nil
		}
		rep, err := Read(context.Background(), "bench.jsonl", &genReader{n: n, array: array},
			Options{}, emit)
		if err != nil || rep.Pairs != n {
			b.Fatalf("Read: %d pairs, %v", rep.Pairs, err)
		}
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	pairs := float64(n) * float64(b.N)
	b.ReportMetric(pairs/b.Elapsed().Seconds(), "pairs/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/pairs, "alloc-B/pair")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
