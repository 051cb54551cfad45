package web

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
)

// exportDownload streams the export the query describes as JSON Lines.
// With a split, part says which part: train (the default) or test.
func (s *Server) exportDownload(w http.ResponseWriter, r *http.Request) {
	p, err := s.projectParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o, _, err := readExportForm(r, p.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	part := valueOr(r.FormValue("part"), "train")
	if part != "train" && part != "test" {
		s.fail(w, r, badInput(fmt.Sprintf("part: %q is not train or test", part)))
		return
	}

	name := fileName(p.Name) + "-" + string(o.Format)
	if o.Splits() {
		name += "." + part
	}
	w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.jsonl"`)
	sent := &sentCounter{w: w}
	bw := bufio.NewWriterSize(sent, 256<<10)
	var train, test io.Writer = bw, nil
	if o.Splits() && part == "test" {
		train, test = nil, bw
	}

	// The status is sent with the first rows: a failure before them is
	// answered as an error; after them it can only cut the download short.
	counts, err := s.store.Export(r.Context(), p.ID, o, train, test)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil && sent.n == 0 {
		w.Header().Del("Content-Disposition")
		s.fail(w, r, err)
		return
	}
	if err != nil {
		s.log.Error("Export failed", slog.Int64("project_id", p.ID), slog.Any("err", err))
		return
	}
	s.log.Info("Exported", slog.Int64("project_id", p.ID), slog.String("format",
		string(o.Format)), slog.Int("rows", counts.Rows))
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName makes a name fit for a download's file name.
func fileName(s string) string {
	if n := unsafeName.ReplaceAllString(s, "_"); n != "" {
		return n
	}
	return "export"
}

// sentCounter counts the bytes that went out to the client.
type sentCounter struct {
	w io.Writer
	n int64
}

func (c *sentCounter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
