package web

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/prefer-dev/prefer/internal/password"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

// loginBackoff is how long logins for an identifier are refused after n
// failures in a row: three tries freely, then one second doubling up to a
// quarter of an hour.
func loginBackoff(n int) time.Duration {
	if n < 3 {
		return 0
	}
	d := time.Duration(math.Pow(2, float64(n-3))) * time.Second
	return min(d, 15*time.Minute)
}

// dummyHash is checked against when the user is unknown, so that a wrong
// name costs as long as a wrong password.
var dummyHash, _ = password.Hash("prefer-dummy-password")

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	identifier := strings.TrimSpace(r.PostFormValue("identifier"))
	pw := r.PostFormValue("password")
	p := templates.LoginPage{Page: page(r, "Log in", ""), Identifier: identifier,
		Next: r.PostFormValue("next")}

	until, err := s.store.LoginLockedUntil(ctx, identifier)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if wait := time.Until(until); wait > 0 {
		p.Error = fmt.Sprintf("Too many failed logins. Try again in %d seconds.",
			int(math.Ceil(wait.Seconds())))
		s.render(w, r, http.StatusTooManyRequests, templates.Login(p))
		return
	}

	u, err := s.checkLogin(r, identifier, pw)
	if err != nil && !errors.Is(err, errBadLogin) {
		s.fail(w, r, err)
		return
	}
	if err != nil {
		if _, ferr := s.store.RecordLoginFailure(ctx, identifier, loginBackoff); ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		s.log.Warn("Login failed", slog.String("identifier", identifier))
		p.Error = "Wrong email or password."
		s.render(w, r, http.StatusUnauthorized, templates.Login(p))
		return
	}

	if err := s.store.ClearLoginFailures(ctx, identifier); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("Logged in", slog.Int64("user_id", u.ID))
	http.Redirect(w, r, safeNext(p.Next), http.StatusSeeOther)
}

var errBadLogin = errors.New("bad login")

// checkLogin returns the active person whose password is pw.
func (s *Server) checkLogin(r *http.Request, identifier, pw string) (store.User, error) {
	u, hash, err := s.store.UserForLogin(r.Context(), identifier)
	if errors.Is(err, store.ErrNotFound) || (err == nil && hash == "") {
		password.Verify(pw, dummyHash)
		return store.User{}, errBadLogin
	}
	if err != nil {
		return store.User{}, err
	}
	ok, err := password.Verify(pw, hash)
	if err != nil || !ok || !u.Active {
		return store.User{}, errBadLogin
	}
	return u, nil
}
