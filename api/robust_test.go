package api_test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/directory"
)

// TestCancelledExportsLeaveWritesWorking cancels many exports at every
// moment of their life, as `curl -m 0.005` does, and then checks that
// creates, patches and key revocation work and that a revoked key is
// refused: no export may leave a transaction open on a pooled connection.
func TestCancelledExportsLeaveWritesWorking(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	partner, editor, admin := s.key(directory.RolePartner), s.key(directory.RoleEditor), s.key(directory.RoleAdmin)

	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			// From before the request is sent to well into the stream.
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%16)*300*time.Microsecond)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/api/v1/export?format=ndjson", nil)
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+partner)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return // cancelled before the answer: what the test wants
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		})
	}
	wg.Wait()

	for i := range 10 {
		wantStatus(t, s.send(http.MethodPost, "/api/v1/organizations", editor, validOrganization("")), http.StatusCreated)
		wantStatus(t, s.send(http.MethodPatch, "/api/v1/organizations/nadezhda-nizhny-novgorod", editor,
			map[string]any{"city": "Город " + string(rune('А'+i))}), http.StatusOK)
	}
	keys, err := s.dir.Keys(t.Context(), directory.Operator("test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Role == directory.RolePartner {
			wantStatus(t, s.send(http.MethodDelete, "/api/v1/keys/"+k.ID, admin, nil), http.StatusOK)
		}
	}
	wantStatus(t, s.send(http.MethodGet, "/api/v1/export", partner, nil), http.StatusUnauthorized)
}
