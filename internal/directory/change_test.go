package directory

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

func TestParseChangesQuery(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string]string
		want   ChangesQuery
		bad    []string
	}{
		{"defaults", nil, ChangesQuery{Limit: DefaultChangesLimit}, nil},
		{"all", map[string]string{"after": "42", "limit": "7", "types": "contact.deleted, organization.archived,contact.deleted", "wait": "30"},
			ChangesQuery{After: 42, Limit: 7, Types: []EventType{EventContactDeleted, EventOrganizationArchived}, Wait: 30 * time.Second}, nil},
		{"latest", map[string]string{"after": "latest"}, ChangesQuery{Latest: true, Limit: DefaultChangesLimit}, nil},
		{"every field bad", map[string]string{"after": "-1", "limit": "1001", "types": "organization.deleted", "wait": "61"},
			ChangesQuery{}, []string{"after", "limit", "types", "wait"}},
		{"not numbers", map[string]string{"after": "x", "limit": "0", "wait": "1.5"}, ChangesQuery{}, []string{"after", "limit", "wait"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := ParseChangesQuery(func(k string) string { return tc.params[k] })
			var fields []string
			if e, ok := err.(*Error); ok {
				for _, f := range e.Fields {
					fields = append(fields, f.Field)
				}
			} else if err != nil {
				t.Fatalf("got %v, want a domain error", err)
			}
			if !slices.Equal(fields, tc.bad) {
				t.Fatalf("bad fields %v, want %v", fields, tc.bad)
			}
			if tc.bad == nil && (q.After != tc.want.After || q.Latest != tc.want.Latest || q.Limit != tc.want.Limit ||
				q.Wait != tc.want.Wait || !slices.Equal(q.Types, tc.want.Types)) {
				t.Errorf("got %+v, want %+v", q, tc.want)
			}
		})
	}
}

func TestEventOf(t *testing.T) {
	for _, tc := range []struct {
		entry AuditEntry
		want  EventType
	}{
		{AuditEntry{EntityType: EntityOrganization, Action: ActionCreate}, EventOrganizationCreated},
		{AuditEntry{EntityType: EntityOrganization, Action: ActionUpdate}, EventOrganizationUpdated},
		{AuditEntry{EntityType: EntityOrganization, Action: ActionArchive}, EventOrganizationArchived},
		{AuditEntry{EntityType: EntityOrganization, Action: ActionRestore}, EventOrganizationRestored},
		{AuditEntry{EntityType: EntityOrganization, Action: ActionImport, Changes: []Change{{Field: "created", New: true}}}, EventOrganizationCreated},
		{AuditEntry{EntityType: EntityOrganization, Action: ActionImport, Changes: []Change{{Field: "city"}}}, EventOrganizationUpdated},
		{AuditEntry{EntityType: EntityContact, Action: ActionCreate}, EventContactCreated},
		{AuditEntry{EntityType: EntityContact, Action: ActionUpdate}, EventContactUpdated},
		{AuditEntry{EntityType: EntityContact, Action: ActionDelete}, EventContactDeleted},
		{AuditEntry{EntityType: EntityFocusArea, Action: ActionCreate}, EventFocusAreaCreated},
		{AuditEntry{EntityType: EntityFocusArea, Action: ActionUpdate}, EventFocusAreaUpdated},
		{AuditEntry{EntityType: EntityFocusArea, Action: ActionDelete}, EventFocusAreaDeleted},
		{AuditEntry{EntityType: EntityKey, Action: ActionCreate}, ""},
		{AuditEntry{EntityType: EntityKey, Action: ActionRevoke}, ""},
		{AuditEntry{EntityType: EntityWebhook, Action: ActionCreate}, ""},
	} {
		tc.entry.EntityID, tc.entry.OrganizationID = "e", "o"
		ev, ok := EventOf(tc.entry)
		if ok != (tc.want != "") || ev.Type != tc.want {
			t.Errorf("%s %s: got %q %v, want %q", tc.entry.EntityType, tc.entry.Action, ev.Type, ok, tc.want)
			continue
		}
		wantOrg := map[EntityType]string{EntityOrganization: "e", EntityContact: "o", EntityFocusArea: ""}[tc.entry.EntityType]
		if ok && (ev.ID != "e" || ev.OrganizationID != wantOrg || !ev.Public) {
			t.Errorf("%s %s: got %+v, want id e, organization %q, public", tc.entry.EntityType, tc.entry.Action, ev, wantOrg)
		}
	}
	if ev, _ := EventOf(AuditEntry{EntityType: EntityContact, Action: ActionUpdate, PartnersOnly: true}); ev.Public {
		t.Error("a partners-only write made a public event")
	}
}

func TestCheckWebhookURL(t *testing.T) {
	allowLoopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	for _, tc := range []struct {
		url   string
		allow []netip.Prefix
		ok    bool
	}{
		{"https://partner.example.org/hooks/coalition", nil, true},
		{"http://93.184.216.34:8080/in", nil, true},
		{"http://127.0.0.1:9000/in", nil, false},
		{"http://127.0.0.1:9000/in", allowLoopback, true},
		{"http://localhost/in", nil, false},
		{"http://[::1]/in", allowLoopback, false},
		{"http://10.0.0.5/in", nil, false},
		{"http://169.254.169.254/latest/meta-data", nil, false},
		{"ftp://partner.example.org/", nil, false},
		{"https://user:pass@partner.example.org/", nil, false},
		{"https://partner.example.org/#x", nil, false},
		{"/relative", nil, false},
		{"", nil, false},
	} {
		var fe fieldErrors
		checkWebhookURL(&fe, tc.url, tc.allow)
		if ok := len(fe) == 0; ok != tc.ok {
			t.Errorf("%q (allow %v): ok %v, want %v (%v)", tc.url, tc.allow, ok, tc.ok, fe)
		}
	}
}
