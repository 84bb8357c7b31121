// Package csvio reads and writes the directory as CSV for spreadsheets: one
// row per organization, a column per field, numbered column groups for
// phones (phone_1, phone_1_kind, phone_1_description, phone_1_extension, ...) and contacts
// (contact_1_name, contact_1_email, ...), and list fields (focus areas,
// regions, languages) comma-separated within one cell. It reads UTF-8 with
// or without a byte-order mark, or Windows-1251 (what Excel in a Russian
// locale saves as "CSV"), with commas or semicolons between cells (Excel in
// a Russian locale writes semicolons), and writes UTF-8 with a BOM so that
// Excel shows Cyrillic correctly.
//
// Cells are written safe to open in a spreadsheet: one that starts with =,
// +, -, @, a tab, a carriage return or ' is written with a leading ' (the
// OWASP advice against CSV injection), so a spreadsheet shows it as text
// rather than run it as a formula; the reader removes exactly that one '.
//
// A row changes only the fields whose columns the file has: a missing
// column leaves its field alone, an empty cell clears it.
package csvio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/coalition-directory/coalition/internal/directory"
)

// ContentType is the media type of the format.
const ContentType = "text/csv"

// ListSeparator separates the entries of a list field within one cell.
const ListSeparator = ","

// baseColumns are the columns of the organization's own fields, in output
// order. Names and descriptions have a column per language.
func baseColumns() []string {
	return []string{"id", "slug", "original_language", "name_ru", "description_ru", "name_en", "description_en",
		"acronym", "country_code", "region_code", "city", "address", "address_hidden", "service_regions",
		"focus_areas", "membership_status", "member_since", "member_until", "website", "email", "languages",
		"verified_at", "created_at", "updated_at"}
}

func phoneColumns(n int) []string {
	p := "phone_" + strconv.Itoa(n)
	return []string{p, p + "_kind", p + "_description", p + "_extension"}
}

func contactColumns(n int) []string {
	p := "contact_" + strconv.Itoa(n) + "_"
	return []string{p + "id", p + "name", p + "role", p + "email", p + "phone", p + "languages", p + "visibility", p + "primary"}
}

// Header returns the columns of a file with room for the given numbers of
// phones and contacts per organization.
func Header(phones, contacts int) []string {
	h := baseColumns()
	for i := 1; i <= phones; i++ {
		h = append(h, phoneColumns(i)...)
	}
	for i := 1; i <= contacts; i++ {
		h = append(h, contactColumns(i)...)
	}
	return h
}

// Writer writes organizations as CSV rows under a fixed header.
type Writer struct {
	w                *bufio.Writer
	csv              *csv.Writer
	phones, contacts int
	row              []string
}

// NewWriter writes the BOM and the header for up to phones phones and
// contacts contacts per organization (more are an error).
func NewWriter(w io.Writer, phones, contacts int) (*Writer, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(bw)
	header := Header(phones, contacts)
	if err := cw.Write(header); err != nil {
		return nil, fmt.Errorf("write csv header: %w", err)
	}
	return &Writer{w: bw, csv: cw, phones: phones, contacts: contacts, row: make([]string, len(header))}, nil
}

// Write writes one organization as a row.
func (w *Writer) Write(o *directory.Organization) error {
	if len(o.Phones) > w.phones || len(o.Contacts) > w.contacts {
		return fmt.Errorf("organization %s has more phones or contacts than the header has columns for", o.ID)
	}
	ru, en := o.Translations[directory.LangRU], o.Translations[directory.LangEN]
	row := append(w.row[:0],
		o.ID, o.Slug, o.OriginalLanguage, ru.Name, ru.Description, en.Name, en.Description,
		o.Acronym, o.CountryCode, o.RegionCode, o.City, o.Address, formatBool(o.AddressHidden),
		joinList(o.ServiceRegions), joinList(o.FocusAreas), string(o.MembershipStatus), o.MemberSince,
		o.MemberUntil, o.Website, o.Email, joinList(o.Languages),
		formatTime(o.VerifiedAt), formatTime(&o.CreatedAt), formatTime(&o.UpdatedAt))
	for i := range w.phones {
		if i < len(o.Phones) {
			p := o.Phones[i]
			row = append(row, p.Number, string(p.Kind), p.Description, p.Extension)
		} else {
			row = append(row, "", "", "", "")
		}
	}
	for i := range w.contacts {
		if i < len(o.Contacts) {
			c := o.Contacts[i]
			row = append(row, c.ID, c.Name, c.Role, c.Email, c.Phone, joinList(c.Languages), string(c.Visibility), formatBool(c.IsPrimary))
		} else {
			row = append(row, "", "", "", "", "", "", "", "")
		}
	}
	for i, cell := range row {
		row[i] = Escape(cell)
	}
	w.row = row
	if err := w.csv.Write(row); err != nil {
		return fmt.Errorf("write csv row: %w", err)
	}
	return nil
}

// Flush writes what is buffered.
func (w *Writer) Flush() error {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return w.w.Flush()
}

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula (=, +, -, @), or that it drops or reads specially (tab,
// carriage return, and the ' that marks text).
const formulaStarts = "=+-@\t\r'"

// Escape returns a cell as the writer writes it: with a ' in front when it
// starts with one of formulaStarts, so that a spreadsheet shows it as text.
func Escape(cell string) string {
	if cell != "" && strings.IndexByte(formulaStarts, cell[0]) >= 0 {
		return "'" + cell
	}
	return cell
}

// Unescape undoes Escape: it removes the one ' in front of a cell that
// starts with ' and then one of formulaStarts, and leaves any other cell.
func Unescape(cell string) string {
	if len(cell) >= 2 && cell[0] == '\'' && strings.IndexByte(formulaStarts, cell[1]) >= 0 {
		return cell[1:]
	}
	return cell
}

func joinList(list []string) string { return strings.Join(list, ListSeparator+" ") }

func formatBool(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func formatTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

var (
	phoneColumn   = regexp.MustCompile(`^phone_([1-9][0-9]*)(_kind|_description|_extension)?$`)
	contactColumn = regexp.MustCompile(`^contact_([1-9][0-9]*)_(id|name|role|email|phone|languages|visibility|primary)$`)
)

// Encodings the reader reads, as the import report names them.
const (
	EncodingUTF8        = "utf-8"
	EncodingWindows1251 = "windows-1251"
)

// Reader reads organizations from a CSV file.
type Reader struct {
	br       *bufio.Reader
	encoding string
}

// NewReader returns a reader of r. It reads the first 64 KiB to detect the
// encoding: UTF-8 (with or without a byte-order mark) when they are valid
// UTF-8, else Windows-1251, the encoding Excel in a Russian locale saves
// "CSV" in. A later row that is not UTF-8 in a file read as UTF-8 is an
// invalid row.
func NewReader(r io.Reader) *Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	peek, err := br.Peek(br.Size())
	if bytes.HasPrefix(peek, []byte("\uFEFF")) {
		br.Discard(3)
		return &Reader{br: br, encoding: EncodingUTF8}
	}
	if err == nil { // the file goes on: the last character may be cut
		for i := len(peek) - 1; i >= 0 && i >= len(peek)-utf8.UTFMax; i-- {
			if utf8.RuneStart(peek[i]) {
				if !utf8.FullRune(peek[i:]) {
					peek = peek[:i]
				}
				break
			}
		}
	}
	if utf8.Valid(peek) {
		return &Reader{br: br, encoding: EncodingUTF8}
	}
	return &Reader{br: bufio.NewReaderSize(charmap.Windows1251.NewDecoder().Reader(br), 64<<10), encoding: EncodingWindows1251}
}

// Encoding names the encoding the file is read in: EncodingUTF8 or
// EncodingWindows1251.
func (r *Reader) Encoding() string { return r.encoding }

// column says where a header cell's values go.
type column struct {
	name  string
	field string // a base column, or the part after the group prefix
	group int    // phone or contact number, from 1; 0 for base columns
	phone bool
}

// header is what a file's header says about its rows.
type header struct {
	columns []column
	// phoneGroups and contactGroups are the highest phone and contact
	// numbers the header has columns for.
	phoneGroups, contactGroups int
	// phoneColumns and contactColumns hold the indexes of each group's
	// columns, by group number.
	phoneColumns, contactColumns map[int][]int
	// contactIDs says that the header has a contact_N_id column.
	contactIDs bool
	// allContactColumns says that every contact group has all its
	// columns, as an export writes them: a row then lists all the
	// organization's contacts.
	allContactColumns bool
}

// Records yields one import record per data row. Rows are numbered as a
// spreadsheet shows them: the header is row 1. A header with unknown or
// repeated columns yields one record for row 1 with the error and ends; a
// row that cannot be read yields a record whose Err names its columns. An
// empty file yields none.
func (r *Reader) Records() iter.Seq[directory.ImportRecord] {
	return func(yield func(directory.ImportRecord) bool) {
		cr := csv.NewReader(r.br)
		cr.Comma = detectDelimiter(r.br)
		cr.ReuseRecord = true
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return // an empty file has no rows, which the import reports
		}
		if err != nil {
			yield(directory.ImportRecord{Row: 1, Err: invalid("header", "cannot read the header row: "+err.Error())})
			return
		}
		h, err := parseHeader(cells)
		if err != nil {
			yield(directory.ImportRecord{Row: 1, Err: err})
			return
		}
		for row := 2; ; row++ {
			cells, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			var rec directory.ImportRecord
			var parseErr *csv.ParseError
			switch {
			case errors.As(err, &parseErr) && !errors.Is(err, csv.ErrFieldCount):
				rec = directory.ImportRecord{Row: row, Err: invalid("row", parseErr.Err.Error())}
			case errors.Is(err, csv.ErrFieldCount):
				rec = directory.ImportRecord{Row: row, Err: invalid("row", fmt.Sprintf("has %d cells; the header has %d", len(cells), len(h.columns)))}
			case err != nil:
				yield(directory.ImportRecord{Row: row, Err: fmt.Errorf("read csv row %d: %w", row, err)})
				return
			case isBlank(cells):
				continue
			default:
				rec = h.record(row, cells)
			}
			if !yield(rec) {
				return
			}
		}
	}
}

// detectDelimiter picks the comma or the semicolon, whichever the header
// line has more of.
func detectDelimiter(br *bufio.Reader) rune {
	peek, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		peek = peek[:i]
	}
	if bytes.Count(peek, []byte(";")) > bytes.Count(peek, []byte(",")) {
		return ';'
	}
	return ','
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func invalid(field, problem string) error {
	return &directory.Error{Code: directory.CodeInvalid, Message: "invalid CSV",
		Fields: []directory.FieldError{{Field: field, Message: problem}}}
}

func parseHeader(cells []string) (*header, error) {
	base := map[string]bool{}
	for _, c := range baseColumns() {
		base[c] = true
	}
	seen := map[string]bool{}
	var problems []directory.FieldError
	h := &header{columns: make([]column, len(cells))}
	for i, cell := range cells {
		name := strings.ToLower(strings.TrimSpace(cell))
		h.columns[i] = column{name: name}
		switch m1, m2 := phoneColumn.FindStringSubmatch(name), contactColumn.FindStringSubmatch(name); {
		case !utf8.ValidString(name):
			problems = append(problems, directory.FieldError{Field: fmt.Sprintf("column %d", i+1), Message: "is not valid UTF-8 text"})
		case base[name]:
			h.columns[i].field = name
		case m1 != nil && !groupNumberOK(m1[1]):
			problems = append(problems, directory.FieldError{Field: name, Message: fmt.Sprintf("phone numbers in column names go from 1 to %d", maxGroupNumber)})
		case m2 != nil && !groupNumberOK(m2[1]):
			problems = append(problems, directory.FieldError{Field: name, Message: fmt.Sprintf("contact numbers in column names go from 1 to %d", maxGroupNumber)})
		case m1 != nil:
			n, _ := strconv.Atoi(m1[1])
			h.columns[i] = column{name: name, field: strings.TrimPrefix(m1[2], "_"), group: n, phone: true}
			if h.columns[i].field == "" {
				h.columns[i].field = "number"
			}
			h.phoneGroups = max(h.phoneGroups, n)
		case m2 != nil:
			n, _ := strconv.Atoi(m2[1])
			h.columns[i] = column{name: name, field: m2[2], group: n}
			h.contactGroups = max(h.contactGroups, n)
			h.contactIDs = h.contactIDs || m2[2] == "id"
		case name == "":
			problems = append(problems, directory.FieldError{Field: fmt.Sprintf("column %d", i+1), Message: "has no name"})
		default:
			problems = append(problems, directory.FieldError{Field: name, Message: "is not a known column"})
		}
		if seen[name] && name != "" {
			problems = append(problems, directory.FieldError{Field: name, Message: "appears twice"})
		}
		seen[name] = true
	}
	if !seen["id"] && !seen["slug"] && !seen["name_ru"] && !seen["name_en"] {
		problems = append(problems, directory.FieldError{Field: "name_ru",
			Message: "the file needs an id or slug column (to update organizations) or a name_ru or name_en column (to create them)"})
	}
	h.phoneColumns, h.contactColumns = map[int][]int{}, map[int][]int{}
	for i, col := range h.columns {
		switch {
		case col.group > 0 && col.phone:
			h.phoneColumns[col.group] = append(h.phoneColumns[col.group], i)
		case col.group > 0:
			h.contactColumns[col.group] = append(h.contactColumns[col.group], i)
		}
	}
	h.allContactColumns = h.contactGroups > 0
	for n := 1; n <= h.contactGroups; n++ {
		for _, c := range contactColumns(n) {
			h.allContactColumns = h.allContactColumns && seen[c]
		}
	}
	if len(problems) > 0 {
		return nil, &directory.Error{Code: directory.CodeInvalid, Message: "invalid CSV header", Fields: problems}
	}
	return h, nil
}

// maxGroupNumber bounds the N of phone_N and contact_N columns, so that a
// header cannot make the reader walk billions of groups. It is above the
// domain's own limits on phones and contacts, which name the field.
const maxGroupNumber = 100

// groupNumberOK reports whether the N of a phone_N or contact_N column is a
// number from 1 to maxGroupNumber.
func groupNumberOK(digits string) bool {
	n, err := strconv.Atoi(digits)
	return err == nil && n >= 1 && n <= maxGroupNumber
}

// record is the import record of one row: its cells, unescaped and
// trimmed, applied column by column.
func (h *header) record(row int, cells []string) directory.ImportRecord {
	values := make([]string, len(cells))
	for i, c := range cells {
		values[i] = strings.TrimSpace(Unescape(c))
		if !utf8.ValidString(values[i]) {
			return directory.ImportRecord{Row: row, Err: invalid(h.columns[i].name,
				"is not valid UTF-8 text: save the whole file as UTF-8 (or the whole file as Windows-1251)")}
		}
	}
	rec := directory.ImportRecord{Row: row}
	for i, col := range h.columns {
		switch col.field {
		case "id":
			if col.group == 0 {
				rec.ID = values[i]
			}
		case "slug":
			rec.Slug = values[i]
		}
	}
	rec.Apply = func(o *directory.Organization) error { return h.apply(values, o) }
	return rec
}

// apply writes a row's values onto o: the fields whose columns the file
// has, phones and contacts group by group.
func (h *header) apply(values []string, o *directory.Organization) error {
	var problems []directory.FieldError
	bad := func(col, msg string) { problems = append(problems, directory.FieldError{Field: col, Message: msg}) }
	setText := func(lang string, set func(*directory.Text)) {
		t := o.Translations[lang]
		set(&t)
		if t == (directory.Text{}) {
			delete(o.Translations, lang)
		} else {
			o.Translations[lang] = t
		}
	}
	for i, col := range h.columns {
		if col.group > 0 {
			continue
		}
		v := values[i]
		switch col.field {
		case "original_language":
			o.OriginalLanguage = v
		case "name_ru":
			setText(directory.LangRU, func(t *directory.Text) { t.Name = v })
		case "description_ru":
			setText(directory.LangRU, func(t *directory.Text) { t.Description = v })
		case "name_en":
			setText(directory.LangEN, func(t *directory.Text) { t.Name = v })
		case "description_en":
			setText(directory.LangEN, func(t *directory.Text) { t.Description = v })
		case "acronym":
			o.Acronym = v
		case "country_code":
			o.CountryCode = v
		case "region_code":
			o.RegionCode = v
		case "city":
			o.City = v
		case "address":
			o.Address = v
		case "address_hidden":
			b, ok := parseBool(v)
			if !ok {
				bad(col.name, "must be true or false")
			}
			o.AddressHidden = b
		case "service_regions":
			o.ServiceRegions = splitList(v)
		case "focus_areas":
			o.FocusAreas = splitList(v)
		case "membership_status":
			o.MembershipStatus = directory.MembershipStatus(v)
		case "member_since":
			o.MemberSince = spreadsheetDate(v)
		case "member_until":
			o.MemberUntil = spreadsheetDate(v)
		case "website":
			o.Website = v
		case "email":
			o.Email = v
		case "languages":
			o.Languages = splitList(v)
		case "verified_at", "created_at", "updated_at":
			t, err := parseTime(v)
			if err != nil {
				bad(col.name, "must be an RFC 3339 timestamp such as 2026-10-01T00:00:00Z")
			}
			switch col.field {
			case "verified_at":
				o.VerifiedAt = t
			case "created_at":
				o.CreatedAt = deref(t)
			case "updated_at":
				o.UpdatedAt = deref(t)
			}
		}
	}
	if h.phoneGroups > 0 {
		o.Phones = h.applyPhones(values, o.Phones)
	}
	if h.contactGroups > 0 {
		o.Contacts = h.applyContacts(values, o.Contacts, bad)
	}
	if len(problems) > 0 {
		return &directory.Error{Code: directory.CodeInvalid, Message: "invalid row", Fields: problems}
	}
	return nil
}

// group returns the indexes of the columns of phone or contact group n,
// and whether all their cells are empty.
func (h *header) group(values []string, n int, phone bool) (cols []int, empty bool) {
	cols = h.contactColumns[n]
	if phone {
		cols = h.phoneColumns[n]
	}
	for _, i := range cols {
		if values[i] != "" {
			return cols, false
		}
	}
	return cols, true
}

// applyPhones returns stored with the row's phone groups applied: group N
// is the N-th phone; its columns the file lacks keep the stored values, a
// group whose cells are all empty removes the phone, and phones beyond the
// file's groups stay.
func (h *header) applyPhones(values []string, stored []directory.Phone) []directory.Phone {
	var out []directory.Phone
	for n := 1; n <= max(len(stored), h.phoneGroups); n++ {
		var p directory.Phone
		if n <= len(stored) {
			p = stored[n-1]
		}
		cols, empty := h.group(values, n, true)
		if len(cols) > 0 && empty {
			continue
		}
		for _, i := range cols {
			switch v := values[i]; h.columns[i].field {
			case "number":
				p.Number = v
			case "kind":
				p.Kind = directory.PhoneKind(v)
			case "description":
				p.Description = v
			case "extension":
				p.Extension = v
			}
		}
		out = append(out, p) // validation reports one without a number
	}
	return out
}

// applyContacts returns stored with the row's contact groups applied.
// Group N is the stored contact whose id its contact_N_id gives, else,
// when the file has no contact_N_id columns, the N-th stored contact, else
// a new one. Its columns the file lacks keep the stored values, and a group
// whose cells are all empty removes the contact. Stored contacts that no
// group names stay, unless the file has every contact column, as an export
// writes them: then a row lists all the organization's contacts.
func (h *header) applyContacts(values []string, stored []directory.Contact, bad func(col, msg string)) []directory.Contact {
	var out []directory.Contact
	named := map[int]bool{}
	groups := h.contactGroups
	if !h.contactIDs {
		groups = max(groups, len(stored))
	}
	for n := 1; n <= groups; n++ {
		cols, empty := h.group(values, n, false)
		var c directory.Contact
		base := -1
		if h.contactIDs {
			for _, i := range cols {
				if h.columns[i].field == "id" && values[i] != "" {
					c.ID = values[i]
					base = slices.IndexFunc(stored, func(s directory.Contact) bool { return strings.EqualFold(s.ID, values[i]) })
				}
			}
		} else if n <= len(stored) {
			base = n - 1
		}
		if base >= 0 {
			named[base] = true
			c = stored[base]
		}
		if len(cols) > 0 && empty || len(cols) == 0 && base < 0 {
			continue
		}
		for _, i := range cols {
			switch v := values[i]; h.columns[i].field {
			case "name":
				c.Name = v
			case "role":
				c.Role = v
			case "email":
				c.Email = v
			case "phone":
				c.Phone = v
			case "languages":
				c.Languages = splitList(v)
			case "visibility":
				c.Visibility = directory.Visibility(v)
			case "primary":
				b, ok := parseBool(v)
				if !ok {
					bad(h.columns[i].name, "must be true or false")
				}
				c.IsPrimary = b
			}
		}
		out = append(out, c)
	}
	if h.contactIDs && !h.allContactColumns {
		for i, c := range stored {
			if !named[i] {
				out = append(out, c)
			}
		}
	}
	return out
}

func splitList(v string) []string {
	if v == "" {
		return nil
	}
	var out []string
	for _, part := range strings.Split(v, ListSeparator) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// parseBool reads a boolean as people and spreadsheets write it (true,
// TRUE, 1, да; false, FALSE, 0, нет, or nothing).
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "", "false", "0", "no", "нет", "ложь":
		return false, true
	case "true", "1", "yes", "да", "истина":
		return true, true
	}
	return false, false
}

// spreadsheetDate returns a date a spreadsheet in a Russian locale wrote as
// DD.MM.YYYY in the directory's form, YYYY-MM-DD; anything else as it is,
// for validation to judge.
func spreadsheetDate(v string) string {
	if t, err := time.Parse("02.01.2006", v); err == nil {
		return t.Format(time.DateOnly)
	}
	return v
}

// timeLayouts are the forms a timestamp is read in: RFC 3339, as the
// export writes it, and the forms spreadsheets save a date and time in,
// read as UTC.
func timeLayouts() []string {
	return []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "02.01.2006 15:04:05", "02.01.2006 15:04"}
}

func parseTime(v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	var err error
	for _, layout := range timeLayouts() {
		var t time.Time
		if t, err = time.Parse(layout, v); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, err
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// ColumnName translates a field name of a validation error ("phones[0].number",
// "contacts[1].email", "translations.en.name") into the CSV column it came
// from, so that errors name what the spreadsheet shows.
func ColumnName(field, originalLanguage string) string {
	if m := indexedField.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[2])
		switch m[1] {
		case "phones":
			if m[3] == "number" || m[3] == "" {
				return "phone_" + strconv.Itoa(n+1)
			}
			return "phone_" + strconv.Itoa(n+1) + "_" + m[3]
		case "contacts":
			if m[3] == "is_primary" {
				m[3] = "primary"
			}
			return "contact_" + strconv.Itoa(n+1) + "_" + m[3]
		default:
			return m[1]
		}
	}
	switch field {
	case "name", "description":
		if originalLanguage == "" {
			originalLanguage = directory.LangRU
		}
		return field + "_" + originalLanguage
	case "translations.en.name":
		return "name_en"
	case "translations.ru.name":
		return "name_ru"
	case "translations.en.description":
		return "description_en"
	case "translations.ru.description":
		return "description_ru"
	}
	return field
}

var indexedField = regexp.MustCompile(`^(phones|contacts|service_regions|focus_areas|languages)\[([0-9]+)\]\.?([a-z_]*)$`)
