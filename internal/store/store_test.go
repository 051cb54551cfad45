package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/internal/testdb"
)

func newStore(t *testing.T) *store.Store { return newStoreTB(t) }

func newStoreTB(t testing.TB) *store.Store {
	t.Helper()
	return store.New(testdb.New(t))
}

func newProject(t *testing.T, st *store.Store, k int) store.Project {
	t.Helper()
	ps := annotation.NewProjectSettings(fmt.Sprintf("p-%d", time.Now().UnixNano()))
	ps.K = k
	p, err := st.CreateProject(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newAnnotator(t *testing.T, st *store.Store, name string) store.User {
	t.Helper()
	u, err := st.CreateUser(context.Background(), store.NewUser{Name: name,
		Email: name + "@example.com", Role: annotation.RoleAnnotator, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// pairs makes n distinct pairs with plain prompts.
func pairs(n int) []annotation.PairInput {
	out := make([]annotation.PairInput, n)
	for i := range out {
		out[i] = annotation.PairInput{
			Prompt: annotation.Prompt{Text: fmt.Sprintf("prompt %d", i)},
			A:      annotation.Response{Text: fmt.Sprintf("answer a %d", i)},
			B:      annotation.Response{Text: fmt.Sprintf("answer b %d", i)},
		}
	}
	return out
}

func importAll(t *testing.T, st *store.Store, projectID int64,
	ps []annotation.PairInput) store.ImportResult {
	t.Helper()
	res, err := st.ImportPairs(context.Background(), projectID,
		func(emit func(annotation.PairInput) error) error {
			for _, p := range ps {
				if err := emit(p); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func countRows(t *testing.T, st *store.Store, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := st.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestCreateUserConflict(t *testing.T) {
	st := newStore(t)
	newAnnotator(t, st, "ann")
	_, err := st.CreateUser(context.Background(), store.NewUser{Name: "other",
		Email: "ann@example.com", Role: annotation.RoleAnnotator})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("second user with the same email: error %v, want ErrConflict", err)
	}
}

func TestLoginFailuresBackOff(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	backoff := func(n int) time.Duration { return time.Duration(n) * time.Hour }

	for want := 1; want <= 3; want++ {
		d, err := st.RecordLoginFailure(ctx, "Someone@Example.com", backoff)
		if err != nil {
			t.Fatal(err)
		}
		if d != time.Duration(want)*time.Hour {
			t.Errorf("failure %d: delay %v, want %dh", want, d, want)
		}
	}
	until, err := st.LoginLockedUntil(ctx, "someone@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if time.Until(until) < 2*time.Hour {
		t.Errorf("locked until %v, want about 3 hours from now", until)
	}

	if err := st.ClearLoginFailures(ctx, "someone@example.com"); err != nil {
		t.Fatal(err)
	}
	if until, _ := st.LoginLockedUntil(ctx, "someone@example.com"); !until.IsZero() {
		t.Errorf("after clearing, locked until %v, want zero", until)
	}
}
