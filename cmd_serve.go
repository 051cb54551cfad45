package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prefer-dev/prefer/internal/demo"
	"github.com/prefer-dev/prefer/web"
)

// runServe runs the web application until ctx ends, then shuts down in
// order: stop taking requests, finish the ones under way, close the
// database. With withDemo it first seeds demo accounts and data.
func runServe(ctx context.Context, args []string, log *slog.Logger, withDemo bool,
	stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}

	st, closeDB, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()

	var accounts []demo.Account
	if withDemo {
		if accounts, err = demo.Seed(ctx, st, log); err != nil {
			return err
		}
	}

	// Deferred after closeDB: training stops, after the requests, before the pool closes.
	stopTraining := startTraining(ctx, cfg, st, log)
	defer stopTraining()

	srv := &http.Server{
		Handler:           web.New(st, log, web.Options{SessionKey: cfg.SessionKey, Secure: cfg.Secure}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	printWelcome(stdout, "http://"+ln.Addr().String(), accounts)
	log.Info("Serving", slog.String("addr", ln.Addr().String()))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	log.Info("Shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func printWelcome(w io.Writer, url string, accounts []demo.Account) {
	fmt.Fprintf(w, "\nprefer is running at %s\n", url)
	if len(accounts) == 0 {
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintln(w, "\nDemo accounts (new passwords on every demo start):")
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-10s %-24s %s\n", a.Role, a.Email, a.Password)
	}
	fmt.Fprintln(w, "\nPress Ctrl+C to stop.")
}
