// Package ndjson reads and writes the directory as newline-delimited JSON:
// one organization per line with its contacts nested, every field by its API
// name. It is the export format and the import format alike, so an export
// imports into another installation unchanged (ids, slugs, both languages,
// contacts, dates). An import line may also be written in the API's write
// shape, with name and description in the original language, as POST
// /organizations takes them; and it is either the whole record (Replace) or
// an RFC 7396 JSON merge patch of it (Merge).
package ndjson

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"time"
	"unicode/utf8"

	"github.com/segmentio/encoding/json" // encoding/json's output at a third of its cost

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/jsondecode"
	"github.com/coalition-directory/coalition/internal/mergepatch"
)

// ContentType is the media type of the format.
const ContentType = "application/x-ndjson"

// MaxLine bounds one line: far above any valid organization, small enough
// that a file without newlines cannot exhaust memory. A longer line is an
// invalid row.
const MaxLine = 4 << 20

// Mode says what an import line means for the organization it matches.
type Mode int

// Import modes.
const (
	// Replace: a line is the whole record, as an export writes it; a field
	// it lacks is cleared, so importing an export makes the directory the
	// same.
	Replace Mode = iota
	// Merge: a line is an RFC 7396 JSON merge patch of the record it
	// matches (by id or slug): fields it lacks stay, null clears.
	Merge
)

// record is one line. Field order is the output order. Name and
// Description are the write shape's text in the original language: an
// export never writes them.
type record struct {
	ID               string                 `json:"id,omitempty"`
	Slug             string                 `json:"slug,omitempty"`
	Name             string                 `json:"name,omitempty"`
	Description      string                 `json:"description,omitempty"`
	OriginalLanguage string                 `json:"original_language"`
	Translations     map[string]translation `json:"translations"`
	Acronym          string                 `json:"acronym,omitempty"`
	CountryCode      string                 `json:"country_code"`
	RegionCode       string                 `json:"region_code,omitempty"`
	City             string                 `json:"city,omitempty"`
	Address          string                 `json:"address,omitempty"`
	AddressHidden    bool                   `json:"address_hidden,omitempty"`
	ServiceRegions   []string               `json:"service_regions,omitempty"`
	FocusAreas       []string               `json:"focus_areas,omitempty"`
	MembershipStatus string                 `json:"membership_status"`
	MemberSince      string                 `json:"member_since,omitempty"`
	MemberUntil      string                 `json:"member_until,omitempty"`
	Website          string                 `json:"website,omitempty"`
	Email            string                 `json:"email,omitempty"`
	Phones           []phone                `json:"phones,omitempty"`
	Languages        []string               `json:"languages,omitempty"`
	VerifiedAt       *time.Time             `json:"verified_at,omitempty"`
	CreatedAt        *time.Time             `json:"created_at,omitempty"`
	UpdatedAt        *time.Time             `json:"updated_at,omitempty"`
	Contacts         []contact              `json:"contacts,omitempty"`
}

type translation struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type phone struct {
	Number      string `json:"number"`
	Extension   string `json:"extension,omitempty"`
	Kind        string `json:"kind,omitempty"`
	Description string `json:"description,omitempty"`
}

type contact struct {
	ID         string   `json:"id,omitempty"`
	Name       string   `json:"name"`
	Role       string   `json:"role,omitempty"`
	Email      string   `json:"email,omitempty"`
	Phone      string   `json:"phone,omitempty"`
	Languages  []string `json:"languages,omitempty"`
	Visibility string   `json:"visibility,omitempty"`
	IsPrimary  bool     `json:"is_primary,omitempty"`
}

// Writer writes organizations one per line.
type Writer struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewWriter returns a Writer on w; call Flush at the end.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Writer{w: bw, enc: enc}
}

// Write writes one organization as a line.
func (w *Writer) Write(o *directory.Organization) error {
	if err := w.enc.Encode(toRecord(o)); err != nil {
		return fmt.Errorf("write organization %s: %w", o.ID, err)
	}
	return nil
}

// toRecord is the line of an organization.
func toRecord(o *directory.Organization) *record {
	r := record{
		ID: o.ID, Slug: o.Slug, OriginalLanguage: o.OriginalLanguage,
		Translations: make(map[string]translation, len(o.Translations)),
		Acronym:      o.Acronym, CountryCode: o.CountryCode, RegionCode: o.RegionCode, City: o.City,
		Address: o.Address, AddressHidden: o.AddressHidden, ServiceRegions: o.ServiceRegions,
		FocusAreas: o.FocusAreas, MembershipStatus: string(o.MembershipStatus), MemberSince: o.MemberSince,
		MemberUntil: o.MemberUntil, Website: o.Website, Email: o.Email, Languages: o.Languages,
		VerifiedAt: o.VerifiedAt, CreatedAt: timePtr(o.CreatedAt), UpdatedAt: timePtr(o.UpdatedAt),
	}
	for lang, t := range o.Translations {
		r.Translations[lang] = translation{Name: t.Name, Description: t.Description}
	}
	for _, p := range o.Phones {
		r.Phones = append(r.Phones, phone{Number: p.Number, Extension: p.Extension, Kind: string(p.Kind), Description: p.Description})
	}
	for _, c := range o.Contacts {
		r.Contacts = append(r.Contacts, contact{ID: c.ID, Name: c.Name, Role: c.Role, Email: c.Email, Phone: c.Phone,
			Languages: c.Languages, Visibility: string(c.Visibility), IsPrimary: c.IsPrimary})
	}
	return &r
}

// Flush writes what is buffered.
func (w *Writer) Flush() error { return w.w.Flush() }

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Read yields one import record per non-empty line of r, numbered by line.
// A line that is not a valid record (not UTF-8, not JSON, over MaxLine
// bytes, unknown fields) yields a record whose Err names the field; a read
// failure yields a record with that error and ends.
func Read(r io.Reader, mode Mode) iter.Seq[directory.ImportRecord] {
	return func(yield func(directory.ImportRecord) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		var buf []byte // one line at a time: decoding copies what it keeps
		for line := 1; ; line++ {
			data, tooLong, err := readLine(br, buf[:0])
			buf = data
			var rec directory.ImportRecord
			switch {
			case tooLong:
				rec = directory.ImportRecord{Row: line, Err: invalid("body", fmt.Sprintf("the line is longer than %d bytes", MaxLine))}
			case len(bytes.TrimSpace(data)) == 0:
			case mode == Merge:
				rec = decodePatch(line, data)
			default:
				rec = decodeLine(line, data)
			}
			if rec.Row != 0 && !yield(rec) {
				return
			}
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(directory.ImportRecord{Row: line, Err: fmt.Errorf("read line %d: %w", line, err)})
				return
			}
		}
	}
}

// readLine appends the next line, without its newline, to line. Of a line
// over MaxLine it keeps nothing, reads on to its end and says so.
func readLine(br *bufio.Reader, line []byte) (data []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			line = append(line, chunk...)
			if len(line) > MaxLine && len(bytes.TrimRight(line, "\r\n")) > MaxLine {
				tooLong, line = true, line[:0]
			}
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return bytes.TrimRight(line, "\r\n"), tooLong, err
		}
	}
}

func invalid(field, problem string) error {
	return &directory.Error{Code: directory.CodeInvalid, Message: "invalid line",
		Fields: []directory.FieldError{{Field: field, Message: problem}}}
}

// checkUTF8 rejects a line that is not UTF-8: a JSON decoder would turn its
// bad bytes into U+FFFD and store text the user never wrote.
func checkUTF8(data []byte) error {
	if !utf8.Valid(data) {
		return invalid("body", "is not valid UTF-8 text: save the file as UTF-8")
	}
	return nil
}

// decodeLine reads a line of Replace mode.
func decodeLine(line int, data []byte) directory.ImportRecord {
	if err := checkUTF8(data); err != nil {
		return directory.ImportRecord{Row: line, Err: err}
	}
	var r record
	found, err := jsondecode.Decode(data, &r)
	if err != nil {
		return directory.ImportRecord{Row: line, ID: r.ID, Slug: r.Slug, Err: err}
	}
	o, err := r.toOrganization()
	if err != nil {
		return directory.ImportRecord{Row: line, ID: r.ID, Slug: r.Slug, Err: err}
	}
	rec := directory.WholeRecord(line, o)
	if len(found) > 0 {
		// The values that fit are applied and validated, and the row
		// reports the others with the rules' errors.
		apply := rec.Apply
		rec.Apply = func(dst *directory.Organization) error {
			if err := apply(dst); err != nil {
				return err
			}
			return &directory.Error{Code: directory.CodeInvalid, Message: "invalid line", Fields: found}
		}
	}
	return rec
}

// toOrganization converts a decoded line. Name and description, when the
// line gives them, are the text in the original language (Russian unless
// original_language says otherwise, as POST /organizations has it).
func (r *record) toOrganization() (directory.Organization, error) {
	o := directory.Organization{
		ID: r.ID, Slug: r.Slug, OriginalLanguage: r.OriginalLanguage,
		Translations: make(map[string]directory.Text, len(r.Translations)+1),
		Acronym:      r.Acronym, CountryCode: r.CountryCode, RegionCode: r.RegionCode, City: r.City,
		Address: r.Address, AddressHidden: r.AddressHidden, ServiceRegions: r.ServiceRegions,
		FocusAreas: r.FocusAreas, MembershipStatus: directory.MembershipStatus(r.MembershipStatus),
		MemberSince: r.MemberSince, MemberUntil: r.MemberUntil, Website: r.Website, Email: r.Email,
		Languages: r.Languages, VerifiedAt: r.VerifiedAt,
	}
	for lang, t := range r.Translations {
		o.Translations[lang] = directory.Text{Name: t.Name, Description: t.Description}
	}
	if r.Name != "" || r.Description != "" {
		lang := r.OriginalLanguage
		if lang == "" {
			lang = directory.LangRU
			o.OriginalLanguage = lang
		}
		t := o.Translations[lang]
		for _, f := range []struct {
			field       string
			given, text *string
		}{{"name", &r.Name, &t.Name}, {"description", &r.Description, &t.Description}} {
			switch {
			case *f.given == "":
			case *f.text != "" && *f.text != *f.given:
				return o, invalid(f.field, fmt.Sprintf("differs from translations.%s.%s: give the text in the original language once", lang, f.field))
			default:
				*f.text = *f.given
			}
		}
		o.Translations[lang] = t
	}
	if r.VerifiedAt != nil {
		t := r.VerifiedAt.UTC()
		o.VerifiedAt = &t
	}
	if r.CreatedAt != nil {
		o.CreatedAt = r.CreatedAt.UTC()
	}
	if r.UpdatedAt != nil {
		o.UpdatedAt = r.UpdatedAt.UTC()
	}
	for _, p := range r.Phones {
		o.Phones = append(o.Phones, directory.Phone{Number: p.Number, Extension: p.Extension, Kind: directory.PhoneKind(p.Kind), Description: p.Description})
	}
	for _, c := range r.Contacts {
		o.Contacts = append(o.Contacts, directory.Contact{ID: c.ID, Name: c.Name, Role: c.Role, Email: c.Email,
			Phone: c.Phone, Languages: c.Languages, Visibility: directory.Visibility(c.Visibility), IsPrimary: c.IsPrimary})
	}
	return o, nil
}

// decodePatch reads a line of Merge mode: a JSON object whose id and slug,
// when it gives them, say which organization it patches.
func decodePatch(line int, data []byte) directory.ImportRecord {
	if err := checkUTF8(data); err != nil {
		return directory.ImportRecord{Row: line, Err: err}
	}
	var patch map[string]any
	if err := jsondecode.Strict(data, &patch); err != nil {
		return directory.ImportRecord{Row: line, Err: err}
	}
	rec := directory.ImportRecord{Row: line}
	for field, dst := range map[string]*string{"id": &rec.ID, "slug": &rec.Slug} {
		switch v := patch[field].(type) {
		case string:
			*dst = v
		case nil:
		default:
			rec.Err = invalid(field, "must be a string")
			return rec
		}
	}
	rec.Apply = func(o *directory.Organization) error {
		base, err := toPatchBase(o)
		if err != nil {
			return err
		}
		p, err := liftOriginal(patch, base)
		if err != nil {
			return err
		}
		merged, err := json.Marshal(mergepatch.Apply(base, p))
		if err != nil {
			return fmt.Errorf("encode merged line: %w", err)
		}
		var r record
		found, err := jsondecode.Decode(merged, &r)
		if err != nil {
			return err
		}
		next, err := r.toOrganization()
		if err != nil {
			return err
		}
		if err := directory.WholeRecord(line, next).Apply(o); err != nil {
			return err
		}
		if len(found) > 0 { // reported with the rules' errors, as in replace mode
			return &directory.Error{Code: directory.CodeInvalid, Message: "invalid line", Fields: found}
		}
		return nil
	}
	return rec
}

// toPatchBase is the document a merge patch applies to: the record of o in
// the write shape, its original-language text as name and description.
func toPatchBase(o *directory.Organization) (map[string]any, error) {
	r := toRecord(o)
	r.CreatedAt, r.UpdatedAt = nil, nil
	if t, ok := r.Translations[o.OriginalLanguage]; ok {
		r.Name, r.Description = t.Name, t.Description
		delete(r.Translations, o.OriginalLanguage)
	}
	data, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode organization %s: %w", o.ID, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("decode organization %s: %w", o.ID, err)
	}
	return doc, nil
}

// liftOriginal returns patch with a translation in the original language
// (the patch's, else base's) moved to name and description, where base
// keeps that text, so that either spelling patches the same field.
func liftOriginal(patch, base map[string]any) (map[string]any, error) {
	lang, _ := base["original_language"].(string)
	if l, ok := patch["original_language"].(string); ok {
		lang = l
	}
	tr, ok := patch["translations"].(map[string]any)
	if !ok {
		return patch, nil
	}
	orig, ok := tr[lang]
	if !ok {
		return patch, nil
	}
	out := maps.Clone(patch)
	tr = maps.Clone(tr)
	delete(tr, lang)
	out["translations"] = tr
	text, _ := orig.(map[string]any)
	for _, f := range []string{"name", "description"} {
		v, given := text[f]
		if orig == nil {
			v, given = nil, true
		}
		if !given {
			continue
		}
		if prev, dup := patch[f]; dup && prev != v {
			return nil, invalid(f, fmt.Sprintf("differs from translations.%s.%s: give the text in the original language once", lang, f))
		}
		out[f] = v
	}
	return out, nil
}
