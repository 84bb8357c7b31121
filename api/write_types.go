package api

import (
	"time"

	"github.com/coalition-directory/coalition/internal/directory"
)

// OrganizationWrite is the body of a create, and the document a PATCH merge
// patch applies to. name and description are in original_language; other
// languages go in translations. Read-only fields (id, timestamps, version)
// are rejected as unknown. Defaults are said in words, not as schema
// defaults, which openapi-typescript would turn into required fields.
type OrganizationWrite struct {
	Slug        string `json:"slug,omitempty" example:"nadezhda-nizhny-novgorod"`
	Name        string `json:"name,omitempty" validate:"required" maxLength:"300" example:"Центр «Надежда»"`
	Description string `json:"description,omitempty" maxLength:"5000"`
	// The language of name and description; ru when absent.
	OriginalLanguage string                 `json:"original_language,omitempty" enums:"ru,en" example:"ru"`
	Translations     map[string]Translation `json:"translations,omitempty"`
	Acronym          string                 `json:"acronym,omitempty" maxLength:"30"`
	CountryCode      string                 `json:"country_code,omitempty" validate:"required" example:"RU"`
	RegionCode       string                 `json:"region_code,omitempty" example:"RU-NIZ"`
	City             string                 `json:"city,omitempty" maxLength:"200"`
	Address          string                 `json:"address,omitempty" maxLength:"500"`
	AddressHidden    bool                   `json:"address_hidden,omitempty"`
	ServiceRegions   []string               `json:"service_regions,omitempty"`
	FocusAreas       []string               `json:"focus_areas,omitempty" example:"shelter"`
	// member when absent.
	MembershipStatus string   `json:"membership_status,omitempty" enums:"member,associate,former" example:"member"`
	MemberSince      string   `json:"member_since,omitempty" format:"date" example:"2003-05-12"`
	MemberUntil      string   `json:"member_until,omitempty" format:"date"`
	Website          string   `json:"website,omitempty" format:"uri"`
	Email            string   `json:"email,omitempty" format:"email"`
	Phones           []Phone  `json:"phones,omitempty"`
	Languages        []string `json:"languages,omitempty"`
	VerifiedAt       string   `json:"verified_at,omitempty" format:"date-time" example:"2026-10-01T00:00:00Z"`
} //	@name	OrganizationWrite

// toDomain converts a write body; original_language defaults to ru, the
// coalition's working language. It returns the fields it could not
// convert, leaving them empty, for the domain to report with the rules'.
func (w *OrganizationWrite) toDomain() (directory.Organization, []directory.FieldError) {
	lang := w.OriginalLanguage
	if lang == "" {
		lang = directory.LangRU
	}
	status := directory.MembershipStatus(w.MembershipStatus)
	if status == "" {
		status = directory.StatusMember
	}
	o := directory.Organization{
		Slug:             w.Slug,
		OriginalLanguage: lang,
		Translations:     map[string]directory.Text{lang: {Name: w.Name, Description: w.Description}},
		Acronym:          w.Acronym,
		Website:          w.Website,
		Email:            w.Email,
		CountryCode:      w.CountryCode,
		RegionCode:       w.RegionCode,
		City:             w.City,
		Address:          w.Address,
		AddressHidden:    w.AddressHidden,
		ServiceRegions:   w.ServiceRegions,
		Languages:        w.Languages,
		FocusAreas:       w.FocusAreas,
		MembershipStatus: status,
		MemberSince:      w.MemberSince,
		MemberUntil:      w.MemberUntil,
	}
	var unread []directory.FieldError
	if w.VerifiedAt != "" {
		if t, err := time.Parse(time.RFC3339, w.VerifiedAt); err != nil {
			unread = append(unread, directory.FieldError{Field: "verified_at", Message: "must be an RFC 3339 timestamp such as 2026-10-01T00:00:00Z"})
		} else {
			t = t.UTC()
			o.VerifiedAt = &t
		}
	}
	for l, t := range w.Translations {
		if l == lang {
			unread = append(unread, directory.FieldError{Field: "translations." + l, Message: "is the original language: use name and description"})
			continue
		}
		o.Translations[l] = directory.Text{Name: t.Name, Description: t.Description}
	}
	for _, p := range w.Phones {
		o.Phones = append(o.Phones, directory.Phone{Number: p.Number, Extension: p.Extension, Kind: directory.PhoneKind(p.Kind), Description: p.Description})
	}
	return o, unread
}

// toOrganizationWrite is the write shape of a stored organization, the base
// a merge patch applies to.
func toOrganizationWrite(o *directory.Organization) OrganizationWrite {
	orig := o.Translations[o.OriginalLanguage]
	w := OrganizationWrite{
		Slug:             o.Slug,
		Name:             orig.Name,
		Description:      orig.Description,
		OriginalLanguage: o.OriginalLanguage,
		Acronym:          o.Acronym,
		CountryCode:      o.CountryCode,
		RegionCode:       o.RegionCode,
		City:             o.City,
		Address:          o.Address,
		AddressHidden:    o.AddressHidden,
		ServiceRegions:   o.ServiceRegions,
		FocusAreas:       o.FocusAreas,
		MembershipStatus: string(o.MembershipStatus),
		MemberSince:      o.MemberSince,
		MemberUntil:      o.MemberUntil,
		Website:          o.Website,
		Email:            o.Email,
		Languages:        o.Languages,
	}
	if o.VerifiedAt != nil {
		w.VerifiedAt = o.VerifiedAt.UTC().Format(time.RFC3339Nano)
	}
	for l, t := range o.Translations {
		if l != o.OriginalLanguage {
			if w.Translations == nil {
				w.Translations = map[string]Translation{}
			}
			w.Translations[l] = Translation{Name: t.Name, Description: t.Description}
		}
	}
	for _, p := range o.Phones {
		w.Phones = append(w.Phones, Phone{Number: p.Number, Extension: p.Extension, Kind: string(p.Kind), Description: p.Description})
	}
	return w
}

// ContactWrite is the body of a contact create, and the document a PATCH
// merge patch applies to.
type ContactWrite struct {
	Name      string   `json:"name,omitempty" validate:"required" maxLength:"200" example:"Hotline desk"`
	Role      string   `json:"role,omitempty" maxLength:"200"`
	Email     string   `json:"email,omitempty" format:"email"`
	Phone     string   `json:"phone,omitempty" example:"+7 831 200-00-01"`
	Languages []string `json:"languages,omitempty"`
	// Who may see the contact: partners when absent.
	Visibility string `json:"visibility,omitempty" enums:"public,partners" example:"public"`
	IsPrimary  bool   `json:"is_primary,omitempty"`
} //	@name	ContactWrite

func (w *ContactWrite) toDomain() directory.Contact {
	return directory.Contact{Name: w.Name, Role: w.Role, Email: w.Email, Phone: w.Phone,
		Languages: w.Languages, Visibility: directory.Visibility(w.Visibility), IsPrimary: w.IsPrimary}
}

func toContactWrite(c *directory.Contact) ContactWrite {
	return ContactWrite{Name: c.Name, Role: c.Role, Email: c.Email, Phone: c.Phone,
		Languages: c.Languages, Visibility: string(c.Visibility), IsPrimary: c.IsPrimary}
}

// ContactList is the contacts of one organization the caller may see.
type ContactList struct {
	Items      []Contact `json:"items"`
	TotalItems int       `json:"total_items" example:"2"`
} //	@name	ContactList

// FocusAreaWrite is the body of a focus-area create, and the document a
// PATCH merge patch applies to. Slugs cannot change.
type FocusAreaWrite struct {
	Slug  string `json:"slug,omitempty" validate:"required" example:"online-exploitation"`
	Group string `json:"group,omitempty" validate:"required" enums:"pillar,activity,theme"`
	Names Names  `json:"names"`
} //	@name	FocusAreaWrite

// KeyCreate is the body of a key create.
type KeyCreate struct {
	Name string `json:"name" example:"Map frontend"`
	Role string `json:"role" enums:"partner,editor,admin" example:"partner"`
} //	@name	KeyCreate

// Key is an API key as admins see it: never its secret.
type Key struct {
	ID         string     `json:"id" format:"uuid" example:"0193c0de-1a2b-7c3d-8e4f-5a6b7c8d9e0f"`
	Name       string     `json:"name" example:"Map frontend"`
	Role       string     `json:"role" enums:"partner,editor,admin"`
	Prefix     string     `json:"prefix" example:"cdk_Xy12ab"`
	CreatedAt  time.Time  `json:"created_at" format:"date-time" example:"2026-11-20T09:00:00Z"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" format:"date-time" example:"2026-11-25T14:30:00Z"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty" format:"date-time" example:"2026-11-26T08:00:00Z"`
} //	@name	Key

// KeyCreated is a new key with its secret, shown this once.
type KeyCreated struct {
	Key
	Secret string `json:"secret" example:"cdk_Xy12abcdefghijklmnopqrstuvwxyz0123456789ABC"`
} //	@name	KeyCreated

// KeyList is every key.
type KeyList struct {
	Items      []Key `json:"items"`
	TotalItems int   `json:"total_items"`
} //	@name	KeyList

func toKey(k directory.APIKey) Key {
	return Key{ID: k.ID, Name: k.Name, Role: string(k.Role), Prefix: k.Prefix,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

// AuditEntry is one write in the audit trail.
type AuditEntry struct {
	ID             string        `json:"id" format:"uuid" example:"0193c0de-5f6e-7d8c-9b0a-1f2e3d4c5b6a"`
	At             time.Time     `json:"at" format:"date-time" example:"2026-11-25T14:30:00Z"`
	KeyID          string        `json:"key_id,omitempty" format:"uuid" example:"0193c0de-1a2b-7c3d-8e4f-5a6b7c8d9e0f"`
	Actor          string        `json:"actor,omitempty" example:"Editor Anna"`
	EntityType     string        `json:"entity_type" enums:"organization,contact,focus_area,key,webhook"`
	EntityID       string        `json:"entity_id" example:"3e98c4f6-40e1-4c96-9f1c-9935719f9212"`
	OrganizationID string        `json:"organization_id,omitempty" format:"uuid" example:"3e98c4f6-40e1-4c96-9f1c-9935719f9212"`
	Action         string        `json:"action" enums:"create,update,archive,restore,delete,import,revoke"`
	Changes        []FieldChange `json:"changes"`
} //	@name	AuditEntry

// FieldChange is one field's value before and after a write; either is
// absent where the field was or became empty.
type FieldChange struct {
	Field string `json:"field" example:"email"`
	Old   any    `json:"old,omitempty"`
	New   any    `json:"new,omitempty"`
} //	@name	FieldChange

// AuditList is one page of audit entries, newest first.
type AuditList struct {
	Items      []AuditEntry `json:"items"`
	Page       int          `json:"page"`
	PerPage    int          `json:"per_page"`
	TotalItems int          `json:"total_items"`
	TotalPages int          `json:"total_pages"`
} //	@name	AuditList

func toAuditEntry(e directory.AuditEntry) AuditEntry {
	out := AuditEntry{ID: e.ID, At: e.At, KeyID: e.KeyID, Actor: e.Actor, EntityType: string(e.EntityType),
		EntityID: e.EntityID, OrganizationID: e.OrganizationID, Action: string(e.Action), Changes: []FieldChange{}}
	for _, c := range e.Changes {
		out.Changes = append(out.Changes, FieldChange{Field: c.Field, Old: c.Old, New: c.New})
	}
	return out
}
