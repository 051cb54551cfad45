package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
)

// concrete fills a route pattern's parameters with an existing-looking id.
func concrete(pattern string) string {
	return regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllString(pattern, "1")
}

// TestRoutesCheckRoles walks the route table: every lead and admin route
// answers 403 to an annotator, and every protected route refuses a
// logged-out caller. A new route cannot be forgotten, because the table is
// what the router is built from.
func TestRoutesCheckRoles(t *testing.T) {
	a := newApp(t)
	a.user("ann", annotation.RoleAnnotator)
	a.user("lead", annotation.RoleLead)
	a.project(annotation.NewProjectSettings("p"), textPairs(1)...)
	clients := map[string]*http.Client{"ann": a.client("ann"), "lead": a.client("lead"),
		"": a.client("")}

	checked := 0
	for _, rt := range a.server.Routes() {
		if rt.Role == "" {
			continue
		}
		target := a.http.URL + concrete(rt.Pattern)
		for _, who := range []string{"", "ann", "lead"} {
			var role annotation.Role
			switch who {
			case "ann":
				role = annotation.RoleAnnotator
			case "lead":
				role = annotation.RoleLead
			}
			if who != "" && role.Allows(rt.Role) {
				continue
			}
			req, _ := http.NewRequest(rt.Method, target, strings.NewReader(""))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := clients[who].Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			checked++

			want := http.StatusForbidden
			if who == "" && rt.Method == http.MethodGet {
				want = http.StatusSeeOther // to the login page
			} else if who == "" {
				want = http.StatusUnauthorized
			}
			if resp.StatusCode != want {
				t.Errorf("%s %s as %q: status %d, want %d", rt.Method, rt.Pattern, who,
					resp.StatusCode, want)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d route checks ran; the route table looks too small", checked)
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	a := newApp(t)
	a.user("adm", annotation.RoleAdmin)
	c := a.client("adm")

	form := url.Values{"email": {"x@example.com"}, "role": {"admin"}}
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
	} {
		req, _ := http.NewRequest("POST", a.http.URL+"/admin/users",
			strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST with %v: status %d, want 403", h, resp.StatusCode)
		}
	}
	users, _ := a.store.ListUsers(t.Context())
	if len(users) != 1 {
		t.Errorf("after refused cross-site posts there are %d people, want 1", len(users))
	}
}

func TestSessionCookieFlags(t *testing.T) {
	a := newApp(t)
	a.user("ann", annotation.RoleAnnotator)
	resp, err := a.client("").PostForm(a.http.URL+"/login",
		url.Values{"identifier": {"ann@example.com"}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	cookies := resp.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("login set %d cookies, want 1", len(cookies))
	}
	c := cookies[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie HttpOnly=%v SameSite=%v, want true and Lax", c.HttpOnly,
			c.SameSite)
	}
}

func TestFailedLoginsAreSlowedDown(t *testing.T) {
	a := newApp(t)
	a.user("ann", annotation.RoleAnnotator)
	c := a.client("")

	statuses := []int{}
	for range 4 {
		resp, err := c.PostForm(a.http.URL+"/login",
			url.Values{"identifier": {"ann@example.com"}, "password": {"wrong password"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
	// The third failure locks the name for a second; the right password is
	// refused while it lasts.
	resp, err := c.PostForm(a.http.URL+"/login",
		url.Values{"identifier": {"ann@example.com"}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	statuses = append(statuses, resp.StatusCode)

	want := []int{401, 401, 401, 429, 429}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("login statuses %v, want %v", statuses, want)
		}
	}
}

func TestDeactivatedUserIsLoggedOut(t *testing.T) {
	a := newApp(t)
	u := a.user("ann", annotation.RoleAnnotator)
	c := a.client("ann")

	off := false
	if _, err := a.store.UpdateUser(t.Context(), u.ID, storeChange(&off)); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(a.http.URL + "/annotate")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("deactivated user's request: status %d, want 303 to the login page",
			resp.StatusCode)
	}
}

func TestNewPasswordEndsSessions(t *testing.T) {
	a := newApp(t)
	u := a.user("ann", annotation.RoleAnnotator)
	c := a.client("ann")

	hash := "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
	change := store.UserChange{PasswordHash: &hash}
	if _, err := a.store.UpdateUser(t.Context(), u.ID, change); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(a.http.URL + "/annotate")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("request with a session from before the new password: status %d, want 303",
			resp.StatusCode)
	}
}
