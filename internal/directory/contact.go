package directory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Contacts returns the contacts of a live organization that the caller may
// see, primary first. An unknown organization is CodeNotFound.
func (s *Service) Contacts(ctx context.Context, caller Caller, orgIDOrSlug string) ([]Contact, error) {
	org, err := s.store.Organization(ctx, orgIDOrSlug)
	if err != nil {
		return nil, fmt.Errorf("get organization %q: %w", orgIDOrSlug, err)
	}
	contacts, err := s.store.Contacts(ctx, org.ID, caller.SeesPrivate())
	if err != nil {
		return nil, fmt.Errorf("get contacts of %s: %w", org.ID, err)
	}
	return contacts, nil
}

// CreateContact adds a contact to a live organization. Visibility defaults
// to partners: personal data is public only when someone chose so. Only one
// contact can be primary (CodeConflict). It needs the editor role.
func (s *Service) CreateContact(ctx context.Context, caller Caller, orgIDOrSlug string, c Contact) (Contact, error) {
	if err := caller.require(RoleEditor); err != nil {
		return Contact{}, err
	}
	org, err := s.store.Organization(ctx, orgIDOrSlug)
	if err != nil {
		return Contact{}, fmt.Errorf("get organization %q: %w", orgIDOrSlug, err)
	}
	var fe fieldErrors
	checkContact(&fe, s.phones(), "", &c, org.CountryCode)
	if err := fe.err("invalid contact"); err != nil {
		return Contact{}, err
	}
	if err := s.checkPrimary(ctx, org.ID, c); err != nil {
		return Contact{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	c.ID = uuid.Must(uuid.NewV7()).String()
	c.OrganizationID, c.CreatedAt, c.UpdatedAt, c.Version = org.ID, now, now, 1
	entry := s.audit(caller, EntityContact, c.ID, ActionCreate, diff(contactFields(), nil, flattenContact(&c)))
	entry.OrganizationID = org.ID
	entry.PartnersOnly = c.Visibility != VisibilityPublic
	if err := s.store.CreateContact(ctx, c, entry); err != nil {
		return Contact{}, fmt.Errorf("create contact: %w", err)
	}
	return c, nil
}

// checkPrimary refuses a second primary contact.
func (s *Service) checkPrimary(ctx context.Context, orgID string, c Contact) error {
	if !c.IsPrimary {
		return nil
	}
	all, err := s.store.Contacts(ctx, orgID, true)
	if err != nil {
		return fmt.Errorf("get contacts of %s: %w", orgID, err)
	}
	if slices.ContainsFunc(all, func(o Contact) bool { return o.IsPrimary && o.ID != c.ID }) {
		return &Error{Code: CodeConflict, Message: "the organization has a primary contact already",
			Fields: []FieldError{{Field: "is_primary", Message: "another contact is primary; unset it first"}}}
	}
	return nil
}

// contact returns a contact of a live organization, or CodeNotFound.
func (s *Service) contact(ctx context.Context, orgIDOrSlug, contactID string) (Organization, Contact, error) {
	org, err := s.store.Organization(ctx, orgIDOrSlug)
	if err != nil {
		return Organization{}, Contact{}, fmt.Errorf("get organization %q: %w", orgIDOrSlug, err)
	}
	all, err := s.store.Contacts(ctx, org.ID, true)
	if err != nil {
		return Organization{}, Contact{}, fmt.Errorf("get contacts of %s: %w", org.ID, err)
	}
	i := slices.IndexFunc(all, func(c Contact) bool { return c.ID == contactID })
	if i < 0 {
		return Organization{}, Contact{}, noContact(orgIDOrSlug, contactID)
	}
	return org, all[i], nil
}

// UpdateContact applies change to a contact and stores it if valid. pre
// works as in UpdateOrganization, and concurrent updates of one contact
// take turns as there. It needs the editor role.
func (s *Service) UpdateContact(ctx context.Context, caller Caller, orgIDOrSlug, contactID string, pre Precondition, change func(*Contact) error) (Contact, error) {
	if err := caller.require(RoleEditor); err != nil {
		return Contact{}, err
	}
	unlock, err := s.locks.lock(ctx, contactID)
	if err != nil {
		return Contact{}, fmt.Errorf("update contact %s: %w", contactID, err)
	}
	defer unlock()
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return Contact{}, fmt.Errorf("update contact %s: %w", contactID, err)
		}
		org, cur, err := s.contact(ctx, orgIDOrSlug, contactID)
		if err != nil {
			return Contact{}, err
		}
		if !pre.Holds(cur.Version) {
			return Contact{}, staleVersion(cur.Version)
		}
		next := cur
		next.Languages = slices.Clone(cur.Languages)
		if err := change(&next); err != nil {
			return Contact{}, err
		}
		next.ID, next.OrganizationID, next.CreatedAt, next.Version = cur.ID, cur.OrganizationID, cur.CreatedAt, cur.Version
		var fe fieldErrors
		checkContact(&fe, s.phones(), "", &next, org.CountryCode)
		if err := fe.err("invalid contact"); err != nil {
			return Contact{}, err
		}
		if err := s.checkPrimary(ctx, org.ID, next); err != nil {
			return Contact{}, err
		}
		changes := diff(contactFields(), flattenContact(&cur), flattenContact(&next))
		if len(changes) == 0 {
			return cur, nil
		}
		next.Version++
		next.UpdatedAt = s.now().UTC().Truncate(time.Microsecond)
		entry := s.audit(caller, EntityContact, cur.ID, ActionUpdate, changes)
		entry.OrganizationID = org.ID
		entry.PartnersOnly = cur.Visibility != VisibilityPublic && next.Visibility != VisibilityPublic
		err = s.store.UpdateContact(ctx, next, cur.Version, entry)
		if ErrorCode(err) == CodePreconditionFailed && pre.Unconditional() && attempt < maxRewrites {
			continue
		}
		if err != nil {
			return Contact{}, fmt.Errorf("update contact %s: %w", cur.ID, err)
		}
		return next, nil
	}
}

// DeleteContact removes a contact; the audit log keeps what it was. pre
// works as in UpdateOrganization. It needs the editor role.
func (s *Service) DeleteContact(ctx context.Context, caller Caller, orgIDOrSlug, contactID string, pre Precondition) error {
	if err := caller.require(RoleEditor); err != nil {
		return err
	}
	org, cur, err := s.contact(ctx, orgIDOrSlug, contactID)
	if err != nil {
		return err
	}
	if !pre.Holds(cur.Version) {
		return staleVersion(cur.Version)
	}
	entry := s.audit(caller, EntityContact, cur.ID, ActionDelete, diff(contactFields(), flattenContact(&cur), nil))
	entry.OrganizationID = org.ID
	entry.PartnersOnly = cur.Visibility != VisibilityPublic
	version := cur.Version
	if pre.Unconditional() {
		version = 0
	}
	if err := s.store.DeleteContact(ctx, org.ID, cur.ID, version, entry); err != nil {
		return fmt.Errorf("delete contact %s: %w", cur.ID, err)
	}
	return nil
}

func contactFields() []string {
	return []string{"name", "role", "email", "phone", "languages", "visibility", "is_primary"}
}

func flattenContact(c *Contact) map[string]any {
	m := map[string]any{}
	for k, v := range map[string]string{"name": c.Name, "role": c.Role, "email": c.Email, "phone": c.Phone, "visibility": string(c.Visibility)} {
		if v != "" {
			m[k] = v
		}
	}
	if len(c.Languages) > 0 {
		m["languages"] = c.Languages
	}
	if c.IsPrimary {
		m["is_primary"] = true
	}
	return m
}

// Contact returns one contact of a live organization if the caller may see
// it; a partners-only contact is CodeNotFound for anonymous callers, as if
// it did not exist.
func (s *Service) Contact(ctx context.Context, caller Caller, orgIDOrSlug, contactID string) (Contact, error) {
	_, c, err := s.contact(ctx, orgIDOrSlug, contactID)
	if err != nil {
		return Contact{}, err
	}
	if c.Visibility != VisibilityPublic && !caller.SeesPrivate() {
		return Contact{}, noContact(orgIDOrSlug, contactID)
	}
	return c, nil
}

// noContact is the error of a contact that is not there or that the caller
// may not see: the same words for both, so that the answer does not tell a
// hidden contact from a missing one.
func noContact(orgIDOrSlug, contactID string) error {
	return Errorf(CodeNotFound, "organization %q has no contact %q", orgIDOrSlug, contactID)
}
