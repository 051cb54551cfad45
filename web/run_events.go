package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prefer-dev/prefer/internal/store"
)

// How the event stream of a run polls. The stream reads the database, not
// the worker, so it works whichever node trains the run. It ends after
// streamLife (the browser reconnects from where it was), so that a server
// shutting down is not held by open streams.
const (
	streamPoll = time.Second
	streamLife = 15 * time.Second
)

// shutdowns holds, for each http.Server that served a stream, a channel
// closed when it shuts down: open streams then end at once rather than
// hold Shutdown for up to streamLife.
var shutdowns sync.Map // *http.Server -> chan struct{}

// shuttingDown returns the channel of the server that serves r; nil (never
// ready) when r came some other way.
func shuttingDown(r *http.Request) <-chan struct{} {
	srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server)
	if !ok {
		return nil
	}
	ch := make(chan struct{})
	v, loaded := shutdowns.LoadOrStore(srv, ch)
	if !loaded {
		srv.RegisterOnShutdown(func() { close(ch) })
	}
	return v.(chan struct{})
}

// streamCursor is how far a client has read: the last metric and log ids.
type streamCursor struct{ metric, event int64 }

func (c streamCursor) String() string { return fmt.Sprintf("%d.%d", c.metric, c.event) }

// parseCursor reads "METRIC.EVENT"; anything else starts from the beginning.
func parseCursor(s string) streamCursor {
	m, e, _ := strings.Cut(s, ".")
	mi, _ := strconv.ParseInt(m, 10, 64)
	ei, _ := strconv.ParseInt(e, 10, 64)
	return streamCursor{max(mi, 0), max(ei, 0)}
}

// metricEvent is a metric report as the page's script reads it.
type metricEvent struct {
	Stage   string             `json:"stage"`
	Kind    string             `json:"kind"`
	Step    int                `json:"step"`
	Metrics map[string]float64 `json:"metrics"`
}

// progressEvent is the run's state as the page shows it.
type progressEvent struct {
	Status      string `json:"status"`
	Percent     int    `json:"percent"`
	Text        string `json:"text"`
	Error       string `json:"error"`
	Cancellable bool   `json:"cancellable"`
	Checkpoint  bool   `json:"checkpoint"`
}

// logEvent is one line of the run's log.
type logEvent struct {
	Level   string `json:"level"`
	Message string `json:"message"`
	Time    string `json:"time"`
}

// runEvents streams a run's new metrics, log lines and progress as
// server-sent events until the run ends.
func (s *Server) runEvents(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "run")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.store.Run(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	cur := parseCursor(r.URL.Query().Get("cursor"))
	if last := r.Header.Get("Last-Event-ID"); last != "" {
		cur = parseCursor(last)
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 1000\n\n")
	st := &stream{w: w, rc: http.NewResponseController(w), store: s.store, id: id, cur: cur,
		stop: shuttingDown(r)}
	if err := st.run(r.Context()); err != nil && r.Context().Err() == nil {
		s.log.Warn("Run event stream ended", "run_id", id, "err", err)
	}
}

// stream is one client's event stream of a run.
type stream struct {
	w        io.Writer
	rc       *http.ResponseController
	store    *store.Store
	id       int64
	cur      streamCursor
	progress string // the last progress sent
	stop     <-chan struct{}
}

func (st *stream) run(ctx context.Context) error {
	deadline := time.After(streamLife)
	for {
		finished, err := st.poll(ctx)
		if err != nil {
			return err
		}
		if err := st.rc.Flush(); err != nil {
			return err
		}
		if finished {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-deadline:
			return nil
		case <-st.stop:
			return nil
		case <-time.After(streamPoll):
		}
	}
}

// poll sends what is new and reports whether the run has ended and been
// sent in full.
func (st *stream) poll(ctx context.Context) (bool, error) {
	// The run is read first: rows written before a final status are then
	// read below, so nothing is missed when the stream ends.
	run, err := st.store.Run(ctx, st.id)
	if err != nil {
		return false, err
	}
	metrics, err := st.store.RunMetrics(ctx, st.id, st.cur.metric)
	if err != nil {
		return false, err
	}
	for _, m := range metrics {
		st.cur.metric = m.ID
		err := st.send("metric", metricEvent{Stage: m.Stage, Kind: m.Kind, Step: m.Step,
			Metrics: m.Metrics})
		if err != nil {
			return false, err
		}
	}
	events, err := st.store.RunEvents(ctx, st.id, st.cur.event)
	if err != nil {
		return false, err
	}
	for _, e := range events {
		st.cur.event = e.ID
		err := st.send("log", logEvent{Level: e.Level, Message: e.Message,
			Time: e.At.UTC().Format("15:04:05")})
		if err != nil {
			return false, err
		}
	}
	if err := st.sendProgress(run); err != nil {
		return false, err
	}
	if !run.Finished() {
		return false, nil
	}
	return true, st.send("end", struct{}{})
}

func (st *stream) sendProgress(run store.Run) error {
	v := trainingRun(run, time.Now())
	p := progressEvent{Status: v.Status, Percent: v.Percent(), Text: v.ProgressText(),
		Error: v.Error, Cancellable: v.Cancellable(), Checkpoint: v.HasCheckpoint}
	b, _ := json.Marshal(p)
	if string(b) == st.progress {
		return nil
	}
	st.progress = string(b)
	return st.send("progress", p)
}

// send writes one event with the cursor as its id.
func (st *stream) send(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(st.w, "id: %s\nevent: %s\ndata: %s\n\n", st.cur, name, b)
	return err
}
