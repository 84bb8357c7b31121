package directory

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Store keeps the directory's records. The storage adapter implements it and
// translates its driver's errors into *Error codes; a missing record is a
// CodeNotFound error, never a zero value with a nil error.
type Store interface {
	SessionStore

	// ListOrganizations returns one page of live organizations matching q and
	// the number of all matches. search is q.Text prepared (empty when there
	// is none), with its typos found (VocabularyNear); private says whether
	// partners-only text may match it.
	ListOrganizations(ctx context.Context, q ListQuery, search SearchQuery, private bool) ([]Organization, int, error)
	// VocabularyNear returns the search vocabulary's terms that the probes
	// reach (see TypoProbe), for typos to be chosen from.
	VocabularyNear(ctx context.Context, probes []TypoProbe) ([]string, error)
	// Organization returns the live organization with that id or slug,
	// without contacts.
	Organization(ctx context.Context, idOrSlug string) (Organization, error)
	// Contacts returns an organization's contacts, the partners-only ones too
	// when private is set, primary first.
	Contacts(ctx context.Context, organizationID string, private bool) ([]Contact, error)
	// OrganizationsWithContacts returns the live organizations among ids,
	// each with all its contacts (partners-only ones too, primary first),
	// in no particular order; an id of no live organization is left out.
	// It reads them in a number of queries that does not grow with ids, all
	// from one snapshot of the store, which holds every write committed
	// before the call (never a read replica that lags behind).
	OrganizationsWithContacts(ctx context.Context, ids []string) ([]Organization, error)
	// CreateOrganizations stores new organizations with their contacts in one
	// transaction: all of them or none.
	CreateOrganizations(ctx context.Context, orgs []Organization) error
	// FocusAreas returns the vocabulary in its display order.
	FocusAreas(ctx context.Context) ([]FocusArea, error)
	// AddFocusAreas stores the entries whose slug is not there yet.
	AddFocusAreas(ctx context.Context, areas []FocusArea) error
	// Counts tallies the live organizations.
	Counts(ctx context.Context) (Counts, error)

	// OrganizationAny is Organization including archived organizations;
	// by slug it prefers the live one, then the most recently archived.
	OrganizationAny(ctx context.Context, idOrSlug string) (Organization, error)
	// SlugTaken reports whether a live organization has the slug.
	SlugTaken(ctx context.Context, slug string) (bool, error)
	// CurrentSlug returns the slug of the live organization that had slug
	// last before it changed, or CodeNotFound when there is none or a live
	// organization has that slug now.
	CurrentSlug(ctx context.Context, slug string) (string, error)

	// The writes below each run in one transaction with their audit entry.
	// Updates store the new state only when the stored version is still
	// version, else they return CodePreconditionFailed; unique slugs and ids
	// are CodeConflict.

	CreateOrganization(ctx context.Context, o Organization, entry AuditEntry) error
	UpdateOrganization(ctx context.Context, o Organization, version int, entry AuditEntry) error
	CreateContact(ctx context.Context, c Contact, entry AuditEntry) error
	UpdateContact(ctx context.Context, c Contact, version int, entry AuditEntry) error
	// DeleteContact deletes unconditionally when version is 0.
	DeleteContact(ctx context.Context, organizationID, contactID string, version int, entry AuditEntry) error
	CreateFocusArea(ctx context.Context, fa FocusArea, entry AuditEntry) error
	UpdateFocusArea(ctx context.Context, fa FocusArea, entry AuditEntry) error
	// DeleteFocusArea returns CodeConflict while an organization uses it.
	DeleteFocusArea(ctx context.Context, slug string, entry AuditEntry) error

	CreateKey(ctx context.Context, key APIKey, entry AuditEntry) error
	Keys(ctx context.Context) ([]APIKey, error)
	KeyByHash(ctx context.Context, hash string) (APIKey, error)
	// RevokeKey sets the revocation time unless the key is revoked already,
	// and returns the key as stored.
	RevokeKey(ctx context.Context, id string, at time.Time, entry AuditEntry) (APIKey, error)
	// TouchKey records a key's last use; it is not audited.
	TouchKey(ctx context.Context, id string, at time.Time) error

	AuditEntries(ctx context.Context, q AuditQuery) ([]AuditEntry, int, error)

	// Import runs fn in one transaction and commits only if fn returns nil.
	// Every organization the session creates gets an audit entry like
	// created, about that organization: they share its time and the
	// first two thirds of its ID, and the rest of the ID numbers them.
	Import(ctx context.Context, created AuditEntry, fn func(ImportSession) error) error
	// EachOrganization calls fn for every live organization matching q's
	// filters and search, in slug order, with its contacts (partners-only
	// ones only when private), reading one consistent snapshot without
	// holding all of them in memory. at, when not nil, is called first
	// with the change log's latest sequence number in that snapshot.
	EachOrganization(ctx context.Context, q ListQuery, search SearchQuery, private bool, at func(seq int64), fn func(*Organization) error) error
	// Widths returns the most phones and contacts a live organization has.
	Widths(ctx context.Context) (phones, contacts int, err error)

	ChangeStore
}

// Places is the reference data of countries and regions the directory
// validates codes against and names places from.
type Places interface {
	Countries() []Country
	Country(code string) (Country, bool)
	Regions(countryCode string) []Region
	Region(code string) (Region, bool)
}

// Counts tallies live organizations. A region counts the organizations seated
// or serving there, so each count equals the total of the matching list
// filter.
type Counts struct {
	Total       int
	ByCountry   map[string]int
	ByRegion    map[string]int
	ByFocusArea map[string]int
	ByStatus    map[MembershipStatus]int
}

// Service is the directory's use cases. The HTTP API and the command line
// both go through it, so they enforce the same rules.
type Service struct {
	store  Store
	places Places
	phones func() *phoneRules
	now    func() time.Time
	locks  recordLocks

	retention      time.Duration
	webhookTargets []netip.Prefix
}

// Option configures a Service.
type Option func(*Service)

// WithRetention keeps change events for d (DefaultRetention when d is not
// positive).
func WithRetention(d time.Duration) Option {
	return func(s *Service) {
		if d > 0 {
			s.retention = d
		}
	}
}

// WithWebhookTargets allows webhook endpoints in the private, loopback or
// link-local prefixes listed (none by default).
func WithWebhookTargets(allow []netip.Prefix) Option {
	return func(s *Service) { s.webhookTargets = slices.Clone(allow) }
}

// NewService returns a Service over store, validating places against places.
func NewService(store Store, places Places, opts ...Option) *Service {
	s := &Service{store: store, places: places, phones: sharedPhoneRules, now: time.Now, retention: DefaultRetention}
	for _, o := range opts {
		o(s)
	}
	return s
}

// OrganizationPage is one page of a list with the number of all matches.
type OrganizationPage struct {
	Items []Organization
	Total int
	// Search is the list's search text as it was matched, for highlights.
	Search SearchQuery
}

// Organizations lists the organizations matching q. Codes that are well
// formed but unknown are CodeInvalid errors naming their parameter, so a
// typo is not mistaken for an empty result.
func (s *Service) Organizations(ctx context.Context, q ListQuery, caller Caller) (OrganizationPage, error) {
	ctx = WithSharedVersion(ctx) // the vocabulary, typos and list: one data version asked
	if err := q.authorize(caller); err != nil {
		return OrganizationPage{}, err
	}
	if err := s.checkCodes(ctx, q); err != nil {
		return OrganizationPage{}, err
	}
	search, err := s.prepareSearch(ctx, q.Text)
	if err != nil {
		return OrganizationPage{}, err
	}
	items, total, err := s.store.ListOrganizations(ctx, q, search, caller.SeesPrivate())
	if err != nil {
		return OrganizationPage{}, fmt.Errorf("list organizations: %w", err)
	}
	for i := range items {
		redact(&items[i], caller)
	}
	return OrganizationPage{Items: items, Total: total, Search: search}, nil
}

// prepareSearch prepares a search text and finds the vocabulary terms its
// words may be typos of.
func (s *Service) prepareSearch(ctx context.Context, text string) (SearchQuery, error) {
	search := ParseSearch(text)
	if probes := search.TypoProbes(); len(probes) > 0 {
		near, err := s.store.VocabularyNear(ctx, probes)
		if err != nil {
			return SearchQuery{}, fmt.Errorf("find typos: %w", err)
		}
		search.AddTypos(near)
	}
	return search, nil
}

func (s *Service) checkCodes(ctx context.Context, q ListQuery) error {
	var fe fieldErrors
	for _, c := range q.Countries {
		if _, ok := s.places.Country(c); !ok {
			fe.add("country", "unknown country code %q", c)
		}
	}
	for _, r := range q.Regions {
		if _, ok := s.places.Region(r); !ok {
			fe.add("region", "unknown region code %q", r)
		}
	}
	if len(q.FocusAreas) > 0 {
		known, err := s.focusAreaSlugs(ctx)
		if err != nil {
			return err
		}
		for _, f := range q.FocusAreas {
			if !known[f] {
				fe.add("focus_area", "unknown focus area %q", f)
			}
		}
	}
	return fe.err("invalid query parameters")
}

func (s *Service) focusAreaSlugs(ctx context.Context) (map[string]bool, error) {
	areas, err := s.store.FocusAreas(ctx)
	if err != nil {
		return nil, fmt.Errorf("load focus areas: %w", err)
	}
	known := make(map[string]bool, len(areas))
	for _, a := range areas {
		known[a.Slug] = true
	}
	return known, nil
}

// Organization returns a live organization by id or slug with the contacts
// the caller may see; admins get archived ones too. It returns CodeNotFound
// when there is none.
func (s *Service) Organization(ctx context.Context, idOrSlug string, caller Caller) (Organization, error) {
	ctx = WithSharedVersion(ctx) // the organization and its contacts: one data version asked
	get := s.store.Organization
	if caller.Role.Includes(RoleAdmin) {
		get = s.store.OrganizationAny
	}
	org, err := get(ctx, idOrSlug)
	if err != nil {
		return Organization{}, fmt.Errorf("get organization %q: %w", idOrSlug, err)
	}
	org.Contacts, err = s.store.Contacts(ctx, org.ID, caller.SeesPrivate())
	if err != nil {
		return Organization{}, fmt.Errorf("get contacts of %s: %w", org.ID, err)
	}
	redact(&org, caller)
	return org, nil
}

// CurrentSlug returns the slug of the live organization that had slug
// before (a slug edit, an import, a restore under a new slug), so that links
// to its old address can lead on; CodeNotFound when no live organization
// had it, or when one has it now.
func (s *Service) CurrentSlug(ctx context.Context, slug string) (string, error) {
	current, err := s.store.CurrentSlug(ctx, slug)
	if err != nil {
		return "", fmt.Errorf("find former slug %q: %w", slug, err)
	}
	return current, nil
}

// redact removes what the caller may not see. The store already leaves out
// partners-only contacts; the hidden address is cleared here, and callers
// who may not see partners-only data get the version and time of the last
// change they could see.
func redact(org *Organization, caller Caller) {
	if caller.SeesPrivate() {
		return
	}
	if org.AddressHidden {
		org.Address = ""
	}
	if org.PublicVersion > 0 {
		org.Version, org.UpdatedAt = org.PublicVersion, org.PublicUpdatedAt
	}
}

// FocusAreaCount is a focus area with the number of live organizations in it.
type FocusAreaCount struct {
	FocusArea
	Count int
}

// FocusAreas returns the vocabulary with organization counts.
func (s *Service) FocusAreas(ctx context.Context) ([]FocusAreaCount, error) {
	areas, err := s.store.FocusAreas(ctx)
	if err != nil {
		return nil, fmt.Errorf("list focus areas: %w", err)
	}
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return nil, fmt.Errorf("count organizations: %w", err)
	}
	out := make([]FocusAreaCount, len(areas))
	for i, a := range areas {
		out[i] = FocusAreaCount{FocusArea: a, Count: counts.ByFocusArea[a.Slug]}
	}
	return out, nil
}

// CountryCount is a country with the number of live organizations seated there.
type CountryCount struct {
	Country
	Count int
}

// RegionCount is a region with the number of live organizations seated or
// serving there.
type RegionCount struct {
	Region
	Count int
}

// Countries returns every country with organization counts, by code.
func (s *Service) Countries(ctx context.Context) ([]CountryCount, error) {
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return nil, fmt.Errorf("count organizations: %w", err)
	}
	countries := s.places.Countries()
	out := make([]CountryCount, len(countries))
	for i, c := range countries {
		out[i] = CountryCount{Country: c, Count: counts.ByCountry[c.Code]}
	}
	return out, nil
}

// Country returns one country by its alpha-2 code (any case) with its count,
// or CodeNotFound.
func (s *Service) Country(ctx context.Context, code string) (CountryCount, error) {
	c, ok := s.places.Country(strings.ToUpper(code))
	if !ok {
		return CountryCount{}, Errorf(CodeNotFound, "no country with code %q", code)
	}
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return CountryCount{}, fmt.Errorf("count organizations: %w", err)
	}
	return CountryCount{Country: c, Count: counts.ByCountry[c.Code]}, nil
}

// Regions returns the regions of a country with organization counts, or
// CodeNotFound for an unknown country.
func (s *Service) Regions(ctx context.Context, countryCode string) ([]RegionCount, error) {
	c, ok := s.places.Country(strings.ToUpper(countryCode))
	if !ok {
		return nil, Errorf(CodeNotFound, "no country with code %q", countryCode)
	}
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return nil, fmt.Errorf("count organizations: %w", err)
	}
	regions := s.places.Regions(c.Code)
	out := make([]RegionCount, len(regions))
	for i, r := range regions {
		out[i] = RegionCount{Region: r, Count: counts.ByRegion[r.Code]}
	}
	return out, nil
}

// Region returns one region by its ISO 3166-2 code (any case) with its
// count, or CodeNotFound.
func (s *Service) Region(ctx context.Context, code string) (RegionCount, error) {
	r, ok := s.places.Region(strings.ToUpper(code))
	if !ok {
		return RegionCount{}, Errorf(CodeNotFound, "no region with code %q", code)
	}
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return RegionCount{}, fmt.Errorf("count organizations: %w", err)
	}
	return RegionCount{Region: r, Count: counts.ByRegion[r.Code]}, nil
}

// Stats are the directory's totals, each breakdown sorted by count, largest
// first, then by code.
type Stats struct {
	Total       int
	ByCountry   []CountryCount
	ByRegion    []RegionCount
	ByFocusArea []FocusAreaCount
	ByStatus    []StatusCount
}

// StatusCount is a membership status with its number of organizations.
type StatusCount struct {
	Status MembershipStatus
	Count  int
}

// Stats returns the totals by country, region, focus area and status; only
// entries with organizations are listed, each list by count, largest
// first. Over a Cache the answer is built once per data version and shared
// by every caller (the pages ask for it on every request): callers only
// read its lists.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	ctx = WithSharedVersion(ctx) // the answer, the counts and the vocabulary: one data version asked
	if c, ok := s.store.(*Cache); ok {
		return cached(ctx, c, "stats", func() (Stats, error) { return s.stats(ctx) })
	}
	return s.stats(ctx)
}

// stats builds Stats from the store's counts and vocabulary.
func (s *Service) stats(ctx context.Context) (Stats, error) {
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("count organizations: %w", err)
	}
	areas, err := s.store.FocusAreas(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("list focus areas: %w", err)
	}
	st := Stats{Total: counts.Total}
	for code, n := range counts.ByCountry {
		if c, ok := s.places.Country(code); ok {
			st.ByCountry = append(st.ByCountry, CountryCount{Country: c, Count: n})
		}
	}
	for code, n := range counts.ByRegion {
		if r, ok := s.places.Region(code); ok {
			st.ByRegion = append(st.ByRegion, RegionCount{Region: r, Count: n})
		}
	}
	for _, a := range areas {
		if n := counts.ByFocusArea[a.Slug]; n > 0 {
			st.ByFocusArea = append(st.ByFocusArea, FocusAreaCount{FocusArea: a, Count: n})
		}
	}
	for _, status := range MembershipStatuses {
		if n := counts.ByStatus[status]; n > 0 {
			st.ByStatus = append(st.ByStatus, StatusCount{Status: status, Count: n})
		}
	}
	byCount := func(a, b int, ca, cb string) int {
		if a != b {
			return b - a
		}
		return strings.Compare(ca, cb)
	}
	slices.SortFunc(st.ByCountry, func(a, b CountryCount) int { return byCount(a.Count, b.Count, a.Code, b.Code) })
	slices.SortFunc(st.ByRegion, func(a, b RegionCount) int { return byCount(a.Count, b.Count, a.Code, b.Code) })
	slices.SortStableFunc(st.ByFocusArea, func(a, b FocusAreaCount) int { return b.Count - a.Count })
	return st, nil
}

// Seed prepares an empty directory: it adds the default focus-area
// vocabulary where missing and, when there are no organizations yet, stores
// orgs (the demo directory) after validating each of them. It reports how
// many organizations it stored.
func (s *Service) Seed(ctx context.Context, orgs []Organization) (int, error) {
	if err := s.store.AddFocusAreas(ctx, DefaultFocusAreas()); err != nil {
		return 0, fmt.Errorf("seed focus areas: %w", err)
	}
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return 0, fmt.Errorf("count organizations: %w", err)
	}
	if counts.Total > 0 || len(orgs) == 0 {
		return 0, nil
	}
	known, err := s.focusAreaSlugs(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	for i := range orgs {
		if err := s.validate(&orgs[i], known); err != nil {
			return 0, fmt.Errorf("seed organization %d (%s): %w", i, orgs[i].Slug, err)
		}
		orgs[i].CreatedAt, orgs[i].UpdatedAt, orgs[i].Version = now, now, 1
		orgs[i].PublicVersion, orgs[i].PublicUpdatedAt = 1, now
		for j := range orgs[i].Contacts {
			c := &orgs[i].Contacts[j]
			c.OrganizationID, c.CreatedAt, c.UpdatedAt, c.Version = orgs[i].ID, now, now, 1
		}
	}
	if err := s.store.CreateOrganizations(ctx, orgs); err != nil {
		return 0, fmt.Errorf("store seed organizations: %w", err)
	}
	return len(orgs), nil
}

// CountryName returns a country's name in lang, or the code itself when it
// is unknown.
func (s *Service) CountryName(code, lang string) string {
	if c, ok := s.places.Country(code); ok {
		return c.Name(lang)
	}
	return code
}

// RegionName returns a region's name in lang, or the code itself when it is
// unknown ("" for no region).
func (s *Service) RegionName(code, lang string) string {
	if r, ok := s.places.Region(code); ok {
		return r.Name(lang)
	}
	return code
}
