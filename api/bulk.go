package api

import (
	"fmt"
	"iter"
	"mime"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/csvio"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/ndjson"
)

// maxImportBytes limits an import body: room for well over 100,000
// organizations.
const maxImportBytes = 512 << 20

// ImportReport is what an import did, or would do, row by row.
type ImportReport struct {
	DryRun    bool        `json:"dry_run"`
	Encoding  string      `json:"encoding" enums:"utf-8,windows-1251" example:"utf-8"`
	Created   int         `json:"created" example:"60"`
	Updated   int         `json:"updated" example:"2"`
	Unchanged int         `json:"unchanged" example:"1"`
	Rows      []ImportRow `json:"rows"`
} //	@name	ImportReport

// ImportRow is the outcome of one row: the fields it changes (for a
// created organization, the fields it sets), as the API names them, with
// contacts for any change to the contacts; and what the admin may want to
// check, such as an organization of the same name already in the country.
type ImportRow struct {
	Row      int      `json:"row" example:"2"`
	Status   string   `json:"status" enums:"created,updated,unchanged"`
	ID       string   `json:"id" format:"uuid" example:"3e98c4f6-40e1-4c96-9f1c-9935719f9212"`
	Slug     string   `json:"slug" example:"nadezhda-nizhny-novgorod"`
	Changes  []string `json:"changes" example:"city"`
	Warnings []string `json:"warnings,omitempty"`
} //	@name	ImportRow

// handleImport upserts organizations from a CSV or NDJSON file.
//
//	@Summary		Import organizations
//	@Description	All or nothing: every row is validated with the rules and defaults of the API; if any row is invalid nothing is written and the 400 problem names each bad row and field as rows[N].field (N is the spreadsheet row, or the NDJSON line; the first 100 are listed, errors_total counts them all), type and format errors together with the rules' ones. A file without rows (a CSV header alone, an empty file) is a 400 naming file, in a dry run too. A row updates the live organization whose id, else slug, it gives, and only that: a row that gives neither creates a new organization (with a slug made from its name, numbered when taken), with a warning when its country already has one of the same name. Each row of the report names the fields it changes, in a dry run too. NDJSON is the export format, one organization per line with its contacts, or the write shape of POST /organizations (name and description in original_language); with mode=replace (the default) a line is the whole record and a field it lacks is cleared, with mode=merge it is an RFC 7396 merge patch of the record it matches. Lines must be UTF-8 and at most 4 MiB. CSV: UTF-8 with or without BOM, or Windows-1251 (detected; the report's encoding says which was read), comma or semicolon separated, columns as the CSV export writes them (id, slug, original_language, name_ru, description_ru, name_en, description_en, acronym, country_code, region_code, city, address, address_hidden, service_regions, focus_areas, membership_status, member_since, member_until, website, email, languages, verified_at, created_at, updated_at, phone_N, phone_N_kind, phone_N_description, phone_N_extension, contact_N_id, contact_N_name, contact_N_role, contact_N_email, contact_N_phone, contact_N_languages, contact_N_visibility, contact_N_primary) or any of them: a row changes only the fields whose columns the file has, an empty cell clears its field. List cells are comma-separated; a cell that starts with ' and then =, +, -, @, tab, CR or ' loses that one ' (the export's spreadsheet escaping). Each written organization gets an audit entry with the action import, in the same transaction.
//	@ID				importOrganizations
//	@Tags			bulk
//	@Accept			text/csv,application/x-ndjson
//	@Produce		json,application/problem+json
//	@Security		bearer
//	@Param			dry_run	query		bool	false	"Validate and report without writing"												example(true)
//	@Param			mode	query		string	false	"NDJSON only: a line is the whole record (replace) or a merge patch of it (merge)"	Enums(replace, merge)	default(replace)	example(merge)
//	@Param			file	body		string	true	"The CSV or NDJSON file"
//	@Success		200		{object}	ImportReport
//	@Failure		400		{object}	Problem		"Invalid rows, header or parameters, or no rows; errors name rows[N].field, or file"
//	@Failure		401		{object}	Problem		"No key, or an unknown or revoked key"
//	@Failure		403		{object}	Problem		"The key's role is below admin"
//	@Failure		409		{object}	Problem		"An id or slug belongs to an archived organization or another record"
//	@Failure		413		{object}	Problem		"The file is over 512 MiB"
//	@Failure		415		{object}	Problem		"The body is not text/csv or application/x-ndjson"
//	@Failure		429		{object}	Problem		"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429		{integer}	Retry-After	"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		500		{object}	Problem		"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Failure		507		{object}	Problem		"The database's storage is full: an operator must free space"
//	@Router			/api/v1/import [post]
func handleImport(dir *directory.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		dryRun := false
		switch v := queryGetter(c)("dry_run"); v {
		case "", "false":
		case "true":
			dryRun = true
		default:
			return invalid("invalid query parameters", "dry_run", "must be true or false")
		}
		mode := ndjson.Replace
		switch queryGetter(c)("mode") {
		case "", "replace":
		case "merge":
			mode = ndjson.Merge
		default:
			return invalid("invalid query parameters", "mode", "must be replace or merge")
		}
		ct := c.Request().Header.Get(echo.HeaderContentType)
		mt, _, _ := mime.ParseMediaType(ct)
		opts := directory.ImportOptions{DryRun: dryRun}
		if mt != csvio.ContentType && mt != ndjson.ContentType {
			return &echo.HTTPError{Code: http.StatusUnsupportedMediaType,
				Message: fmt.Sprintf("Content-Type must be %s or %s, not %q", csvio.ContentType, ndjson.ContentType, ct)}
		}
		if mt == csvio.ContentType && mode == ndjson.Merge {
			return invalid("invalid query parameters", "mode", "is for NDJSON: a CSV row always changes only the columns the file has")
		}
		// The import reads its file inside its transaction, holding the
		// write lock: the file must be here before it starts, however
		// slowly the client sends it.
		body, err := spoolBody(c.Request().Body)
		if err != nil {
			return err
		}
		defer body.Close()
		var records iter.Seq[directory.ImportRecord]
		encoding := csvio.EncodingUTF8
		switch mt {
		case csvio.ContentType:
			r := csvio.NewReader(body)
			records, opts.FieldName, encoding = r.Records(), csvio.ColumnName, r.Encoding()
		case ndjson.ContentType:
			records = ndjson.Read(body, mode)
		}
		report, err := dir.Import(c.Request().Context(), callerOf(c), records, opts)
		if err != nil {
			return err
		}
		out := ImportReport{DryRun: report.DryRun, Encoding: encoding, Created: report.Created, Updated: report.Updated,
			Unchanged: report.Unchanged, Rows: make([]ImportRow, len(report.Rows))}
		for i, r := range report.Rows {
			out.Rows[i] = ImportRow{Row: r.Row, Status: string(r.Status), ID: r.ID, Slug: r.Slug, Changes: r.Changes, Warnings: r.Warnings}
			if out.Rows[i].Changes == nil {
				out.Rows[i].Changes = []string{}
			}
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, out)
	}
}

// handleExport streams the directory as NDJSON or CSV.
//
//	@Summary		Export organizations
//	@Description	Every live organization matching the list filters (paging and sort do not apply; the order is by slug), with its contacts, streamed. NDJSON is the import format; CSV has a column per field and numbered phone and contact columns, UTF-8 with a BOM for spreadsheets.
//	@ID				exportOrganizations
//	@Tags			bulk
//	@Produce		application/x-ndjson,text/csv,application/problem+json
//	@Security		bearer
//	@Param			format			query		string					false	"File format"											Enums(ndjson, csv)	default(ndjson)	example(ndjson)
//	@Param			q				query		string					false	"Search text"											example(приют)
//	@Param			country			query		string					false	"ISO 3166-1 alpha-2 codes, comma-separated"				example(RU,KZ)
//	@Param			region			query		string					false	"ISO 3166-2 codes, comma-separated"						example(RU-NIZ)
//	@Param			focus_area		query		string					false	"Focus-area slugs, comma-separated"						example(shelter,hotline)
//	@Param			status			query		string					false	"Membership statuses, comma-separated"					example(member,associate)
//	@Param			language		query		string					false	"Working languages, comma-separated"					example(ru,en)
//	@Param			modified_after	query		string					false	"Only organizations updated after this RFC 3339 time"	format(date-time)	example(2026-11-01T00:00:00Z)
//	@Param			archived		query		bool					false	"Export archived organizations instead (admin)"			example(false)
//	@Success		200				{string}	string					"The file"
//	@Header			200				{string}	Content-Disposition		"attachment; filename=..."
//	@Header			200				{integer}	Coalition-Change-Seq	"The change feed's sequence number the export was taken at: follow GET /api/v1/changes?after=<it> to keep the copy up to date"
//	@Failure		400				{object}	Problem					"A parameter is invalid; errors name it"
//	@Failure		401				{object}	Problem					"No key, or an unknown or revoked key"
//	@Failure		403				{object}	Problem					"Export needs a partner key; archived=true an admin key"
//	@Failure		429				{object}	Problem					"Too many requests from this client address, or with this key: see Retry-After"
//	@Header			429				{integer}	Retry-After				"Seconds until the next request will be let through (RFC 9110 section 10.2.3)"
//	@Failure		413				{object}	Problem					"The request body is over 1 MiB"
//	@Failure		500				{object}	Problem					"Internal error: the answer says nothing more, and its X-Request-Id finds the cause in the server log"
//	@Router			/api/v1/export [get]
func handleExport(dir *directory.Service, progress time.Duration) echo.HandlerFunc {
	return func(c echo.Context) error {
		format := queryGetter(c)("format")
		if format == "" {
			format = "ndjson"
		}
		if format != "ndjson" && format != "csv" {
			return invalid("invalid query parameters", "format", "must be ndjson or csv")
		}
		q, err := directory.ParseListQuery(queryGetter(c))
		if err != nil {
			return err
		}
		ctx := c.Request().Context()
		caller := callerOf(c)
		var write func(*directory.Organization) error
		var flush func() error
		res := c.Response()
		// A client that stops reading is cut off after progress, and its
		// snapshot released; one that reads may take as long as it needs.
		out := newProgressWriter(res, progress)
		name := "coalition-directory-" + time.Now().UTC().Format("2006-01-02") + "." + format
		switch format {
		case "csv":
			phones, contacts, err := dir.ExportWidths(ctx)
			if err != nil {
				return err
			}
			res.Header().Set(echo.HeaderContentType, csvio.ContentType+"; charset=utf-8")
			w, err := csvio.NewWriter(out, phones, contacts)
			if err != nil {
				return err
			}
			write, flush = w.Write, w.Flush
		default:
			res.Header().Set(echo.HeaderContentType, ndjson.ContentType)
			w := ndjson.NewWriter(out)
			write, flush = w.Write, w.Flush
		}
		res.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		res.Header().Set("Cache-Control", "no-store")
		// The status is sent with the first bytes; an error after that can
		// only cut the stream short, which the client sees as a broken file.
		if err := dir.Export(ctx, caller, q, exportSeq(c), write); err != nil {
			return err
		}
		return flush()
	}
}
