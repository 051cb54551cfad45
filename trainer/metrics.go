package trainer

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Record is one line of a run's metrics history (metrics.jsonl in its folder).
type Record struct {
	Stage   string             `json:"stage"` // "sft" or "train"
	Step    int                `json:"step"`
	Total   int                `json:"total_steps"`
	Epoch   float64            `json:"epoch"`
	Metrics map[string]float64 `json:"metrics"`
}

func metricsPath(out string) string { return filepath.Join(out, "metrics.jsonl") }

// LoadMetrics reads the metrics history of a run folder.
func LoadMetrics(out string) ([]Record, error) {
	f, err := os.Open(metricsPath(out))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open metrics: %w", err)
	}
	defer f.Close()
	return readRecords(f)
}

func readRecords(r io.Reader) ([]Record, error) {
	var recs []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	for line := 1; sc.Scan(); line++ {
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("metrics line %d: %w", line, err)
		}
		recs = append(recs, rec)
	}
	return recs, sc.Err()
}

// truncateMetrics keeps the history up to step (inclusive) of the train stage, so that a
// resumed run's metrics join those written before its checkpoint.
func truncateMetrics(out string, step int) error {
	recs, err := LoadMetrics(out)
	if err != nil {
		return err
	}
	return writeAtomic(metricsPath(out), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		for _, r := range recs {
			if r.Stage == "train" && r.Step > step {
				continue
			}
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	})
}

func appendMetrics(out string, rec Record) error {
	f, err := os.OpenFile(metricsPath(out), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open metrics: %w", err)
	}
	if err := json.NewEncoder(f).Encode(rec); err != nil {
		f.Close()
		return fmt.Errorf("write metrics: %w", err)
	}
	return f.Close()
}

// batchStats are the per-example values behind the TRL-named metrics.
type batchStats struct {
	n                                float64
	loss                             float64 // sum over examples weighted as the loss is
	rewC, rewR, acc, margin          float64 // sums over pairs (KTO: see kto fields)
	logpC, logpR                     float64
	ktoDes, ktoUnd, ktoDesN, ktoUndN float64
}

// addPairs accumulates metrics for one batch: pol and ref are summed log-probabilities,
// lens the response lengths; only the first real examples count.
func (s *batchStats) addPairs(cfg Config, pol, ref, lens [][2]float64, soft, des []float64, real int) {
	for i := range real {
		rc, rr := rewardsOf(cfg, pol[i], ref[i], lens[i])
		s.n++
		s.logpC += pol[i][0]
		s.logpR += pol[i][1]
		if cfg.Loss == LossKTO {
			if des[i] > 0.5 {
				s.ktoDes += rc
				s.ktoDesN++
			} else {
				s.ktoUnd += rc
				s.ktoUndN++
			}
			if (rc > 0) == (des[i] > 0.5) {
				s.acc++
			}
			continue
		}
		s.rewC += rc
		s.rewR += rr
		s.margin += rc - rr
		if (rc > rr) == (soft[i] >= 0.5) {
			s.acc++
		}
	}
}

// rewardsOf gives the implicit rewards of a pair: β times the log-ratio to the reference,
// or β times the mean token log-probability for the reference-free losses.
func rewardsOf(cfg Config, pol, ref, lens [2]float64) (float64, float64) {
	switch cfg.Loss {
	case LossSimPO, LossORPO:
		return cfg.Beta * pol[0] / lens[0], cfg.Beta * pol[1] / lens[1]
	default:
		return cfg.Beta * (pol[0] - ref[0]), cfg.Beta * (pol[1] - ref[1])
	}
}

// metrics returns the TRL-named metrics, each prefixed with prefix ("" or "eval_").
func (s *batchStats) metrics(cfg Config, prefix string, lossMean float64) map[string]float64 {
	n := max(s.n, 1)
	m := map[string]float64{
		"loss":               lossMean,
		"rewards/accuracies": s.acc / n,
		"logps/chosen":       s.logpC / n,
		"logps/rejected":     s.logpR / n,
	}
	if cfg.Loss == LossKTO {
		m["rewards/chosen"] = s.ktoDes / max(s.ktoDesN, 1)
		m["rewards/rejected"] = s.ktoUnd / max(s.ktoUndN, 1)
		m["rewards/margins"] = m["rewards/chosen"] - m["rewards/rejected"]
	} else {
		m["rewards/chosen"] = s.rewC / n
		m["rewards/rejected"] = s.rewR / n
		m["rewards/margins"] = s.margin / n
	}
	if prefix == "" {
		return m
	}
	out := map[string]float64{}
	for k, v := range m {
		out[prefix+k] = v
	}
	return out
}
