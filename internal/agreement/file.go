package agreement

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ReadJudgments reads rows {"item", "annotator", "label"} from a JSON array
// or from JSON Lines, whichever r holds. Each field is a string or a number;
// numbers become their shortest text, so 1, 1.0 and "1" are one label.
// Other fields are ignored. Errors name the file, as name, and the line.
func ReadJudgments(r io.Reader, name string) ([]Judgment, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	var js []Judgment
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		js, err = readArray(data, name)
	} else {
		js, err = readLines(data, name)
	}
	if err != nil {
		return nil, err
	}
	if len(js) == 0 {
		return nil, fmt.Errorf("%s: no judgments", name)
	}
	return js, nil
}

// readArray reads a JSON array of rows, keeping track of lines.
func readArray(data []byte, name string) ([]Judgment, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s:1: %w", name, err)
	}

	lines := lineCounter{data: data}
	var js []Judgment
	for dec.More() {
		line := lines.at(startOfValue(data, int(dec.InputOffset())))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%s:%d: invalid JSON: %w", name, line, err)
		}
		j, err := parseRow(raw)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		js = append(js, j)
	}

	if _, err := dec.Token(); err != nil {
		line := lines.at(int(dec.InputOffset()))
		return nil, fmt.Errorf("%s:%d: invalid JSON: %w", name, line, err)
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		line := lines.at(len(data) - len(rest))
		return nil, fmt.Errorf("%s:%d: unexpected text after the array", name, line)
	}
	return js, nil
}

// readLines reads one row per line, skipping blank lines.
func readLines(data []byte, name string) ([]Judgment, error) {
	var js []Judgment
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}

		if !json.Valid(line) {
			return nil, fmt.Errorf("%s:%d: invalid JSON: %s", name, n, describeInvalid(line))
		}
		j, err := parseRow(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		js = append(js, j)
	}
	return js, nil
}

func describeInvalid(line []byte) string {
	var v any
	err := json.Unmarshal(line, &v)
	if err == nil {
		return "not a single value"
	}
	return err.Error()
}

// parseRow reads one row object.
func parseRow(raw []byte) (Judgment, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return Judgment{}, errors.New("row must be an object with item, annotator and label")
	}
	var row struct {
		Item      json.RawMessage `json:"item"`
		Annotator json.RawMessage `json:"annotator"`
		Label     json.RawMessage `json:"label"`
	}
	if err := json.Unmarshal(raw, &row); err != nil {
		return Judgment{}, fmt.Errorf("invalid JSON: %w", err)
	}

	var j Judgment
	var err error
	if j.Item, err = scalar(row.Item, "item"); err != nil {
		return Judgment{}, err
	}
	if j.Annotator, err = scalar(row.Annotator, "annotator"); err != nil {
		return Judgment{}, err
	}
	if j.Label, err = scalar(row.Label, "label"); err != nil {
		return Judgment{}, err
	}
	return j, nil
}

// scalar reads a field that must be a non-empty string or a number.
func scalar(raw json.RawMessage, field string) (string, error) {
	if len(raw) == 0 {
		return "", fmt.Errorf("field %q is missing", field)
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("field %q: %w", field, err)
		}
		if s == "" {
			return "", fmt.Errorf("field %q is empty", field)
		}
		return s, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return numberText(raw), nil
	}
	return "", fmt.Errorf("field %q must be a string or a number, not %s", field, kindOf(raw))
}

// numberText keeps an integer as written and writes other numbers in their
// shortest form.
func numberText(raw json.RawMessage) string {
	if !bytes.ContainsAny(raw, ".eE") {
		return string(raw)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return string(raw)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func kindOf(raw json.RawMessage) string {
	switch raw[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '[':
		return "an array"
	case '{':
		return "an object"
	}
	return string(raw)
}

// startOfValue skips the spaces and comma before the next array element.
func startOfValue(data []byte, off int) int {
	for off < len(data) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// lineCounter turns growing byte offsets into line numbers.
type lineCounter struct {
	data []byte
	pos  int
	line int
}

// at returns the line of offset off; offsets must not decrease.
func (l *lineCounter) at(off int) int {
	off = min(max(off, l.pos), len(l.data))
	l.line += bytes.Count(l.data[l.pos:off], []byte("\n"))
	l.pos = off
	return l.line + 1
}
