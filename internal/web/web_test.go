package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/web"
)

// testSite is the whole server (API and pages) on a demo directory in its
// own SQLite file.
type testSite struct {
	t      *testing.T
	url    string
	dir    *directory.Service
	client *http.Client
	logs   *lockedBuffer
	// versionReads counts the cache's questions for the data version.
	versionReads *atomic.Int64
}

func newTestSite(t *testing.T, opts web.Options) *testSite {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t)
	places, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	// Composed as `coalition serve` composes it, with the data version's
	// reads counted.
	versionReads := &atomic.Int64{}
	version := func(ctx context.Context) (uint64, error) {
		versionReads.Add(1)
		return db.DataVersion(ctx)
	}
	dir := directory.NewService(directory.NewCache(db, version, 1000), places)
	orgs, err := demo.Organizations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dir.Seed(ctx, orgs); err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	var out io.Writer = logs
	if testing.Verbose() {
		out = io.MultiWriter(logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	pages, err := web.New(log, dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	// The test client is the server's proxy: its X-Forwarded-Proto (a
	// test behind TLS) is believed.
	proxy := api.RateLimits{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	h, err := api.NewServer(log, dir, db, api.Options{Pages: pages, RateLimits: proxy})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &testSite{t: t, url: srv.URL, dir: dir, client: client, logs: logs, versionReads: versionReads}
}

// lockedBuffer is a log's output that tests read while the server writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// page is a fetched page.
type page struct {
	status int
	header http.Header
	body   string
}

func (s *testSite) get(path string) page {
	s.t.Helper()
	res, err := s.client.Get(s.url + path)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.read(res)
}

func (s *testSite) postForm(path string, form url.Values) page {
	s.t.Helper()
	res, err := s.client.PostForm(s.url+path, form)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.read(res)
}

func (s *testSite) read(res *http.Response) page {
	s.t.Helper()
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return page{status: res.StatusCode, header: res.Header, body: string(body)}
}

func TestPages(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	tests := []pageCase{
		{"/", 200, []string{`<html lang="ru">`, "<title>Каталог организаций коалиции</title>", `<link rel="canonical" href="` + s.url + `/">`,
			`hreflang="en" href="` + s.url + `/en/"`, `<meta name="description" content="Поиск организаций`, "Найдено 63 организации", "Страница 1 из 4",
			`<label for="q">`, `<optgroup label="Россия">`, `href="/?page=2#results"`, `href="/country/RU">Россия</a>`}, nil},
		{"/en/", 200, []string{`<html lang="en">`, "<title>Coalition member directory</title>", "63 organizations found",
			`<link rel="canonical" href="` + s.url + `/en/">`, `<optgroup label="Russia">`, `href="/en/?page=2#results"`, "Amber Baltic Centre"},
			[]string{"Найдено"}},
		{"/?page=4", 200, []string{"Страница 4 из 4", `rel="prev"`}, []string{`rel="next"`}},
		{"/?region=RU-NIZ&focus_area=shelter", 200, []string{`<option value="RU-NIZ" selected`, `<option value="shelter" selected>`, "Центр «Надежда» Нижнего Новгорода",
			`<link rel="canonical" href="` + s.url + `/?focus_area=shelter&amp;region=RU-NIZ">`}, []string{"Приют «Волжский берег»"}},
		{"/?region=XX-1", 400, []string{`role="alert"`, "регион"}, nil},
		{"/?focus_area=nonsense", 400, []string{"направление работы"}, nil},
		{"/org/nadezhda-nizhny-novgorod", 200, []string{"<h1>Центр «Надежда» Нижнего Новгорода", `href="tel:+78002000010"`,
			`href="mailto:info@nadezhda-nizhny-novgorod.example.org"`, "Горячая линия", "Нижегородская область", "Владимирская область",
			`href="/api/v1/organizations/nadezhda-nizhny-novgorod/contacts.vcf?lang=ru"`, "Адрес не публикуется",
			`<link rel="canonical" href="` + s.url + `/org/nadezhda-nizhny-novgorod">`}, []string{"только для партнёров"}},
		{"/en/org/nadezhda-nizhny-novgorod", 200, []string{`<html lang="en">`, "<h1>Hope Centre of Nizhny Novgorod", "Nizhny Novgorod, Russia", "Hotline",
			`href="/api/v1/organizations/nadezhda-nizhny-novgorod/contacts.vcf?lang=en"`, `href="/org/nadezhda-nizhny-novgorod" lang="ru"`}, nil},
		{"/country/KZ", 200, []string{"<title>Организации коалиции: Казахстан</title>", "<caption>", `<th scope="row">`, "Алматы", `href="/?region=KZ-ALA#results"`, "область Абай"}, nil},
		{"/en/country/kz", 200, []string{"Coalition members in Kazakhstan", "Almaty"}, nil},
		{"/country/XX", 404, []string{"Страница не найдена", `role="search"`}, nil},
		{"/org/no-such-organization", 404, []string{"Страница не найдена"}, nil},
		{"/en/nothing/here", 404, []string{"Page not found", `<html lang="en">`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := s.checkPage(t, tt)
			if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// pageCase is a page to GET, the status it must answer with, and the
// strings its body must and must not hold.
type pageCase struct {
	path   string
	status int
	want   []string
	absent []string
}

// checkPage GETs tt's page and reports each way it differs from tt.
func (s *testSite) checkPage(t *testing.T, tt pageCase) page {
	t.Helper()
	p := s.get(tt.path)
	if p.status != tt.status {
		t.Errorf("GET %s: status %d, want %d", tt.path, p.status, tt.status)
	}
	for _, w := range tt.want {
		if !strings.Contains(p.body, w) {
			t.Errorf("GET %s: no %q in the page", tt.path, w)
		}
	}
	for _, a := range tt.absent {
		if strings.Contains(p.body, a) {
			t.Errorf("GET %s: %q in the page", tt.path, a)
		}
	}
	return p
}

// resultNames lists the organization links of a result list in order.
func resultNames(body string) []string {
	var names []string
	for _, m := range regexp.MustCompile(`<h3><a href="(/[^"]*)"`).FindAllStringSubmatch(body, -1) {
		names = append(names, m[1])
	}
	return names
}

func TestSearchIgnoresCase(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	lower := s.get("/?q=" + url.QueryEscape("приют"))
	upper := s.get("/?q=" + url.QueryEscape("ПРИЮТ"))
	got, want := resultNames(upper.body), resultNames(lower.body)
	if len(want) < 3 {
		t.Fatalf("приют found %d organizations, want shelters", len(want))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("ПРИЮТ found %v, приют %v", got, want)
	}
	if !strings.Contains(lower.body, `value="приют"`) {
		t.Error("the search box does not keep the query")
	}
	// As the visitor types, the page's script asks the JSON API.
	if !strings.Contains(lower.body, `data-live="json"`) {
		t.Error("the search form does not offer results as you type from the JSON API")
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{FrameAncestors: []string{"https://member.example.org"}})
	for _, path := range []string{"/", "/en/", "/org/nadezhda-nizhny-novgorod", "/country/RU", "/missing"} {
		p := s.get(path)
		csp := p.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") || strings.Contains(csp, "http") {
			t.Errorf("%s: CSP %q allows inline code or another origin", path, csp)
		}
		if p.header.Get("X-Content-Type-Options") != "nosniff" || p.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, p.header)
		}
		// Nothing is loaded from another origin, and no inline script or style.
		for _, m := range regexp.MustCompile(`(?:src|rel="stylesheet" href)="([^"]*)"`).FindAllStringSubmatch(p.body, -1) {
			if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
				t.Errorf("%s loads %q", path, m[1])
			}
		}
		if regexp.MustCompile(`<script>|<style|style="|\son[a-z]+="`).MatchString(p.body) {
			t.Errorf("%s has inline script or style", path)
		}
	}
}

func TestAssets(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	home := s.get("/")
	for _, ref := range assetRefs(home.body) {
		a := s.get(ref)
		if a.status != 200 || !strings.Contains(a.header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: %d %q", ref, a.status, a.header.Get("Cache-Control"))
		}
	}
	if p := s.get("/assets/none.js"); p.status != 404 {
		t.Errorf("unknown asset: %d", p.status)
	}
}

func TestAPIStaysJSON(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	p := s.get("/api/v1/no-such-route")
	if p.status != 404 || !strings.HasPrefix(p.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("unknown API route: %d %q", p.status, p.header.Get("Content-Type"))
	}
}

func TestMap(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	p := s.get("/?region=RU-NIZ")
	if !strings.Contains(p.body, `<svg viewBox="0 0 1600 `) {
		t.Fatal("no map on the front page")
	}
	// A region with organizations links to the list filtered by it, named
	// with its count; the selected one is marked.
	link := regexp.MustCompile(`<a href="/\?region=RU-NIZ#results" aria-label="(Нижегородская область: \d+ организаци[яий]+)"><title>([^<]+)</title>` +
		`<use href="(/assets/regions\.svg\?v=[0-9a-f]+)#RU-NIZ" class="c\d sel"/></a>`)
	m := link.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("no link for RU-NIZ on the map")
	}
	if m[1] != m[2] {
		t.Errorf("the link is labelled %q, its tooltip says %q", m[1], m[2])
	}
	// The outlines are drawn from one asset that browsers keep: every region
	// uncoloured from its group, then those with organizations over it.
	if !strings.Contains(p.body, `<use href="`+m[3]+`#all" class="c0" aria-hidden="true"/>`) {
		t.Error("the map does not draw every region from the outlines")
	}
	outlines := s.get(m[3])
	if outlines.status != 200 || outlines.header.Get("Content-Type") != "image/svg+xml" ||
		!strings.Contains(outlines.header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s: %d %q %q", m[3], outlines.status, outlines.header.Get("Content-Type"), outlines.header.Get("Cache-Control"))
	}
	for _, want := range []string{`<g id="all">`, `<path id="RU-NIZ" d="M`, `<path id="UA-43" d="M`} {
		if !strings.Contains(outlines.body, want) {
			t.Errorf("no %q in the outlines", want)
		}
	}
	// Only regions with organizations are drawn over the outlines, each a link.
	svg := p.body[strings.Index(p.body, "<svg ") : strings.Index(p.body, "</svg>")+1]
	if uses, links := strings.Count(svg, "<use "), strings.Count(svg, `<a href="/?region=`); uses != links+1 || links < 10 {
		t.Errorf("the map draws %d regions over the outlines, with %d links", uses-1, links)
	}
	// The table has the same counts, and regions without a boundary.
	if !strings.Contains(p.body, `<caption>Число организаций по регионам</caption>`) {
		t.Error("no table of counts")
	}
	en := s.get("/en/")
	if !strings.Contains(en.body, `aria-label="Nizhny Novgorod: `) || !strings.Contains(en.body, "Map: organizations by region") {
		t.Error("the English map is not in English")
	}
}

// TestFirstVisitWeight adds up what a first visit to the front page loads,
// gzipped as the server sends it: the page, the map's outlines, the
// stylesheet, the script and the icon. It must stay under 150 KB.
func TestFirstVisitWeight(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	fetch := func(path string) int {
		req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		n, _ := io.Copy(io.Discard, res.Body)
		if res.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
		return int(n)
	}
	home := s.get("/")
	total := fetch("/")
	refs := assetRefs(home.body)
	if len(refs) < 4 {
		t.Fatalf("found %d assets: %q", len(refs), refs)
	}
	for _, ref := range refs {
		total += fetch(ref)
	}
	t.Logf("first visit: %d bytes gzipped", total)
	if total > 150<<10 {
		t.Errorf("first visit is %d bytes gzipped, over 150 KB", total)
	}
}

func TestEmbed(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{FrameAncestors: []string{"https://member.example.org", "https://partner.example.net"}})
	p := s.get("/embed?region=RU-NIZ&focus_area=shelter&lang=en")
	if p.status != 200 {
		t.Fatalf("status %d", p.status)
	}
	if csp := p.header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors https://member.example.org https://partner.example.net") {
		t.Errorf("embed CSP %q", csp)
	}
	if p.header.Get("X-Frame-Options") != "" {
		t.Error("X-Frame-Options forbids framing the widget")
	}
	for _, want := range []string{`<html lang="en">`, "Hope Centre of Nizhny Novgorod", `href="` + s.url + `/en/org/nadezhda-nizhny-novgorod" target="_blank" rel="noopener"`, "1 organization found"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("no %q in the widget", want)
		}
	}
	if strings.Contains(p.body, "<script") || strings.Contains(p.body, "Приют «Волжский берег»") {
		t.Error("the widget has a script or an organization outside its filters")
	}
	if p := s.get("/embed?region=nonsense"); p.status != 400 {
		t.Errorf("bad filter: %d", p.status)
	}
	// The front page offers the snippet of its current list.
	home := s.get("/?region=RU-NIZ")
	if !strings.Contains(home.body, `&lt;iframe src=&#34;`+s.url+`/embed?region=RU-NIZ&#34;`) {
		t.Error("no embed snippet for the current filters")
	}
	// Default: any origin may frame it.
	if csp := newTestSite(t, web.Options{}).get("/embed").header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors *") {
		t.Errorf("default embed CSP %q", csp)
	}
}

// TestCountsFollowWrites checks that the counts of the filters and the map
// show a write on the next page, in both languages: they are the service's
// counts, which no cache keeps past a write.
func TestCountsFollowWrites(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	count := func(path, name string) string {
		t.Helper()
		m := regexp.MustCompile(`<option value="AM"[^>]*>` + name + ` \((\d+)\)`).FindStringSubmatch(s.get(path).body)
		if m == nil {
			t.Fatalf("%s: no option for %s", path, name)
		}
		return m[1]
	}
	beforeRU, beforeEN := count("/", "Армения"), count("/en/", "Armenia")
	_, err := s.dir.CreateOrganization(context.Background(), directory.Operator("test"), directory.Organization{
		OriginalLanguage: "ru", Translations: map[string]directory.Text{"ru": {Name: "Новая организация"}}, CountryCode: "AM", MembershipStatus: directory.StatusMember,
	})
	if err != nil {
		t.Fatal(err)
	}
	afterRU, afterEN := count("/", "Армения"), count("/en/", "Armenia")
	if afterRU == beforeRU || afterEN == beforeEN {
		t.Errorf("Armenia counted %s/%s before a create, %s/%s after", beforeRU, beforeEN, afterRU, afterEN)
	}
}

// TestOneDataVersionPerRequest checks that a page, and the JSON of the
// same query, ask the store for the data version once however many cached
// reads they make (directory.WithSharedVersion), and still show a write made
// before them.
func TestOneDataVersionPerRequest(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	const slug = "nadezhda-nizhny-novgorod"
	for _, path := range []string{"/org/" + slug, "/api/v1/organizations/" + slug, "/?q=" + url.QueryEscape("приют") + "&focus_area=shelter",
		"/api/v1/organizations?q=" + url.QueryEscape("приют") + "&focus_area=shelter", "/country/RU", "/embed?q=" + url.QueryEscape("приют")} {
		before := s.versionReads.Load()
		if p := s.get(path); p.status != 200 {
			t.Fatalf("GET %s: %d", path, p.status)
		}
		if n := s.versionReads.Load() - before; n != 1 {
			t.Errorf("GET %s asked for the data version %d times", path, n)
		}
	}
	if _, err := s.dir.UpdateOrganization(context.Background(), directory.Operator("test"), slug, directory.Precondition{}, func(o *directory.Organization) error {
		o.City = "Дзержинск"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if p := s.get("/org/" + slug); !strings.Contains(p.body, "Дзержинск") {
		t.Error("the organization page does not show a write made before it")
	}
}

// TestRegionsHaveRussianNames checks the regions of the twelve countries
// the map draws: each code once, each with a Russian name in Cyrillic that
// its country's Russian page shows; Kazakhstan's regions of 2022 (ISO
// 3166-2:KZ, Abai KZ-10, Jetisu KZ-33, Ulytau KZ-62) are there; Crimea and
// Sevastopol are UA-43 and UA-40, as ISO 3166-2 has them, and no Russian
// region stands for them.
func TestRegionsHaveRussianNames(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	places, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	cyrillic := regexp.MustCompile(`^[\p{Cyrillic}0-9 ()«».,'’—-]+$`)
	seen := map[string]string{}
	for _, country := range []string{"RU", "UA", "BY", "MD", "KZ", "KG", "TJ", "UZ", "TM", "AZ", "AM", "GE"} {
		regions := places.Regions(country)
		if len(regions) == 0 {
			t.Errorf("%s has no regions", country)
		}
		page := s.get("/country/" + country)
		for _, r := range regions {
			if prev, ok := seen[r.Code]; ok {
				t.Errorf("%s is a region of %s and of %s", r.Code, prev, country)
			}
			seen[r.Code] = country
			if !cyrillic.MatchString(r.NameRU) {
				t.Errorf("%s: Russian name %q", r.Code, r.NameRU)
			}
			if !strings.Contains(page.body, html.EscapeString(r.NameRU)) {
				t.Errorf("/country/%s does not show %s %q", country, r.Code, r.NameRU)
			}
		}
	}
	for code, name := range map[string]string{"KZ-10": "Абай", "KZ-33": "Жетысу", "KZ-62": "Улытау", "UA-43": "Крым", "UA-40": "Севастополь"} {
		if r, ok := places.Region(code); !ok || !strings.Contains(r.NameRU, name) {
			t.Errorf("%s: got %+v, want a region named %s", code, r, name)
		}
	}
	for _, r := range places.Regions("RU") {
		if strings.Contains(r.NameRU, "Крым") || strings.Contains(r.NameRU, "Севастополь") {
			t.Errorf("%s %q is a Russian region", r.Code, r.NameRU)
		}
	}
}

// assetRefs returns the assets a page refers to (src and href, <use>
// included), each once and without its fragment, as a browser fetches them.
func assetRefs(body string) []string {
	var refs []string
	for _, m := range regexp.MustCompile(`(?:src|href)="(/assets/[^"#]+)`).FindAllStringSubmatch(body, -1) {
		if ref := strings.ReplaceAll(m[1], "&amp;", "&"); !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	return refs
}
