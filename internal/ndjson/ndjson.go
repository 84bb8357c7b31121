// Package ndjson reads and writes the directory as newline-delimited JSON:
// one organization per line with its contacts nested, every field by its API
// name. It is the export format and the import format alike, so an export
// imports into another installation unchanged (ids, slugs, both languages,
// contacts, dates).
package ndjson

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/segmentio/encoding/json" // encoding/json's output at a third of its cost

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/jsondecode"
)

// ContentType is the media type of the format.
const ContentType = "application/x-ndjson"

// maxLine bounds one line: far above any valid organization, small enough
// that a file without newlines cannot exhaust memory.
const maxLine = 4 << 20

// record is one line. Field order is the output order.
type record struct {
	ID               string                 `json:"id,omitempty"`
	Slug             string                 `json:"slug,omitempty"`
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
		r.Phones = append(r.Phones, phone{Number: p.Number, Kind: string(p.Kind), Description: p.Description})
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
// A line that is not a valid record yields a record whose Err names the
// field; a read failure yields a record with that error and ends.
func Read(r io.Reader) iter.Seq[directory.ImportRecord] {
	return func(yield func(directory.ImportRecord) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		var buf []byte // one line at a time: decoding copies what it keeps
		for line := 1; ; line++ {
			data, err := readLine(br, buf[:0])
			buf = data
			if len(bytes.TrimSpace(data)) > 0 {
				if !yield(decodeLine(line, data)) {
					return
				}
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

// readLine appends the next line, without its newline, to line, or returns
// an error for a line over maxLine.
func readLine(br *bufio.Reader, line []byte) ([]byte, error) {
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxLine)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return bytes.TrimRight(line, "\r\n"), err
		}
	}
}

func decodeLine(line int, data []byte) directory.ImportRecord {
	var r record
	if err := jsondecode.Strict(data, &r); err != nil {
		return directory.ImportRecord{Row: line, Err: err}
	}
	o := directory.Organization{
		ID: r.ID, Slug: r.Slug, OriginalLanguage: r.OriginalLanguage,
		Translations: make(map[string]directory.Text, len(r.Translations)),
		Acronym:      r.Acronym, CountryCode: r.CountryCode, RegionCode: r.RegionCode, City: r.City,
		Address: r.Address, AddressHidden: r.AddressHidden, ServiceRegions: r.ServiceRegions,
		FocusAreas: r.FocusAreas, MembershipStatus: directory.MembershipStatus(r.MembershipStatus),
		MemberSince: r.MemberSince, MemberUntil: r.MemberUntil, Website: r.Website, Email: r.Email,
		Languages: r.Languages, VerifiedAt: r.VerifiedAt,
	}
	for lang, t := range r.Translations {
		o.Translations[lang] = directory.Text{Name: t.Name, Description: t.Description}
	}
	if r.CreatedAt != nil {
		o.CreatedAt = r.CreatedAt.UTC()
	}
	if r.UpdatedAt != nil {
		o.UpdatedAt = r.UpdatedAt.UTC()
	}
	for _, p := range r.Phones {
		o.Phones = append(o.Phones, directory.Phone{Number: p.Number, Kind: directory.PhoneKind(p.Kind), Description: p.Description})
	}
	for _, c := range r.Contacts {
		o.Contacts = append(o.Contacts, directory.Contact{ID: c.ID, Name: c.Name, Role: c.Role, Email: c.Email,
			Phone: c.Phone, Languages: c.Languages, Visibility: directory.Visibility(c.Visibility), IsPrimary: c.IsPrimary})
	}
	return directory.ImportRecord{Row: line, Org: o}
}
