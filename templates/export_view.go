package templates

import (
	"fmt"
	"net/url"
	"strconv"
)

// ExportForm is the export page's options, as the admin typed them.
type ExportForm struct {
	ProjectID    int64
	Format       string
	Rule         string
	MinAgreement string
	ExcludeTies  bool
	Tags         string // comma-separated
	Split        string
	Seed         string
	Name         string // of a version to freeze
	Formats      []string
	Rules        []string
}

// Query is the form as URL parameters, for the download links.
func (f ExportForm) Query() url.Values {
	q := url.Values{"format": {f.Format}, "consensus": {f.Rule},
		"min_agreement": {f.MinAgreement}, "tags": {f.Tags}, "split": {f.Split},
		"seed": {f.Seed}}
	if f.ExcludeTies {
		q.Set("exclude_ties", "on")
	}
	return q
}

// PageURL is the export page.
func (f ExportForm) PageURL() string {
	return fmt.Sprintf("/admin/projects/%d/export", f.ProjectID)
}

// PreviewURL answers the form with the preview's counts.
func (f ExportForm) PreviewURL() string { return f.PageURL() + "/preview" }

// FreezeURL is where the form is posted to freeze a version.
func (f ExportForm) FreezeURL() string { return f.PageURL() + "/versions" }

// DownloadURL downloads the export, or one part of a split.
func (f ExportForm) DownloadURL(part string) string {
	q := f.Query()
	if part != "" {
		q.Set("part", part)
	}
	return f.PageURL() + "/download?" + q.Encode()
}

// NameCount is a label with a number.
type NameCount struct {
	Name  string
	Count int
}

// NameValue is a label with a shown value.
type NameValue struct {
	Name, Value string
}

// ExportCounts are what an export keeps and leaves out.
type ExportCounts struct {
	Pairs, Kept, Rows     int
	Train, Test           int
	Chosen, Ties, BothBad int
	Sourced, Adjudicated  int
	Split                 bool
	Excluded              []NameCount
	Tags                  []NameCount
}

// ExportPreview is the live part of the export page.
type ExportPreview struct {
	Form   ExportForm
	Counts ExportCounts
	Error  string
}

// ExportPage is the admin's export form with its preview.
type ExportPage struct {
	Page
	ProjectName string
	Form        ExportForm
	Preview     ExportPreview
}

// VersionRow is one dataset version in a list.
type VersionRow struct {
	ID          int64
	Name        string
	ProjectName string
	Format      string
	Rule        string
	Rows        int64
	TestRows    int64
	Split       bool
	SHA256      string
	TestSHA256  string
	Size        int
	TestSize    int
	CreatedBy   string
	Created     string
}

// URL is the version's page.
func (v VersionRow) URL() string { return fmt.Sprintf("/admin/datasets/%d", v.ID) }

// DownloadURL downloads a part of the version: "train" (every row without a
// split) or "test".
func (v VersionRow) DownloadURL(part string) string {
	return v.URL() + "/download?part=" + part
}

// RowsText says how many rows the version holds.
func (v VersionRow) RowsText() string {
	if v.Split {
		return fmt.Sprintf("%d train, %d test", v.Rows, v.TestRows)
	}
	return strconv.FormatInt(v.Rows, 10)
}

// DatasetsPage lists the dataset versions.
type DatasetsPage struct {
	Page
	Versions []VersionRow
}

// RunRow is a training run on a dataset version.
type RunRow struct {
	ID     int64
	Status string
}

// URL is the run's page.
func (r RunRow) URL() string { return fmt.Sprintf("/admin/runs/%d", r.ID) }

// VersionPage shows one dataset version.
type VersionPage struct {
	Page
	Version       VersionRow
	Options       []NameValue
	Counts        ExportCounts
	Agreement     []NameValue
	AgreementJSON string
	Runs          []RunRow
}

// Readiness says how far a project is from a dataset worth training on.
type Readiness struct {
	ProjectID int64
	Pairs     int // pairs with a clear majority preference
	Target    int
	Judged    int // pairs with any vote
	Ties      int
	BothBad   int
	Agreement []NameValue
	Tags      []NameCount
}

// Percent is Pairs as a share of Target, 0 to 100.
func (r Readiness) Percent() int {
	if r.Target == 0 || r.Pairs >= r.Target {
		return 100
	}
	return r.Pairs * 100 / r.Target
}

// TieShare is the share of judged pairs whose consensus is a tie.
func (r Readiness) TieShare() string { return share(r.Ties, r.Judged) }

// BothBadShare is the share of judged pairs whose consensus is both bad.
func (r Readiness) BothBadShare() string { return share(r.BothBad, r.Judged) }

// ExportURL is the project's export page.
func (r Readiness) ExportURL() string {
	return fmt.Sprintf("/admin/projects/%d/export", r.ProjectID)
}

func share(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}
