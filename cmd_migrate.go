package main

import (
	"context"
	"flag"
	"log/slog"
)

// runMigrate applies pending migrations and exits.
func runMigrate(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, closeDB, err := connect(ctx, log)
	if err != nil {
		return err
	}
	closeDB()
	log.Info("Database is up to date")
	return nil
}
