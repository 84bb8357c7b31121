package directory

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ImportRecord is one organization read from an import file, with its
// contacts. Row is the row (CSV) or line (NDJSON) it came from, counted
// from 1 as a spreadsheet or editor shows it. Err is set when the row could
// not be read: a *Error of CodeInvalid names the row's bad fields; any other
// error (the file broke off, say) stops the import.
type ImportRecord struct {
	Row int
	Org Organization
	Err error
}

// ImportStatus is what an import did, or would do, with one row.
type ImportStatus string

// Row outcomes.
const (
	ImportCreated   ImportStatus = "created"
	ImportUpdated   ImportStatus = "updated"
	ImportUnchanged ImportStatus = "unchanged"
	ImportInvalid   ImportStatus = "invalid"
)

// ImportRow is the outcome of one row.
type ImportRow struct {
	Row    int
	Status ImportStatus
	ID     string
	Slug   string
	Errors []FieldError
}

// ImportReport is the outcome of a whole import.
type ImportReport struct {
	DryRun                               bool
	Created, Updated, Unchanged, Invalid int
	Rows                                 []ImportRow
}

// ImportSession is the storage side of one import: one transaction that
// the Store commits only when the import's function returns nil.
type ImportSession interface {
	// Match returns the live organization with id, else the one with slug,
	// with all its contacts; found is false when there is none. An id that
	// belongs to an archived organization is CodeConflict.
	Match(ctx context.Context, id, slug string) (org Organization, found bool, err error)
	// Create stores new organizations, audited as the Store's Import says;
	// it may buffer them until Flush.
	Create(ctx context.Context, orgs ...Organization) error
	// Replace stores o (with its contacts) over the stored version.
	Replace(ctx context.Context, o Organization, version int) error
	// Audit stores audit entries; it may buffer them until Flush.
	Audit(ctx context.Context, entries ...AuditEntry) error
	// Flush writes what is buffered.
	Flush(ctx context.Context) error
}

// ImportOptions tune an import.
type ImportOptions struct {
	// DryRun validates and reports without writing.
	DryRun bool
	// FieldName, when set, renames the fields of row errors as the file
	// names them (a CSV column rather than a JSON path).
	FieldName func(field, originalLanguage string) string
}

// errRollback ends an import session without committing it.
var errRollback = errors.New("import rolled back")

// maxReportedErrors bounds the field errors an import returns, so that a
// file of a hundred thousand bad rows gives a readable answer.
const maxReportedErrors = 1000

// Import upserts organizations from records, all or nothing: every row is
// validated with the rules of the API, matched by id, else by slug, and
// created, updated or left unchanged. If any row is invalid nothing is
// written and the error (CodeInvalid) names each bad row and field as
// rows[N].field; the report says what each row would have done. A dry run
// reports the same and writes nothing. Writes are audited as ActionImport,
// in the same transaction. It needs the admin role.
func (s *Service) Import(ctx context.Context, caller Caller, records iter.Seq[ImportRecord], opts ImportOptions) (ImportReport, error) {
	dryRun := opts.DryRun
	report := ImportReport{DryRun: dryRun}
	if err := caller.require(RoleAdmin); err != nil {
		return report, err
	}
	known, err := s.focusAreaSlugs(ctx)
	if err != nil {
		return report, err
	}
	var fe fieldErrors
	// The entry of a created organization names the import, not each field:
	// the record itself is what it was created with, and a hundred thousand
	// copies of it would double an import's cost.
	created := s.audit(caller, EntityOrganization, "", ActionImport, []Change{{Field: "created", New: true}})
	err = s.store.Import(ctx, created, func(session ImportSession) error {
		seenIDs, seenSlugs := map[string]int{}, map[string]int{}
		prepared := inParallel(records, runtime.GOMAXPROCS(0), func(rec ImportRecord) preparedRecord {
			return s.prepareRecord(rec, known)
		})
		for p := range prepared {
			rec := p.rec
			row, rowErr := p.row, p.err
			if rowErr == nil {
				row, rowErr = s.importRow(ctx, session, caller, p, seenIDs, seenSlugs, len(fe) > 0 || dryRun)
			}
			if rowErr != nil {
				var de *Error
				if !errors.As(rowErr, &de) || de.Code != CodeInvalid && de.Code != CodeConflict {
					return fmt.Errorf("import row %d: %w", rec.Row, rowErr)
				}
				row = ImportRow{Row: rec.Row, Status: ImportInvalid, ID: rec.Org.ID, Slug: rec.Org.Slug, Errors: de.Fields}
				if len(row.Errors) == 0 {
					row.Errors = []FieldError{{Field: "row", Message: de.Message}}
				}
				for i, f := range row.Errors {
					if opts.FieldName != nil {
						f.Field = opts.FieldName(f.Field, rec.Org.OriginalLanguage)
						row.Errors[i] = f
					}
					if len(fe) < maxReportedErrors {
						fe.add(fmt.Sprintf("rows[%d].%s", rec.Row, f.Field), "%s", f.Message)
					}
				}
			}
			report.count(row.Status)
			report.Rows = append(report.Rows, row)
		}
		if len(fe) > 0 || dryRun {
			return errRollback
		}
		return session.Flush(ctx)
	})
	if err != nil && !errors.Is(err, errRollback) {
		return report, fmt.Errorf("import: %w", err)
	}
	if len(fe) > 0 {
		msg := fmt.Sprintf("%d of %d rows are invalid; nothing was imported", report.Invalid, len(report.Rows))
		if report.Invalid > maxReportedErrors {
			msg += fmt.Sprintf(" (the first %d errors are listed)", maxReportedErrors)
		}
		return report, &Error{Code: CodeInvalid, Message: msg, Fields: fe}
	}
	return report, nil
}

func (r *ImportReport) count(status ImportStatus) {
	switch status {
	case ImportCreated:
		r.Created++
	case ImportUpdated:
		r.Updated++
	case ImportUnchanged:
		r.Unchanged++
	case ImportInvalid:
		r.Invalid++
	}
}

// preparedRecord is a record after the checks that need no database:
// parsing and validation, which run in parallel.
type preparedRecord struct {
	rec ImportRecord
	org Organization // validated and normalized
	row ImportRow
	err error
}

// prepareRecord validates one record; it reads only immutable state, so
// records are prepared concurrently.
func (s *Service) prepareRecord(rec ImportRecord, known map[string]bool) preparedRecord {
	if rec.Err != nil {
		return preparedRecord{rec: rec, err: rec.Err}
	}
	o := rec.Org
	o.Translations = maps.Clone(o.Translations)
	if o.Slug == "" {
		text, _ := o.Text(o.OriginalLanguage)
		o.Slug = MakeSlug(text.Name)
	}
	if err := s.validate(&o, known); err != nil {
		return preparedRecord{rec: rec, err: err}
	}
	return preparedRecord{rec: rec, org: o}
}

// inParallel maps in through fn on workers goroutines and yields the
// results in the order of in. Stopping early stops the workers and waits
// for them.
func inParallel[T, R any](in iter.Seq[T], workers int, fn func(T) R) iter.Seq[R] {
	return func(yield func(R) bool) {
		type job struct {
			v   T
			out chan R
		}
		jobs := make(chan job, workers*4)
		order := make(chan chan R, workers*64)
		done := make(chan struct{})
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for j := range jobs {
					j.out <- fn(j.v)
				}
			})
		}
		wg.Go(func() {
			defer close(order)
			defer close(jobs)
			for v := range in {
				out := make(chan R, 1)
				select {
				case jobs <- job{v, out}:
				case <-done:
					return
				}
				select {
				case order <- out:
				case <-done:
					return
				}
			}
		})
		defer wg.Wait()
		defer close(done)
		for out := range order {
			if !yield(<-out) {
				return
			}
		}
	}
}

// importRow matches and (unless readOnly) writes one prepared record.
func (s *Service) importRow(ctx context.Context, session ImportSession, caller Caller, p preparedRecord,
	seenIDs, seenSlugs map[string]int, readOnly bool) (ImportRow, error) {
	rec, o := p.rec, p.org
	if prev, dup := seenIDs[o.ID]; dup && o.ID != "" {
		return ImportRow{}, &Error{Code: CodeInvalid, Message: "duplicate id",
			Fields: []FieldError{{Field: "id", Message: fmt.Sprintf("is also in row %d", prev)}}}
	}
	if prev, dup := seenSlugs[o.Slug]; dup && rec.Org.Slug != "" {
		return ImportRow{}, &Error{Code: CodeInvalid, Message: "duplicate slug",
			Fields: []FieldError{{Field: "slug", Message: fmt.Sprintf("is also in row %d", prev)}}}
	}
	cur, found, err := session.Match(ctx, o.ID, o.Slug)
	if err != nil {
		return ImportRow{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	row := ImportRow{Row: rec.Row}
	switch {
	case !found:
		if o.ID == "" {
			o.ID = uuid.Must(uuid.NewV7()).String()
		}
		if rec.Org.Slug == "" {
			if o.Slug, err = s.importSlug(ctx, session, o.Slug, seenSlugs); err != nil {
				return ImportRow{}, err
			}
		}
		if o.CreatedAt.IsZero() {
			o.CreatedAt = now
		}
		if o.UpdatedAt.IsZero() {
			o.UpdatedAt = o.CreatedAt
		}
		o.Version, o.ArchivedAt = 1, nil
		for i := range o.Contacts {
			c := &o.Contacts[i]
			if c.ID == "" {
				c.ID = uuid.Must(uuid.NewV7()).String()
			}
			c.OrganizationID, c.CreatedAt, c.UpdatedAt, c.Version = o.ID, o.CreatedAt, o.UpdatedAt, 1
		}
		row.Status = ImportCreated
		if !readOnly {
			if err := session.Create(ctx, o); err != nil {
				return ImportRow{}, err
			}
		}
	default:
		if o.ID != "" && o.ID != cur.ID {
			return ImportRow{}, &Error{Code: CodeConflict, Message: "slug taken",
				Fields: []FieldError{{Field: "slug", Message: fmt.Sprintf("belongs to organization %s, not %s", cur.ID, o.ID)}}}
		}
		o.ID, o.CreatedAt, o.ArchivedAt = cur.ID, cur.CreatedAt, nil
		matchContacts(&o, &cur)
		changes := diff(organizationFields(), flattenOrganization(&cur), flattenOrganization(&o))
		contactsChanged := !slices.EqualFunc(cur.Contacts, o.Contacts, sameContact)
		if len(changes) == 0 && !contactsChanged {
			row.Status = ImportUnchanged
			o = cur
			break
		}
		if contactsChanged {
			changes = append(changes, Change{Field: "contacts", Old: len(cur.Contacts), New: len(o.Contacts)})
		}
		o.Version, o.UpdatedAt = cur.Version+1, now
		for i := range o.Contacts {
			c := &o.Contacts[i]
			c.OrganizationID, c.UpdatedAt = o.ID, now
			if c.ID == "" {
				c.ID = uuid.Must(uuid.NewV7()).String()
			}
			if c.CreatedAt.IsZero() {
				c.CreatedAt, c.Version = now, 1
			}
		}
		row.Status = ImportUpdated
		if !readOnly {
			entry := s.audit(caller, EntityOrganization, o.ID, ActionImport, changes)
			entry.OrganizationID = o.ID
			if err := session.Replace(ctx, o, cur.Version); err != nil {
				return ImportRow{}, err
			}
			if err := session.Audit(ctx, entry); err != nil {
				return ImportRow{}, err
			}
		}
	}
	row.ID, row.Slug = o.ID, o.Slug
	seenIDs[o.ID] = rec.Row
	seenSlugs[o.Slug] = rec.Row
	return row, nil
}

// importSlug numbers a generated slug until neither the database nor an
// earlier row of the import has it.
func (s *Service) importSlug(ctx context.Context, session ImportSession, base string, seen map[string]int) (string, error) {
	candidate := base
	for n := 2; ; n++ {
		_, inFile := seen[candidate]
		_, inDB, err := session.Match(ctx, "", candidate)
		if err != nil {
			return "", err
		}
		if !inFile && !inDB {
			return candidate, nil
		}
		candidate = fmt.Sprintf("%s-%d", base, n)
	}
}

// matchContacts gives the imported contacts of an existing organization the
// ids, versions and creation times of the stored contacts they stand for:
// by id when the file has one, else by equal content, so that importing a
// file without contact ids again changes nothing.
func matchContacts(o, cur *Organization) {
	used := map[string]bool{}
	for i := range o.Contacts {
		c := &o.Contacts[i]
		j := slices.IndexFunc(cur.Contacts, func(old Contact) bool {
			if used[old.ID] {
				return false
			}
			if c.ID != "" {
				return old.ID == c.ID
			}
			return sameContact(old, *c)
		})
		if j < 0 {
			continue
		}
		old := cur.Contacts[j]
		used[old.ID] = true
		c.ID, c.CreatedAt, c.Version = old.ID, old.CreatedAt, old.Version
		if !sameContact(old, *c) {
			c.Version++
		}
	}
}

// sameContact compares what a contact says, not its bookkeeping.
func sameContact(a, b Contact) bool {
	return a.Name == b.Name && a.Role == b.Role && a.Email == b.Email && a.Phone == b.Phone &&
		slices.Equal(a.Languages, b.Languages) && a.Visibility == b.Visibility && a.IsPrimary == b.IsPrimary &&
		(a.ID == b.ID || a.ID == "" || b.ID == "")
}

// ExportWidths returns the most phones and contacts any live organization
// has, for formats with a column per phone and contact.
func (s *Service) ExportWidths(ctx context.Context) (phones, contacts int, err error) {
	phones, contacts, err = s.store.Widths(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("measure export: %w", err)
	}
	return phones, contacts, nil
}

// Export calls fn for every live organization matching q's filters (its
// paging is ignored; archived ones instead with q.Archived, for admins), in
// slug order, with the contacts the caller may see and hidden addresses
// redacted for those who may not see them. It streams: memory does not grow
// with the number of organizations. It needs the partner role.
func (s *Service) Export(ctx context.Context, caller Caller, q ListQuery, fn func(*Organization) error) error {
	if err := caller.require(RolePartner); err != nil {
		return err
	}
	if err := q.authorize(caller); err != nil {
		return err
	}
	if err := s.checkCodes(ctx, q); err != nil {
		return err
	}
	var search []string
	if q.Text != "" {
		search = SearchTerms(q.Text)
	}
	return s.store.EachOrganization(ctx, q, search, caller.SeesPrivate(), func(o *Organization) error {
		redact(o, caller)
		return fn(o)
	})
}
