package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/dbtest"
)

// startServe runs `coalition serve` in-process on a free port and returns
// its base URL once it is ready, and a function that stops it and returns
// run's error.
func startServe(t testing.TB, env map[string]string, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdoutR, stdoutW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...),
			func(k string) string { return env[k] }, strings.NewReader(""), stdoutW, io.Discard)
		stdoutW.Close()
		done <- err
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdoutR)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				addr <- a
			}
		}
		close(addr)
	}()
	var base string
	select {
	case a, ok := <-addr:
		if !ok {
			cancel()
			t.Fatalf("serve stopped before listening: %v", <-done)
		}
		base = "http://" + a
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not start listening within 30s")
	}
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			return errors.New("serve did not stop within 15s of cancellation")
		}
	})
	t.Cleanup(func() { _ = stop() })
	return base, stop
}

func getJSON(t testing.TB, url string, v any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if v != nil {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return res.StatusCode
}

func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "coalition.db")
	base, stop := startServe(t, map[string]string{"COALITION_DB": dbPath})

	var ready struct{ Status string }
	if code := getJSON(t, base+"/readyz", &ready); code != http.StatusOK || ready.Status != "ok" {
		t.Fatalf("readyz: %d %+v", code, ready)
	}
	var list struct {
		TotalItems int `json:"total_items"`
	}
	if code := getJSON(t, base+"/api/v1/organizations", &list); code != http.StatusOK || list.TotalItems < 60 {
		t.Errorf("organizations: status %d, total_items %d, want 60 or more", code, list.TotalItems)
	}
	if err := stop(); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
	if _, err := os.Stat(dbPath); err != nil {
		t.Errorf("COALITION_DB was not used: %v", err)
	}

	// A second start finds the directory and does not load the demo again.
	base, stop = startServe(t, nil, "--db", dbPath)
	var again struct {
		TotalItems int `json:"total_items"`
	}
	getJSON(t, base+"/api/v1/organizations", &again)
	if again.TotalItems != list.TotalItems {
		t.Errorf("after a restart: %d organizations, before: %d", again.TotalItems, list.TotalItems)
	}
	if err := stop(); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
}

func TestServeNoDemo(t *testing.T) {
	t.Parallel()
	base, _ := startServe(t, map[string]string{"COALITION_DEFAULT_LANG": "en"}, "--db", filepath.Join(t.TempDir(), "empty.db"), "--no-demo")
	var list struct {
		TotalItems int `json:"total_items"`
	}
	if code := getJSON(t, base+"/api/v1/organizations", &list); code != http.StatusOK || list.TotalItems != 0 {
		t.Errorf("with --no-demo: status %d, %d organizations", code, list.TotalItems)
	}
	var areas struct {
		TotalItems int `json:"total_items"`
	}
	if getJSON(t, base+"/api/v1/focus-areas", &areas); areas.TotalItems != 20 {
		t.Errorf("the focus-area vocabulary has %d entries, want 20", areas.TotalItems)
	}
	res, err := http.Get(base + "/api/v1/stats")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Content-Language"); got != "en" {
		t.Errorf("with COALITION_DEFAULT_LANG=en: Content-Language %q", got)
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	dbPath := testDatabase(t, t.TempDir(), "m.db")
	for range 2 {
		var out strings.Builder
		if err := run(context.Background(), []string{"migrate", dbFlag(dbPath), dbPath}, func(string) string { return "" }, nil, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "up to date") {
			t.Errorf("migrate printed %q", out.String())
		}
	}
}

// TestDatabaseURLFlagOverridesEnv checks that --database-url wins over
// COALITION_DATABASE_URL, and that a URL other than postgres:// is a usage
// error.
func TestDatabaseURLFlagOverridesEnv(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: using it fails.
	env := func(k string) string {
		return map[string]string{"COALITION_DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5"}[k]
	}
	if err := run(context.Background(), []string{"migrate"}, env, nil, io.Discard, io.Discard); err == nil || exitCode(err) != 1 {
		t.Errorf("migrate with an unreachable COALITION_DATABASE_URL: %v", err)
	}
	if err := run(context.Background(), []string{"migrate", "--database-url", "mysql://x/y"}, env, nil, io.Discard, io.Discard); exitCode(err) != 2 {
		t.Errorf("--database-url mysql://: got %v, want a usage error", err)
	}
	if dbtest.Backend() != "postgres" {
		return
	}
	url := testDatabase(t, t.TempDir(), "")
	var out strings.Builder
	if err := run(context.Background(), []string{"migrate", "--database-url", url}, env, nil, &out, io.Discard); err != nil {
		t.Fatalf("--database-url over a bad COALITION_DATABASE_URL: %v", err)
	}
	if !strings.Contains(out.String(), "up to date") {
		t.Errorf("migrate printed %q", out.String())
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	tests := [][]string{
		nil,
		{"frobnicate"},
		{"serve", "--log-level", "loud"},
		{"serve", "--no-such-flag"},
		{"serve", "--default-lang", "de"},
		{"migrate", "extra"},
		{"migrate", "--database-read-urls", "postgres://replica/db"},
		{"migrate", "--database-url", "postgres://primary/db", "--database-read-urls", "mysql://replica/db"},
	}
	for _, args := range tests {
		err := run(context.Background(), args, noEnv, nil, io.Discard, io.Discard)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("%q: got %v (exit %d), want a usage error", args, err, exitCode(err))
		}
	}
	err := run(context.Background(), []string{"serve", "--addr", "256.0.0.1:99999", "--db", filepath.Join(t.TempDir(), "x.db")}, noEnv, nil, io.Discard, io.Discard)
	if err == nil || exitCode(err) != 1 {
		t.Errorf("unusable address: got %v", err)
	}
}

func TestKeysCommands(t *testing.T) {
	t.Parallel()
	dbPath := testDatabase(t, t.TempDir(), "k.db")
	env := map[string]string{dbEnv(dbPath): dbPath}
	getenv := func(k string) string { return env[k] }
	var out strings.Builder
	if err := run(context.Background(), []string{"keys", "create", "--name", "Map frontend", "--role", "partner"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	secret, _, _ := strings.Cut(out.String(), "\n")
	if !strings.HasPrefix(secret, "cdk_") || len(secret) < 40 || strings.Contains(secret, " ") {
		t.Fatalf("first line of stdout %q is not a secret alone", secret)
	}

	base, _ := startServe(t, env)
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/organizations/nadezhda-nizhny-novgorod", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the new key gets %d", res.StatusCode)
	}

	out.Reset()
	if err := run(context.Background(), []string{"keys", "list"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "Map frontend") || strings.Contains(out.String(), secret) {
		t.Fatalf("keys list printed:\n%s", out.String())
	}
	id := strings.Fields(lines[1])[0]
	if err := run(context.Background(), []string{"keys", "revoke", id}, getenv, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a revoked key gets %d, want 401", res.StatusCode)
	}
	for _, args := range [][]string{{"keys"}, {"keys", "create", "--name", "x"}, {"keys", "create", "--role", "root", "--name", "x"}, {"keys", "revoke"}, {"keys", "rotate"}} {
		if err := run(context.Background(), args, getenv, nil, io.Discard, io.Discard); exitCode(err) != 2 {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
	if err := run(context.Background(), []string{"keys", "revoke", "not-a-key"}, getenv, nil, io.Discard, io.Discard); err == nil {
		t.Error("revoking an unknown key succeeded")
	}
}

// TestStartOnUnwritablePath checks that a database path where nothing can
// be written stops the server at once with an error that says why, rather
// than SQLite's "no such file or directory".
func TestStartOnUnwritablePath(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ db, want string }{
		{filepath.Join(t.TempDir(), "missing", "c.db"), "does not exist"},
		{filepath.Join(file, "c.db"), "is not a directory"},
		{t.TempDir(), "is a directory, not a database file"},
		{"/sys/coalition.db", "not writable"}, // sysfs takes no new files, even from root
	}
	for _, tt := range tests {
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", tt.db}, noEnv, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("serve --db %s: got %v, want an error saying %q", tt.db, err, tt.want)
		}
	}
}
