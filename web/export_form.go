package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/prefer-dev/prefer/internal/annotation"
	"github.com/prefer-dev/prefer/internal/export"
	"github.com/prefer-dev/prefer/templates"
)

// readExportForm reads the export options from the query or the posted
// form. It returns the form as typed, to show again, with the options; a
// bad option is an input error naming the field.
func readExportForm(r *http.Request, projectID int64) (export.Options, templates.ExportForm,
	error) {
	f := templates.ExportForm{
		ProjectID:    projectID,
		Format:       valueOr(r.FormValue("format"), string(export.FormatTRL)),
		Rule:         valueOr(r.FormValue("consensus"), string(export.RuleMajority)),
		MinAgreement: strings.TrimSpace(r.FormValue("min_agreement")),
		ExcludeTies:  r.FormValue("exclude_ties") != "",
		Tags:         r.FormValue("tags"),
		Split:        strings.TrimSpace(r.FormValue("split")),
		Seed:         valueOr(strings.TrimSpace(r.FormValue("seed")), "1"),
		Name:         r.FormValue("name"),
	}
	for _, fm := range export.Formats {
		f.Formats = append(f.Formats, string(fm))
	}
	for _, ru := range export.Rules {
		f.Rules = append(f.Rules, string(ru))
	}

	o := export.Options{Format: export.Format(f.Format), Rule: export.Rule(f.Rule),
		ExcludeTies: f.ExcludeTies, Tags: annotation.ParseTags(f.Tags)}
	var err error
	if o.MinAgreement, err = number(f.MinAgreement, "least agreement"); err != nil {
		return o, f, err
	}
	if o.Split, err = number(f.Split, "train share"); err != nil {
		return o, f, err
	}
	if o.Splits() {
		if o.Seed, err = strconv.ParseUint(f.Seed, 10, 64); err != nil {
			return o, f, badInput(fmt.Sprintf("seed: %q is not a whole number", f.Seed))
		}
	}
	if len(o.Tags) == 0 {
		o.Tags = nil
	}
	if err := o.Validate(); err != nil {
		return o, f, badInput(err.Error())
	}
	return o, f, nil
}

func number(s, field string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, badInput(fmt.Sprintf("%s: %q is not a number", field, s))
	}
	return x, nil
}

func valueOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// countsView turns export counts into the view-model, reasons and tags in
// a stable order.
func countsView(c export.Counts, split bool) templates.ExportCounts {
	v := templates.ExportCounts{Pairs: c.Pairs, Kept: c.Kept, Rows: c.Rows, Train: c.Train,
		Test: c.Test, Chosen: c.Chosen, Ties: c.Ties, BothBad: c.BothBad, Sourced: c.Sourced,
		Adjudicated: c.Adjudged, Split: split}
	for reason, n := range c.Excluded {
		v.Excluded = append(v.Excluded, templates.NameCount{
			Name: strings.ReplaceAll(string(reason), "_", " "), Count: n})
	}
	sort.Slice(v.Excluded, func(i, j int) bool { return v.Excluded[i].Name < v.Excluded[j].Name })
	for _, t := range c.SortedTags() {
		v.Tags = append(v.Tags, templates.NameCount{Name: t.Tag, Count: t.Pairs})
	}
	return v
}
