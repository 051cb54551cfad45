package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/prefer-dev/prefer/internal/export"
	"github.com/prefer-dev/prefer/internal/store"
)

const exportUsage = `usage: prefer export --project P --format FORMAT [flags]

Writes a project's pairs as a preference dataset, JSON Lines, to stdout or
--out FILE (gzip when FILE ends in .gz). With --split, two files: FILE's
train and test parts, "train" or "test" put before the extensions
(data.jsonl.gz gives data.train.jsonl.gz and data.test.jsonl.gz).

formats:
  trl                 {"prompt", "chosen", "rejected", "meta"}, plain strings
  trl-conversational  prompt as chat messages, chosen and rejected as lists
  kto                 {"prompt", "completion", "label", "meta"}, unpaired
  judgments           one row per judgment, the input of prefer agreement

flags:
  --project P         the project (required)
  --format F          one of the formats above (default trl)
  --consensus RULE    majority, unanimous or adjudicated (default majority)
  --min-agreement X   least share of votes for the consensus label, 0..1
  --exclude-ties      leave out pairs whose consensus is a tie
  --tag T             keep only pairs with tag T (repeatable: any of them)
  --split S           train share, e.g. 0.9 (needs --out)
  --seed N            seed of the split (default 1)
  --out FILE          write to FILE instead of stdout
  --freeze NAME       also store the export as the dataset version NAME
`

// exportArgs are the parsed command line of `prefer export`.
type exportArgs struct {
	project string
	opt     export.Options
	out     string
	freeze  string
}

func parseExportArgs(args []string) (exportArgs, error) {
	a := exportArgs{opt: export.DefaultOptions()}
	var format, rule string
	var tags stringList
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.project, "project", "", "")
	fs.StringVar(&format, "format", string(export.FormatTRL), "")
	fs.StringVar(&rule, "consensus", string(export.RuleMajority), "")
	fs.Float64Var(&a.opt.MinAgreement, "min-agreement", 0, "")
	fs.BoolVar(&a.opt.ExcludeTies, "exclude-ties", false, "")
	fs.Var(&tags, "tag", "")
	fs.Float64Var(&a.opt.Split, "split", 0, "")
	fs.Uint64Var(&a.opt.Seed, "seed", 1, "")
	fs.StringVar(&a.out, "out", "", "")
	fs.StringVar(&a.freeze, "freeze", "", "")
	if err := fs.Parse(args); err != nil {
		return a, err
	}

	a.opt.Format, a.opt.Rule, a.opt.Tags = export.Format(format), export.Rule(rule), tags
	if !a.opt.Splits() {
		a.opt.Seed = 0
	}
	switch {
	case fs.NArg() > 0:
		return a, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case a.project == "":
		return a, errors.New("--project is required")
	case a.opt.Splits() && a.out == "":
		return a, errors.New("--split writes two files: give --out FILE")
	}
	if err := a.opt.Validate(); err != nil {
		// Validate names fields as people read them; here they are flags.
		msg := strings.Replace(err.Error(), "min agreement", "min-agreement", 1)
		return a, fmt.Errorf("--%s", msg)
	}
	return a, nil
}

// runExport runs `prefer export`.
func runExport(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	a, err := parseExportArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		_, err = fmt.Fprint(stdout, exportUsage)
		return err
	}
	if err != nil {
		return fmt.Errorf("export: %w (see prefer export -h)", err)
	}

	st, closeDB, err := connect(ctx, log)
	if err != nil {
		return err
	}
	defer closeDB()
	p, err := st.ProjectByName(ctx, a.project)
	if err != nil {
		return err
	}

	counts, err := writeExport(ctx, st, p.ID, a, stdout)
	if err != nil {
		return err
	}
	log.Info("Exported", slog.String("project", p.Name), slog.Int("pairs", counts.Pairs),
		slog.Int("kept", counts.Kept), slog.Int("rows", counts.Rows),
		slog.Int("train", counts.Train), slog.Int("test", counts.Test))
	if a.freeze == "" {
		return nil
	}
	v, err := st.FreezeDataset(ctx, p.ID, a.freeze, a.opt, 0)
	if err != nil {
		return err
	}
	log.Info("Froze dataset version", slog.Int64("id", v.ID), slog.String("name", v.Name),
		slog.String("sha256", v.SHA256))
	return nil
}

// writeExport writes the export to stdout or to the --out file(s).
func writeExport(ctx context.Context, st *store.Store, projectID int64, a exportArgs,
	stdout io.Writer) (export.Counts, error) {
	if a.out == "" {
		w := bufio.NewWriterSize(stdout, 256<<10)
		counts, err := st.Export(ctx, projectID, a.opt, w, nil)
		if err != nil {
			return counts, err
		}
		return counts, w.Flush()
	}

	names := []string{a.out}
	if a.opt.Splits() {
		train, test := export.PartNames(a.out)
		names = []string{train, test}
	}
	files := make([]*outFile, len(names))
	for i, name := range names {
		f, err := createOut(name)
		if err != nil {
			closeAll(files)
			return export.Counts{}, err
		}
		files[i] = f
	}
	var test io.Writer
	if len(files) == 2 {
		test = files[1]
	}
	counts, err := st.Export(ctx, projectID, a.opt, files[0], test)
	if err != nil {
		closeAll(files)
		return counts, err
	}
	for _, f := range files {
		if err := f.Close(); err != nil {
			return counts, err
		}
	}
	return counts, nil
}

// outFile is an output file, buffered and gzip-compressed when its name
// ends in .gz.
type outFile struct {
	name string
	f    *os.File
	gz   *gzip.Writer
	buf  *bufio.Writer
}

func createOut(name string) (*outFile, error) {
	f, err := os.Create(name)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	o := &outFile{name: name, f: f}
	var w io.Writer = f
	if strings.HasSuffix(name, ".gz") {
		o.gz = gzip.NewWriter(f)
		w = o.gz
	}
	o.buf = bufio.NewWriterSize(w, 256<<10)
	return o, nil
}

func (o *outFile) Write(p []byte) (int, error) { return o.buf.Write(p) }

// Close flushes and closes the file, reporting the first failure.
func (o *outFile) Close() error {
	err := o.buf.Flush()
	if o.gz != nil {
		err = errors.Join(err, o.gz.Close())
	}
	err = errors.Join(err, o.f.Close())
	if err != nil {
		return fmt.Errorf("write %s: %w", o.name, err)
	}
	return nil
}

func closeAll(files []*outFile) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}
