package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/prefer-dev/prefer/internal/agreement"
	"github.com/prefer-dev/prefer/internal/annotation"
)

// runAgreementCommand runs `prefer agreement`, opening the database only
// when --project asks for it.
func runAgreementCommand(ctx context.Context, args []string, stdout io.Writer,
	log *slog.Logger) error {
	fromProject := func(ctx context.Context, name string) ([]agreement.Judgment, error) {
		st, closeDB, err := connect(ctx, log)
		if err != nil {
			return nil, err
		}
		defer closeDB()

		p, err := st.ProjectByName(ctx, name)
		if err != nil {
			return nil, err
		}
		pjs, err := st.PairJudgments(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		return agreement.AgreementJudgments(pjs, p.AskStrength != annotation.AskOff), nil
	}
	return runAgreement(ctx, args, stdout, fromProject)
}
