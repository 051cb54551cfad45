// Package migrations holds prefer's database schema as numbered goose SQL
// files, embedded in the binary.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
