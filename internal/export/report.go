package export

import (
	"encoding/json"
	"fmt"

	"github.com/prefer-dev/prefer/internal/agreement"
)

// ReportRounds is the bootstrap of the agreement report a dataset version
// carries; with the fixed seed the same judgments give the same report.
const (
	ReportRounds = 200
	reportSeed   = 1
)

// AgreementReport measures the agreement of a project's people's judgments
// as `prefer agreement --project` does (ties named "tie"; ranks on the
// strength scale when strengths are asked for) and returns it as JSON.
// rounds is the bootstrap behind alpha's intervals; zero skips them.
func AgreementReport(pjs []agreement.PairJudgment, strengths bool, rounds int) (
	json.RawMessage, error) {
	js := agreement.AgreementJudgments(pjs, strengths)
	r, err := agreement.Compute(js, agreement.Options{Ties: []string{"tie"},
		Rounds: rounds, Seed: reportSeed})
	if err != nil {
		return nil, fmt.Errorf("agreement report: %w", err)
	}
	out, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("agreement report: %w", err)
	}
	return out, nil
}
