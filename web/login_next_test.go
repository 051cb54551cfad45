package web

import "testing"

func TestSafeNext(t *testing.T) {
	tests := map[string]string{
		"":                  "/",
		"/annotate/3":       "/annotate/3",
		"/review?x=1":       "/review?x=1",
		"//evil.example":    "/",
		"/\\evil.example":   "/",
		"/\t/evil.example":  "/",
		"/\n/evil.example":  "/",
		"https://evil.test": "/",
		"annotate":          "/",
	}
	for in, want := range tests {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
