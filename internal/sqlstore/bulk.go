package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"gorm.io/gorm"

	"github.com/coalition-directory/coalition/internal/directory"
)

// importBatch is how many new organizations an import buffers before
// writing them in multi-row inserts.
const importBatch = 1000

// Import implements directory.Store: fn's session writes in one write
// transaction (Dialect.RunImport), committed only when fn returns nil, so a
// failed or killed import leaves the database as it was. New rows are
// written by a goroutine of the session while the caller prepares the next
// ones, with the dialect's bulk load where it has one.
func (db *DB) Import(ctx context.Context, created directory.AuditEntry, fn func(directory.ImportSession) error) error {
	var loaded int // organizations created, once committed
	err := db.d.RunImport(ctx, db.bulk, func(tx *gorm.DB, load BulkLoad) error {
		if db.d.BeginWrite != nil {
			if err := db.d.BeginWrite(tx); err != nil {
				return fmt.Errorf("import: %w", err)
			}
		}
		return db.importIn(tx, load, created, fn, &loaded)
	})
	if err != nil {
		return db.full(err)
	}
	db.afterLoad(ctx, loaded)
	return nil
}

// importIn runs an import in the transaction tx, whose bulk load is load
// (nil for none), and sets *loaded to the number of organizations it
// created.
func (db *DB) importIn(tx *gorm.DB, load BulkLoad, created directory.AuditEntry, fn func(directory.ImportSession) error, loaded *int) error {
	var n int64
	if err := tx.Raw("SELECT count(*) FROM organizations").Scan(&n).Error; err != nil {
		return fmt.Errorf("count organizations: %w", err)
	}
	s := &importSession{db: db, tx: tx, load: load, places: db.places, empty: n == 0, created: created, builds: make(chan buildJob, 1), writes: make(chan insertBatch, 1), written: make(chan error, 1)}
	if err := s.keys.load(tx); err != nil {
		return err
	}
	s.firstNew = s.keys.Org + 1
	if s.empty {
		// Loading an empty directory: build the secondary indexes once at
		// the end, from sorted data, instead of updating them row by row.
		// DDL is transactional, so a failed import restores them.
		if err := s.dropIndexes(); err != nil {
			return err
		}
		// Likewise the search index, as the dialect can (with SQLite's
		// FTS4: no merging of its segments as they are written, one merge
		// of them all at Flush).
		for _, stmt := range db.d.SearchLoadStart {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("search index: %w", err)
			}
		}
	}
	go s.build()
	go s.write()
	err := fn(s)
	if werr := s.stopWriting(); err == nil {
		err = werr
	}
	if err == nil {
		*loaded = int(s.keys.Org - s.firstNew + 1)
	}
	return err
}

// importSession buffers new organizations and audit entries for batched
// inserts. When the database had no organizations at the start, nothing
// can match, and lookups are skipped.
type importSession struct {
	db     *DB
	tx     *gorm.DB
	load   BulkLoad // nil: multi-row INSERTs
	places directory.Places
	empty  bool
	keys   rowKeys
	// firstNew is the key of the first organization the session creates;
	// the filter rows and audit entries of those it creates are written at
	// Flush, from created.
	firstNew int64
	created  directory.AuditEntry
	pending  []directory.Organization
	audit    []auditRow
	// events are the change events of the rows the session updated,
	// appended to the log at Flush with those of the rows it created.
	events  []directory.ChangeEvent
	dropped []string // CREATE INDEX statements to run again at Flush

	// New rows go through two goroutines: a builder turns organizations
	// into row values, and a writer, which owns tx while it writes a batch,
	// executes them; mu lets the session's own reads and updates take turns
	// with the writer.
	mu      sync.Mutex
	builds  chan buildJob
	writes  chan insertBatch
	written chan error
	stopped bool
}

// buildJob is work for the builder: organizations numbered from keys, or a
// batch that is ready.
type buildJob struct {
	orgs  []directory.Organization
	keys  rowKeys
	ready insertBatch
}

// build turns jobs into batches for the writer until builds closes. A
// batch of new organizations ends by deriving their filter rows, while the
// next batch is prepared, rather than all of them at Flush, when nothing
// else is left to do: on PostgreSQL the server works while the import
// parses and validates, instead of after.
func (s *importSession) build() {
	ix, vocab := directory.NewIndexer(s.places), newVocabulary()
	for j := range s.builds {
		b := j.ready
		if b == nil {
			keys := j.keys
			b = append(newInsertBatch(s.db.d, j.orgs, &keys, ix, vocab), insertBatch{{filterRowsFrom, []any{j.keys.Org + 1}}}...)
		}
		s.writes <- b
	}
	close(s.writes)
}

// write executes batches until writes closes, then reports the first error.
// After an error it drains the channel, so senders never block.
func (s *importSession) write() {
	in := s.db.newInserter(s.tx)
	in.load = s.load
	var first error
	for b := range s.writes {
		if first != nil {
			continue
		}
		s.mu.Lock()
		first = b.exec(in)
		s.mu.Unlock()
	}
	in.close()
	s.written <- first
}

// stopWriting waits for the batches sent so far and returns the writer's error.
func (s *importSession) stopWriting() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	close(s.builds)
	return <-s.written
}

// dropIndexes drops the secondary indexes of the tables an import fills and
// remembers them for Flush to create again.
func (s *importSession) dropIndexes() error {
	if s.db.d.DroppableIndexes == nil {
		return nil
	}
	indexes, err := s.db.d.DroppableIndexes(s.tx, []string{"organizations", "contacts",
		"organization_regions", "organization_focus_areas", "organization_languages", "audit_entries",
		"organization_search"})
	if err != nil {
		return fmt.Errorf("list indexes: %w", err)
	}
	for _, ix := range indexes {
		if err := s.tx.Exec(ix.Drop).Error; err != nil {
			return fmt.Errorf("drop index %s: %w", ix.Name, err)
		}
		s.dropped = append(s.dropped, ix.SQL)
	}
	return nil
}

// Match implements directory.ImportSession.
func (s *importSession) Match(ctx context.Context, id, slug string) (directory.Organization, bool, error) {
	if s.empty {
		return directory.Organization{}, false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := s.tx.WithContext(ctx)
	var row organizationRow
	var found bool
	var err error
	if id != "" {
		if row, found, err = findOrganization(tx, "o.id = ?", strings.ToLower(id)); err != nil {
			return directory.Organization{}, false, err
		}
		if found && row.Archived != nil {
			return directory.Organization{}, false, &directory.Error{Code: directory.CodeConflict, Message: "archived organization",
				Fields: []directory.FieldError{{Field: "id", Message: "belongs to an archived organization; restore it first"}}}
		}
	}
	if !found && slug != "" {
		if row, found, err = findOrganization(tx, "o.slug = ? AND o.archived_at IS NULL", slug); err != nil {
			return directory.Organization{}, false, err
		}
	}
	if !found {
		return directory.Organization{}, false, nil
	}
	o, err := row.toDomain()
	if err != nil {
		return o, false, err
	}
	o.Contacts, err = contactsOf(tx, row.PK, o.ID)
	return o, err == nil, err
}

// SameName implements directory.ImportSession. It reads the rows written
// so far; organizations still pending in the session are the caller's to
// remember.
func (s *importSession) SameName(ctx context.Context, country, name string) ([]string, error) {
	if s.empty {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var slugs []string
	err := s.tx.WithContext(ctx).Raw(`SELECT slug FROM organizations
		WHERE sort_original = ? AND country_code = ? AND archived_at IS NULL ORDER BY slug LIMIT 5`,
		sortKey(name), country).Scan(&slugs).Error
	if err != nil {
		return nil, fmt.Errorf("find organizations named %q: %w", name, err)
	}
	return slugs, nil
}

// Create implements directory.ImportSession.
func (s *importSession) Create(ctx context.Context, orgs ...directory.Organization) error {
	s.pending = append(s.pending, orgs...)
	if len(s.pending) >= importBatch {
		s.flushOrganizations()
	}
	return nil
}

// flushOrganizations builds the rows of the pending organizations and hands
// them to the writer.
func (s *importSession) flushOrganizations() {
	if len(s.pending) == 0 {
		return
	}
	job := buildJob{orgs: s.pending, keys: s.keys}
	for i := range s.pending {
		s.keys.Org++
		s.keys.Contact += int64(len(s.pending[i].Contacts))
	}
	s.builds <- job
	s.pending = make([]directory.Organization, 0, importBatch) // the job holds the old buffer
}

// Replace implements directory.ImportSession: the organization's row,
// filter rows, contacts and search row are rewritten.
func (s *importSession) Replace(ctx context.Context, o directory.Organization, version int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := s.tx.WithContext(ctx)
	pk, err := organizationPK(tx, o.ID, version, "organizations")
	if err != nil {
		return err
	}
	if err := retireSlug(tx, pk, o.Slug, o.UpdatedAt); err != nil {
		return err
	}
	row := toOrganizationRow(&o, pk)
	if err := tx.Model(&organizationRow{}).Where("pk = ?", pk).Select("*").Omit("pk").Updates(&row).Error; err != nil {
		return s.db.translate(err, "update organization")
	}
	for _, q := range []string{
		"DELETE FROM organization_regions WHERE org_pk = ?",
		"DELETE FROM organization_focus_areas WHERE org_pk = ?",
		"DELETE FROM organization_languages WHERE org_pk = ?",
		"DELETE FROM contacts WHERE org_pk = ?",
	} {
		if err := tx.Exec(q, pk).Error; err != nil {
			return fmt.Errorf("replace organization rows: %w", err)
		}
	}
	if err := s.db.writeFilterRows(tx, "o.pk = ?", pk); err != nil {
		return err
	}
	if len(o.Contacts) > 0 {
		// Number them from the session's keys, as new organizations'
		// contacts are: a key the database chose could be one a pending
		// batch already holds.
		rows := make([]contactRow, len(o.Contacts))
		for i := range o.Contacts {
			s.keys.Contact++
			rows[i] = toContactRow(&o.Contacts[i], s.keys.Contact, pk)
		}
		if err := tx.Create(&rows).Error; err != nil {
			return s.db.translate(err, "insert contacts")
		}
	}
	return s.db.reindex(tx, directory.NewIndexer(s.places), pk)
}

// Audit implements directory.ImportSession.
func (s *importSession) Audit(ctx context.Context, entries ...directory.AuditEntry) error {
	for _, e := range entries {
		row, err := toAuditRow(e)
		if err != nil {
			return err
		}
		s.audit = append(s.audit, row)
		if ev, ok := directory.EventOf(e); ok {
			s.events = append(s.events, ev)
		}
	}
	if len(s.audit) >= importBatch {
		s.flushAudit()
	}
	return nil
}

func (s *importSession) flushAudit() {
	if len(s.audit) == 0 {
		return
	}
	values := make([]any, 0, len(s.audit)*len(auditTable().columns))
	for i := range s.audit {
		values = append(values, s.audit[i].values()...)
	}
	s.builds <- buildJob{ready: insertBatch{{auditTable(), values}}}
	s.audit = s.audit[:0]
}

// Flush implements directory.ImportSession: it waits for every write (the
// new organizations' filter rows among them, see build), derives the audit
// entries of the new organizations and builds the indexes dropped for the
// import.
func (s *importSession) Flush(ctx context.Context) error {
	s.flushOrganizations()
	s.flushAudit()
	if err := s.stopWriting(); err != nil {
		return err
	}
	if err := s.auditCreated(ctx); err != nil {
		return err
	}
	defer func() { s.events = nil }()
	for _, create := range s.dropped {
		if err := s.tx.WithContext(ctx).Exec(create).Error; err != nil {
			return s.db.translate(err, "create index")
		}
	}
	if s.empty {
		for _, stmt := range s.db.d.SearchLoadEnd {
			if err := s.tx.WithContext(ctx).Exec(stmt).Error; err != nil {
				return fmt.Errorf("search index: %w", err)
			}
		}
	}
	s.dropped = nil
	if err := s.db.analyze(s.tx.WithContext(ctx), int(s.keys.Org-s.firstNew+1)); err != nil {
		return err
	}
	// Last, as it holds the change log's lock until the commit.
	return s.db.appendImported(s.tx.WithContext(ctx), s.events, s.firstNew, s.created)
}

// auditCreated writes the audit entries of the organizations the session
// created, in SQL: like s.created, about each organization, with IDs made of
// the first 24 characters of s.created's (a UUIDv7, so the import's time and
// random bits) and the organization's key in 12 hex digits.
func (s *importSession) auditCreated(ctx context.Context) error {
	if s.keys.Org < s.firstNew {
		return nil // none created
	}
	row, err := toAuditRow(s.created)
	if err != nil {
		return err
	}
	if len(row.ID) != 36 {
		return fmt.Errorf("audit import: entry id %q is not a UUID", row.ID)
	}
	err = s.tx.WithContext(ctx).Exec(`INSERT INTO audit_entries
		(id, at, key_id, actor, entity_type, entity_id, organization_id, action, changes)
		SELECT ? || `+s.db.d.HexKey+`, ?, ?, ?, ?, o.id, o.id, ?, ?
		FROM organizations o WHERE o.pk >= ? ORDER BY o.pk`,
		row.ID[:24], row.At, row.KeyID, row.Actor, row.EntityType, row.Action, row.Changes, s.firstNew).Error
	if err != nil {
		return fmt.Errorf("audit import: %w", err)
	}
	return nil
}

// EachOrganization implements directory.Store. It reads in one read
// transaction (Dialect.ReadTx) on a connection of the export pool, so the
// export is one snapshot while writers go on and a slow client holds no
// connection that other requests need. It reads the organizations in
// batches of exportBatch, in slug order, and the contacts of each batch
// with one query: memory holds one batch, and a connection only ever has
// one result open, as PostgreSQL's protocol requires. The transaction is
// database/sql's, so it ends however the export does, a cancelled context
// included.
func (db *DB) EachOrganization(ctx context.Context, q directory.ListQuery, search directory.SearchQuery, private bool, at func(seq int64), fn func(*directory.Organization) error) error {
	cond, args := db.listConditions(q, search, private)
	contactCond := ""
	if !private {
		contactCond = " AND c.visibility = 'public'"
	}
	return db.readTransaction(db.reading(ctx, db.export), func(tx *gorm.DB) error {
		// The change log's latest seq, read first: the snapshot the
		// export reads holds every change up to it and none after.
		var seq int64
		if err := tx.Raw("SELECT COALESCE(max(seq), 0) FROM changes").Scan(&seq).Error; err != nil {
			return fmt.Errorf("export: read change log: %w", err)
		}
		if at != nil {
			at(seq)
		}
		after := cond
		afterArgs := args
		for {
			batch, err := exportOrganizations(tx, after, afterArgs)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				return nil
			}
			keys := make([]int64, len(batch))
			for i := range batch {
				keys[i] = batch[i].PK
			}
			contacts, err := exportContacts(tx, db.d.KeysIn, contactCond, keys)
			if err != nil {
				return err
			}
			for i := range batch {
				o, err := batch[i].toDomain()
				if err != nil {
					return err
				}
				for _, c := range contacts[batch[i].PK] {
					contact, err := c.toDomain(o.ID)
					if err != nil {
						return err
					}
					o.Contacts = append(o.Contacts, contact)
				}
				if err := fn(&o); err != nil {
					return err
				}
			}
			if len(batch) < exportBatch {
				return nil
			}
			last := batch[len(batch)-1]
			// Slugs of archived organizations may repeat: the key breaks ties.
			after = cond + " AND (o.slug > ? OR o.slug = ? AND o.pk > ?)"
			afterArgs = append(append([]any{}, args...), last.Slug, last.Slug, last.PK)
		}
	})
}

// exportBatch is how many organizations an export reads at a time.
const exportBatch = 500

// exportOrganizations reads the next batch of an export: the first
// exportBatch organizations matching cond in slug order.
func exportOrganizations(tx *gorm.DB, cond string, args []any) ([]organizationRow, error) {
	rows, err := tx.Raw("SELECT "+organizationColumns+" FROM organizations o WHERE "+cond+" ORDER BY o.slug, o.pk LIMIT ?",
		append(args, exportBatch)...).Rows()
	if err != nil {
		return nil, fmt.Errorf("export organizations: %w", err)
	}
	defer rows.Close()
	batch := make([]organizationRow, 0, exportBatch)
	for rows.Next() {
		r, err := scanOrganization(rows)
		if err != nil {
			return nil, fmt.Errorf("export: read organization: %w", err)
		}
		batch = append(batch, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("export organizations: %w", err)
	}
	return batch, nil
}

// exportContacts reads the contacts of the organizations with keys that
// cond (over contacts c, "" or starting with AND) admits, by organization
// key, in the order an organization lists them.
func exportContacts(tx *gorm.DB, keysIn, cond string, keys []int64) (map[int64][]contactRow, error) {
	var rows []contactRow
	err := tx.Raw("SELECT c.* FROM contacts c WHERE c.org_pk IN ("+keysIn+")"+cond+" ORDER BY c.org_pk, c.is_primary DESC, c.pk",
		mustJSON(keys)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("export contacts: %w", err)
	}
	out := make(map[int64][]contactRow, len(keys))
	for _, r := range rows {
		out[r.OrgPK] = append(out[r.OrgPK], r)
	}
	return out, nil
}

// Widths implements directory.Store. Like an export, it reads on the export
// pool, without the memory map, which would grow the process by every page
// it passes.
func (db *DB) Widths(ctx context.Context) (phones, contacts int, err error) {
	var w struct{ Phones, Contacts int }
	err = db.reading(ctx, db.export).Raw(`SELECT
			(SELECT coalesce(max(` + db.d.JSONArrayLength("phones") + `), 0) FROM organizations WHERE archived_at IS NULL) AS phones,
			(SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM contacts c JOIN organizations o ON o.pk = c.org_pk
				WHERE o.archived_at IS NULL GROUP BY c.org_pk) AS per_organization) AS contacts`).Scan(&w).Error
	if err != nil {
		return 0, 0, fmt.Errorf("measure widths: %w", err)
	}
	return w.Phones, w.Contacts, nil
}
