package importer

import (
	"fmt"
	"strings"
)

// Error is one problem found in an import file, located by line and field.
// Warnings use the same shape.
type Error struct {
	File  string // the file's name as given to Read
	Line  int    // 1-based line where the record or the bad field starts; 0 if unknown
	Field string // path of the bad field, such as "judgments[1].choice"; empty for the record
	Msg   string
}

// Error formats the problem as file:line: field "x": message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q: ", e.Field)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList holds every problem found in a file, in file order, up to
// Options.MaxErrors. Read returns it when the file holds at least one.
type ErrorList []*Error

// Error writes one problem per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap lets errors.As reach each *Error.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// problems collects the errors of one record before the reader files them.
type problems struct {
	list []*Error
}

func (p *problems) add(e *Error) {
	if e != nil {
		p.list = append(p.list, e)
	}
}

func (p *problems) ok() bool { return len(p.list) == 0 }
