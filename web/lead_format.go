package web

import (
	"fmt"
	"math"
	"time"

	"github.com/prefer-dev/prefer/internal/agreement"
)

// dash stands for a figure that is not defined.
const dash = "—"

// fixed formats x with two decimals, or a dash when it is not defined.
func fixed(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return dash
	}
	return fmt.Sprintf("%.2f", x)
}

// pValue formats a p-value: two decimals, two significant digits below 0.01.
func pValue(p float64) string {
	if !math.IsNaN(p) && p < 0.01 {
		return fmt.Sprintf("%.2g", p)
	}
	return fixed(p)
}

// oneDecimal formats x with one decimal, or a dash when it is not defined.
func oneDecimal(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return dash
	}
	return fmt.Sprintf("%.1f", x)
}

// percent formats a share as a percentage, or a dash.
func percent(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return dash
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

// shareText formats hits of cases with their rate, or a dash when none.
func shareText(s agreement.Share) string {
	if s.Of == 0 {
		return dash
	}
	return fmt.Sprintf("%s (%d/%d)", percent(s.Rate()), s.Hits, s.Of)
}

// alphaText formats alpha with its bootstrap interval when there is one.
func alphaText(a agreement.Alpha) string {
	if math.IsNaN(a.Low) || math.IsNaN(a.High) {
		return fixed(a.Value)
	}
	return fmt.Sprintf("%s [%s, %s]", fixed(a.Value), fixed(a.Low), fixed(a.High))
}

// when formats a time for the lead's pages.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
