package directory

import "slices"

// Precondition is what a conditional write requires of the stored version
// of its record: the If-Match and If-None-Match conditions of RFC 9110
// §13.1.1-13.1.2, resolved by the caller into the versions they name. The
// zero value is no condition at all.
type Precondition struct {
	// IfMatch, when set, lists the versions the write may apply to; a write
	// to any other version fails with CodePreconditionFailed.
	IfMatch *Versions
	// IfNoneMatch, when set, lists the versions the write must not apply to.
	IfNoneMatch *Versions
}

// Versions is a set of record versions, or any version at all ("*").
type Versions struct {
	Any  bool
	List []int
}

// Has reports whether version is in the set.
func (v *Versions) Has(version int) bool { return v.Any || slices.Contains(v.List, version) }

// IfVersion is the precondition that the stored version is version; 0 is
// no precondition.
func IfVersion(version int) Precondition {
	if version == 0 {
		return Precondition{}
	}
	return Precondition{IfMatch: &Versions{List: []int{version}}}
}

// Unconditional reports whether the caller set no condition: such a write
// applies to whatever version is stored, and is retried on the new version
// when another writer came first.
func (p Precondition) Unconditional() bool { return p.IfMatch == nil && p.IfNoneMatch == nil }

// Holds reports whether a write may apply to the stored version.
func (p Precondition) Holds(version int) bool {
	if p.IfMatch != nil && !p.IfMatch.Has(version) {
		return false
	}
	return p.IfNoneMatch == nil || !p.IfNoneMatch.Has(version)
}
