package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/prefer-dev/prefer/internal/store"
)

// runCheckpoint downloads the run's newest step checkpoint.
func (s *Server) runCheckpoint(w http.ResponseWriter, r *http.Request) {
	run, err := s.urlRun(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if run.Checkpoint == "" {
		s.fail(w, r, badInput("This run has no checkpoint yet."))
		return
	}
	f, err := os.Open(run.Checkpoint)
	if errors.Is(err, os.ErrNotExist) {
		// Another node trained it, or a newer checkpoint replaced it.
		s.fail(w, r, fmt.Errorf("checkpoint %s of run %d: %w", run.Checkpoint, run.ID,
			errNotFound))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("run-%d-%s", run.ID, filepath.Base(run.Checkpoint))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// runMetricsCSV downloads every metric report of the run, one a row, a
// column per metric name.
func (s *Server) runMetricsCSV(w http.ResponseWriter, r *http.Request) {
	run, err := s.urlRun(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.store.RunMetrics(r.Context(), run.ID, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition",
		fmt.Sprintf(`attachment; filename="run-%d-metrics.csv"`, run.ID))
	writeMetricsCSV(w, list)
}

func writeMetricsCSV(w http.ResponseWriter, list []store.RunMetric) {
	var names []string
	for _, m := range list {
		for k := range m.Metrics {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"stage", "kind", "step", "epoch", "time"}, names...))
	for _, m := range list {
		row := []string{m.Stage, m.Kind, strconv.Itoa(m.Step), num(m.Epoch),
			m.At.UTC().Format("2006-01-02T15:04:05.000Z")}
		for _, k := range names {
			v, ok := m.Metrics[k]
			if !ok {
				row = append(row, "")
				continue
			}
			row = append(row, num(v))
		}
		cw.Write(row)
	}
	cw.Flush()
}

// urlRun reads the run named in the URL.
func (s *Server) urlRun(r *http.Request) (store.Run, error) {
	id, err := idParam(r, "run")
	if err != nil {
		return store.Run{}, err
	}
	return s.store.Run(r.Context(), id)
}
