package trainer

import (
	"testing"

	"github.com/gomlx/gomlx/backends"
)

func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := newBackend(Config{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
