package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/password"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/internal/testdb"
	"github.com/prefer-dev/prefer/web"
)

// app is a running prefer web server on a fresh database.
type app struct {
	t      testing.TB
	store  *store.Store
	server *web.Server
	http   *httptest.Server
}

const testPassword = "correct horse battery staple"

// testHash is computed once: argon2id at full cost is slow on purpose.
var testHash = func() string {
	h, err := password.Hash(testPassword)
	if err != nil {
		panic(err)
	}
	return h
}()

func newApp(t testing.TB) *app {
	t.Helper()
	st := store.New(testdb.New(t))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := web.New(st, log, web.Options{SessionKey: []byte(strings.Repeat("k", 32)),
		ReservationTTL: time.Minute})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &app{t: t, store: st, server: srv, http: hs}
}

// user creates a person who can log in with testPassword.
func (a *app) user(name string, role annotation.Role) store.User {
	a.t.Helper()
	u, err := a.store.CreateUser(context.Background(), store.NewUser{Name: name,
		Email: name + "@example.com", Role: role, PasswordHash: testHash})
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// project creates a project holding the given pairs.
func (a *app) project(ps annotation.ProjectSettings, pairs ...annotation.PairInput) store.Project {
	a.t.Helper()
	ctx := context.Background()
	p, err := a.store.CreateProject(ctx, ps)
	if err != nil {
		a.t.Fatal(err)
	}
	_, err = a.store.ImportPairs(ctx, p.ID, func(emit func(annotation.PairInput) error) error {
		for _, pr := range pairs {
			if err := emit(pr); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return p
}

// client returns an HTTP client logged in as the named user (or logged out
// when name is empty). It does not follow redirects.
func (a *app) client(name string) *http.Client {
	a.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	if name == "" {
		return c
	}
	resp, err := c.PostForm(a.http.URL+"/login", url.Values{"identifier": {name + "@example.com"},
		"password": {testPassword}})
	if err != nil {
		a.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		a.t.Fatalf("login as %s: status %d, want 303", name, resp.StatusCode)
	}
	return c
}

// textPairs makes n pairs with distinct plain text.
func textPairs(n int) []annotation.PairInput {
	out := make([]annotation.PairInput, n)
	for i := range out {
		out[i] = annotation.PairInput{
			Prompt: annotation.Prompt{Text: fmt.Sprintf("Question %d?", i)},
			A:      annotation.Response{Text: fmt.Sprintf("Answer A%d", i)},
			B:      annotation.Response{Text: fmt.Sprintf("Answer B%d", i)},
		}
	}
	return out
}

func storeChange(active *bool) store.UserChange { return store.UserChange{Active: active} }
