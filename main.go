// Command prefer collects human preference judgments on pairs of language
// model responses, measures agreement, exports datasets and trains models
// on them. Run `prefer help` for its subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `prefer: preference data for language models, from judgments to a trained model.

Usage: prefer COMMAND [flags]

Commands:
  serve       run the web application
  demo        run the web application with demo accounts and data
  migrate     apply database migrations
  user        add people: prefer user add --email E --role R
  import      import pairs: prefer import --project P FILE...
  agreement   agreement statistics of a judgments file or a project
  export      write a preference dataset: prefer export --project P --format F
  train       train a model on an exported dataset file
  worker      train the runs queued from the admin page (DATABASE_URL required)

Configuration comes from the environment: DATABASE_URL, ADDR, DATA_DIR,
SESSION_KEY or SESSION_KEY_FILE. See the README.
`

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, log)
	stop()

	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "prefer: %v\n", err)
		os.Exit(1)
	}
}

// run dispatches a subcommand.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer,
	log *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]

	switch cmd {
	case "serve":
		return runServe(ctx, rest, log, false, stdout)
	case "demo":
		return runServe(ctx, rest, log, true, stdout)
	case "migrate":
		return runMigrate(ctx, rest, log)
	case "user":
		return runUser(ctx, rest, stdin, stdout, log)
	case "import":
		return runImport(ctx, rest, stdout, log)
	case "agreement":
		return runAgreementCommand(ctx, rest, stdout, log)
	case "export":
		return runExport(ctx, rest, stdout, log)
	case "train":
		return runTrain(ctx, rest, stdout, stderr)
	case "worker":
		return runWorker(ctx, rest, log)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}
