package directory

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ImportRecord is one row of an import file. Row is the row (CSV) or line
// (NDJSON) it came from, counted from 1 as a spreadsheet or editor shows it.
//
// ID and Slug are the identity the row itself gives, empty when it gives
// none: a row is matched to a stored organization by them alone, never by a
// slug made from its name, so that two organizations of the same name are
// never merged.
//
// Apply writes the row's values onto an organization: a copy of the stored
// one the row matches, or a new, empty one. It sets what the row gives and
// leaves the rest, so a file's missing column leaves its field alone. It
// need not set the id or slug, and it may set CreatedAt and UpdatedAt, which
// count only for a new organization. Whole says that Apply sets every field,
// so that its result does not depend on where it starts: a record of the
// export format, which means "make it this".
//
// Err is set when the row could not be read: a *Error of CodeInvalid names
// the row's bad fields; any other error (the file broke off, say) stops the
// import.
type ImportRecord struct {
	Row   int
	ID    string
	Slug  string
	Apply func(*Organization) error
	Whole bool
	Err   error
}

// WholeRecord is the record of a whole organization, as an export holds
// it: matched by its id, else its slug, and replacing every field of the
// organization it matches, contacts included.
func WholeRecord(row int, o Organization) ImportRecord {
	return ImportRecord{Row: row, ID: o.ID, Slug: o.Slug, Whole: true, Apply: func(dst *Organization) error {
		id, slug, created, updated, version := dst.ID, dst.Slug, dst.CreatedAt, dst.UpdatedAt, dst.Version
		*dst = o
		dst.Translations = maps.Clone(o.Translations)
		dst.Contacts = slices.Clone(o.Contacts)
		dst.ID, dst.Slug, dst.Version, dst.ArchivedAt = id, slug, version, nil
		if o.CreatedAt.IsZero() {
			dst.CreatedAt = created
		}
		if o.UpdatedAt.IsZero() {
			dst.UpdatedAt = updated
		}
		return nil
	}}
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

// ImportRow is the outcome of one row. Changes names the fields the row
// changes (or, when created, sets), as the API and the history name them,
// with "contacts" for any change to the contacts; Warnings say what the
// admin may want to check, such as a new organization whose name another
// one in its country already has.
type ImportRow struct {
	Row      int
	Status   ImportStatus
	ID       string
	Slug     string
	Changes  []string
	Warnings []string
	Errors   []FieldError
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
	// SameName returns the slugs of live organizations seated in country
	// whose name in their original language is name, compared as search
	// compares words (case, ё and punctuation aside).
	SameName(ctx context.Context, country, name string) (slugs []string, err error)
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

// Import upserts organizations from records, all or nothing. A row is
// matched to a live organization only by the id, else the slug, that it
// gives; it updates that one, applied onto it (ImportRecord.Apply), or
// creates a new one, with a slug made from its name and numbered when
// taken. Every result is validated with the rules and defaults of the API.
// If any row is invalid nothing is written and the error (CodeInvalid)
// names each bad row and field as rows[N].field; the report says what each
// row would have done and which fields it changes. A file without rows (a
// CSV header alone, an empty NDJSON file) is CodeInvalid too, naming the
// field "file", in a dry run as well: an import that did nothing must not
// look like one that succeeded. A dry run reports the
// same and writes nothing. Writes are audited as ActionImport, in the same
// transaction. It needs the admin role.
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
	totalErrors := 0 // fe holds the first maxReportedErrors
	// The entry of a created organization names the import, not each field:
	// the record itself is what it was created with, and a hundred thousand
	// copies of it would double an import's cost.
	created := s.audit(caller, EntityOrganization, "", ActionImport, []Change{{Field: "created", New: true}})
	err = s.store.Import(ctx, created, func(session ImportSession) error {
		st := importState{known: known, seenIDs: map[string]int{}, seenSlugs: map[string]int{},
			names: map[string]int{}, fieldNames: map[uint64][]string{}}
		prepared := inParallel(records, runtime.GOMAXPROCS(0), func(rec ImportRecord) preparedRecord {
			return s.prepareRecord(rec, known)
		})
		for p := range prepared {
			rec := p.rec
			var row ImportRow
			rowErr := p.err
			// A row that names an organization is applied onto it: what it
			// gave when applied onto nothing is then beside the point.
			if rowErr == nil || rec.Err == nil && !rec.Whole && (rec.ID != "" || rec.Slug != "") {
				row, rowErr = s.importRow(ctx, session, caller, p, &st, len(fe) > 0 || dryRun)
			}
			if rowErr != nil {
				var de *Error
				if !errors.As(rowErr, &de) || de.Code != CodeInvalid && de.Code != CodeConflict {
					return fmt.Errorf("import row %d: %w", rec.Row, rowErr)
				}
				row = ImportRow{Row: rec.Row, Status: ImportInvalid, ID: rec.ID, Slug: rec.Slug, Errors: slices.Clone(de.Fields)}
				if len(row.Errors) == 0 {
					row.Errors = []FieldError{{Field: "row", Message: de.Message}}
				}
				for i, f := range row.Errors {
					if opts.FieldName != nil {
						f.Field = opts.FieldName(f.Field, p.org.OriginalLanguage)
						row.Errors[i] = f
					}
					totalErrors++
					if len(fe) < maxReportedErrors {
						fe.add(fmt.Sprintf("rows[%d].%s", rec.Row, f.Field), "%s", f.Message)
					}
				}
			}
			report.count(row.Status)
			report.Rows = append(report.Rows, row)
		}
		if len(fe) > 0 || dryRun || len(report.Rows) == 0 {
			return errRollback
		}
		return session.Flush(ctx)
	})
	if err != nil && !errors.Is(err, errRollback) {
		return report, fmt.Errorf("import: %w", err)
	}
	if len(report.Rows) == 0 {
		return report, &Error{Code: CodeInvalid, Message: "the file has no rows; nothing was imported",
			Fields: []FieldError{{Field: "file", Message: "has no rows: a CSV file needs a row below its header, an NDJSON file a line with an organization"}}}
	}
	if len(fe) > 0 {
		msg := fmt.Sprintf("%d of %d rows are invalid; nothing was imported", report.Invalid, len(report.Rows))
		return report, &Error{Code: CodeInvalid, Message: msg, Fields: fe, FieldsTotal: totalErrors}
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

// importState is what an import remembers from row to row.
type importState struct {
	known     map[string]bool // focus-area slugs
	seenIDs   map[string]int  // row of each organization written so far, by id
	seenSlugs map[string]int  // and by slug
	// names holds the row of each organization created so far, by
	// nameKey, to warn of a second one of the same name.
	names map[string]int
	// fieldNames interns the field lists of created rows, by fieldSet:
	// most rows of a file set the same fields.
	fieldNames map[uint64][]string
}

// preparedRecord is a record after the work that needs no database: it is
// applied onto a new organization and validated, in parallel.
type preparedRecord struct {
	rec     ImportRecord
	org     Organization // validated and normalized, when err is nil
	fields  uint64       // fieldSet of org
	nameKey string       // country and folded original name of org
	err     error
}

// prepareRecord applies one record onto a new organization; it reads only
// immutable state, so records are prepared concurrently.
func (s *Service) prepareRecord(rec ImportRecord, known map[string]bool) preparedRecord {
	p := preparedRecord{rec: rec}
	if rec.Err != nil {
		p.err = rec.Err
		return p
	}
	p.org, p.err = s.applyRecord(rec, Organization{}, known)
	if p.err == nil {
		p.fields = fieldSet(&p.org)
		p.nameKey = p.org.CountryCode + " " + SearchText(p.org.Translations[p.org.OriginalLanguage].Name)
	}
	return p
}

// applyRecord applies rec onto base, which it may change, then fills in the
// defaults of every way in and validates the result.
func (s *Service) applyRecord(rec ImportRecord, base Organization, known map[string]bool) (Organization, error) {
	o := base
	if o.Translations == nil {
		o.Translations = map[string]Text{}
	}
	// A row's own errors (a cell that is no boolean, say) are reported
	// together with those of validation.
	applyErr := rec.Apply(&o)
	var rowErr *Error
	if applyErr != nil && (!errors.As(applyErr, &rowErr) || rowErr.Code != CodeInvalid) {
		return o, applyErr
	}
	if rec.ID != "" {
		o.ID = strings.ToLower(rec.ID)
	}
	if rec.Slug != "" {
		o.Slug = rec.Slug
	}
	ApplyDefaults(&o)
	if o.Slug == "" {
		o.Slug = MakeSlug(o.Translations[o.OriginalLanguage].Name)
	}
	err := s.validate(&o, known)
	if rowErr == nil {
		return o, err
	}
	return o, withFound(rowErr.Fields, err, rowErr.Message)
}

// ApplyDefaults fills in what an organization gets when the one who wrote
// it left it out, the same on every way in: the original language is
// Russian, the coalition's working language, unless only an English name is
// given; the membership status is member.
func ApplyDefaults(o *Organization) {
	if o.OriginalLanguage == "" {
		o.OriginalLanguage = LangRU
		if o.Translations[LangRU].Name == "" && o.Translations[LangEN].Name != "" {
			o.OriginalLanguage = LangEN
		}
	}
	if o.MembershipStatus == "" {
		o.MembershipStatus = StatusMember
	}
}

// fieldSet returns, as bits in the order of organizationFields followed by
// contacts, the fields of o that are not empty: what creating o sets. It
// says what flattenOrganization would, without building its map: it runs
// for every row of an import.
func fieldSet(o *Organization) uint64 {
	orig := o.Translations[o.OriginalLanguage]
	_, hasOrig := o.Translations[o.OriginalLanguage]
	var set uint64
	fields := organizationFields()
	for i, f := range fields {
		var given bool
		switch f {
		case "slug":
			given = o.Slug != ""
		case "original_language":
			given = o.OriginalLanguage != ""
		case "name":
			given = orig.Name != ""
		case "description":
			given = orig.Description != ""
		case "translations":
			given = len(o.Translations) > 1 || len(o.Translations) == 1 && !hasOrig
		case "acronym":
			given = o.Acronym != ""
		case "website":
			given = o.Website != ""
		case "email":
			given = o.Email != ""
		case "phones":
			given = len(o.Phones) > 0
		case "country_code":
			given = o.CountryCode != ""
		case "region_code":
			given = o.RegionCode != ""
		case "city":
			given = o.City != ""
		case "address":
			given = o.Address != ""
		case "address_hidden":
			given = o.AddressHidden
		case "service_regions":
			given = len(o.ServiceRegions) > 0
		case "languages":
			given = len(o.Languages) > 0
		case "focus_areas":
			given = len(o.FocusAreas) > 0
		case "membership_status":
			given = o.MembershipStatus != ""
		case "member_since":
			given = o.MemberSince != ""
		case "member_until":
			given = o.MemberUntil != ""
		case "verified_at":
			given = o.VerifiedAt != nil
		case "archived_at":
			given = o.ArchivedAt != nil
		default: // a field this switch does not know yet
			_, given = flattenOrganization(o)[f]
		}
		if given {
			set |= 1 << i
		}
	}
	if len(o.Contacts) > 0 {
		set |= 1 << len(fields)
	}
	return set
}

// fieldList returns the field names of a fieldSet.
func (st *importState) fieldList(set uint64) []string {
	if names, ok := st.fieldNames[set]; ok {
		return names
	}
	names := []string{}
	fields := append(organizationFields(), "contacts")
	for i, f := range fields {
		if set&(1<<i) != 0 {
			names = append(names, f)
		}
	}
	st.fieldNames[set] = names
	return names
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
	st *importState, readOnly bool) (ImportRow, error) {
	rec := p.rec
	id := strings.ToLower(rec.ID)
	if prev, dup := st.seenIDs[id]; dup && id != "" {
		return ImportRow{}, &Error{Code: CodeInvalid, Message: "duplicate id",
			Fields: []FieldError{{Field: "id", Message: fmt.Sprintf("is also in row %d", prev)}}}
	}
	if prev, dup := st.seenSlugs[rec.Slug]; dup && rec.Slug != "" {
		return ImportRow{}, &Error{Code: CodeInvalid, Message: "duplicate slug",
			Fields: []FieldError{{Field: "slug", Message: fmt.Sprintf("is also in row %d", prev)}}}
	}
	var cur Organization
	found := false
	if id != "" || rec.Slug != "" {
		var err error
		if cur, found, err = session.Match(ctx, id, rec.Slug); err != nil {
			return ImportRow{}, err
		}
	}
	var row ImportRow
	var err error
	if found {
		row, err = s.importUpdate(ctx, session, caller, p, cur, st, readOnly)
	} else {
		row, err = s.importCreate(ctx, session, p, st, readOnly)
	}
	if err != nil {
		return ImportRow{}, err
	}
	st.seenIDs[row.ID] = rec.Row
	st.seenSlugs[row.Slug] = rec.Row
	return row, nil
}

// importCreate creates the organization of a row that matched none.
func (s *Service) importCreate(ctx context.Context, session ImportSession, p preparedRecord, st *importState, readOnly bool) (ImportRow, error) {
	if p.err != nil {
		return ImportRow{}, p.err
	}
	rec, o := p.rec, p.org
	var err error
	if o.ID == "" {
		o.ID = uuid.Must(uuid.NewV7()).String()
	}
	if rec.Slug == "" {
		if o.Slug, err = s.importSlug(ctx, session, o.Slug, st.seenSlugs); err != nil {
			return ImportRow{}, err
		}
	}
	row := ImportRow{Row: rec.Row, Status: ImportCreated, ID: o.ID, Slug: o.Slug, Changes: st.fieldList(p.fields)}
	if prev, ok := st.names[p.nameKey]; ok {
		row.Warnings = append(row.Warnings, fmt.Sprintf("row %d also creates an organization of this name in %s", prev, o.CountryCode))
	} else {
		st.names[p.nameKey] = rec.Row
	}
	same, err := session.SameName(ctx, o.CountryCode, o.Translations[o.OriginalLanguage].Name)
	if err != nil {
		return ImportRow{}, err
	}
	if len(same) > 0 {
		row.Warnings = append(row.Warnings, fmt.Sprintf("%s already has an organization of this name (%s): give its id or slug to update it rather than create another",
			o.CountryCode, strings.Join(same, ", ")))
	}
	now := s.now().UTC().Truncate(time.Microsecond)
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
	if !readOnly {
		if err := session.Create(ctx, o); err != nil {
			return ImportRow{}, err
		}
	}
	return row, nil
}

// importUpdate applies a row onto cur, the organization it matched.
func (s *Service) importUpdate(ctx context.Context, session ImportSession, caller Caller, p preparedRecord, cur Organization,
	st *importState, readOnly bool) (ImportRow, error) {
	rec := p.rec
	if prev, dup := st.seenIDs[cur.ID]; dup {
		return ImportRow{}, &Error{Code: CodeInvalid, Message: "organization imported twice",
			Fields: []FieldError{{Field: "slug", Message: fmt.Sprintf("names the organization of row %d", prev)}}}
	}
	if rec.ID != "" && strings.ToLower(rec.ID) != cur.ID {
		return ImportRow{}, &Error{Code: CodeConflict, Message: "slug taken",
			Fields: []FieldError{{Field: "slug", Message: fmt.Sprintf("belongs to organization %s, not %s", cur.ID, rec.ID)}}}
	}
	o := p.org
	if !rec.Whole {
		base := cloneOrganization(&cur)
		base.Contacts = slices.Clone(cur.Contacts)
		var err error
		if o, err = s.applyRecord(rec, base, st.known); err != nil {
			return ImportRow{}, err
		}
	} else if p.err != nil {
		return ImportRow{}, p.err
	}
	o.ID, o.CreatedAt, o.ArchivedAt = cur.ID, cur.CreatedAt, nil
	if rec.Slug == "" {
		o.Slug = cur.Slug
	}
	if o.Slug != cur.Slug {
		other, taken, err := session.Match(ctx, "", o.Slug)
		if err != nil {
			return ImportRow{}, err
		}
		if taken && other.ID != cur.ID {
			return ImportRow{}, &Error{Code: CodeConflict, Message: "slug taken",
				Fields: []FieldError{{Field: "slug", Message: fmt.Sprintf("belongs to organization %s", other.ID)}}}
		}
	}
	row := ImportRow{Row: rec.Row, ID: cur.ID, Slug: o.Slug}
	matchContacts(&o, &cur)
	changes := diff(organizationFields(), flattenOrganization(&cur), flattenOrganization(&o))
	if !slices.EqualFunc(cur.Contacts, o.Contacts, sameContact) {
		changes = append(changes, Change{Field: "contacts", Old: len(cur.Contacts), New: len(o.Contacts)})
	}
	if len(changes) == 0 {
		row.Status = ImportUnchanged
		return row, nil
	}
	row.Status = ImportUpdated
	for _, c := range changes {
		row.Changes = append(row.Changes, c.Field)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	o.Version, o.UpdatedAt = cur.Version+1, now
	o.PublicVersion, o.PublicUpdatedAt = cur.PublicVersion, cur.PublicUpdatedAt
	if publicChanged(&cur, &o) {
		o.PublicVersion, o.PublicUpdatedAt = o.Version, now
	}
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
	if !readOnly {
		entry := s.audit(caller, EntityOrganization, o.ID, ActionImport, changes)
		entry.OrganizationID = o.ID
		entry.PartnersOnly = o.PublicVersion != o.Version && slices.EqualFunc(publicContacts(cur.Contacts), publicContacts(o.Contacts), sameContact)
		if err := session.Replace(ctx, o, cur.Version); err != nil {
			return ImportRow{}, err
		}
		if err := session.Audit(ctx, entry); err != nil {
			return ImportRow{}, err
		}
	}
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
// with the number of organizations. at, when not nil, is called before
// the first organization with the change log's sequence number that the
// export is taken at: following the change feed from it misses nothing
// the export lacks. It needs the partner role.
func (s *Service) Export(ctx context.Context, caller Caller, q ListQuery, at func(seq int64), fn func(*Organization) error) error {
	if err := caller.require(RolePartner); err != nil {
		return err
	}
	if err := q.authorize(caller); err != nil {
		return err
	}
	if err := s.checkCodes(ctx, q); err != nil {
		return err
	}
	search, err := s.prepareSearch(ctx, q.Text)
	if err != nil {
		return err
	}
	return s.store.EachOrganization(ctx, q, search, caller.SeesPrivate(), at, func(o *Organization) error {
		redact(o, caller)
		return fn(o)
	})
}

// publicContacts returns the contacts anonymous callers see.
func publicContacts(cs []Contact) []Contact {
	var out []Contact
	for _, c := range cs {
		if c.Visibility == VisibilityPublic {
			out = append(out, c)
		}
	}
	return out
}
