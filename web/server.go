// Package web is prefer's HTTP layer: the router, its middleware and one
// small handler per action. Handlers hold no SQL and no statistics: they read
// the request, call the store or a domain package, and render a template.
package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/sessions"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/static"
)

// Options are the settings of the HTTP layer.
type Options struct {
	// SessionKey signs and encrypts session cookies; at least 32 bytes.
	SessionKey []byte
	// Secure marks cookies Secure (serve over TLS).
	Secure bool
	// ReservationTTL is how long a handed-out pair stays reserved.
	ReservationTTL time.Duration
	// MaxUpload bounds the size of one import upload in bytes.
	MaxUpload int64
}

// Server handles prefer's HTTP requests. It keeps no state that another
// node would need: sessions live in signed cookies, the rest in PostgreSQL.
type Server struct {
	store    *store.Store
	log      *slog.Logger
	opts     Options
	sessions *sessions.CookieStore
	handler  http.Handler

	progressCache progressCache
}

// Route is one entry of the route table: who may call it and what runs.
type Route struct {
	Method  string
	Pattern string
	// Role is the least role needed; empty means anyone, even logged out.
	Role    annotation.Role
	Handler http.HandlerFunc
}

// New builds the server and its router.
func New(st *store.Store, log *slog.Logger, opts Options) *Server {
	if opts.ReservationTTL == 0 {
		opts.ReservationTTL = 10 * time.Minute
	}
	if opts.MaxUpload == 0 {
		opts.MaxUpload = 512 << 20
	}
	s := &Server{store: st, log: log, opts: opts, sessions: newSessionStore(opts)}
	s.handler = s.router()
	return s
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes is the route table. Every route is listed here with the role it
// needs, so a test can check every one of them. Each part of the product
// keeps its routes in its own file.
func (s *Server) Routes() []Route {
	var all []Route
	for _, part := range [][]Route{
		s.accountRoutes(),
		s.annotationRoutes(),
		s.adminRoutes(),
		s.leadRoutes(),
		s.exportRoutes(),
		s.trainingRoutes(),
	} {
		all = append(all, part...)
	}
	return all
}

func (s *Server) accountRoutes() []Route {
	return []Route{
		{"GET", "/healthz", "", s.healthz},
		{"GET", "/login", "", s.loginShow},
		{"POST", "/login", "", s.loginSubmit},
		{"POST", "/logout", "", s.logout},
		{"GET", "/", annotation.RoleAnnotator, s.home},
	}
}

func (s *Server) annotationRoutes() []Route {
	return []Route{
		{"GET", "/annotate", annotation.RoleAnnotator, s.annotateIndex},
		{"GET", "/annotate/{project}", annotation.RoleAnnotator, s.annotateShow},
		{"POST", "/annotate/{project}/assignments/{assignment}", annotation.RoleAnnotator,
			s.annotateSubmit},
		{"POST", "/annotate/{project}/assignments/{assignment}/skip", annotation.RoleAnnotator,
			s.annotateSkip},
	}
}

func (s *Server) adminRoutes() []Route {
	return []Route{
		{"GET", "/admin/users", annotation.RoleAdmin, s.adminUsers},
		{"POST", "/admin/users", annotation.RoleAdmin, s.adminUserCreate},
		{"POST", "/admin/users/{user}", annotation.RoleAdmin, s.adminUserUpdate},
		{"GET", "/admin/projects", annotation.RoleAdmin, s.adminProjects},
		{"POST", "/admin/projects", annotation.RoleAdmin, s.adminProjectCreate},
		{"GET", "/admin/projects/{project}", annotation.RoleAdmin, s.adminProjectShow},
		{"POST", "/admin/projects/{project}", annotation.RoleAdmin, s.adminProjectUpdate},
		{"GET", "/admin/projects/{project}/import", annotation.RoleAdmin, s.adminImportShow},
		{"POST", "/admin/projects/{project}/import", annotation.RoleAdmin, s.adminImportSubmit},
	}
}

func (s *Server) router() http.Handler {
	r := chi.NewRouter()
	r.Use(s.recoverer, s.logRequests, securityHeaders)
	r.Use(http.NewCrossOriginProtection().Handler)
	r.Use(s.loadUser)

	staticFiles, _ := fs.Sub(static.FS, ".")
	r.Handle("/static/*", http.StripPrefix("/static/",
		cacheStatic(http.FileServer(http.FS(staticFiles)))))

	for _, rt := range s.Routes() {
		h := http.Handler(rt.Handler)
		if rt.Role != "" {
			h = s.requireRole(rt.Role, h)
		}
		r.Method(rt.Method, rt.Pattern, h)
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errNotFound)
	})
	return r
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.store.Pool().Ping(r.Context()); err != nil {
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}
