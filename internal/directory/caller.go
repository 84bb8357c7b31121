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

// Includes reports whether r has at least the rights of other.
func (r Role) Includes(other Role) bool { return r.rank() >= other.rank() }

// Caller is who makes a request: the key's id and role, or the zero value
// for an anonymous caller.
type Caller struct {
	KeyID string
	Role  Role
}

// SeesPrivate reports whether the caller may see partners-only contacts and
// hidden addresses.
func (c Caller) SeesPrivate() bool { return c.Role.Includes(RolePartner) }
