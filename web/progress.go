package web

import (
	"context"
	"sync"
	"time"

	"github.com/prefer-dev/prefer/internal/store"
	"github.com/prefer-dev/prefer/templates"
)

// progressTTL is how stale the project-wide progress on the annotation
// screen may be. Counting reads every pair of a project, too much to do on
// every verdict; the annotator's own count is always fresh.
const progressTTL = 5 * time.Second

// progressCache keeps each project's progress for a few seconds. It is a
// cache only: another node computes its own.
type progressCache struct {
	mu      sync.Mutex
	entries map[int64]progressEntry
}

type progressEntry struct {
	p  store.Progress
	at time.Time
}

func (c *progressCache) get(ctx context.Context, st *store.Store,
	projectID int64) (store.Progress, error) {
	c.mu.Lock()
	e, ok := c.entries[projectID]
	c.mu.Unlock()
	if ok && time.Since(e.at) < progressTTL {
		return e.p, nil
	}

	p, err := st.ProjectProgress(ctx, projectID)
	if err != nil {
		return p, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[int64]progressEntry{}
	}
	c.entries[projectID] = progressEntry{p: p, at: time.Now()}
	c.mu.Unlock()
	return p, nil
}

// progress is the project's (cached) progress with the user's count today.
func (s *Server) progress(ctx context.Context, projectID, userID int64) (templates.Progress,
	error) {
	p, err := s.progressCache.get(ctx, s.store, projectID)
	if err != nil {
		return templates.Progress{}, err
	}
	today, err := s.store.JudgedToday(ctx, userID)
	if err != nil {
		return templates.Progress{}, err
	}
	return templates.Progress{Done: p.Done, Wanted: p.Wanted, Complete: p.Complete,
		Pairs: p.Pairs, Today: today}, nil
}
