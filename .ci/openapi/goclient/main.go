// Command goclient uses the client that oapi-codegen generates from
// openapi.yaml (client.gen.go, made by CI, not committed) against a running
// server, as a Go developer of a frontend would: list with filters, get by
// slug, create, patch with If-Match, a stale patch, the NDJSON export and
// a problem. It exits non-zero at the first answer that differs from the
// spec's promise.
//
// Usage: goclient BASE_URL EDITOR_KEY PARTNER_KEY
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: goclient BASE_URL EDITOR_KEY PARTNER_KEY")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "goclient: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("goclient: 7 passed, 0 failed")
}

// bearer sends key as the request's bearer token.
func bearer(key string) RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+key)
		return nil
	}
}

func ptr[T any](v T) *T { return &v }

// fullETag is the one form of a record's entity tag: version and digest.
var fullETag = regexp.MustCompile(`^"v[0-9]+-[A-Za-z0-9_-]+"$`)

func run(ctx context.Context, base, editor, partner string) error {
	c, err := NewClientWithResponses(base)
	if err != nil {
		return err
	}

	// 1. A list with filters.
	list, err := c.ListOrganizationsWithResponse(ctx, &ListOrganizationsParams{
		Country: ptr("RU"), FocusArea: ptr("shelter,hotline"), PerPage: ptr(5), Lang: ptr(ListOrganizationsParamsLangEn),
	})
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	if list.JSON200 == nil || len(list.JSON200.Items) == 0 || list.JSON200.TotalItems < len(list.JSON200.Items) {
		return fmt.Errorf("list: status %d, no items: %.300s", list.StatusCode(), list.Body)
	}
	for _, o := range list.JSON200.Items {
		if o.CountryCode != "RU" {
			return fmt.Errorf("list: country=RU gave %s (%s)", o.CountryCode, o.Slug)
		}
	}
	fmt.Printf("list: %d of %d organizations in RU doing shelter or hotline\n", len(list.JSON200.Items), list.JSON200.TotalItems)

	// 2. One organization by slug.
	slug := list.JSON200.Items[0].Slug
	got, err := c.GetOrganizationWithResponse(ctx, slug, &GetOrganizationParams{Lang: ptr(GetOrganizationParamsLangRu)})
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	if got.JSON200 == nil || got.JSON200.Slug != slug {
		return fmt.Errorf("get %s: status %d: %.300s", slug, got.StatusCode(), got.Body)
	}
	fmt.Printf("get: %s is %q\n", slug, got.JSON200.Name)

	// 3. Create with an editor key.
	created, err := c.CreateOrganizationWithResponse(ctx, nil, OrganizationWrite{
		Name:        "Фонд «Проверка клиента Go»",
		CountryCode: "MD",
		FocusAreas:  ptr([]string{"hotline"}),
	}, bearer(editor))
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if created.JSON201 == nil {
		return fmt.Errorf("create: status %d: %.300s", created.StatusCode(), created.Body)
	}
	id := created.JSON201.Id.String()
	etag := created.HTTPResponse.Header.Get("ETag")
	if !fullETag.MatchString(etag) {
		return fmt.Errorf("create: ETag %q", etag)
	}
	fmt.Printf("create: %s at %s, ETag %s\n", created.JSON201.Slug, created.HTTPResponse.Header.Get("Location"), etag)

	// 4. A merge patch based on that version.
	patched, err := c.UpdateOrganizationWithApplicationMergePatchPlusJSONBodyWithResponse(ctx, id,
		&UpdateOrganizationParams{IfMatch: &etag}, OrganizationPatch{City: ptr("Cahul")}, bearer(editor))
	if err != nil {
		return fmt.Errorf("patch: %w", err)
	}
	if patched.JSON200 == nil || patched.JSON200.City == nil || *patched.JSON200.City != "Cahul" {
		return fmt.Errorf("patch: status %d: %.300s", patched.StatusCode(), patched.Body)
	}
	fmt.Printf("patch: city %s, ETag %s\n", *patched.JSON200.City, patched.HTTPResponse.Header.Get("ETag"))

	// 5. The same patch again: the version it is based on is gone.
	stale, err := c.UpdateOrganizationWithApplicationMergePatchPlusJSONBodyWithResponse(ctx, id,
		&UpdateOrganizationParams{IfMatch: &etag}, OrganizationPatch{City: ptr("Cahul")}, bearer(editor))
	if err != nil {
		return fmt.Errorf("stale patch: %w", err)
	}
	current := stale.HTTPResponse.Header.Get("ETag")
	if stale.ApplicationproblemJSON412 == nil || stale.ApplicationproblemJSON412.Status != http.StatusPreconditionFailed {
		return fmt.Errorf("stale patch: status %d: %.300s", stale.StatusCode(), stale.Body)
	}
	if !fullETag.MatchString(current) || current == etag {
		return fmt.Errorf("stale patch: 412 with ETag %q", current)
	}
	fmt.Printf("stale patch: 412 %s, current ETag %s\n", stale.ApplicationproblemJSON412.Title, current)

	// 6. The NDJSON export, record by record, as the generated client returns it...
	export, err := c.ExportOrganizationsWithResponse(ctx, &ExportOrganizationsParams{Format: ptr(Ndjson)}, bearer(partner))
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if export.StatusCode() != http.StatusOK {
		return fmt.Errorf("export: status %d: %.300s", export.StatusCode(), export.Body)
	}
	records, err := readNDJSON(bytes.NewReader(export.Body))
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	// ...and streamed, without holding the whole file.
	res, err := c.ClientInterface.(*Client).ExportOrganizations(ctx, &ExportOrganizationsParams{Format: ptr(Ndjson)}, bearer(partner))
	if err != nil {
		return fmt.Errorf("export stream: %w", err)
	}
	defer res.Body.Close()
	streamed, err := readNDJSON(res.Body)
	if err != nil {
		return fmt.Errorf("export stream: %w", err)
	}
	if len(records) < 60 || len(streamed) != len(records) {
		return fmt.Errorf("export: %d records, streamed %d", len(records), len(streamed))
	}
	fmt.Printf("export: %d records, the first %s (%s)\n", len(records), records[0].Slug, res.Header.Get("Content-Disposition"))

	// 7. A 404 is a problem.
	missing, err := c.GetOrganizationWithResponse(ctx, "no-such-organization", nil)
	if err != nil {
		return fmt.Errorf("404: %w", err)
	}
	if p := missing.ApplicationproblemJSON404; p == nil || p.Status != http.StatusNotFound || p.Type == "" {
		return fmt.Errorf("404: status %d %s: %.300s", missing.StatusCode(), missing.HTTPResponse.Header.Get("Content-Type"), missing.Body)
	}
	fmt.Printf("404: %s: %s\n", missing.ApplicationproblemJSON404.Title, deref(missing.ApplicationproblemJSON404.Detail))
	return nil
}

// readNDJSON decodes one Organization per line.
func readNDJSON(r io.Reader) ([]Organization, error) {
	var out []Organization
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var o Organization
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if o.Id.String() == "00000000-0000-0000-0000-000000000000" || o.Slug == "" {
			return nil, fmt.Errorf("line %d: no id or slug", n)
		}
		out = append(out, o)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no records")
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
