package store_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/importer"
)

// pairLines streams n JSON Lines pairs without holding the file in memory.
type pairLines struct {
	n, i int
	buf  []byte
}

func (r *pairLines) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.i == r.n {
			return 0, io.EOF
		}
		r.buf = fmt.Appendf(r.buf[:0], `{"id": "q%d", "prompt": [{"role": "user", "content": `+
			`"Question number %d: explain the difference between a list and a tuple."}], `+
			`"responses": ["A list is mutable, a tuple is not (%d).", `+
			`"Tuples are immutable sequences; lists can change (%d)."], "tags": ["bench"]}`+"\n",
			r.i, r.i, r.i, r.i)
		r.i++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// BenchmarkImport streams generated files of 10k and 100k pairs through the
// importer into the database, reporting pairs/s and the peak heap seen while
// importing (sampled every 10 ms): flat memory means the same peak for both.
func BenchmarkImport(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			for range b.N {
				benchImport(b, n)
			}
		})
	}
}

func benchImport(b *testing.B, n int) {
	b.StopTimer()
	st := newStoreTB(b)
	p, err := st.CreateProject(context.Background(), annotation.NewProjectSettings("bench"))
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var peak atomic.Uint64
	stop := sampleHeap(&peak)
	b.StartTimer()

	start := time.Now()
	res, err := st.ImportPairs(context.Background(), p.ID,
		func(emit func(annotation.PairInput) error) error {
			_, err := importer.Read(context.Background(), "bench.jsonl", &pairLines{n: n},
				importer.Options{}, emit)
			return err
		})
	elapsed := time.Since(start)
	stop()
	if err != nil {
		b.Fatal(err)
	}
	if res.Added != n {
		b.Fatalf("added %d pairs, want %d", res.Added, n)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "pairs/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak_heap_MiB")
}

func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
