package templates

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBiasChart(t *testing.T) {
	c := NewBiasChart([]BiasBar{
		{Name: "fair", Left: 0.5, Of: 40},
		{Name: "lefty", Left: 1, Of: 40, Biased: true},
		{Name: "none", Left: math.NaN()},
	})
	type bar struct {
		W    float64
		Fill string
	}
	var got []bar
	for _, b := range c.Bars {
		got = append(got, bar{b.W, b.Fill})
	}
	// The plot is 360 wide: half of it for a fair annotator, all for one
	// who always picks left, in red; none for one without side picks.
	want := []bar{{180, "#4a78c2"}, {360, "#c0392b"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bars (-want +got):\n%s", diff)
	}
}

func TestKappaColour(t *testing.T) {
	tests := []struct {
		k         float64
		fill, ink string
	}{
		{0, "#ffffff", "#111111"},
		{1, "#2166ac", "#ffffff"},
		{-1, "#b2182b", "#ffffff"},
		{0.5, "#90b3d6", "#111111"},
	}
	for _, tc := range tests {
		fill, ink := kappaColour(tc.k)
		if fill != tc.fill || ink != tc.ink {
			t.Errorf("kappa %g: %s on %s, want %s on %s", tc.k, ink, fill, tc.ink, tc.fill)
		}
	}
}

func TestHeatmapCells(t *testing.T) {
	h := NewHeatmap([]string{"x", "y"}, func(a, b string) (float64, int, bool) {
		return 0.25, 12, true
	})
	var texts []string
	for _, c := range h.Cells {
		texts = append(texts, c.Text)
	}
	if diff := cmp.Diff([]string{"", "0.25", "0.25", ""}, texts); diff != "" {
		t.Errorf("cell texts (-want +got):\n%s", diff)
	}
}
