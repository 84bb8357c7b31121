package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/directory"
)

// organizationColumns are the columns a domain organization is read from,
// in the order scanOrganization reads them.
const organizationColumns = `o.pk, o.id, o.slug, o.original_language, o.name_ru, o.description_ru,
	o.name_en, o.description_en, o.acronym, o.website, o.email, o.phones, o.country_code,
	o.region_code, o.city, o.address, o.address_hidden, o.service_regions, o.languages,
	o.focus_areas, o.membership_status, o.member_since, o.member_until, o.verified_at,
	o.created_at, o.updated_at, o.archived_at, o.version, o.public_version, o.public_updated_at`

// listConditions returns the WHERE clause (over organizations o) and its
// arguments for the filters and search words of q.
func (db *DB) listConditions(q directory.ListQuery, search directory.SearchQuery, private bool) (string, []any) {
	var where []string
	var args []any
	if q.Archived {
		where = append(where, "o.archived_at IS NOT NULL")
	} else {
		where = append(where, "o.archived_at IS NULL")
	}
	in := func(column string, values []string) {
		where = append(where, column+" IN ("+placeholders(len(values))+")")
		for _, v := range values {
			args = append(args, v)
		}
	}
	if len(q.Countries) > 0 {
		in("o.country_code", q.Countries)
	}
	if len(q.Statuses) > 0 {
		statuses := make([]string, len(q.Statuses))
		for i, s := range q.Statuses {
			statuses[i] = string(s)
		}
		in("o.membership_status", statuses)
	}
	if len(q.Regions) > 0 {
		in("o.pk IN (SELECT org_pk FROM organization_regions WHERE region_code", q.Regions)
		where[len(where)-1] += ")"
	}
	if len(q.FocusAreas) > 0 {
		in("o.pk IN (SELECT org_pk FROM organization_focus_areas WHERE focus_area", q.FocusAreas)
		where[len(where)-1] += ")"
	}
	if len(q.Languages) > 0 {
		in("o.pk IN (SELECT org_pk FROM organization_languages WHERE language", q.Languages)
		where[len(where)-1] += ")"
	}
	if !q.ModifiedAfter.IsZero() {
		where = append(where, "o.updated_at > ?")
		args = append(args, formatTime(q.ModifiedAfter))
	}
	if !search.IsEmpty() {
		where = append(where, "o.pk IN (SELECT docid FROM organization_search WHERE "+db.d.SearchMatch+")")
		args = append(args, db.newSearchExpr(search, private).full())
	}
	return strings.Join(where, " AND "), args
}

// ListOrganizations implements directory.Store. Live organizations are
// listed by listLive; the archived few by the plain query below.
func (db *DB) ListOrganizations(ctx context.Context, q directory.ListQuery, search directory.SearchQuery, private bool) ([]directory.Organization, int, error) {
	if !q.Archived {
		return db.listLive(ctx, q, search, private)
	}
	cond, args := db.listConditions(q, search, private)

	g := db.gorm.WithContext(ctx)
	var total int64
	if err := g.Raw("SELECT count(*) FROM organizations o WHERE "+cond, args...).Scan(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count organizations: %w", err)
	}
	if total == 0 || q.Offset() >= int(total) {
		return nil, int(total), nil
	}

	sortColumn := "o.sort_original"
	switch q.Lang {
	case directory.LangRU:
		sortColumn = "o.sort_ru"
	case directory.LangEN:
		sortColumn = "o.sort_en"
	}
	order := sortColumn + ", o.pk"
	pageArgs := args
	switch q.Sort {
	case directory.SortUpdatedAtDesc:
		order = "o.updated_at DESC, o.pk DESC"
	case directory.SortRelevance:
		// Archived organizations are few, and searched by admins: the best
		// relevance level first, then name order.
		if !search.IsEmpty() {
			order = "o.pk IN (SELECT docid FROM organization_search WHERE " + db.d.SearchMatch + ") DESC, " + order
			pageArgs = append(append([]any{}, args...), db.newSearchExpr(search, private).levels()[0])
		}
	}
	pageArgs = append(pageArgs, q.PerPage, q.Offset())

	var rows []organizationRow
	err := g.Raw("SELECT "+organizationColumns+" FROM organizations o WHERE "+cond+
		" ORDER BY "+order+" LIMIT ? OFFSET ?", pageArgs...).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list organizations: %w", err)
	}
	orgs := make([]directory.Organization, len(rows))
	for i := range rows {
		if orgs[i], err = rows[i].toDomain(); err != nil {
			return nil, 0, err
		}
	}
	return orgs, int(total), nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// Organization implements directory.Store.
func (db *DB) Organization(ctx context.Context, idOrSlug string) (directory.Organization, error) {
	column, key := lookupColumn(idOrSlug)
	return getOrganization(db.gorm.WithContext(ctx), idOrSlug, column+" = ? AND o.archived_at IS NULL", key)
}

// findOrganization reads the first organization row that clause (a WHERE
// condition over o, and any ORDER BY) selects; found is false for none.
func findOrganization(tx *gorm.DB, clause string, args ...any) (row organizationRow, found bool, err error) {
	var rows []organizationRow
	if err := tx.Raw("SELECT "+organizationColumns+" FROM organizations o WHERE "+clause+" LIMIT 1", args...).Scan(&rows).Error; err != nil {
		return organizationRow{}, false, fmt.Errorf("get organization: %w", err)
	}
	if len(rows) == 0 {
		return organizationRow{}, false, nil
	}
	return rows[0], true, nil
}

// getOrganization is findOrganization for one the caller asked for by
// idOrSlug: none is CodeNotFound.
func getOrganization(tx *gorm.DB, idOrSlug, clause string, args ...any) (directory.Organization, error) {
	row, found, err := findOrganization(tx, clause, args...)
	if err != nil {
		return directory.Organization{}, err
	}
	if !found {
		return directory.Organization{}, directory.Errorf(directory.CodeNotFound, "no organization %q", idOrSlug)
	}
	return row.toDomain()
}

// contactsOf reads every contact of the organization with key pk, primary first.
func contactsOf(tx *gorm.DB, pk int64, orgID string) ([]directory.Contact, error) {
	var rows []contactRow
	if err := tx.Where("org_pk = ?", pk).Order("is_primary DESC, pk").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("get contacts: %w", err)
	}
	contacts := make([]directory.Contact, len(rows))
	for i := range rows {
		var err error
		if contacts[i], err = rows[i].toDomain(orgID); err != nil {
			return nil, err
		}
	}
	return contacts, nil
}

// lookupColumn tells an id from a slug: ids are UUIDs, which no slug is.
func lookupColumn(idOrSlug string) (column, key string) {
	if _, err := uuid.Parse(idOrSlug); err == nil {
		return "o.id", strings.ToLower(idOrSlug)
	}
	return "o.slug", idOrSlug
}

// Contacts implements directory.Store.
func (db *DB) Contacts(ctx context.Context, organizationID string, private bool) ([]directory.Contact, error) {
	query := `SELECT c.* FROM contacts c JOIN organizations o ON o.pk = c.org_pk WHERE o.id = ?`
	if !private {
		query += ` AND c.visibility = 'public'`
	}
	var rows []contactRow
	if err := db.gorm.WithContext(ctx).Raw(query+` ORDER BY c.is_primary DESC, c.pk`, organizationID).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	contacts := make([]directory.Contact, len(rows))
	for i := range rows {
		var err error
		if contacts[i], err = rows[i].toDomain(organizationID); err != nil {
			return nil, err
		}
	}
	return contacts, nil
}

// OrganizationsWithContacts implements directory.Store in two statements,
// however many ids: the organizations, then their contacts. Both run in
// one read transaction (Dialect.ReadTx: on PostgreSQL REPEATABLE READ,
// read only), so they read one snapshot and a write committed between them
// cannot give an organization contacts of another state than its own. The
// transaction is on the read handle, routed to the primary (on SQLite the
// write handle's transactions would take the write lock; on PostgreSQL a
// replica could lag behind the change events the records are read for).
func (db *DB) OrganizationsWithContacts(ctx context.Context, ids []string) ([]directory.Organization, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var orgs []directory.Organization
	err := db.readTransaction(db.reading(directory.WithPrimary(ctx), db.read), func(tx *gorm.DB) error {
		var err error
		orgs, err = organizationsWithContacts(tx, db.d, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	return orgs, nil
}

// organizationsWithContacts reads OrganizationsWithContacts in tx.
func organizationsWithContacts(tx *gorm.DB, d *Dialect, ids []string) ([]directory.Organization, error) {
	var rows []organizationRow
	err := tx.Raw("SELECT "+organizationColumns+" FROM organizations o WHERE o.id IN ("+d.TextsIn+") AND o.archived_at IS NULL",
		mustJSON(ids)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("get organizations: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	orgs := make([]directory.Organization, len(rows))
	at := make(map[int64]*directory.Organization, len(rows))
	keys := make([]int64, len(rows))
	for i := range rows {
		if orgs[i], err = rows[i].toDomain(); err != nil {
			return nil, fmt.Errorf("organization %s: %w", rows[i].ID, err)
		}
		at[rows[i].PK], keys[i] = &orgs[i], rows[i].PK
	}
	var contacts []contactRow
	err = tx.Raw("SELECT c.* FROM contacts c WHERE c.org_pk IN ("+d.KeysIn+") ORDER BY c.org_pk, c.is_primary DESC, c.pk",
		mustJSON(keys)).Scan(&contacts).Error
	if err != nil {
		return nil, fmt.Errorf("get contacts: %w", err)
	}
	for i := range contacts {
		o := at[contacts[i].OrgPK]
		c, err := contacts[i].toDomain(o.ID)
		if err != nil {
			return nil, fmt.Errorf("organization %s: contact: %w", o.ID, err)
		}
		o.Contacts = append(o.Contacts, c)
	}
	return orgs, nil
}

// CreateOrganizations implements directory.Store.
func (db *DB) CreateOrganizations(ctx context.Context, orgs []directory.Organization) error {
	err := db.transaction(db.bulk.WithContext(ctx), func(tx *gorm.DB) error {
		if err := db.insertOrganizations(tx, db.indexer(), orgs); err != nil {
			return err
		}
		return db.analyze(tx, len(orgs))
	})
	if err != nil {
		return fmt.Errorf("create organizations: %w", db.full(err))
	}
	db.afterLoad(ctx, len(orgs))
	return nil
}

// insertOrganizations writes new organizations with their contacts, filter
// rows and search rows. It must run in a write transaction (which holds
// the write lock: see Dialect.BeginWrite): keys are numbered up front, so
// rows can be written in multi-row batches.
func (db *DB) insertOrganizations(tx *gorm.DB, ix *directory.Indexer, orgs []directory.Organization) error {
	var keys rowKeys
	if err := keys.load(tx); err != nil {
		return err
	}
	first := keys.Org + 1
	in := db.newInserter(tx)
	defer in.close()
	if err := newInsertBatch(db.d, orgs, &keys, ix, newVocabulary()).exec(in); err != nil {
		return err
	}
	return db.writeFilterRows(tx, "o.pk >= ?", first)
}

// rowKeys are the last primary keys used, for numbering new rows.
type rowKeys struct{ Org, Contact int64 }

func (k *rowKeys) load(tx *gorm.DB) error {
	if err := tx.Raw(`SELECT (SELECT coalesce(max(pk), 0) FROM organizations) AS org,
		(SELECT coalesce(max(pk), 0) FROM contacts) AS contact`).Scan(k).Error; err != nil {
		return fmt.Errorf("number new rows: %w", err)
	}
	return nil
}

// insertBatch holds the rows of new organizations, built in Go, ready for
// multi-row INSERTs (their filter rows are derived in SQL afterwards, see
// writeFilterRows): building and executing are apart so that an import can
// build one batch while the previous one is written.
type insertBatch []struct {
	table  table
	values []any
}

// newInsertBatch builds the rows of orgs, numbering them after keys, with
// their search rows from ix (in the columns d keeps) and the vocabulary
// entries vocab has not seen.
func newInsertBatch(d *Dialect, orgs []directory.Organization, keys *rowKeys, ix *directory.Indexer, vocab *vocabulary) insertBatch {
	contacts := 0
	for i := range orgs {
		contacts += len(orgs[i].Contacts)
	}
	orgValues := make([]any, 0, len(orgs)*len(organizationsTable().columns))
	contactValues := make([]any, 0, contacts*len(contactsTable().columns))
	searchValues := make([]any, 0, len(orgs)*len(searchTable(d).columns))
	for i := range orgs {
		o := &orgs[i]
		keys.Org++
		pk := keys.Org
		row := toOrganizationRow(o, pk)
		orgValues = append(orgValues, row.values()...)
		for j := range o.Contacts {
			keys.Contact++
			c := toContactRow(&o.Contacts[j], keys.Contact, pk)
			contactValues = append(contactValues, c.values()...)
		}
		if o.ArchivedAt == nil {
			doc := ix.Document(o)
			searchValues = append(searchValues, searchRowValues(d, o, &row, &doc)...)
			vocab.add(&doc)
		}
	}
	return insertBatch{
		{organizationsTable(), orgValues},
		{contactsTable(), contactValues},
		{searchTable(d), searchValues},
		{vocabularyTable, vocab.take()},
	}
}

// exec writes the batch.
func (b insertBatch) exec(in *inserter) error {
	for _, t := range b {
		if err := in.insert(t.table, t.values); err != nil {
			return err
		}
	}
	return nil
}

// writeFilterRows writes the filter rows of the organizations matching cond,
// an SQL condition on o (the organizations table) with one parameter, arg:
// the seat region and the service regions, the focus areas and the
// languages, each row with what it repeats of its organization (see
// Dialect.FilterRowInserts). Deriving them in SQL keeps one source of
// truth, the row, and spares a bulk load millions of bound parameters.
// They must have none yet.
func (db *DB) writeFilterRows(tx *gorm.DB, cond string, arg any) error {
	for _, q := range db.d.FilterRowInserts {
		if err := tx.Exec(fmt.Sprintf(q, cond), arg).Error; err != nil {
			return db.translate(err, "write filter rows")
		}
	}
	return nil
}

// Counts implements directory.Store.
func (db *DB) Counts(ctx context.Context) (directory.Counts, error) {
	c := directory.Counts{
		ByCountry:   map[string]int{},
		ByRegion:    map[string]int{},
		ByFocusArea: map[string]int{},
		ByStatus:    map[directory.MembershipStatus]int{},
	}
	type tally struct {
		Code  string
		Count int
	}
	g := db.gorm.WithContext(ctx)
	for _, q := range []struct {
		sql string
		add func(code string, n int)
	}{
		// One pass over the (country, status) index tallies both.
		{`SELECT country_code || ' ' || membership_status AS code, count(*) AS count FROM organizations
			WHERE archived_at IS NULL GROUP BY country_code, membership_status`,
			func(code string, n int) {
				country, status, _ := strings.Cut(code, " ")
				c.ByCountry[country] += n
				c.ByStatus[directory.MembershipStatus(status)] += n
				c.Total += n
			}},
		// Filter rows say whether their organization is archived.
		{`SELECT region_code AS code, count(*) AS count FROM organization_regions
			WHERE archived = 0 GROUP BY region_code`,
			func(code string, n int) { c.ByRegion[code] = n }},
		{`SELECT focus_area AS code, count(*) AS count FROM organization_focus_areas
			WHERE archived = 0 GROUP BY focus_area`,
			func(code string, n int) { c.ByFocusArea[code] = n }},
	} {
		var rows []tally
		if err := g.Raw(q.sql).Scan(&rows).Error; err != nil {
			return c, fmt.Errorf("count organizations: %w", err)
		}
		for _, r := range rows {
			q.add(r.Code, r.Count)
		}
	}
	return c, nil
}

// FocusAreas implements directory.Store.
func (db *DB) FocusAreas(ctx context.Context) ([]directory.FocusArea, error) {
	var rows []focusAreaRow
	if err := db.gorm.WithContext(ctx).Order("position, slug").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list focus areas: %w", err)
	}
	areas := make([]directory.FocusArea, len(rows))
	for i, r := range rows {
		areas[i] = directory.FocusArea{Slug: r.Slug, Group: directory.FocusAreaGroup(r.Grp), LabelEN: r.LabelEN, LabelRU: r.LabelRU}
	}
	return areas, nil
}

// AddFocusAreas implements directory.Store.
func (db *DB) AddFocusAreas(ctx context.Context, areas []directory.FocusArea) error {
	err := db.transaction(db.gorm.WithContext(ctx), func(tx *gorm.DB) error {
		for i, a := range areas {
			err := tx.Exec(`INSERT INTO focus_areas (slug, grp, label_en, label_ru, position)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING`,
				a.Slug, string(a.Group), a.LabelEN, a.LabelRU, i+1).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add focus areas: %w", err)
	}
	return nil
}
