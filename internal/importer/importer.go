package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strings"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// Containers a file can come in.
const (
	ContainerJSON  = "json"  // one JSON array of records
	ContainerJSONL = "jsonl" // JSON Lines: one record per line
)

// DefaultMaxErrors is how many problems Read collects before it stops.
const DefaultMaxErrors = 20

// maxWarnings bounds Report.Warnings; later ones are only counted.
const maxWarnings = 20

// maxLine bounds one JSON Lines record, so a file without newlines cannot
// exhaust memory.
const maxLine = 64 << 20

// Options tunes how Read interprets a file.
type Options struct {
	// Source names the annotator that an existing label of the file is kept
	// under (TRL, HH-RLHF, LLMBar). Default "source:" and the file's name
	// without directory and extensions.
	Source string

	// Map reads records of any other shape: target (prompt, a, b, id, tags,
	// model_a, model_b) to the record's field. See ParseMap.
	Map map[string]string

	// Tags are added to every pair.
	Tags []string

	// MaxErrors is how many problems to collect before stopping;
	// DefaultMaxErrors when zero.
	MaxErrors int

	// Progress, when set, is called as the file is read with the number of
	// bytes taken from r so far (compressed bytes for a gzip file).
	Progress func(read int64)
}

// Report says what Read found in a file.
type Report struct {
	Format    string // one of the Format constants
	Container string // ContainerJSON or ContainerJSONL
	Gzip      bool

	Records          int // records read, good or bad
	Pairs            int // pairs passed to emit
	Judgments        int // judgments on those pairs
	DuplicatesInFile int // records skipped because an earlier one had the same Key

	Bytes int64 // bytes taken from r

	Warnings     []*Error // things worth a look that do not stop the import
	MoreWarnings int      // warnings beyond the first ones kept
}

// Read streams the records of an import file to emit, one pair at a time,
// holding one record in memory (plus the keys seen, to skip duplicates).
// name is the file's name, used in errors and default labels. It unpacks
// gzip, accepts a JSON array or JSON Lines, and detects the format from the
// first record's fields.
//
// Read keeps reading after a bad record to report up to MaxErrors problems
// as an ErrorList of *Error: problems of the file, for its owner to fix. It
// stops calling emit at the first problem, but earlier pairs have been
// emitted: the caller must discard them (roll back). An error from emit or
// from ctx stops Read at once and comes back wrapped, not as an ErrorList.
func Read(
	ctx context.Context, name string, r io.Reader, opts Options,
	emit func(annotation.PairInput) error,
) (Report, error) {
	if len(opts.Map) > 0 {
		if err := CheckMap(opts.Map); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", name, err)
		}
	}
	rd := newReader(ctx, name, opts, emit)
	err := rd.run(r)
	rd.rep.Bytes = rd.counter.n
	if err != nil {
		return rd.rep, err
	}
	if len(rd.errs) > 0 {
		return rd.rep, rd.errs
	}
	return rd.rep, nil
}

// reader holds the state of one Read.
type reader struct {
	ctx     context.Context
	name    string
	opts    Options
	emit    func(annotation.PairInput) error
	rep     Report
	errs    ErrorList
	stopped bool
	counter *countingReader

	family string // format family of the first record

	// seen maps a hash of each Key to the line of its first record.
	// Limitation: it is the one thing that grows with the file, about
	// 40 bytes a pair (4 MB per 100k pairs).
	seen map[[16]byte]int32
}

func newReader(
	ctx context.Context, name string, opts Options, emit func(annotation.PairInput) error,
) *reader {
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxErrors
	}
	if opts.Source == "" {
		opts.Source = "source:" + stem(name)
	}
	return &reader{
		ctx: ctx, name: name, opts: opts, emit: emit,
		seen: make(map[[16]byte]int32),
	}
}

// stem is a file name without directory and extensions:
// "data/harmless-base-test.jsonl.gz" gives "harmless-base-test".
func stem(name string) string {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	for _, ext := range []string{".gz", ".jsonl", ".ndjson", ".json"} {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "" || base == "." || base == "/" {
		return "import"
	}
	return base
}

// run unpacks the input, finds its container and reads every record.
func (rd *reader) run(r io.Reader) error {
	rd.counter = &countingReader{r: r, progress: rd.opts.Progress}
	raw := bufio.NewReaderSize(rd.counter, 64<<10)
	src := io.Reader(raw)
	if magic, _ := raw.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(raw)
		if err != nil {
			rd.fail(&Error{Msg: fmt.Sprintf("not a readable gzip file: %v", err)})
			return nil
		}
		defer zr.Close()
		rd.rep.Gzip = true
		src = zr
	}

	body := bufio.NewReaderSize(src, 64<<10)
	first, skipped, err := skipLeading(body)
	if err != nil {
		rd.fail(&Error{Line: skipped + 1, Msg: readProblem(err)})
		return nil
	}
	switch first {
	case 0:
		rd.fail(&Error{Msg: "the file holds no records"})
		return nil
	case '[':
		rd.rep.Container = ContainerJSON
		return rd.readArray(body, skipped+1)
	case '{':
		rd.rep.Container = ContainerJSONL
		return rd.readLines(body, skipped)
	}
	rd.fail(&Error{Line: skipped + 1, Msg: fmt.Sprintf(
		"not JSON records: expected a JSON array or JSON Lines of objects, found %q",
		first)})
	return nil
}

// skipLeading consumes a byte order mark and white space, counting newlines,
// and returns the first other byte (left unread), or 0 at the end.
func skipLeading(br *bufio.Reader) (first byte, newlines int, err error) {
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xef, 0xbb, 0xbf}) {
		br.Discard(3)
	}
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return 0, newlines, nil
		}
		if err != nil {
			return 0, newlines, err
		}
		switch c {
		case '\n':
			newlines++
		case ' ', '\t', '\r':
		default:
			return c, newlines, br.UnreadByte()
		}
	}
}

// readProblem words an error of the underlying reader, such as a cut-off
// gzip stream, for the user.
func readProblem(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the file ends early (cut off?)"
	}
	return fmt.Sprintf("cannot read the file: %v", err)
}

// readLines reads JSON Lines, one record per non-blank line.
func (rd *reader) readLines(br *bufio.Reader, line int) error {
	var buf []byte
	for !rd.stopped {
		var err error
		buf, err = readLine(br, buf[:0])
		if len(buf) > 0 || err == nil {
			line++
		}
		if rec := bytes.TrimSpace(buf); len(rec) > 0 {
			if err := rd.lineRecord(rec, line); err != nil {
				return err
			}
		}
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, errLineTooLong):
			rd.fail(&Error{Line: line, Msg: "line is longer than 64 MiB"})
			return nil
		case err != nil:
			rd.fail(&Error{Line: line, Msg: readProblem(err)})
			return nil
		}
	}
	return nil
}

var errLineTooLong = errors.New("line too long")

// readLine appends the next line, without its newline, to buf.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			if len(buf) > maxLine {
				return buf[:0], errLineTooLong
			}
			continue
		}
		if err == nil {
			buf = buf[:len(buf)-1]
		}
		return buf, err
	}
}

// lineRecord checks that one line is JSON and reads it as a record.
func (rd *reader) lineRecord(rec []byte, line int) error {
	if json.Valid(rec) {
		return rd.record(rec, line)
	}
	rd.rep.Records++
	rd.fail(&Error{Line: line, Msg: lineProblem(rec)})
	return nil
}

// lineProblem says why a line is not JSON.
func lineProblem(rec []byte) string {
	err := json.Unmarshal(rec, new(json.RawMessage))
	if err == nil {
		return "bad JSON"
	}
	var se *json.SyntaxError
	switch {
	case strings.Contains(err.Error(), "unexpected end of JSON input"):
		return "bad JSON: " + err.Error() + " (JSON Lines needs one whole record per line; " +
			"write records that span lines as a JSON array)"
	case errors.As(err, &se):
		return fmt.Sprintf("bad JSON at column %d: %v", se.Offset, err)
	}
	return "bad JSON: " + err.Error()
}

// readArray reads a JSON array element by element, so only one record is
// in memory at a time.
func (rd *reader) readArray(body io.Reader, firstLine int) error {
	lines := &lineTracker{r: body}
	dec := json.NewDecoder(lines)
	if _, err := dec.Token(); err != nil {
		rd.fail(&Error{Line: firstLine, Msg: "bad JSON: " + err.Error()})
		return nil
	}
	for dec.More() && !rd.stopped {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			rd.fail(rd.streamError(err, dec, lines, firstLine))
			return nil
		}
		start := dec.InputOffset() - int64(len(raw))
		if err := rd.record(raw, firstLine+lines.newlinesBefore(start)); err != nil {
			return err
		}
	}
	if rd.stopped {
		return nil
	}
	if _, err := dec.Token(); err != nil {
		rd.fail(rd.streamError(err, dec, lines, firstLine))
		return nil
	}
	switch _, err := dec.Token(); {
	case err == io.EOF:
	case err != nil && !isSyntax(err):
		rd.fail(rd.streamError(err, dec, lines, firstLine))
	default:
		line := firstLine + lines.newlinesBefore(dec.InputOffset())
		rd.fail(&Error{Line: line, Msg: "unexpected data after the JSON array"})
	}
	return nil
}

func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

// streamError locates a syntax or read error inside a JSON array.
func (rd *reader) streamError(err error, dec *json.Decoder, lines *lineTracker, first int) *Error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := first + lines.newlinesBefore(se.Offset)
		return &Error{Line: line, Msg: "bad JSON: " + err.Error()}
	}
	line := first + lines.newlinesBefore(lines.pos)
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		if rd.rep.Gzip {
			return &Error{Line: line, Msg: "the file ends early: " + err.Error()}
		}
		return &Error{Line: line, Msg: "the file ends before the JSON array is closed"}
	}
	return &Error{Line: line, Msg: readProblem(err)}
}

// fail files one problem and stops reading once there are enough.
func (rd *reader) fail(e *Error) {
	if rd.stopped {
		return
	}
	e.File = rd.name
	rd.errs = append(rd.errs, e)
	if len(rd.errs) >= rd.opts.MaxErrors {
		rd.errs = append(rd.errs, &Error{File: rd.name, Line: e.Line,
			Msg: fmt.Sprintf("stopped after %d problems", len(rd.errs))})
		rd.stopped = true
	}
}

// warn notes something worth a look that does not stop the import.
func (rd *reader) warn(e *Error) {
	if len(rd.rep.Warnings) >= maxWarnings {
		rd.rep.MoreWarnings++
		return
	}
	e.File = rd.name
	rd.rep.Warnings = append(rd.rep.Warnings, e)
}

// record reads one record, skips it if its Key was seen, and emits it while
// the file has no problems so far.
func (rd *reader) record(raw []byte, line int) error {
	if err := rd.ctx.Err(); err != nil {
		return fmt.Errorf("read %s: %w", rd.name, err)
	}
	rd.rep.Records++
	var ps problems
	p := rd.parse(value{raw: raw, line: line}, &ps)
	for _, e := range ps.list {
		rd.fail(e)
	}
	if !ps.ok() {
		return nil
	}

	key := p.Key()
	sum := sha256.Sum256([]byte(key))
	h := [16]byte(sum[:16])
	if first, dup := rd.seen[h]; dup {
		rd.rep.DuplicatesInFile++
		rd.warn(&Error{Line: line, Msg: fmt.Sprintf(
			"same pair as line %d (%s); skipped", first, keyKind(key))})
		return nil
	}
	rd.seen[h] = int32(min(line, math.MaxInt32))
	if len(rd.errs) > 0 {
		return nil
	}

	if err := rd.emit(p); err != nil {
		return fmt.Errorf("import %s line %d: %w", rd.name, line, err)
	}
	rd.rep.Pairs++
	rd.rep.Judgments += len(p.Judgments)
	return nil
}

func keyKind(key string) string {
	if strings.HasPrefix(key, "id:") {
		return "same id"
	}
	return "same prompt and responses"
}

// countingReader counts the bytes read from r and reports them.
type countingReader struct {
	r        io.Reader
	n        int64
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil && n > 0 {
		c.progress(c.n)
	}
	return n, err
}

// lineTracker remembers where the newlines are in the stretch of input that
// a json.Decoder has read but not yet used, so an offset maps to a line.
// Offsets must be asked for in increasing order.
type lineTracker struct {
	r      io.Reader
	pos    int64   // bytes read so far
	nl     []int64 // offsets of newlines not yet passed
	passed int     // newlines before the last offset asked for
}

func (t *lineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		t.nl = append(t.nl, t.pos+int64(i+j))
		i += j + 1
	}
	t.pos += int64(n)
	return n, err
}

// newlinesBefore counts the newlines before offset off.
func (t *lineTracker) newlinesBefore(off int64) int {
	i := 0
	for i < len(t.nl) && t.nl[i] < off {
		i++
	}
	t.passed += i
	t.nl = t.nl[i:]
	return t.passed
}
