package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

// Errors of the HTTP layer itself.
var (
	errNotFound     = errors.New("not found")
	errUnauthorized = errors.New("log in first")
	errForbidden    = errors.New("you are not allowed to do this")
)

// inputError is a problem with what the user sent; its message is shown.
type inputError struct{ msg string }

func (e inputError) Error() string { return e.msg }

func badInput(msg string) error { return inputError{msg} }

// statusOf maps an error to an HTTP status and a message fit for the user.
// Internal errors get a plain message; the log keeps the detail.
func statusOf(err error) (int, string) {
	var in inputError
	switch {
	case errors.As(err, &in):
		return http.StatusBadRequest, in.msg
	case errors.Is(err, errNotFound), errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "Not found"
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized, "Log in first"
	case errors.Is(err, errForbidden):
		return http.StatusForbidden, "You are not allowed to do this"
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, "That already exists"
	case errors.Is(err, store.ErrPaused):
		return http.StatusForbidden, "A lead paused you in this project; ask them to unpause you"
	case errors.Is(err, store.ErrPairComplete):
		return http.StatusConflict, "Others completed this pair after your reservation expired"
	}
	return http.StatusInternalServerError, "Something went wrong on our side"
}

// fail answers a request with the status and message that fit err.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status >= 500 {
		s.log.Error("Request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	} else if status != http.StatusNotFound {
		s.log.Warn("Request refused", slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.String("reason", err.Error()))
	}

	if r.Header.Get("HX-Request") != "" {
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	page := templates.Page{Title: msg, User: viewer(r)}
	_ = templates.ErrorPage(page, status).Render(r.Context(), w)
}
