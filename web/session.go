package web

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"

	"github.com/gorilla/sessions"

	"github.com/prefer-dev/prefer/internal/store"
)

const (
	sessionName  = "prefer_session"
	sessionUser  = "uid"
	sessionStamp = "stamp"
	// sessionMaxAge keeps people logged in for a working week.
	sessionMaxAge = 7 * 24 * 3600
)

// newSessionStore derives separate signing and encryption keys from the
// configured secret, and sets the cookie flags: HttpOnly always, SameSite Lax
// so that links from elsewhere keep the session but cross-site posts do not
// carry it, Secure when served over TLS.
func newSessionStore(opts Options) *sessions.CookieStore {
	auth := sha256.Sum256(append([]byte("prefer session auth "), opts.SessionKey...))
	enc := sha256.Sum256(append([]byte("prefer session enc "), opts.SessionKey...))
	cs := sessions.NewCookieStore(auth[:], enc[:])
	cs.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   sessionMaxAge,
		HttpOnly: true,
		Secure:   opts.Secure,
		SameSite: http.SameSiteLaxMode,
	}
	return cs
}

type ctxKey int

const userKey ctxKey = 1

// currentUser returns the logged-in user, or nil.
func currentUser(ctx context.Context) *store.User {
	u, _ := ctx.Value(userKey).(*store.User)
	return u
}

// startSession logs u in on this browser.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u store.User) error {
	sess, _ := s.sessions.New(r, sessionName)
	sess.Values[sessionUser] = u.ID
	sess.Values[sessionStamp] = u.Stamp
	return sess.Save(r, w)
}

// endSession logs the browser out.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	sess, _ := s.sessions.Get(r, sessionName)
	sess.Options.MaxAge = -1
	return sess.Save(r, w)
}

// loadUser puts the logged-in, still active user into the request context.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.sessions.Get(r, sessionName)
		id, ok := sess.Values[sessionUser].(int64)
		if err != nil || !ok {
			next.ServeHTTP(w, r)
			return
		}
		u, err := s.store.UserByID(r.Context(), id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.fail(w, r, err)
			return
		}
		stamp, _ := sess.Values[sessionStamp].(string)
		if err != nil || !u.Active || u.IsSource || stamp != u.Stamp {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey, &u)))
	})
}
