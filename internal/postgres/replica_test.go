package postgres_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/coalition-directory/coalition/internal/dbtest"
	"github.com/coalition-directory/coalition/internal/postgres"
)

// servers returns the URLs of the primary's and the streaming replica's
// postgres databases, skipping the test without them. The replica has
// that database from its base backup: the tests do not wait for it to
// replay anything.
func servers(t *testing.T) (primaryURL, replicaURL string) {
	t.Helper()
	primaryURL, replicaURL = os.Getenv(dbtest.EnvURL), os.Getenv(dbtest.EnvReplicaURL)
	if primaryURL == "" || replicaURL == "" {
		t.Skipf("no PostgreSQL streaming replica (%s and %s)", dbtest.EnvURL, dbtest.EnvReplicaURL)
	}
	return primaryURL, replicaURL
}

// TestAcceptsStreamingReplica checks that the primary's streaming replica
// is taken as a read URL, and that readiness then answers.
func TestAcceptsStreamingReplica(t *testing.T) {
	t.Parallel()
	primary, replica := servers(t)
	ctx := context.Background()
	db, err := postgres.OpenWith(ctx, primary, postgres.Options{ReadURLs: []string{replica}})
	if err != nil {
		t.Fatalf("the streaming replica was refused: %v", err)
	}
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

// TestRefusesReadURLNotReplica checks that a read URL that is not a
// streaming replica of the primary's database is refused, with a message
// that names the URL (host, port and database, no password) and says why:
// a new database of the primary's server, which is not in recovery and
// has none of the primary database's migrations, and another database of
// the replica.
func TestRefusesReadURLNotReplica(t *testing.T) {
	t.Parallel()
	server, replica := servers(t)
	d := dbtest.New(t)
	d.Open()
	for name, c := range map[string]struct{ url, reason string }{
		"new database on the primary":     {dbtest.CreateDatabase(t, server), "not in recovery and its schema version is 0"},
		"another database of the replica": {replica, "not a streaming replica of the primary's database"},
	} {
		t.Run(name, func(t *testing.T) {
			u, err := url.Parse(c.url)
			if err != nil {
				t.Fatal(err)
			}
			db, err := postgres.OpenWith(context.Background(), d.URL(), postgres.Options{ReadURLs: []string{c.url}})
			if err == nil {
				db.Close()
				t.Fatal("the read URL was accepted")
			}
			for _, want := range []string{u.Host + u.Path, c.reason} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("got %q, want it to say %q", err, want)
				}
			}
		})
	}
}

// TestReadinessChecksReplicas checks that Ping fails once a replica stops
// answering: the replica is reached through a TCP relay that the test
// closes after the database is open.
func TestReadinessChecksReplicas(t *testing.T) {
	t.Parallel()
	primary, replica := servers(t)
	u, err := url.Parse(replica)
	if err != nil {
		t.Fatal(err)
	}
	r := newRelay(t, u.Host)
	u.Host = r.addr()
	ctx := context.Background()
	db, err := postgres.OpenWith(ctx, primary, postgres.Options{ReadURLs: []string{u.String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("ping before the replica went away: %v", err)
	}
	r.close()
	err = db.Ping(ctx)
	if err == nil {
		t.Fatal("ping succeeded with the replica gone")
	}
	if !strings.Contains(err.Error(), "replica "+u.Host) {
		t.Errorf("got %q, want it to name the replica %s", err, u.Host)
	}
}

// relay forwards TCP connections to a target until closed, when it closes
// the connections it holds and refuses new ones.
type relay struct {
	t     *testing.T
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

// newRelay starts a relay to target on a port of 127.0.0.1, closed when
// the test ends.
func newRelay(t *testing.T, target string) *relay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{t: t, ln: ln}
	t.Cleanup(r.close)
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, in, out)
			r.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return r
}

// addr is the relay's host:port.
func (r *relay) addr() string { return r.ln.Addr().String() }

// close stops the relay and cuts the connections it forwards.
func (r *relay) close() {
	if err := r.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		r.t.Error(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}
