package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// value is one JSON value of a record, kept as raw text with the line it
// starts on and its path from the record, so every error can point at it.
type value struct {
	raw  []byte
	line int
	path string
}

// kind names the JSON type of v for error messages.
func (v value) kind() string {
	if len(v.raw) == 0 {
		return "nothing"
	}
	switch v.raw[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func (v value) isNull() bool { return len(v.raw) == 0 || v.raw[0] == 'n' }

func (v value) isString() bool { return len(v.raw) > 0 && v.raw[0] == '"' }

func (v value) isList() bool { return len(v.raw) > 0 && v.raw[0] == '[' }

func (v value) isObject() bool { return len(v.raw) > 0 && v.raw[0] == '{' }

func (v value) isNumber() bool {
	return len(v.raw) > 0 && (v.raw[0] == '-' || (v.raw[0] >= '0' && v.raw[0] <= '9'))
}

// errorf makes an error located at v; the reader adds the file name.
func (v value) errorf(format string, args ...any) *Error {
	return &Error{Line: v.line, Field: v.path, Msg: fmt.Sprintf(format, args...)}
}

func (v value) child(name string) string {
	if v.path == "" {
		return name
	}
	return v.path + "." + name
}

// str reads v as a JSON string.
func (v value) str() (string, *Error) {
	if !v.isString() {
		return "", v.errorf("must be a string, found %s", v.kind())
	}
	s := unquote(v.raw)
	if strings.IndexByte(s, 0) >= 0 {
		return "", v.errorf("holds a NUL character (\\u0000), which cannot be stored")
	}
	return s, nil
}

// integer reads v as a JSON number without a fraction.
func (v value) integer() (int, *Error) {
	if !v.isNumber() {
		return 0, v.errorf("must be a whole number, found %s", v.kind())
	}
	n, err := strconv.Atoi(string(v.raw))
	if err != nil {
		return 0, v.errorf("must be a whole number, found %s", v.raw)
	}
	return n, nil
}

// object is a JSON object whose members keep their order, lines and paths.
type object struct {
	value
	members []member
	index   map[string]int // names to positions, only for large objects
}

// member is one name and value of an object.
type member struct {
	name string
	value
}

// smallObject is the size up to which members are found by a linear scan.
const smallObject = 16

// get returns the member called name.
func (o *object) get(name string) (value, bool) {
	if o.index != nil {
		i, ok := o.index[name]
		if !ok {
			return value{}, false
		}
		return o.members[i].value, true
	}
	for _, m := range o.members {
		if m.name == name {
			return m.value, true
		}
	}
	return value{}, false
}

func (o *object) has(name string) bool {
	_, ok := o.get(name)
	return ok
}

// names lists the member names in order.
func (o *object) names() []string {
	names := make([]string, len(o.members))
	for i, m := range o.members {
		names[i] = m.name
	}
	return names
}

// add appends a member, reporting false if the name is already there.
func (o *object) add(name string, v value) bool {
	if o.has(name) {
		return false
	}
	o.members = append(o.members, member{name, v})
	switch {
	case o.index != nil:
		o.index[name] = len(o.members) - 1
	case len(o.members) > smallObject:
		o.index = make(map[string]int, 2*len(o.members))
		for i, m := range o.members {
			o.index[m.name] = i
		}
	}
	return true
}

// object splits v into its members, each with the line its value starts on.
// The record was checked to be valid JSON when it was read, so a plain scan
// over the bytes is enough here.
func (v value) object() (*object, *Error) {
	if !v.isObject() {
		return nil, v.errorf("must be an object, found %s", v.kind())
	}
	o := &object{value: v, members: make([]member, 0, 8)}
	lines := lineCursor{raw: v.raw, line: v.line}
	b := v.raw
	for i := skipSpace(b, 1); i < len(b) && b[i] != '}'; {
		end := skipString(b, i)
		name := unquote(b[i:end])
		i = skipSpace(b, skipSpace(b, end)+1) // past the colon
		vend := skipValue(b, i)
		m := value{raw: b[i:vend], line: lines.at(i), path: v.child(name)}
		if !o.add(name, m) {
			return nil, m.errorf("appears twice in the same object")
		}
		i = skipSpace(b, vend)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return o, nil
}

// list splits v into its elements, each with the line it starts on.
func (v value) list() ([]value, *Error) {
	if !v.isList() {
		return nil, v.errorf("must be a list, found %s", v.kind())
	}
	lines := lineCursor{raw: v.raw, line: v.line}
	b := v.raw
	elems := make([]value, 0, 2)
	for i := skipSpace(b, 1); i < len(b) && b[i] != ']'; {
		end := skipValue(b, i)
		path := v.path + "[" + strconv.Itoa(len(elems)) + "]"
		elems = append(elems, value{raw: b[i:end], line: lines.at(i), path: path})
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return elems, nil
}

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string that starts at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the value that starts at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
		i++
	}
	return i
}

// unquote reads a JSON string literal, quickly when it holds no escapes.
func unquote(lit []byte) string {
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	json.Unmarshal(lit, &s)
	return s
}

// lineCursor turns increasing offsets into raw into line numbers.
type lineCursor struct {
	raw  []byte
	off  int
	line int
}

func (c *lineCursor) at(off int) int {
	if off > c.off {
		c.line += bytes.Count(c.raw[c.off:off], []byte{'\n'})
		c.off = off
	}
	return c.line
}
