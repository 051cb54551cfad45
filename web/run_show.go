package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prefer-dev/prefer/templates"
)

func (s *Server) runShow(w http.ResponseWriter, r *http.Request) {
	p, err := s.runPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, templates.Run(p))
}

// runPage builds the run page of the run in the URL, without samples.
func (s *Server) runPage(r *http.Request) (templates.RunPage, error) {
	id, err := idParam(r, "run")
	if err != nil {
		return templates.RunPage{}, err
	}
	run, err := s.store.Run(r.Context(), id)
	if err != nil {
		return templates.RunPage{}, err
	}
	events, err := s.store.RunEvents(r.Context(), id, 0)
	if err != nil {
		return templates.RunPage{}, err
	}

	p := templates.RunPage{Page: page(r, fmt.Sprintf("Run #%d", id), "runs"),
		Run: trainingRun(run, time.Now()), Config: configItems(run.Config),
		Sample: templates.SampleView{MaxTokens: "32", Temperature: "0"}}
	for _, e := range events {
		p.Log = append(p.Log, templates.LogLine{ID: e.ID, Level: e.Level, Message: e.Message,
			At: e.At})
		p.LogCursor = e.ID
	}
	return p, nil
}

// configItems lists the settings of a stored configuration that are set,
// by name.
func configItems(raw json.RawMessage) []templates.NameValue {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return []templates.NameValue{{Name: "configuration", Value: string(raw)}}
	}
	var items []templates.NameValue
	for name, v := range m {
		if unset(v) {
			continue
		}
		value := fmt.Sprint(v)
		if _, ok := v.(map[string]any); ok {
			b, _ := json.Marshal(v)
			value = string(b)
		}
		items = append(items, templates.NameValue{Name: name, Value: value})
	}
	slices.SortFunc(items, func(a, b templates.NameValue) int {
		return strings.Compare(a.Name, b.Name)
	})
	return items
}

// unset reports whether a decoded JSON value is zero, or an object of zeros.
func unset(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case string:
		return v == ""
	case float64:
		return v == 0
	case map[string]any:
		for _, x := range v {
			if !unset(x) {
				return false
			}
		}
		return true
	}
	return false
}
