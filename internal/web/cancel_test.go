package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/geo"
	"github.com/coalition-directory/coalition/internal/web"
)

// TestAbandonedPageIsNoError serves pages whose client has already gone
// away (their context is cancelled, so reading the directory fails): that
// is the client's doing, and nothing is logged at error level.
func TestAbandonedPageIsNoError(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	places, err := geo.Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.NewService(directory.NewCache(db, db.DataVersion, 1000), places)
	var logs lockedBuffer
	pages, err := web.New(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), dir, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, path := range []string{"/", "/en/?q=shelter", "/org/no-such-organization", "/country/RU"} {
		pages.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, "GET", path, nil))
	}
	out := logs.String()
	if strings.Contains(out, "level=ERROR") {
		t.Errorf("an abandoned page is logged as an error:\n%s", out)
	}
	if !strings.Contains(out, "page abandoned by its client") {
		t.Errorf("no page read the directory with the cancelled context, so this test shows nothing:\n%s", out)
	}
}
