package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/prefer-dev/prefer/internal/agreement"
)

const agreementUsage = `usage: prefer agreement [flags] FILE
       prefer agreement [flags] --project P

Measures how far annotators agree and prints one JSON object. FILE holds
rows {"item", "annotator", "label"} as a JSON array or JSON Lines (gzip when
its name ends in .gz). With --project the judgments come from the database,
labelled a, b, tie or both_bad, ranked on the seven-step strength scale.

flags:
  --tie LABEL        a label that means a tie (repeatable; default "tie" with --project)
  --order L1,L2,...  the labels from lowest to highest, for ordinal alpha
  --min-shared N     fewest shared items for Cohen's kappa (default %d)
  --bootstrap N      resamples of the items for alpha's 95%% interval; 0 for none (default %d)
  --seed N           seed of the resampling (default %d)
  --interval         also interval alpha, on the ranks as equally spaced values
  --project P        read project P from the database instead of a file
`

const (
	defaultRounds = 1000
	defaultSeed   = 1
)

// labelList collects a repeatable flag.
type labelList []string

func (l *labelList) String() string { return strings.Join(*l, ",") }

func (l *labelList) Set(s string) error {
	if s == "" {
		return errors.New("empty label")
	}
	*l = append(*l, s)
	return nil
}

// agreementArgs are the parsed command line of `prefer agreement`.
type agreementArgs struct {
	opt     agreement.Options
	project string
	file    string
}

// runAgreement runs `prefer agreement`: it measures the agreement of the
// judgments in a file, or in a project through fromProject, and writes the
// report to stdout as one JSON object.
func runAgreement(ctx context.Context, args []string, stdout io.Writer,
	fromProject func(ctx context.Context, project string) ([]agreement.Judgment, error),
) error {
	a, err := parseAgreementArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		_, err = fmt.Fprintf(stdout, agreementUsage,
			agreement.DefaultMinShared, defaultRounds, defaultSeed)
		return err
	}
	if err != nil {
		return err
	}

	js, err := loadJudgments(ctx, a, fromProject)
	if err != nil {
		return err
	}
	report, err := agreement.Compute(js, a.opt)
	if err != nil {
		return fmt.Errorf("compute agreement: %w", err)
	}

	out, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return fmt.Errorf("write agreement report: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

// parseAgreementArgs reads the flags, which may come before or after FILE.
func parseAgreementArgs(args []string) (agreementArgs, error) {
	var a agreementArgs
	var ties labelList
	var order string
	fs := flag.NewFlagSet("agreement", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&ties, "tie", "")
	fs.StringVar(&order, "order", "", "")
	fs.IntVar(&a.opt.MinShared, "min-shared", agreement.DefaultMinShared, "")
	fs.IntVar(&a.opt.Rounds, "bootstrap", defaultRounds, "")
	fs.Uint64Var(&a.opt.Seed, "seed", defaultSeed, "")
	fs.BoolVar(&a.opt.Interval, "interval", false, "")
	fs.StringVar(&a.project, "project", "", "")

	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return a, usageError(err)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}

	if err := a.check(files, ties, order); err != nil {
		return a, usageError(err)
	}
	return a, nil
}

// check validates the arguments and completes the options.
func (a *agreementArgs) check(files []string, ties labelList, order string) error {
	switch {
	case len(files) > 1:
		return fmt.Errorf("one FILE expected, got %d", len(files))
	case len(files) == 1 && a.project != "":
		return errors.New("give FILE or --project, not both")
	case len(files) == 0 && a.project == "":
		return errors.New("give FILE or --project")
	case a.opt.MinShared < 1:
		return fmt.Errorf("--min-shared must be at least 1, got %d", a.opt.MinShared)
	case a.opt.Rounds < 0:
		return fmt.Errorf("--bootstrap must not be negative, got %d", a.opt.Rounds)
	}
	if len(files) == 1 {
		a.file = files[0]
	}

	a.opt.Ties = ties
	if len(ties) == 0 && a.project != "" {
		a.opt.Ties = []string{"tie"}
	}
	if order != "" {
		a.opt.Order = strings.Split(order, ",")
		for _, l := range a.opt.Order {
			if l == "" {
				return fmt.Errorf("--order %q has an empty label", order)
			}
		}
	}
	return nil
}

func usageError(err error) error {
	return fmt.Errorf("agreement: %w (see prefer agreement -h)", err)
}

// loadJudgments reads the judgments from the project or the file.
func loadJudgments(ctx context.Context, a agreementArgs,
	fromProject func(ctx context.Context, project string) ([]agreement.Judgment, error),
) ([]agreement.Judgment, error) {
	if a.project == "" {
		return readJudgmentsFile(a.file)
	}
	if fromProject == nil {
		return nil, errors.New("agreement: --project needs the database")
	}
	js, err := fromProject(ctx, a.project)
	if err != nil {
		return nil, fmt.Errorf("load judgments of project %q: %w", a.project, err)
	}
	return js, nil
}

// readJudgmentsFile reads a judgments file, gunzipping names ending in .gz.
func readJudgmentsFile(name string) ([]agreement.Judgment, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open judgments: %w", err)
	}
	defer f.Close()

	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		defer gz.Close()
		r = gz
	}
	return agreement.ReadJudgments(r, name)
}
