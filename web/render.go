package web

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/templates"
)

// render writes a component as the response.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		s.log.Error("Render failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
}

// viewer describes the logged-in user for templates.
func viewer(r *http.Request) *templates.Viewer {
	u := currentUser(r.Context())
	if u == nil {
		return nil
	}
	return &templates.Viewer{
		Name:    u.Name,
		IsLead:  u.Role.Allows(annotation.RoleLead),
		IsAdmin: u.Role.Allows(annotation.RoleAdmin),
	}
}

// flashes are the messages a redirect can ask the next page to show, by
// code, so that no link can put words of its own on a page.
var flashes = map[string]string{
	"saved":       "Saved.",
	"adjudicated": "Final label recorded.",
	"gold":        "Gold answer saved.",
}

// page starts a view-model for a full page.
func page(r *http.Request, title, section string) templates.Page {
	return templates.Page{Title: title, User: viewer(r), Section: section,
		Flash: flashes[r.URL.Query().Get("flash")]}
}

// idParam reads a numeric URL parameter.
func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}
