package directory

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// CreateOrganization validates and stores a new organization. The id is
// new unless given (imports keep ids); a missing slug is made from the name,
// numbered when taken, while a given slug that is taken is CodeConflict. It
// needs the editor role and returns CodeInvalid with every field problem.
func (s *Service) CreateOrganization(ctx context.Context, caller Caller, o Organization) (Organization, error) {
	if err := caller.require(RoleEditor); err != nil {
		return Organization{}, err
	}
	known, err := s.focusAreaSlugs(ctx)
	if err != nil {
		return Organization{}, err
	}
	if o.ID == "" {
		o.ID = uuid.Must(uuid.NewV7()).String()
	}
	ApplyDefaults(&o) // as an import does
	generated := o.Slug == ""
	if generated {
		text, _ := o.Text(o.OriginalLanguage)
		o.Slug = MakeSlug(text.Name)
	}
	o.Contacts = nil
	if err := s.validate(&o, known); err != nil {
		return Organization{}, err
	}
	base := o.Slug
	// A generated slug found free can be taken by a concurrent create before
	// this one commits; the client gave no slug and cannot fix that, so the
	// create tries the next free one, a bounded number of times.
	for attempt := 1; ; attempt++ {
		if generated {
			if o.Slug, err = s.freeSlug(ctx, base); err != nil {
				return Organization{}, err
			}
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		o.CreatedAt, o.UpdatedAt, o.Version, o.ArchivedAt = now, now, 1, nil
		o.PublicVersion, o.PublicUpdatedAt = 1, now
		entry := s.audit(caller, EntityOrganization, o.ID, ActionCreate, diff(organizationFields(), nil, flattenOrganization(&o)))
		entry.OrganizationID = o.ID
		err = s.store.CreateOrganization(ctx, o, entry)
		if err == nil {
			return o, nil
		}
		if !generated || attempt == maxSlugAttempts || !isSlugConflict(err) {
			return Organization{}, fmt.Errorf("create organization: %w", err)
		}
	}
}

// maxSlugAttempts bounds how often a create with a generated slug starts
// again because a concurrent create took the slug it found free.
const maxSlugAttempts = 100

// isSlugConflict reports whether err is the CodeConflict of a slug that a
// live organization has.
func isSlugConflict(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeConflict && slices.ContainsFunc(e.Fields, func(f FieldError) bool { return f.Field == "slug" })
}

// freeSlug returns base, or base-2, base-3, ... whichever no live
// organization has.
func (s *Service) freeSlug(ctx context.Context, base string) (string, error) {
	candidate := base
	for n := 2; ; n++ {
		taken, err := s.store.SlugTaken(ctx, candidate)
		if err != nil {
			return "", fmt.Errorf("check slug %q: %w", candidate, err)
		}
		if !taken {
			return candidate, nil
		}
		candidate = base + "-" + strconv.Itoa(n)
	}
}

// UpdateOrganization applies change to a live organization and stores the
// result if it passes validation. pre is the caller's condition on the
// version (the zero Precondition for none): when the stored version does
// not satisfy it the update is CodePreconditionFailed, so two editors
// cannot overwrite each other.
// Without a condition a concurrent write makes it retry on the new version, so
// change always applies to what is stored. Identity and timestamps are
// not the caller's to change. An update that changes nothing writes nothing.
// It needs the editor role.
func (s *Service) UpdateOrganization(ctx context.Context, caller Caller, idOrSlug string, pre Precondition, change func(*Organization) error) (Organization, error) {
	if err := caller.require(RoleEditor); err != nil {
		return Organization{}, err
	}
	known, err := s.focusAreaSlugs(ctx)
	if err != nil {
		return Organization{}, err
	}
	return s.rewrite(ctx, caller, idOrSlug, pre, ActionUpdate, false, func(o *Organization) error {
		if err := change(o); err != nil {
			return err
		}
		if o.Slug == "" {
			text, _ := o.Text(o.OriginalLanguage)
			o.Slug = MakeSlug(text.Name)
		}
		return s.validate(o, known)
	})
}

// ArchiveOrganization hides an organization from everyone but admins,
// keeping its record and history. pre works as in UpdateOrganization.
// It needs the editor role.
func (s *Service) ArchiveOrganization(ctx context.Context, caller Caller, idOrSlug string, pre Precondition) (Organization, error) {
	if err := caller.require(RoleEditor); err != nil {
		return Organization{}, err
	}
	return s.rewrite(ctx, caller, idOrSlug, pre, ActionArchive, false, func(o *Organization) error {
		at := s.now().UTC().Truncate(time.Microsecond)
		o.ArchivedAt = &at
		return nil
	})
}

// RestoreOrganization brings an archived organization back. slug, when
// not empty, is the slug it comes back under (its old one redirects there);
// without one its old slug must still be free, else the CodeConflict error
// names a free slug to restore it under instead. A slug of the wrong form is
// CodeInvalid. It needs the admin role.
func (s *Service) RestoreOrganization(ctx context.Context, caller Caller, id string, pre Precondition, slug string) (Organization, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return Organization{}, err
	}
	if slug != "" && (!slugPattern.MatchString(slug) || len(slug) > maxSlugLength) {
		return Organization{}, &Error{Code: CodeInvalid, Message: "invalid restore request", Fields: []FieldError{{Field: "slug",
			Message: fmt.Sprintf("must be lower-case latin letters, digits and single hyphens, at most %d characters", maxSlugLength)}}}
	}
	restored, err := s.rewrite(ctx, caller, id, pre, ActionRestore, true, func(o *Organization) error {
		o.ArchivedAt = nil
		if slug != "" {
			o.Slug = slug
		}
		return nil
	})
	if ErrorCode(err) == CodeConflict && slug == "" {
		return Organization{}, s.slugTakenOnRestore(ctx, id, err)
	}
	return restored, err
}

// slugTakenOnRestore explains a restore that failed because a live
// organization took the slug: it names a free slug to restore under.
func (s *Service) slugTakenOnRestore(ctx context.Context, id string, cause error) error {
	var e *Error
	if !errors.As(cause, &e) || len(e.Fields) == 0 || e.Fields[0].Field != "slug" {
		return cause
	}
	cur, err := s.store.OrganizationAny(ctx, id)
	if err != nil {
		return cause
	}
	free, err := s.freeSlug(ctx, cur.Slug)
	if err != nil {
		return cause
	}
	return &Error{Code: CodeConflict,
		Message: fmt.Sprintf("a live organization has the slug %q now; restore this one under a new slug (such as %q), and its old links will lead to it", cur.Slug, free),
		Fields:  []FieldError{{Field: "slug", Message: fmt.Sprintf("%q is taken; give a new one, such as %q", cur.Slug, free)}}}
}

// maxRewrites bounds the attempts of a write without a precondition, which
// other processes' writes can make start again: only a fault (a version
// that never reads as stored) reaches it, and then the write must end
// rather than spin.
const maxRewrites = 1000

// rewrite is the read-change-write cycle of every organization update:
// load, check the version, apply, diff, store conditionally on the version
// read, and retry when another writer came first and the caller gave no
// If-Match.
//
// Writes of one organization within this process take turns (recordLocks);
// one without a precondition that still finds another process's write
// between its read and its write applies its change again to the new
// version, for as long as ctx lasts: it never fails with a precondition the
// client did not set.
func (s *Service) rewrite(ctx context.Context, caller Caller, idOrSlug string, pre Precondition, action Action, archived bool, change func(*Organization) error) (Organization, error) {
	var unlock func()
	defer func() {
		if unlock != nil {
			unlock()
		}
	}()
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return Organization{}, fmt.Errorf("%s organization %q: %w", action, idOrSlug, err)
		}
		var cur Organization
		var err error
		if archived {
			cur, err = s.store.OrganizationAny(ctx, idOrSlug)
			if err == nil && cur.ArchivedAt == nil {
				return Organization{}, Errorf(CodeConflict, "organization %s is not archived", cur.ID)
			}
		} else {
			cur, err = s.store.Organization(ctx, idOrSlug)
		}
		if err != nil {
			return Organization{}, fmt.Errorf("get organization %q: %w", idOrSlug, err)
		}
		if unlock == nil {
			if unlock, err = s.locks.lock(ctx, cur.ID); err != nil {
				return Organization{}, fmt.Errorf("%s organization %s: %w", action, cur.ID, err)
			}
			continue // read it again: no write of this process comes between now
		}
		if !pre.Holds(cur.Version) {
			return Organization{}, staleVersion(cur.Version)
		}
		next := cloneOrganization(&cur)
		if err := change(&next); err != nil {
			return Organization{}, err
		}
		next.ID, next.CreatedAt, next.Version = cur.ID, cur.CreatedAt, cur.Version
		next.PublicVersion, next.PublicUpdatedAt = cur.PublicVersion, cur.PublicUpdatedAt
		if action == ActionUpdate {
			next.ArchivedAt = cur.ArchivedAt
		}
		changes := diff(organizationFields(), flattenOrganization(&cur), flattenOrganization(&next))
		if len(changes) == 0 {
			return cur, nil
		}
		next.Version = cur.Version + 1
		next.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
		public := publicChanged(&cur, &next)
		if public {
			next.PublicVersion, next.PublicUpdatedAt = next.Version, next.UpdatedAt
		}
		entry := s.audit(caller, EntityOrganization, cur.ID, action, changes)
		entry.OrganizationID = cur.ID
		entry.PartnersOnly = !public
		err = s.store.UpdateOrganization(ctx, next, cur.Version, entry)
		if ErrorCode(err) == CodePreconditionFailed && pre.Unconditional() && attempt < maxRewrites {
			continue
		}
		if err != nil {
			return Organization{}, fmt.Errorf("%s organization %s: %w", action, cur.ID, err)
		}
		return next, nil
	}
}

// publicChanged reports whether a write from cur to next changes what
// anonymous callers see of the organization itself (its contacts have
// versions of their own).
func publicChanged(cur, next *Organization) bool {
	public := func(o *Organization) map[string]any {
		c := cloneOrganization(o)
		redact(&c, Caller{})
		m := flattenOrganization(&c)
		delete(m, "address_hidden") // shown to partners only
		return m
	}
	return len(diff(organizationFields(), public(cur), public(next))) > 0
}

// staleVersion is the error of a write whose precondition the stored
// version fails; it carries the current one for the caller to re-read.
func staleVersion(current int) *Error {
	return &Error{Code: CodePreconditionFailed, Current: current,
		Message: fmt.Sprintf("the precondition failed: the record is at version %d; fetch it again and reapply your change", current)}
}

func cloneOrganization(o *Organization) Organization {
	c := *o
	c.Translations = maps.Clone(o.Translations)
	c.Phones = slices.Clone(o.Phones)
	c.ServiceRegions = slices.Clone(o.ServiceRegions)
	c.Languages = slices.Clone(o.Languages)
	c.FocusAreas = slices.Clone(o.FocusAreas)
	c.Contacts = nil
	return c
}

// organizationFields lists the audited fields of an organization by their
// API names, in the order history shows them.
func organizationFields() []string {
	return []string{"slug", "original_language", "name", "description", "translations", "acronym",
		"website", "email", "phones", "country_code", "region_code", "city", "address",
		"address_hidden", "service_regions", "languages", "focus_areas", "membership_status",
		"member_since", "member_until", "verified_at", "archived_at"}
}

// flattenOrganization returns an organization's audited fields as plain
// values, empty ones as nil, so that diffs and the history read like the API.
func flattenOrganization(o *Organization) map[string]any {
	m := map[string]any{}
	set := func(k string, v any) {
		switch x := v.(type) {
		case string:
			if x == "" {
				return
			}
		case []string:
			if len(x) == 0 {
				return
			}
		case bool:
			if !x {
				return
			}
		case *time.Time:
			if x == nil {
				return
			}
			v = x.UTC().Format(time.RFC3339Nano)
		}
		m[k] = v
	}
	orig := o.Translations[o.OriginalLanguage]
	set("slug", o.Slug)
	set("original_language", o.OriginalLanguage)
	set("name", orig.Name)
	set("description", orig.Description)
	tr := map[string]any{}
	for lang, t := range o.Translations {
		if lang != o.OriginalLanguage {
			tr[lang] = map[string]any{"name": t.Name, "description": t.Description}
		}
	}
	if len(tr) > 0 {
		m["translations"] = tr
	}
	set("acronym", o.Acronym)
	set("website", o.Website)
	set("email", o.Email)
	if len(o.Phones) > 0 {
		phones := make([]any, len(o.Phones))
		for i, p := range o.Phones {
			phones[i] = map[string]any{"number": p.Number, "kind": string(p.Kind), "description": p.Description}
			if p.Extension != "" {
				phones[i].(map[string]any)["extension"] = p.Extension
			}
		}
		m["phones"] = phones
	}
	set("country_code", o.CountryCode)
	set("region_code", o.RegionCode)
	set("city", o.City)
	set("address", o.Address)
	set("address_hidden", o.AddressHidden)
	set("service_regions", o.ServiceRegions)
	set("languages", o.Languages)
	set("focus_areas", o.FocusAreas)
	set("membership_status", string(o.MembershipStatus))
	set("member_since", o.MemberSince)
	set("member_until", o.MemberUntil)
	set("verified_at", o.VerifiedAt)
	set("archived_at", o.ArchivedAt)
	return m
}
