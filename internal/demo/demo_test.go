package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/prefer-dev/prefer/internal/demo"
	"github.com/prefer-dev/prefer/internal/password"
	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/internal/testdb"
)

// TestSeedTwice seeds a fresh database, then seeds it again as the next
// `prefer demo` start would: the data is there once and the new passwords
// work.
func TestSeedTwice(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.New(t))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	if _, err := demo.Seed(ctx, st, log); err != nil {
		t.Fatal(err)
	}
	accounts, err := demo.Seed(ctx, st, log)
	if err != nil {
		t.Fatalf("second seed: %v", err)
	}

	projects, err := st.ListProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pairs := map[string]int{}
	judgments := map[string]int{}
	for _, p := range projects {
		pairs[p.Name], judgments[p.Name] = p.Pairs, p.Judgments
	}
	if pairs["PandaLM"] != 999 || pairs["LLMBar"] != 419 {
		t.Errorf("pairs per project %v, want PandaLM 999 and LLMBar 419", pairs)
	}
	// People's judgments only: PandaLM's three annotators, not LLMBar's labels.
	if judgments["PandaLM"] != 2997 || judgments["LLMBar"] != 0 {
		t.Errorf("people's judgments %v, want PandaLM 2997 and LLMBar 0", judgments)
	}

	versions, err := st.DatasetVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1 {
		t.Errorf("dataset versions after two seeds: %d, want the demo's one", len(versions))
	}

	for _, a := range accounts {
		u, hash, err := st.UserForLogin(ctx, a.Email)
		if err != nil {
			t.Fatal(err)
		}
		ok, err := password.Verify(a.Password, hash)
		if err != nil || !ok || u.Role != a.Role {
			t.Errorf("account %s: password works %v (%v), role %s want %s", a.Email, ok, err,
				u.Role, a.Role)
		}
	}
}
