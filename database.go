package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prefer-dev/prefer/internal/config"
	"github.com/prefer-dev/prefer/internal/pgembed"
	"github.com/prefer-dev/prefer/internal/store"
)

// openDatabase connects to DATABASE_URL, or starts the private cluster in
// DATA_DIR when it is not set, and applies pending migrations. The returned
// function closes the pool and stops a cluster this process started.
func openDatabase(ctx context.Context, cfg config.Config,
	log *slog.Logger) (*store.Store, func(), error) {
	url := cfg.DatabaseURL
	stopCluster := func() {}

	if url == "" {
		cluster, err := pgembed.Start(ctx, cfg.DataDir, log)
		if err != nil {
			return nil, nil, err
		}
		url = cluster.URL()
		stopCluster = func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := cluster.Stop(ctx); err != nil {
				log.Error("Stop PostgreSQL", slog.Any("err", err))
			}
		}
	}

	if err := store.Migrate(ctx, url); err != nil {
		stopCluster()
		return nil, nil, err
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		stopCluster()
		return nil, nil, err
	}
	return st, func() { st.Close(); stopCluster() }, nil
}

// connect reads the configuration and opens the database, for the commands
// that need nothing else of the configuration.
func connect(ctx context.Context, log *slog.Logger) (*store.Store, func(), error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, nil, err
	}
	return openDatabase(ctx, cfg, log)
}

// loadConfig reads the environment once.
func loadConfig() (config.Config, error) {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}
