package annotation

import "fmt"

// Role is what a person may do. Each role includes the ones below it:
// admin includes lead, lead includes annotator.
type Role string

// The three roles, from least to most.
const (
	RoleAnnotator Role = "annotator"
	RoleLead      Role = "lead"
	RoleAdmin     Role = "admin"
)

// Roles lists the roles from least to most.
var Roles = []Role{RoleAnnotator, RoleLead, RoleAdmin}

func (r Role) rank() int {
	switch r {
	case RoleAnnotator:
		return 1
	case RoleLead:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Allows reports whether a person with role r may do what needs role need.
func (r Role) Allows(need Role) bool { return r.rank() > 0 && r.rank() >= need.rank() }

// ParseRole checks that s names a role.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if r.rank() == 0 {
		return "", fmt.Errorf("role %q is not one of annotator, lead, admin", s)
	}
	return r, nil
}
