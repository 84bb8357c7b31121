package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
)

func BenchmarkZZDump(b *testing.B) {
	h, slug := benchServer(b, 100000)
	for name, p := range map[string]string{"search": "/?q=" + url.QueryEscape("центр"), "org": "/org/" + slug, "searchjson": "/api/v1/organizations?q=" + url.QueryEscape("центр"), "orgjson": "/api/v1/organizations/" + slug} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		os.WriteFile("/tmp/webspeed/"+name+".out", rec.Body.Bytes(), 0o644)
	}
}
