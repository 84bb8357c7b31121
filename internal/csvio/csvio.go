// Package csvio reads and writes the directory as CSV for spreadsheets: one
// row per organization, a column per field, numbered column groups for
// phones (phone_1, phone_1_kind, phone_1_description, ...) and contacts
// (contact_1_name, contact_1_email, ...), and list fields (focus areas,
// regions, languages) comma-separated within one cell. It reads UTF-8 with
// or without a byte-order mark, with commas or semicolons between cells
// (Excel in a Russian locale writes semicolons), and writes UTF-8 with a BOM
// so that Excel shows Cyrillic correctly.
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
	"strconv"
	"strings"
	"time"

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
	return []string{p, p + "_kind", p + "_description"}
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
			row = append(row, p.Number, string(p.Kind), p.Description)
		} else {
			row = append(row, "", "", "")
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
	phoneColumn   = regexp.MustCompile(`^phone_([1-9][0-9]*)(_kind|_description)?$`)
	contactColumn = regexp.MustCompile(`^contact_([1-9][0-9]*)_(id|name|role|email|phone|languages|visibility|primary)$`)
)

// column says where a header cell's values go.
type column struct {
	name  string
	field string // a base column, or the part after the group prefix
	group int    // phone or contact number, from 1; 0 for base columns
	phone bool
}

// Read yields one import record per data row of r. Rows are numbered as a
// spreadsheet shows them: the header is row 1. A header with unknown or
// repeated columns, or without name and country columns, yields one record
// for row 1 with the error and ends; a row that cannot be read yields a
// record whose Err names its columns.
func Read(r io.Reader) iter.Seq[directory.ImportRecord] {
	return func(yield func(directory.ImportRecord) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\uFEFF")) {
			br.Discard(3)
		}
		cr := csv.NewReader(br)
		cr.Comma = detectDelimiter(br)
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err != nil {
			yield(directory.ImportRecord{Row: 1, Err: invalid("header", "cannot read the header row: "+err.Error())})
			return
		}
		columns, err := parseHeader(header)
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
				rec = directory.ImportRecord{Row: row, Err: invalid("row", fmt.Sprintf("has %d cells; the header has %d", len(cells), len(columns)))}
			case err != nil:
				yield(directory.ImportRecord{Row: row, Err: fmt.Errorf("read csv row %d: %w", row, err)})
				return
			case isBlank(cells):
				continue
			default:
				rec = parseRow(row, columns, cells)
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

func parseHeader(header []string) ([]column, error) {
	base := map[string]bool{}
	for _, c := range baseColumns() {
		base[c] = true
	}
	seen := map[string]bool{}
	var problems []directory.FieldError
	columns := make([]column, len(header))
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		columns[i] = column{name: name}
		switch m1, m2 := phoneColumn.FindStringSubmatch(name), contactColumn.FindStringSubmatch(name); {
		case base[name]:
			columns[i].field = name
		case m1 != nil:
			n, _ := strconv.Atoi(m1[1])
			columns[i] = column{name: name, field: strings.TrimPrefix(m1[2], "_"), group: n, phone: true}
			if columns[i].field == "" {
				columns[i].field = "number"
			}
		case m2 != nil:
			n, _ := strconv.Atoi(m2[1])
			columns[i] = column{name: name, field: m2[2], group: n}
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
	if !seen["name_ru"] && !seen["name_en"] {
		problems = append(problems, directory.FieldError{Field: "name_ru", Message: "a name_ru or name_en column is required"})
	}
	if !seen["country_code"] {
		problems = append(problems, directory.FieldError{Field: "country_code", Message: "the column is required"})
	}
	if len(problems) > 0 {
		return nil, &directory.Error{Code: directory.CodeInvalid, Message: "invalid CSV header", Fields: problems}
	}
	return columns, nil
}

// parseRow builds an organization from one row's cells.
func parseRow(row int, columns []column, cells []string) directory.ImportRecord {
	var problems []directory.FieldError
	bad := func(col, msg string) { problems = append(problems, directory.FieldError{Field: col, Message: msg}) }
	o := directory.Organization{Translations: map[string]directory.Text{}}
	texts := map[string]*directory.Text{directory.LangRU: {}, directory.LangEN: {}}
	phones := map[int]*directory.Phone{}
	contacts := map[int]*directory.Contact{}
	maxPhone, maxContact := 0, 0

	for i, col := range columns {
		v := strings.TrimSpace(cells[i])
		switch {
		case col.group > 0 && col.phone:
			p := phones[col.group]
			if p == nil {
				p = &directory.Phone{}
				phones[col.group] = p
			}
			switch col.field {
			case "number":
				p.Number = v
			case "kind":
				p.Kind = directory.PhoneKind(v)
			case "description":
				p.Description = v
			}
			if v != "" {
				maxPhone = max(maxPhone, col.group)
			}
		case col.group > 0:
			c := contacts[col.group]
			if c == nil {
				c = &directory.Contact{}
				contacts[col.group] = c
			}
			switch col.field {
			case "id":
				c.ID = v
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
					bad(col.name, "must be true or false")
				}
				c.IsPrimary = b
			}
			if v != "" {
				maxContact = max(maxContact, col.group)
			}
		default:
			switch col.field {
			case "id":
				o.ID = v
			case "slug":
				o.Slug = v
			case "original_language":
				o.OriginalLanguage = v
			case "name_ru":
				texts[directory.LangRU].Name = v
			case "description_ru":
				texts[directory.LangRU].Description = v
			case "name_en":
				texts[directory.LangEN].Name = v
			case "description_en":
				texts[directory.LangEN].Description = v
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
				o.MemberSince = v
			case "member_until":
				o.MemberUntil = v
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
	}
	for lang, t := range texts {
		if t.Name != "" || t.Description != "" {
			o.Translations[lang] = *t
		}
	}
	if o.OriginalLanguage == "" {
		o.OriginalLanguage = directory.LangRU
		if texts[directory.LangRU].Name == "" && texts[directory.LangEN].Name != "" {
			o.OriginalLanguage = directory.LangEN
		}
	}
	if o.MembershipStatus == "" {
		o.MembershipStatus = directory.StatusMember
	}
	for i := 1; i <= maxPhone; i++ {
		if p := phones[i]; p != nil && p.Number != "" {
			o.Phones = append(o.Phones, *p)
		} else if p != nil {
			bad("phone_"+strconv.Itoa(i), "is required when its kind or description is given")
		}
	}
	for i := 1; i <= maxContact; i++ {
		if c := contacts[i]; c != nil {
			o.Contacts = append(o.Contacts, *c)
		}
	}
	if len(problems) > 0 {
		return directory.ImportRecord{Row: row, Org: o, Err: &directory.Error{Code: directory.CodeInvalid, Message: "invalid row", Fields: problems}}
	}
	return directory.ImportRecord{Row: row, Org: o}
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

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "", "false", "0", "no", "нет":
		return false, true
	case "true", "1", "yes", "да":
		return true, true
	}
	return false, false
}

func parseTime(v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, err
	}
	t = t.UTC()
	return &t, nil
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
