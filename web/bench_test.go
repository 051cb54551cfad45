package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prefer-dev/prefer/internal/annotation"
)

var assignmentAttr = regexp.MustCompile(`data-assignment="(\d+)"`)

// BenchmarkSubmitAndNext measures the annotator's round trip through the
// real HTTP stack and database: post a verdict, receive the next pair. It
// reports judgments per second and the p50 and p99 latency of one round trip
// at 1, 16 and 64 concurrent annotators. Compare with bench/pgbench.sh.
func BenchmarkSubmitAndNext(b *testing.B) {
	for _, clients := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			benchSubmit(b, clients)
		})
	}
}

func benchSubmit(b *testing.B, clients int) {
	a := newApp(b)
	p := a.project(annotation.NewProjectSettings("bench"), textPairs(b.N+clients*4)...)

	workers := make([]*benchClient, clients)
	for i := range workers {
		name := fmt.Sprintf("ann%d", i)
		a.user(name, annotation.RoleAnnotator)
		workers[i] = &benchClient{c: a.client(name), base: a.http.URL, project: p.ID}
		if err := workers[i].start(); err != nil {
			b.Fatal(err)
		}
	}

	var mu sync.Mutex
	var latencies []time.Duration
	work := make(chan struct{}, b.N)
	for range b.N {
		work <- struct{}{}
	}
	close(work)

	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for range work {
				d, err := w.submit()
				if err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, d)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	slices.Sort(latencies)
	if len(latencies) == 0 {
		return
	}
	pct := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "judgments/s")
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
}

// benchClient is one annotator holding the assignment on screen.
type benchClient struct {
	c          *http.Client
	base       string
	project    int64
	assignment string
}

func (bc *benchClient) start() error {
	resp, err := bc.c.Get(fmt.Sprintf("%s/annotate/%d", bc.base, bc.project))
	if err != nil {
		return err
	}
	return bc.read(resp)
}

func (bc *benchClient) submit() (time.Duration, error) {
	form := url.Values{"choice": {"left"}}
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/annotate/%d/assignments/%s", bc.base,
		bc.project, bc.assignment), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")

	start := time.Now()
	resp, err := bc.c.Do(req)
	if err != nil {
		return 0, err
	}
	err = bc.read(resp)
	return time.Since(start), err
}

func (bc *benchClient) read(resp *http.Response) error {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
	}
	m := assignmentAttr.FindSubmatch(body)
	if m == nil {
		return fmt.Errorf("no pair in the answer: %.200s", body)
	}
	bc.assignment = string(m[1])
	return nil
}
