// Package demo fills a fresh installation with demo accounts and two real,
// openly licensed data sets (PandaLM with its three annotators' judgments,
// and LLMBar), copied with their licences into data/.
package demo

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/export"
	"github.com/prefer-dev/prefer/internal/importer"
	"github.com/prefer-dev/prefer/internal/password"
	"github.com/prefer-dev/prefer/internal/store"
)

//go:embed data
var data embed.FS

// Account is a demo login with the password it was given on this run.
type Account struct {
	Email    string
	Role     annotation.Role
	Password string
}

var accounts = []struct {
	email string
	role  annotation.Role
}{
	{"admin@example.com", annotation.RoleAdmin},
	{"lead@example.com", annotation.RoleLead},
	{"annotator@example.com", annotation.RoleAnnotator},
	{"annotator2@example.com", annotation.RoleAnnotator},
}

type dataset struct {
	settings annotation.ProjectSettings
	dir      string
}

var datasets = []dataset{
	{annotation.ProjectSettings{
		Name: "PandaLM", K: 4, AskStrength: annotation.AskOff, AskRationale: annotation.AskOff,
		Guidelines: "Pick the response that follows the **instruction** better: correct, " +
			"complete, and concise. Choose *tie* when neither is better.\n\n" +
			"Data: PandaLM test set (Apache-2.0), with the judgments of its three annotators; " +
			"each pair asks for one more judgment, yours.",
	}, "data/pandalm"},
	{annotation.ProjectSettings{
		Name: "LLMBar", K: 3, AskStrength: annotation.AskOptional,
		AskRationale: annotation.AskOptional,
		Tags:         []string{"Natural", "Adversarial"},
		Guidelines: "Which output **follows the instruction** precisely? Prefer honest, " +
			"helpful answers; do not reward length or style for its own sake.\n\n" +
			"Data: LLMBar (MIT). The file's label is kept as a source judgment.",
	}, "data/llmbar"},
}

// Seed creates the demo accounts (or gives them new passwords) and imports
// the demo data sets; pairs already there are left as they are, so Seed can
// run on every start.
func Seed(ctx context.Context, st *store.Store, log *slog.Logger) ([]Account, error) {
	out, err := seedAccounts(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, ds := range datasets {
		if err := seedDataset(ctx, st, ds, log); err != nil {
			return nil, err
		}
	}
	if err := seedVersion(ctx, st, log); err != nil {
		return nil, err
	}
	return out, nil
}

// demoVersion is the dataset version the demo freezes, so that a training
// run can be launched at once.
const demoVersion = "PandaLM majority, ties left out (demo)"

// seedVersion freezes PandaLM's majority labels, ties left out, once.
func seedVersion(ctx context.Context, st *store.Store, log *slog.Logger) error {
	versions, err := st.DatasetVersions(ctx)
	if err != nil {
		return err
	}
	for _, v := range versions {
		if v.Name == demoVersion {
			return nil
		}
	}

	p, err := st.ProjectByName(ctx, "PandaLM")
	if err != nil {
		return err
	}
	admin, _, err := st.UserForLogin(ctx, accounts[0].email)
	if err != nil {
		return err
	}
	o := export.DefaultOptions()
	o.ExcludeTies = true
	v, err := st.FreezeDataset(ctx, p.ID, demoVersion, o, admin.ID)
	if err != nil {
		return fmt.Errorf("demo dataset version: %w", err)
	}
	log.Info("Demo dataset version frozen", slog.Int64("version_id", v.ID),
		slog.String("name", v.Name))
	return nil
}

func seedAccounts(ctx context.Context, st *store.Store) ([]Account, error) {
	var out []Account
	for _, a := range accounts {
		pw := password.Generate()
		hash, err := password.Hash(pw)
		if err != nil {
			return nil, err
		}
		if err := upsertAccount(ctx, st, a.email, a.role, hash); err != nil {
			return nil, err
		}
		out = append(out, Account{Email: a.email, Role: a.role, Password: pw})
	}
	return out, nil
}

func upsertAccount(ctx context.Context, st *store.Store, email string, role annotation.Role,
	hash string) error {
	_, err := st.CreateUser(ctx, store.NewUser{Email: email, Role: role, PasswordHash: hash})
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	u, _, err := st.UserForLogin(ctx, email)
	if err != nil {
		return fmt.Errorf("demo account %s: %w", email, err)
	}
	active := true
	_, err = st.UpdateUser(ctx, u.ID, store.UserChange{Role: &role, Active: &active,
		PasswordHash: &hash})
	return err
}

func seedDataset(ctx context.Context, st *store.Store, ds dataset, log *slog.Logger) error {
	p, err := st.ProjectByName(ctx, ds.settings.Name)
	if errors.Is(err, store.ErrNotFound) {
		p, err = st.CreateProject(ctx, ds.settings)
	}
	if err != nil {
		return fmt.Errorf("demo project %s: %w", ds.settings.Name, err)
	}

	files, err := fs.Glob(data, ds.dir+"/*.json")
	if err != nil {
		return err
	}
	res, err := st.ImportPairs(ctx, p.ID, func(emit func(annotation.PairInput) error) error {
		for _, name := range files {
			if err := importFile(ctx, name, emit); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo data %s: %w", ds.dir, err)
	}
	log.Info("Demo data ready", slog.String("project", p.Name), slog.Int("added", res.Added),
		slog.Int("already_there", res.Existing), slog.Int("judgments", res.Judgments))
	return nil
}

func importFile(ctx context.Context, name string, emit func(annotation.PairInput) error) error {
	f, err := data.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = importer.Read(ctx, path.Base(name), f, importer.Options{}, emit)
	return err
}
