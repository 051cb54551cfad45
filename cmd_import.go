package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/importer"
	"github.com/prefer-dev/prefer/internal/store"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// runImport imports files into a project, creating it when it does not
// exist, all in one transaction.
func runImport(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	project := fs.String("project", "", "project name (created when missing)")
	mapping := fs.String("map", "", "field mapping, e.g. prompt=question,a=answer_1,b=answer_2")
	var tags stringList
	fs.Var(&tags, "tag", "tag added to every imported pair (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *project == "" || fs.NArg() == 0 {
		return errors.New("usage: prefer import --project P [--map M] [--tag T]... FILE...")
	}
	opts := importer.Options{Tags: tags}
	var err error
	if opts.Map, err = importer.ParseMap(*mapping); err != nil {
		return fmt.Errorf("--map: %w", err)
	}

	st, closeDB, err := connect(ctx, log)
	if err != nil {
		return err
	}
	defer closeDB()

	p, created, err := projectOrCreate(ctx, st, *project)
	if err != nil {
		return err
	}
	res, err := st.ImportPairs(ctx, p.ID, func(emit func(annotation.PairInput) error) error {
		for _, path := range fs.Args() {
			if err := importPath(ctx, path, opts, emit, stdout); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if created {
			// Nothing was imported, so the project made for it goes too.
			if derr := st.DeleteProject(ctx, p.ID); derr != nil {
				log.Error("Remove project after failed import", slog.Any("err", derr))
			}
		}
		return importError(err)
	}

	fmt.Fprintf(stdout, "Imported into %q: %d new pairs, %d judgments.\n", p.Name, res.Added,
		res.Judgments)
	if res.Existing > 0 {
		fmt.Fprintf(stdout, "%d pairs were already in the project and were left as they were "+
			"(%d of their judgments skipped), e.g. %s.\n", res.Existing, res.SkippedJudgments,
			strings.Join(res.ExistingKeys[:min(3, len(res.ExistingKeys))], ", "))
	}
	if len(res.NewAnnotators) > 0 {
		fmt.Fprintf(stdout, "New annotators (no password yet): %s\n",
			strings.Join(res.NewAnnotators, ", "))
	}
	return nil
}

func importPath(ctx context.Context, path string, opts importer.Options,
	emit func(annotation.PairInput) error, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()

	rep, err := importer.Read(ctx, path, f, opts, emit)
	if err != nil {
		return err
	}
	gz := ""
	if rep.Gzip {
		gz = ", gzip"
	}
	fmt.Fprintf(stdout, "%s: %s (%s%s), %d pairs, %d judgments\n", path, rep.Format,
		rep.Container, gz, rep.Pairs, rep.Judgments)
	for _, w := range rep.Warnings {
		fmt.Fprintf(stdout, "  warning: %s\n", w)
	}
	return nil
}

// importError lists every problem of a bad file, one per line.
func importError(err error) error {
	var list importer.ErrorList
	if errors.As(err, &list) {
		lines := make([]string, len(list))
		for i, e := range list {
			lines[i] = "  " + e.Error()
		}
		return fmt.Errorf("nothing was imported:\n%s", strings.Join(lines, "\n"))
	}
	return fmt.Errorf("nothing was imported: %w", err)
}

// projectOrCreate finds the project called name, or creates it and says so.
func projectOrCreate(ctx context.Context, st *store.Store, name string) (store.Project, bool,
	error) {
	p, err := st.ProjectByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		p, err = st.CreateProject(ctx, annotation.NewProjectSettings(name))
		return p, err == nil, err
	}
	return p, false, err
}
