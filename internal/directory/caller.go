package directory

// Role is what an API key may do. Roles are ordered: each includes the
// rights of the ones before it.
type Role string

// Roles, from least to most trusted. Anonymous is the caller without a key.
const (
	RoleAnonymous Role = ""
	RolePartner   Role = "partner"
	RoleEditor    Role = "editor"
	RoleAdmin     Role = "admin"
)

func (r Role) rank() int {
	switch r {
	case RolePartner:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// ParseRole returns the role a key may be given: partner, editor or admin.
func ParseRole(s string) (Role, bool) {
	switch r := Role(s); r {
	case RolePartner, RoleEditor, RoleAdmin:
		return r, true
	}
	return RoleAnonymous, false
}

// require returns CodeUnauthorized for an anonymous caller and
// CodeForbidden for a caller whose role is below role.
func (c Caller) require(role Role) error {
	switch {
	case c.Role.Includes(role):
		return nil
	case c.Role == RoleAnonymous:
		return Errorf(CodeUnauthorized, "this needs an API key with the %s role", role)
	}
	return Errorf(CodeForbidden, "this needs the %s role; the key has %s", role, c.Role)
}

// Includes reports whether r has at least the rights of other.
func (r Role) Includes(other Role) bool { return r.rank() >= other.rank() }

// Caller is who makes a request: the key's id and role, or the zero value
// for an anonymous caller.
type Caller struct {
	KeyID string
	Name  string // the key's name, or who acts on the command line
	Role  Role
}

// Operator is the caller for administrative commands run on the server's
// own machine (import, key management): whoever can run them can read the
// database file anyway.
func Operator(name string) Caller { return Caller{Name: name, Role: RoleAdmin} }

// SeesPrivate reports whether the caller may see partners-only contacts and
// hidden addresses.
func (c Caller) SeesPrivate() bool { return c.Role.Includes(RolePartner) }
