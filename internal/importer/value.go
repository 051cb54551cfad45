package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
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
	var s string
	if err := json.Unmarshal(v.raw, &s); err != nil {
		return "", v.errorf("bad string: %v", err)
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
	names   []string
	members []value
}

// get returns the member called name.
func (o *object) get(name string) (value, bool) {
	for i, n := range o.names {
		if n == name {
			return o.members[i], true
		}
	}
	return value{}, false
}

func (o *object) has(name string) bool {
	_, ok := o.get(name)
	return ok
}

// object splits v into its members, each with the line its value starts on.
func (v value) object() (*object, *Error) {
	if !v.isObject() {
		return nil, v.errorf("must be an object, found %s", v.kind())
	}
	o := &object{value: v}
	dec := json.NewDecoder(bytes.NewReader(v.raw))
	if _, err := dec.Token(); err != nil {
		return nil, v.errorf("bad JSON object: %v", err)
	}
	lines := lineCursor{raw: v.raw, line: v.line}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, v.errorf("bad JSON object: %v", err)
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, v.errorf("bad JSON object: %v", err)
		}
		start := int(dec.InputOffset()) - len(raw)
		m := value{raw: raw, line: lines.at(start), path: v.child(name)}
		if o.has(name) {
			return nil, m.errorf("appears twice in the same object")
		}
		o.names = append(o.names, name)
		o.members = append(o.members, m)
	}
	return o, nil
}

// list splits v into its elements, each with the line it starts on.
func (v value) list() ([]value, *Error) {
	if !v.isList() {
		return nil, v.errorf("must be a list, found %s", v.kind())
	}
	dec := json.NewDecoder(bytes.NewReader(v.raw))
	if _, err := dec.Token(); err != nil {
		return nil, v.errorf("bad JSON list: %v", err)
	}
	lines := lineCursor{raw: v.raw, line: v.line}
	var elems []value
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, v.errorf("bad JSON list: %v", err)
		}
		start := int(dec.InputOffset()) - len(raw)
		path := fmt.Sprintf("%s[%d]", v.path, i)
		elems = append(elems, value{raw: raw, line: lines.at(start), path: path})
	}
	return elems, nil
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
