package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/prefer-dev/prefer/internal/export"
	"github.com/prefer-dev/prefer/templates"
)

// datasetShow shows one dataset version.
func (s *Server) datasetShow(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "version")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.store.DatasetVersion(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	runs, err := s.store.VersionRuns(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}

	vp := templates.VersionPage{Page: page(r, v.Name, "datasets"), Version: versionRow(v),
		Options: optionsView(v.Options), Counts: countsView(v.Counts, v.Split()),
		Agreement: agreementView(v.Agreement), AgreementJSON: indent(v.Agreement)}
	for _, run := range runs {
		vp.Runs = append(vp.Runs, templates.RunRow{ID: run.ID, Status: run.Status})
	}
	s.render(w, r, http.StatusOK, templates.DatasetVersion(vp))
}

func optionsView(o export.Options) []templates.NameValue {
	out := []templates.NameValue{
		{Name: "Format", Value: string(o.Format)},
		{Name: "Consensus", Value: string(o.Rule)},
		{Name: "Least agreement", Value: strconv.FormatFloat(o.MinAgreement, 'f', -1, 64)},
		{Name: "Ties left out", Value: strconv.FormatBool(o.ExcludeTies)},
		{Name: "Tags", Value: valueOr(strings.Join(o.Tags, ", "), "any")},
	}
	if o.Splits() {
		out = append(out, templates.NameValue{Name: "Split",
			Value: fmt.Sprintf("%v train, seed %d", o.Split, o.Seed)})
	}
	return out
}

// agreementFigures are the report's headline figures, in the order shown.
var agreementFigures = []struct{ key, name string }{
	{"items", "Pairs"},
	{"annotators", "Annotators"},
	{"judgments", "Judgments"},
	{"percent_agreement", "Percent agreement"},
	{"krippendorff_alpha_nominal", "Krippendorff's alpha (nominal)"},
	{"krippendorff_alpha_ordinal", "Krippendorff's alpha (ordinal)"},
	{"fleiss_kappa", "Fleiss' kappa"},
}

// agreementView picks the headline figures of an agreement report.
func agreementView(report json.RawMessage) []templates.NameValue {
	var m map[string]any
	if err := json.Unmarshal(report, &m); err != nil {
		return nil
	}
	var out []templates.NameValue
	for _, f := range agreementFigures {
		v, ok := m[f.key]
		if !ok {
			continue
		}
		text := "undefined"
		if x, isNum := v.(float64); isNum {
			text = strconv.FormatFloat(x, 'f', -1, 64)
			if x != math.Trunc(x) {
				text = strconv.FormatFloat(x, 'f', 3, 64)
			}
		}
		out = append(out, templates.NameValue{Name: f.name, Value: text})
	}
	return out
}

func indent(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}
