// Package templates renders prefer's pages from view-models it is given. It
// imports no store and no SQL: handlers build the view-models.
package templates

import "fmt"

// Page is what every full page needs: its title, who is looking, and an
// optional message to show at the top.
type Page struct {
	Title   string
	User    *Viewer
	Flash   string
	Error   string
	Section string
}

// Viewer is the person logged in.
type Viewer struct {
	Name    string
	IsLead  bool
	IsAdmin bool
}

// Turn is one message of a prompt, with its content already rendered to
// sanitised HTML.
type Turn struct {
	Role string
	HTML string
}

// Side is one response as shown on the screen.
type Side struct {
	Label string // "A" for the left side, "B" for the right
	HTML  string
}

// Task is the pair an annotator judges now.
type Task struct {
	ProjectID    int64
	ProjectName  string
	AssignmentID int64
	Turns        []Turn
	Left, Right  Side
	AskStrength  string // off, optional, required
	AskRationale string
	Progress     Progress
	Error        string
	Notice       string

	// Pick, Strength and Rationale fill the form again when a verdict was
	// refused, so nothing typed is lost.
	Pick      string
	Strength  int
	Rationale string
}

// AsksStrength reports whether the strength row is shown.
func (t Task) AsksStrength() bool { return t.AskStrength != "off" }

// AsksRationale reports whether the rationale box is shown.
func (t Task) AsksRationale() bool { return t.AskRationale != "off" }

// SubmitURL is where the verdict is posted.
func (t Task) SubmitURL() string {
	return fmt.Sprintf("/annotate/%d/assignments/%d", t.ProjectID, t.AssignmentID)
}

// SkipURL is where a skip is posted.
func (t Task) SkipURL() string { return t.SubmitURL() + "/skip" }

// Progress is how far the project and the annotator have come.
type Progress struct {
	Done, Wanted    int
	Complete, Pairs int
	Today           int
}

// Percent is the project's share of wanted judgments done, 0 to 100.
func (p Progress) Percent() int {
	if p.Wanted == 0 {
		return 100
	}
	return p.Done * 100 / p.Wanted
}

// AnnotateScreen is the annotator's page for one project.
type AnnotateScreen struct {
	Page
	ProjectID      int64
	ProjectName    string
	GuidelinesHTML string
	Task           *Task
	Done           DoneView
}

// DoneView says there is nothing left for this annotator.
type DoneView struct {
	ProjectID   int64
	ProjectName string
	Progress    Progress
}

// ProjectRow is one project in a list.
type ProjectRow struct {
	ID        int64
	Name      string
	Pairs     int
	Complete  int
	Judgments int
	K         int
}

// URL is the project's annotation screen.
func (p ProjectRow) URL() string { return fmt.Sprintf("/annotate/%d", p.ID) }

// AdminURL is the project's settings page.
func (p ProjectRow) AdminURL() string { return fmt.Sprintf("/admin/projects/%d", p.ID) }

// UserRow is one person in the admin's list.
type UserRow struct {
	ID          int64
	Name        string
	Email       string
	Role        string
	Active      bool
	HasPassword bool
}

// URL is where changes to the person are posted.
func (u UserRow) URL() string { return fmt.Sprintf("/admin/users/%d", u.ID) }

// UsersPage lists people and offers to add one.
type UsersPage struct {
	Page
	Users []UserRow
	Roles []string
	// NewPassword is shown once after an admin creates a person or resets a
	// password.
	NewPassword     string
	NewPasswordUser string
}

// ProjectForm is the admin's form for a new or existing project.
type ProjectForm struct {
	ID           int64
	Name         string
	Guidelines   string
	K            int
	AskStrength  string
	AskRationale string
	Tags         string

	// Quality control, as typed: rates and thresholds are shares 0 to 1.
	GoldRate      string
	RepeatRate    string
	GoldThreshold string
	PauseBelow    bool
	Disagreement  string
	MaxJudgments  int
}

// Action is where the form is posted.
func (f ProjectForm) Action() string {
	if f.ID == 0 {
		return "/admin/projects"
	}
	return fmt.Sprintf("/admin/projects/%d", f.ID)
}

// ImportURL is the project's import page.
func (f ProjectForm) ImportURL() string { return fmt.Sprintf("/admin/projects/%d/import", f.ID) }

// ProjectsPage lists projects for an admin and offers a new one.
type ProjectsPage struct {
	Page
	Projects []ProjectRow
	New      ProjectForm
}

// ProjectPage is an existing project's settings.
type ProjectPage struct {
	Page
	Form     ProjectForm
	Pairs    int
	Complete int
}

// ImportReport is what an import did, or why it did nothing.
type ImportReport struct {
	Files         []ImportedFile
	Added         int
	Existing      int
	ExistingKeys  []string
	Judgments     int
	Skipped       int
	NewAnnotators []string
	Errors        []string
}

// ImportedFile names one file and the format found in it.
type ImportedFile struct {
	Name   string
	Format string
	Pairs  int
}

// ImportPage is the project's upload form and, after an upload, its report.
type ImportPage struct {
	Page
	ProjectID   int64
	ProjectName string
	Report      *ImportReport
}

// Action is where files are posted.
func (p ImportPage) Action() string { return fmt.Sprintf("/admin/projects/%d/import", p.ProjectID) }

// LoginPage is the sign-in form.
type LoginPage struct {
	Page
	Identifier string
	Next       string
}
