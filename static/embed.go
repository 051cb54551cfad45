// Package static holds the stylesheet and the browser scripts, vendored and
// our own, embedded in the binary.
package static

import "embed"

// FS holds every file served under /static/.
//
//go:embed *.css *.js vendor
var FS embed.FS
