package markdown

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		contains []string
		absent   []string
	}{
		{"emphasis", "some *em* text", []string{"<em>em</em>"}, nil},
		{"code block", "```go\nfmt.Println(1 < 2)\n```",
			[]string{`<code class="language-go">`, "1 &lt; 2"}, nil},
		{"script", "hi <script>alert(1)</script>", nil, []string{"<script"}},
		{"onerror image", `<img src=x onerror="alert(1)">`, nil, []string{"onerror"}},
		{"javascript link", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render(tt.src)
			for _, s := range tt.contains {
				if !strings.Contains(got, s) {
					t.Errorf("Render(%q) = %q, want it to contain %q", tt.src, got, s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(got, s) {
					t.Errorf("Render(%q) = %q, must not contain %q", tt.src, got, s)
				}
			}
		})
	}
}
