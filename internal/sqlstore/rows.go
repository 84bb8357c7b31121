package sqlstore

import (
	"database/sql"
	"fmt"

	// The lists of every row written and read go through JSON: at a third
	// of encoding/json's cost, with its rules and output.
	"github.com/segmentio/encoding/json"

	"github.com/coalition-directory/coalition/internal/directory"
)

// organizationRow is a row of the organizations table. List-valued fields
// are JSON; the filter tables and the search index are derived from them.
type organizationRow struct {
	PK               int64 `gorm:"column:pk;primaryKey"`
	ID               string
	Slug             string
	OriginalLanguage string
	NameRU           string `gorm:"column:name_ru"`
	DescriptionRU    string `gorm:"column:description_ru"`
	NameEN           string `gorm:"column:name_en"`
	DescriptionEN    string `gorm:"column:description_en"`
	SortOriginal     string
	SortRU           string `gorm:"column:sort_ru"`
	SortEN           string `gorm:"column:sort_en"`
	Acronym          string
	Website          string
	Email            string
	Phones           string
	CountryCode      string
	RegionCode       string
	City             string
	Address          string
	AddressHidden    bool
	ServiceRegions   string
	Languages        string
	FocusAreas       string
	MembershipStatus string
	MemberSince      string
	MemberUntil      string
	VerifiedAt       *string
	Created          string  `gorm:"column:created_at"`
	Updated          string  `gorm:"column:updated_at"`
	Archived         *string `gorm:"column:archived_at"`
	Version          int
	PublicVersion    int    `gorm:"column:public_version"`
	PublicUpdated    string `gorm:"column:public_updated_at"`
}

func (organizationRow) TableName() string { return "organizations" }

type contactRow struct {
	PK         int64 `gorm:"column:pk;primaryKey"`
	ID         string
	OrgPK      int64 `gorm:"column:org_pk"`
	Name       string
	Role       string
	Email      string
	Phone      string
	Languages  string
	Visibility string
	IsPrimary  bool
	Version    int
	Created    string `gorm:"column:created_at"`
	Updated    string `gorm:"column:updated_at"`
}

func (contactRow) TableName() string { return "contacts" }

type focusAreaRow struct {
	Slug     string `gorm:"primaryKey"`
	Grp      string
	LabelEN  string `gorm:"column:label_en"`
	LabelRU  string `gorm:"column:label_ru"`
	Position int
}

func (focusAreaRow) TableName() string { return "focus_areas" }

type phoneJSON struct {
	Number      string `json:"number"`
	Extension   string `json:"extension,omitempty"`
	Kind        string `json:"kind"`
	Description string `json:"description,omitempty"`
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only maps and slices of strings and plain structs are marshalled here.
		panic(fmt.Sprintf("marshal %T: %v", v, err))
	}
	return string(b)
}

func stringsJSON(list []string) string {
	if len(list) == 0 {
		return "[]"
	}
	return mustJSON(list)
}

// toOrganizationRow converts a domain organization to its row; pk is the
// row's key, chosen by the caller.
func toOrganizationRow(o *directory.Organization, pk int64) organizationRow {
	phones := make([]phoneJSON, len(o.Phones))
	for i, p := range o.Phones {
		phones[i] = phoneJSON{Number: p.Number, Extension: p.Extension, Kind: string(p.Kind), Description: p.Description}
	}
	ru, _ := o.Text(directory.LangRU)
	en, _ := o.Text(directory.LangEN)
	orig, _ := o.Text(o.OriginalLanguage)
	sortRU, sortEN := sortKey(ru.Name), sortKey(en.Name)
	sortOriginal := sortRU // the original name is one of the two, as a rule: fold it once
	switch orig.Name {
	case ru.Name:
	case en.Name:
		sortOriginal = sortEN
	default:
		sortOriginal = sortKey(orig.Name)
	}
	row := organizationRow{
		PK:               pk,
		ID:               o.ID,
		Slug:             o.Slug,
		OriginalLanguage: o.OriginalLanguage,
		NameRU:           o.Translations[directory.LangRU].Name,
		DescriptionRU:    o.Translations[directory.LangRU].Description,
		NameEN:           o.Translations[directory.LangEN].Name,
		DescriptionEN:    o.Translations[directory.LangEN].Description,
		SortOriginal:     sortOriginal,
		SortRU:           sortRU,
		SortEN:           sortEN,
		Acronym:          o.Acronym,
		Website:          o.Website,
		Email:            o.Email,
		Phones:           mustJSON(phones),
		CountryCode:      o.CountryCode,
		RegionCode:       o.RegionCode,
		City:             o.City,
		Address:          o.Address,
		AddressHidden:    o.AddressHidden,
		ServiceRegions:   stringsJSON(o.ServiceRegions),
		Languages:        stringsJSON(o.Languages),
		FocusAreas:       stringsJSON(o.FocusAreas),
		MembershipStatus: string(o.MembershipStatus),
		MemberSince:      o.MemberSince,
		MemberUntil:      o.MemberUntil,
		VerifiedAt:       formatTimePtr(o.VerifiedAt),
		Created:          formatTime(o.CreatedAt),
		Updated:          formatTime(o.UpdatedAt),
		Archived:         formatTimePtr(o.ArchivedAt),
		Version:          o.Version,
		PublicVersion:    o.PublicVersion,
		PublicUpdated:    formatTime(o.PublicUpdatedAt),
	}
	if o.PublicVersion == 0 {
		// A writer that does not tell what the public saw: count the write
		// as public, which hides nothing and leaks nothing.
		row.PublicVersion, row.PublicUpdated = o.Version, row.Updated
	}
	return row
}

// sortKey orders names as a reader expects: case and ё ignored, leading
// quotes and punctuation («Надежда» sorts under Н) skipped.
func sortKey(name string) string {
	return directory.SearchText(name)
}

// scanOrganization reads a row of organizationColumns. Lists scan by hand
// rather than through GORM's reflection: they read many rows.
func scanOrganization(rows *sql.Rows) (organizationRow, error) {
	var r organizationRow
	err := rows.Scan(&r.PK, &r.ID, &r.Slug, &r.OriginalLanguage, &r.NameRU, &r.DescriptionRU,
		&r.NameEN, &r.DescriptionEN, &r.Acronym, &r.Website, &r.Email, &r.Phones, &r.CountryCode,
		&r.RegionCode, &r.City, &r.Address, &r.AddressHidden, &r.ServiceRegions, &r.Languages,
		&r.FocusAreas, &r.MembershipStatus, &r.MemberSince, &r.MemberUntil, &r.VerifiedAt,
		&r.Created, &r.Updated, &r.Archived, &r.Version, &r.PublicVersion, &r.PublicUpdated)
	return r, err
}

func (r *organizationRow) toDomain() (directory.Organization, error) {
	o := directory.Organization{
		ID:               r.ID,
		Slug:             r.Slug,
		OriginalLanguage: r.OriginalLanguage,
		Acronym:          r.Acronym,
		Website:          r.Website,
		Email:            r.Email,
		CountryCode:      r.CountryCode,
		RegionCode:       r.RegionCode,
		City:             r.City,
		Address:          r.Address,
		AddressHidden:    r.AddressHidden,
		MembershipStatus: directory.MembershipStatus(r.MembershipStatus),
		MemberSince:      r.MemberSince,
		MemberUntil:      r.MemberUntil,
		Version:          r.Version,
		PublicVersion:    r.PublicVersion,
	}
	var phones []phoneJSON
	for _, f := range []struct {
		raw string
		dst any
	}{
		{r.Phones, &phones},
		{r.ServiceRegions, &o.ServiceRegions},
		{r.Languages, &o.Languages},
		{r.FocusAreas, &o.FocusAreas},
	} {
		if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
			return o, fmt.Errorf("decode organization %s: %w", r.ID, err)
		}
	}
	// A language has a text when it has a name: validation requires one.
	o.Translations = make(map[string]directory.Text, 2)
	if r.NameRU != "" {
		o.Translations[directory.LangRU] = directory.Text{Name: r.NameRU, Description: r.DescriptionRU}
	}
	if r.NameEN != "" {
		o.Translations[directory.LangEN] = directory.Text{Name: r.NameEN, Description: r.DescriptionEN}
	}
	if len(phones) > 0 {
		o.Phones = make([]directory.Phone, len(phones))
		for i, p := range phones {
			o.Phones[i] = directory.Phone{Number: p.Number, Extension: p.Extension, Kind: directory.PhoneKind(p.Kind), Description: p.Description}
		}
	}
	var err error
	if o.CreatedAt, err = parseTime(r.Created); err != nil {
		return o, err
	}
	if o.UpdatedAt, err = parseTime(r.Updated); err != nil {
		return o, err
	}
	if o.VerifiedAt, err = parseTimePtr(r.VerifiedAt); err != nil {
		return o, err
	}
	if o.ArchivedAt, err = parseTimePtr(r.Archived); err != nil {
		return o, err
	}
	if o.PublicUpdatedAt, err = parseTime(r.PublicUpdated); err != nil {
		return o, err
	}
	return o, nil
}

func toContactRow(c *directory.Contact, pk, orgPK int64) contactRow {
	return contactRow{
		PK:         pk,
		ID:         c.ID,
		OrgPK:      orgPK,
		Name:       c.Name,
		Role:       c.Role,
		Email:      c.Email,
		Phone:      c.Phone,
		Languages:  stringsJSON(c.Languages),
		Visibility: string(c.Visibility),
		IsPrimary:  c.IsPrimary,
		Version:    c.Version,
		Created:    formatTime(c.CreatedAt),
		Updated:    formatTime(c.UpdatedAt),
	}
}

func (r *contactRow) toDomain(orgID string) (directory.Contact, error) {
	c := directory.Contact{
		ID:             r.ID,
		OrganizationID: orgID,
		Name:           r.Name,
		Role:           r.Role,
		Email:          r.Email,
		Phone:          r.Phone,
		Visibility:     directory.Visibility(r.Visibility),
		IsPrimary:      r.IsPrimary,
		Version:        r.Version,
	}
	if err := json.Unmarshal([]byte(r.Languages), &c.Languages); err != nil {
		return c, fmt.Errorf("decode contact %s: %w", r.ID, err)
	}
	var err error
	if c.CreatedAt, err = parseTime(r.Created); err != nil {
		return c, err
	}
	if c.UpdatedAt, err = parseTime(r.Updated); err != nil {
		return c, err
	}
	return c, nil
}
