package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/web"
)

// partnerKey creates a key with role and returns its id and secret.
func (s *testSite) partnerKey(role directory.Role) (string, string) {
	s.t.Helper()
	key, secret, err := s.dir.CreateKey(context.Background(), directory.Operator("test"), "Partner NGO", role)
	if err != nil {
		s.t.Fatal(err)
	}
	return key.ID, secret
}

// csrf opens the sign-in form and returns the token of its form.
func (s *testSite) csrf() string {
	s.t.Helper()
	p := s.get("/signin")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(p.body)
	if p.status != 200 || m == nil {
		s.t.Fatalf("GET /signin: %d, csrf field %v", p.status, m)
	}
	return m[1]
}

func (s *testSite) cookie(name string) *http.Cookie {
	u, _ := url.Parse(s.url)
	for _, c := range s.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

const (
	privateOrg     = "/org/bezopasny-put"
	privateContact = "m.lebedeva@bezopasny-put.example.org"
)

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	_, secret := s.partnerKey(directory.RolePartner)

	if p := s.get(privateOrg); strings.Contains(p.body, privateContact) {
		t.Fatal("an anonymous visitor sees a partners-only contact")
	}
	token := s.csrf()
	res, err := s.client.PostForm(s.url+"/signin", url.Values{"csrf": {token}, "key": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("sign in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var set *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "session" {
			set = c
		}
	}
	if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteStrictMode || set.Secure || set.Path != "/" {
		t.Fatalf("session cookie %+v", set)
	}
	if strings.Contains(set.Value, secret) || strings.Contains(secret, set.Value) {
		t.Fatal("the session cookie holds the key")
	}

	p := s.get(privateOrg)
	if !strings.Contains(p.body, privateContact) || !strings.Contains(p.body, "только для партнёров") {
		t.Error("a signed-in partner does not see the partners-only contact")
	}
	if !strings.Contains(p.body, "Partner NGO") || !strings.Contains(p.body, `action="/signout"`) {
		t.Error("the page does not say who is signed in")
	}
	if cc := p.header.Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("Cache-Control %q on a partner's page", cc)
	}
	if strings.Contains(p.body, secret) {
		t.Error("the page shows the key")
	}
	// The key-only JSON API would give a partner anonymous results, so the
	// front page does not offer them results as they type.
	if front := s.get("/"); strings.Contains(front.body, `data-live="json"`) {
		t.Error("a signed-in partner's front page takes results as you type from the key-only JSON API")
	}
	vcf := s.get(privateOrg + "/contacts.vcf")
	if !strings.Contains(vcf.body, privateContact) {
		t.Error("the partner's vCard lacks the partners-only contact")
	}
	if org, _, _ := strings.Cut(vcf.body, "END:VCARD"); !strings.Contains(org, "\r\nKIND:org\r\n") {
		t.Errorf("the partner's vCard does not start with the organization's card:\n%.400s", vcf.body)
	}

	// The API takes keys only: the cookie is not a key.
	api := s.get("/api/v1/organizations/bezopasny-put/contacts")
	if api.status != 200 || strings.Contains(api.body, privateContact) {
		t.Errorf("the API answered the session cookie: %d %.200s", api.status, api.body)
	}

	// Signing out without the form's token fails; with it, the session ends.
	if p := s.postForm("/signout", url.Values{"csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Errorf("sign out without the CSRF token: %d", p.status)
	}
	if p := s.get(privateOrg); !strings.Contains(p.body, privateContact) {
		t.Fatal("a forged sign-out ended the session")
	}
	old := s.cookie("session").Value
	if p := s.postForm("/signout", url.Values{"csrf": {token}}); p.status != http.StatusSeeOther {
		t.Errorf("sign out: %d", p.status)
	}
	if s.cookie("session") != nil {
		t.Error("the session cookie is still set")
	}
	// The old token no longer works, even sent again by hand.
	req, _ := http.NewRequest(http.MethodGet, s.url+privateOrg, nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: old})
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := s.read(res).body
	if strings.Contains(body, privateContact) {
		t.Error("a signed-out session still works")
	}
	if logs := s.logs.String(); strings.Contains(logs, secret) || !strings.Contains(logs, "/signin") {
		t.Errorf("the key is in the log, or nothing is logged: %.300s", logs)
	}
}

func TestSignInRefusals(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	_, secret := s.partnerKey(directory.RolePartner)
	token := s.csrf()
	c := s.cookie("csrf")
	if c == nil {
		t.Fatal("no CSRF cookie")
	}

	tests := []struct {
		name   string
		form   url.Values
		header http.Header
		status int
	}{
		{"no CSRF token", url.Values{"key": {secret}}, nil, http.StatusForbidden},
		{"wrong CSRF token", url.Values{"key": {secret}, "csrf": {strings.Repeat("x", 43)}}, nil, http.StatusForbidden},
		{"cross-site post", url.Values{"key": {secret}, "csrf": {token}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"unknown key", url.Values{"key": {"cdk_" + strings.Repeat("A", 43)}, "csrf": {token}}, nil, http.StatusUnauthorized},
		{"not a key", url.Values{"key": {"hunter2"}, "csrf": {token}}, nil, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.url+"/signin", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.header {
				req.Header[k] = v
			}
			res, err := s.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			p := s.read(res)
			if p.status != tt.status {
				t.Errorf("status %d, want %d", p.status, tt.status)
			}
			for _, c := range res.Cookies() {
				if c.Name == "session" && c.MaxAge >= 0 {
					t.Errorf("a session cookie was set: %+v", c)
				}
			}
			if k := tt.form.Get("key"); strings.Contains(p.body, k) {
				t.Error("the page repeats the key")
			}
		})
	}
}

func TestRevokedKeyEndsSessions(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	id, secret := s.partnerKey(directory.RoleAdmin)
	s.postForm("/signin", url.Values{"csrf": {s.csrf()}, "key": {secret}})
	if p := s.get(privateOrg); !strings.Contains(p.body, privateContact) {
		t.Fatal("not signed in")
	}
	if _, err := s.dir.RevokeKey(context.Background(), directory.Operator("test"), id); err != nil {
		t.Fatal(err)
	}
	p := s.get(privateOrg)
	if strings.Contains(p.body, privateContact) || strings.Contains(p.body, `action="/signout"`) {
		t.Error("the session outlived its revoked key")
	}
	if s.cookie("session") != nil {
		t.Error("the ended session's cookie was not deleted")
	}
}

func TestSecureCookiesBehindTLS(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, web.Options{})
	req, _ := http.NewRequest(http.MethodGet, s.url+"/signin", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cs := res.Cookies()
	if len(cs) != 1 || cs[0].Name != "__Host-csrf" || !cs[0].Secure || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode {
		t.Errorf("cookies behind TLS: %+v", cs)
	}
}
