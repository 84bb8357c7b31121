package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/directory"
)

// OrganizationAny implements directory.Store.
func (db *DB) OrganizationAny(ctx context.Context, idOrSlug string) (directory.Organization, error) {
	column, key := lookupColumn(idOrSlug)
	return getOrganization(db.gorm.WithContext(ctx), idOrSlug,
		column+" = ? ORDER BY o.archived_at IS NOT NULL, o.archived_at DESC", key)
}

// SlugTaken implements directory.Store.
func (db *DB) SlugTaken(ctx context.Context, slug string) (bool, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Raw("SELECT count(*) FROM organizations WHERE slug = ? AND archived_at IS NULL", slug).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("check slug: %w", err)
	}
	return n > 0, nil
}

// CreateOrganization implements directory.Store.
func (db *DB) CreateOrganization(ctx context.Context, o directory.Organization, entry directory.AuditEntry) error {
	return db.write(ctx, "create organization", func(tx *gorm.DB) error {
		if err := db.insertOrganizations(tx, db.indexer(), []directory.Organization{o}); err != nil {
			return err
		}
		return db.insertAudit(tx, entry)
	})
}

// UpdateOrganization implements directory.Store. The filter tables and the
// search index are rebuilt from the new state; an archived organization
// leaves the search index.
func (db *DB) UpdateOrganization(ctx context.Context, o directory.Organization, version int, entry directory.AuditEntry) error {
	return db.write(ctx, "update organization", func(tx *gorm.DB) error {
		pk, err := organizationPK(tx, o.ID, version, "organizations")
		if err != nil {
			return err
		}
		if err := retireSlug(tx, pk, o.Slug, o.UpdatedAt); err != nil {
			return err
		}
		row := toOrganizationRow(&o, pk)
		res := tx.Model(&organizationRow{}).Where("pk = ? AND version = ?", pk, version).Select("*").Omit("pk").Updates(&row)
		if err := res.Error; err != nil {
			return db.translate(err, "update organization")
		}
		for _, q := range []string{
			"DELETE FROM organization_regions WHERE org_pk = ?",
			"DELETE FROM organization_focus_areas WHERE org_pk = ?",
			"DELETE FROM organization_languages WHERE org_pk = ?",
		} {
			if err := tx.Exec(q, pk).Error; err != nil {
				return fmt.Errorf("clear filter rows: %w", err)
			}
		}
		if err := db.writeFilterRows(tx, "o.pk = ?", pk); err != nil {
			return err
		}
		if err := db.reindex(tx, db.indexer(), pk); err != nil {
			return err
		}
		return db.insertAudit(tx, entry)
	})
}

// retireSlug keeps the slug of the organization with key pk as a former
// slug when it is about to change to slug, so that links to it lead on; a
// slug it takes back stops being a former one. It runs in the transaction
// that changes the slug.
func retireSlug(tx *gorm.DB, pk int64, slug string, at time.Time) error {
	var old string
	if err := tx.Raw("SELECT slug FROM organizations WHERE pk = ?", pk).Scan(&old).Error; err != nil {
		return fmt.Errorf("read slug: %w", err)
	}
	if old == slug {
		return nil
	}
	if err := tx.Exec("DELETE FROM organization_slugs WHERE slug = ? AND org_pk = ?", slug, pk).Error; err != nil {
		return fmt.Errorf("take back former slug: %w", err)
	}
	err := tx.Exec(`INSERT INTO organization_slugs (slug, org_pk, retired_at) VALUES (?, ?, ?)
		ON CONFLICT (slug, org_pk) DO UPDATE SET retired_at = excluded.retired_at`, old, pk, formatTime(at)).Error
	if err != nil {
		return fmt.Errorf("keep former slug: %w", err)
	}
	return nil
}

// CurrentSlug implements directory.Store.
func (db *DB) CurrentSlug(ctx context.Context, slug string) (string, error) {
	var current []string
	err := db.gorm.WithContext(ctx).Raw(`SELECT o.slug FROM organization_slugs s JOIN organizations o ON o.pk = s.org_pk
		WHERE s.slug = ? AND o.archived_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM organizations l WHERE l.slug = s.slug AND l.archived_at IS NULL)
		ORDER BY s.retired_at DESC LIMIT 1`, slug).Scan(&current).Error
	if err != nil {
		return "", fmt.Errorf("find former slug: %w", err)
	}
	if len(current) == 0 {
		return "", directory.Errorf(directory.CodeNotFound, "no organization had the slug %q", slug)
	}
	return current[0], nil
}

// organizationPK returns the key of the organization with id, checking
// that the table's version of it (organizations or contacts) is version.
func organizationPK(tx *gorm.DB, id string, version int, table string) (int64, error) {
	var rows []struct {
		PK      int64
		Version int
	}
	if err := tx.Raw("SELECT pk, version FROM "+table+" WHERE id = ?", id).Scan(&rows).Error; err != nil {
		return 0, fmt.Errorf("find %s %s: %w", table, id, err)
	}
	switch {
	case len(rows) == 0:
		return 0, directory.Errorf(directory.CodeNotFound, "no record %q", id)
	case version != 0 && rows[0].Version != version:
		return 0, &directory.Error{Code: directory.CodePreconditionFailed, Current: rows[0].Version,
			Message: fmt.Sprintf("the record changed: it is at version %d", rows[0].Version)}
	}
	return rows[0].PK, nil
}

// CreateContact implements directory.Store.
func (db *DB) CreateContact(ctx context.Context, c directory.Contact, entry directory.AuditEntry) error {
	return db.write(ctx, "create contact", func(tx *gorm.DB) error {
		orgPK, err := organizationPK(tx, c.OrganizationID, 0, "organizations")
		if err != nil {
			return err
		}
		// Numbered as the bulk paths number contacts (rowKeys), under the
		// write lock: the next key after the last.
		var keys rowKeys
		if err := keys.load(tx); err != nil {
			return err
		}
		row := toContactRow(&c, keys.Contact+1, orgPK)
		if err := tx.Create(&row).Error; err != nil {
			return db.translate(err, "insert contact")
		}
		if err := db.reindex(tx, db.indexer(), orgPK); err != nil {
			return err
		}
		return db.insertAudit(tx, entry)
	})
}

// UpdateContact implements directory.Store.
func (db *DB) UpdateContact(ctx context.Context, c directory.Contact, version int, entry directory.AuditEntry) error {
	return db.write(ctx, "update contact", func(tx *gorm.DB) error {
		pk, err := organizationPK(tx, c.ID, version, "contacts")
		if err != nil {
			return err
		}
		var orgPK int64
		if err := tx.Raw("SELECT org_pk FROM contacts WHERE pk = ?", pk).Scan(&orgPK).Error; err != nil {
			return fmt.Errorf("find contact: %w", err)
		}
		row := toContactRow(&c, pk, orgPK)
		if err := tx.Model(&contactRow{}).Where("pk = ?", pk).Select("*").Omit("pk", "created_at").Updates(&row).Error; err != nil {
			return db.translate(err, "update contact")
		}
		if err := db.reindex(tx, db.indexer(), orgPK); err != nil {
			return err
		}
		return db.insertAudit(tx, entry)
	})
}

// DeleteContact implements directory.Store.
func (db *DB) DeleteContact(ctx context.Context, organizationID, contactID string, version int, entry directory.AuditEntry) error {
	return db.write(ctx, "delete contact", func(tx *gorm.DB) error {
		pk, err := organizationPK(tx, contactID, version, "contacts")
		if err != nil {
			return err
		}
		var orgPK int64
		if err := tx.Raw("SELECT org_pk FROM contacts WHERE pk = ?", pk).Scan(&orgPK).Error; err != nil {
			return fmt.Errorf("find contact: %w", err)
		}
		if err := tx.Exec("DELETE FROM contacts WHERE pk = ?", pk).Error; err != nil {
			return fmt.Errorf("delete contact: %w", err)
		}
		if err := db.reindex(tx, db.indexer(), orgPK); err != nil {
			return err
		}
		return db.insertAudit(tx, entry)
	})
}

// CreateFocusArea implements directory.Store.
func (db *DB) CreateFocusArea(ctx context.Context, fa directory.FocusArea, entry directory.AuditEntry) error {
	return db.write(ctx, "create focus area", func(tx *gorm.DB) error {
		err := tx.Exec(`INSERT INTO focus_areas (slug, grp, label_en, label_ru, position)
			VALUES (?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM focus_areas))`,
			fa.Slug, string(fa.Group), fa.LabelEN, fa.LabelRU).Error
		if err != nil {
			if directory.ErrorCode(db.translate(err, "")) == directory.CodeConflict {
				return &directory.Error{Code: directory.CodeConflict, Message: "the focus area exists",
					Fields: []directory.FieldError{{Field: "slug", Message: "is taken"}}}
			}
			return fmt.Errorf("insert focus area: %w", err)
		}
		return db.insertAudit(tx, entry)
	})
}

// UpdateFocusArea implements directory.Store.
func (db *DB) UpdateFocusArea(ctx context.Context, fa directory.FocusArea, entry directory.AuditEntry) error {
	return db.write(ctx, "update focus area", func(tx *gorm.DB) error {
		res := tx.Exec("UPDATE focus_areas SET grp = ?, label_en = ?, label_ru = ? WHERE slug = ?",
			string(fa.Group), fa.LabelEN, fa.LabelRU, fa.Slug)
		if res.Error != nil {
			return fmt.Errorf("update focus area: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return directory.Errorf(directory.CodeNotFound, "no focus area %q", fa.Slug)
		}
		return db.insertAudit(tx, entry)
	})
}

// DeleteFocusArea implements directory.Store.
func (db *DB) DeleteFocusArea(ctx context.Context, slug string, entry directory.AuditEntry) error {
	return db.write(ctx, "delete focus area", func(tx *gorm.DB) error {
		var used int64
		if err := tx.Raw("SELECT count(*) FROM organization_focus_areas WHERE focus_area = ?", slug).Scan(&used).Error; err != nil {
			return fmt.Errorf("count focus area use: %w", err)
		}
		if used > 0 {
			return directory.Errorf(directory.CodeConflict, "%d organizations (live or archived) have focus area %q; remove it from them first", used, slug)
		}
		res := tx.Exec("DELETE FROM focus_areas WHERE slug = ?", slug)
		if res.Error != nil {
			return fmt.Errorf("delete focus area: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return directory.Errorf(directory.CodeNotFound, "no focus area %q", slug)
		}
		return db.insertAudit(tx, entry)
	})
}

type auditRow struct {
	Seq            int64 `gorm:"column:seq;primaryKey"`
	ID             string
	At             string
	KeyID          string
	Actor          string
	EntityType     string
	EntityID       string
	OrganizationID string
	Action         string
	Changes        string
}

func (auditRow) TableName() string { return "audit_entries" }

type changeJSON struct {
	Field string `json:"field"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

func toAuditRow(e directory.AuditEntry) (auditRow, error) {
	changes := make([]changeJSON, len(e.Changes))
	for i, c := range e.Changes {
		changes[i] = changeJSON{Field: c.Field, Old: c.Old, New: c.New}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return auditRow{}, fmt.Errorf("encode audit changes: %w", err)
	}
	return auditRow{ID: e.ID, At: formatTime(e.At), KeyID: e.KeyID, Actor: e.Actor, EntityType: string(e.EntityType),
		EntityID: e.EntityID, OrganizationID: e.OrganizationID, Action: string(e.Action), Changes: string(b)}, nil
}

// AuditEntries implements directory.Store.
func (db *DB) AuditEntries(ctx context.Context, q directory.AuditQuery) ([]directory.AuditEntry, int, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if q.OrganizationID != "" {
		add("organization_id = ?", q.OrganizationID)
	}
	if q.EntityType != "" {
		add("entity_type = ?", string(q.EntityType))
	}
	if q.EntityID != "" {
		add("entity_id = ?", q.EntityID)
	}
	if q.KeyID != "" {
		add("key_id = ?", q.KeyID)
	}
	if !q.Since.IsZero() {
		add("at >= ?", formatTime(q.Since))
	}
	cond := "1 = 1"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	g := db.gorm.WithContext(ctx)
	var total int64
	if err := g.Raw("SELECT count(*) FROM audit_entries WHERE "+cond, args...).Scan(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count audit entries: %w", err)
	}
	perPage := max(q.PerPage, 1)
	page := max(q.Page, 1)
	var rows []auditRow
	err := g.Raw("SELECT * FROM audit_entries WHERE "+cond+" ORDER BY seq DESC LIMIT ? OFFSET ?",
		append(args, perPage, (page-1)*perPage)...).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list audit entries: %w", err)
	}
	entries := make([]directory.AuditEntry, len(rows))
	for i, r := range rows {
		at, err := parseTime(r.At)
		if err != nil {
			return nil, 0, err
		}
		var changes []changeJSON
		if err := json.Unmarshal([]byte(r.Changes), &changes); err != nil {
			return nil, 0, fmt.Errorf("decode audit entry %s: %w", r.ID, err)
		}
		e := directory.AuditEntry{ID: r.ID, At: at, KeyID: r.KeyID, Actor: r.Actor, EntityType: directory.EntityType(r.EntityType),
			EntityID: r.EntityID, OrganizationID: r.OrganizationID, Action: directory.Action(r.Action)}
		for _, c := range changes {
			e.Changes = append(e.Changes, directory.Change{Field: c.Field, Old: c.Old, New: c.New})
		}
		entries[i] = e
	}
	return entries, int(total), nil
}

type keyRow struct {
	ID         string `gorm:"primaryKey"`
	Name       string
	Role       string
	Hash       string
	Prefix     string
	CreatedAt  string
	LastUsedAt *string
	RevokedAt  *string
}

func (keyRow) TableName() string { return "api_keys" }

func (r keyRow) toDomain() (directory.APIKey, error) {
	k := directory.APIKey{ID: r.ID, Name: r.Name, Role: directory.Role(r.Role), Hash: r.Hash, Prefix: r.Prefix}
	var err error
	if k.CreatedAt, err = parseTime(r.CreatedAt); err != nil {
		return k, err
	}
	if k.LastUsedAt, err = parseTimePtr(r.LastUsedAt); err != nil {
		return k, err
	}
	k.RevokedAt, err = parseTimePtr(r.RevokedAt)
	return k, err
}

// CreateKey implements directory.Store.
func (db *DB) CreateKey(ctx context.Context, k directory.APIKey, entry directory.AuditEntry) error {
	return db.write(ctx, "create key", func(tx *gorm.DB) error {
		row := keyRow{ID: k.ID, Name: k.Name, Role: string(k.Role), Hash: k.Hash, Prefix: k.Prefix, CreatedAt: formatTime(k.CreatedAt)}
		if err := tx.Create(&row).Error; err != nil {
			return db.translate(err, "insert key")
		}
		return db.insertAudit(tx, entry)
	})
}

// Keys implements directory.Store.
func (db *DB) Keys(ctx context.Context) ([]directory.APIKey, error) {
	var rows []keyRow
	if err := db.gorm.WithContext(ctx).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	keys := make([]directory.APIKey, len(rows))
	for i, r := range rows {
		var err error
		if keys[i], err = r.toDomain(); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// KeyByHash implements directory.Store.
func (db *DB) KeyByHash(ctx context.Context, hash string) (directory.APIKey, error) {
	var rows []keyRow
	if err := db.gorm.WithContext(ctx).Where("hash = ?", hash).Limit(1).Find(&rows).Error; err != nil {
		return directory.APIKey{}, fmt.Errorf("find key: %w", err)
	}
	if len(rows) == 0 {
		return directory.APIKey{}, directory.Errorf(directory.CodeNotFound, "no such key")
	}
	return rows[0].toDomain()
}

// RevokeKey implements directory.Store.
func (db *DB) RevokeKey(ctx context.Context, id string, at time.Time, entry directory.AuditEntry) (directory.APIKey, error) {
	var key directory.APIKey
	err := db.write(ctx, "revoke key", func(tx *gorm.DB) error {
		var rows []keyRow
		if err := tx.Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
			return fmt.Errorf("find key: %w", err)
		}
		if len(rows) == 0 {
			return directory.Errorf(directory.CodeNotFound, "no key %q", id)
		}
		if rows[0].RevokedAt == nil {
			revoked := formatTime(at)
			rows[0].RevokedAt = &revoked
			if err := tx.Exec("UPDATE api_keys SET revoked_at = ? WHERE id = ?", revoked, id).Error; err != nil {
				return fmt.Errorf("revoke key: %w", err)
			}
			if err := db.insertAudit(tx, entry); err != nil {
				return err
			}
		}
		var err error
		key, err = rows[0].toDomain()
		return err
	})
	return key, err
}

// TouchKey implements directory.Store.
func (db *DB) TouchKey(ctx context.Context, id string, at time.Time) error {
	if err := db.gorm.WithContext(ctx).Exec("UPDATE api_keys SET last_used_at = ? WHERE id = ?", formatTime(at), id).Error; err != nil {
		return fmt.Errorf("touch key: %w", db.full(err))
	}
	return nil
}
