package api_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/sqlite"
)

// The tests of this file are not parallel: they compare the goroutines and
// file descriptors of the process before and after, which other tests
// running at the same time would change.

// hostileKind is a kind of client that could hold what the server has.
type hostileKind struct {
	name string
	// open starts one such client against addr with the keys it needs; it
	// keeps misbehaving until its connection is closed.
	open func(t *testing.T, addr string, keys hostileKeys) net.Conn
}

type hostileKeys struct{ partner, admin string }

// hostileKinds are slow headers (Slowloris), slow bodies, clients that never
// read a stream, and clients that go away in the middle of one.
var hostileKinds = []hostileKind{
	{"slow headers", func(t *testing.T, addr string, _ hostileKeys) net.Conn {
		c := dial(t, addr)
		trickle(c, "GET /api/v1/organizations HTTP/1.1\r\nHost: x\r\n", "X-Slow: 1\r\n")
		return c
	}},
	{"slow body", func(t *testing.T, addr string, keys hostileKeys) net.Conn {
		c := dial(t, addr)
		trickle(c, "POST /api/v1/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+keys.admin+
			"\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n{", " ")
		return c
	}},
	{"never reads an export", func(t *testing.T, addr string, keys hostileKeys) net.Conn {
		c := dialSmallWindow(t, addr)
		send(t, c, "GET /api/v1/export HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+keys.partner+"\r\n\r\n")
		return c
	}},
	{"goes away mid-export", func(t *testing.T, addr string, keys hostileKeys) net.Conn {
		c := dial(t, addr)
		send(t, c, "GET /api/v1/export HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+keys.partner+"\r\n\r\n")
		io.ReadFull(c, make([]byte, 2048))
		c.(*net.TCPConn).SetLinger(0) // a reset, as a killed client sends
		c.Close()
		return c
	}},
}

// hostileClients is how many of each kind the tests open: more than any
// pool of the server has connections.
const hostileClients = 10

// TestHostileClientsDoNotStarveOthers opens many hostile clients of each
// kind against a server whose timeouts are long, so they stay, and checks
// that a normal client's reads, keyed requests and writes still answer; a
// generous bound only detects starvation. Then the clients leave, and
// goroutines, file descriptors and database connections return to where
// they were.
func TestHostileClientsDoNotStarveOthers(t *testing.T) {
	long := api.Timeouts{ReadHeader: time.Minute, Read: time.Minute, Write: time.Minute, Idle: time.Minute, StreamProgress: time.Minute}
	for _, kind := range hostileKinds {
		t.Run(kind.name, func(t *testing.T) {
			s, keys, addr := newHostileTestServer(t, long)
			base := s.resources()
			conns := make([]net.Conn, hostileClients)
			for i := range conns {
				conns[i] = kind.open(t, addr, keys)
			}
			s.waitForHostile(kind, conns)
			s.normalRequestsAnswer(keys)
			for _, c := range conns {
				c.Close()
			}
			s.waitForBaseline(base)
		})
	}
}

// TestHostileClientsAreCutOff opens hostile clients of each kind against a
// server with short timeouts and checks that the server closes their
// connections on its side by itself, releasing everything they held, and
// still answers others.
func TestHostileClientsAreCutOff(t *testing.T) {
	// Short, but not so short that the normal client's own export, read at
	// full speed on a loaded machine through small socket buffers, misses a
	// progress deadline: hostile clients never make progress at all.
	short := api.Timeouts{ReadHeader: 500 * time.Millisecond, Read: time.Second, Write: time.Minute,
		Idle: time.Second, StreamProgress: 2 * time.Second}
	for _, kind := range hostileKinds {
		t.Run(kind.name, func(t *testing.T) {
			s, keys, addr := newHostileTestServer(t, short)
			base := s.resources()
			conns := make([]net.Conn, hostileClients)
			for i := range conns {
				conns[i] = kind.open(t, addr, keys)
			}
			// The server must close their connections on its side and let go
			// of everything they held, while they still hold their side.
			s.waitFor(base, false)
			for _, c := range conns {
				c.Close()
			}
			s.normalRequestsAnswer(keys)
			s.waitForBaseline(base)
		})
	}
}

// newHostileTestServer starts the demo directory and 300 generated
// organizations with timeouts. Its
// connections have small send buffers, as over a slow network, so that an
// export blocks on a client that does not read it long before its end.
func newHostileTestServer(t *testing.T, timeouts api.Timeouts) (*testServer, hostileKeys, string) {
	t.Helper()
	orgs, err := demo.Organizations()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range demo.Generate(300, 1) {
		o.Slug = "generated-" + o.Slug
		orgs = append(orgs, o)
	}
	var addr string
	s := newTestServerOn(t, orgs, api.Options{Timeouts: timeouts}, func(l net.Listener) net.Listener {
		addr = l.Addr().String()
		return smallBuffers{l}
	}, sqlite.Options{})
	keys := hostileKeys{partner: s.key(directory.RolePartner), admin: s.key(directory.RoleAdmin)}
	// Let each pool open its connections before the baseline is taken.
	s.normalRequestsAnswer(keys)
	export := s.within(http.MethodGet, "/api/v1/export", keys.partner, "")
	wantStatus(t, export, http.StatusOK)
	if len(export.body) < 256<<10 {
		t.Fatalf("the export has %d bytes: too few to outlast the buffers of a client that does not read", len(export.body))
	}
	return s, keys, addr
}

type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dialSmallWindow connects with a 4 KiB receive buffer, set before the
// connection is made so that the window it offers is small from the start:
// a client that does not read then takes in little of what is sent.
func dialSmallWindow(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10)
		})
		return errors.Join(err, serr)
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func send(t *testing.T, c net.Conn, text string) {
	t.Helper()
	if _, err := io.WriteString(c, text); err != nil {
		t.Fatal(err)
	}
}

// trickle writes first, then more every 50 ms until the connection fails.
func trickle(c net.Conn, first, more string) {
	if _, err := io.WriteString(c, first); err != nil {
		return
	}
	go func() {
		for {
			time.Sleep(50 * time.Millisecond)
			if _, err := io.WriteString(c, more); err != nil {
				return
			}
		}
	}()
}

// waitForHostile waits until the hostile clients of kind hold what they
// can: stalled exports, database connections (of the export pool, where
// they belong).
func (s *testServer) waitForHostile(kind hostileKind, conns []net.Conn) {
	s.t.Helper()
	if !strings.Contains(kind.name, "never reads") {
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for s.resources().dbConns < 4 {
		if time.Now().After(deadline) {
			conns[0].SetReadDeadline(time.Now().Add(time.Second))
			got := make([]byte, 600)
			n, err := io.ReadFull(conns[0], got)
			s.t.Fatalf("the stalled exports hold %v connections; the first client got %q (%v)", s.db.ConnectionsInUse(), got[:n], err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// normalRequestsAnswer checks that a normal client gets its answers: a
// read, readiness, a keyed request and a write.
func (s *testServer) normalRequestsAnswer(keys hostileKeys) {
	s.t.Helper()
	wantStatus(s.t, s.within(http.MethodGet, "/api/v1/organizations/nadezhda-nizhny-novgorod", "", ""), http.StatusOK)
	wantStatus(s.t, s.within(http.MethodGet, "/readyz", "", ""), http.StatusOK)
	wantStatus(s.t, s.within(http.MethodGet, "/api/v1/organizations?q=центр", keys.partner, ""), http.StatusOK)
	wantStatus(s.t, s.within(http.MethodPatch, "/api/v1/organizations/nadezhda-nizhny-novgorod", keys.admin,
		fmt.Sprintf(`{"city": "Город %d"}`, time.Now().UnixNano())), http.StatusOK)
}

// within sends a request that must be answered within 10 s, which only a
// starved server misses, and checks the answer against the spec.
func (s *testServer) within(method, path, secret, body string) response {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/merge-patch+json")
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		s.t.Fatalf("%s %s: no answer: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	s.validate(req, res, raw)
	return response{Response: res, body: raw}
}

// resources is what clients can make the server hold.
type resources struct {
	goroutines  int
	fds         int // file descriptors other than the database's files
	serverConns int // connections open on the server's side
	dbConns     int // database connections in use
}

func (s *testServer) resources() resources {
	s.t.Helper()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	r := resources{goroutines: runtime.NumGoroutine()}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		s.t.Fatal(err)
	}
	sockets := map[string]bool{}
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || strings.HasSuffix(strings.TrimSuffix(strings.TrimSuffix(target, "-wal"), "-shm"), ".db") {
			continue
		}
		r.fds++
		if inode, ok := strings.CutPrefix(target, "socket:["); ok {
			sockets[strings.TrimSuffix(inode, "]")] = true
		}
	}
	// The server's connections are the sockets of this process whose local
	// port is the server's, other than the listener.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.url, "http://"))
	tcp, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		s.t.Fatal(err)
	}
	for _, line := range strings.Split(string(tcp), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 10 {
			continue
		}
		_, localPort, _ := strings.Cut(f[1], ":")
		var p int
		fmt.Sscanf(localPort, "%X", &p)
		if fmt.Sprint(p) == port && f[3] != "0A" && sockets[f[9]] {
			r.serverConns++
		}
	}
	for _, n := range s.db.ConnectionsInUse() {
		r.dbConns += n
	}
	if s.db.Backend() == "postgres" {
		// The database's connections are sockets, which its pools keep
		// open as they see fit.
		r.fds -= s.db.OpenConnections()
	}
	return r
}

// waitForBaseline waits until the process holds no more than base.
func (s *testServer) waitForBaseline(base resources) {
	s.t.Helper()
	s.waitFor(base, true)
}

// waitFor waits until the process holds no more goroutines, server
// connections and database connections than base (and file descriptors,
// which the clients' own connections count among, with fds), and fails if
// it still does after 30 s: a bound that only a leak exceeds, on a loaded
// machine too.
func (s *testServer) waitFor(base resources, fds bool) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		now := s.resources()
		if now.goroutines <= base.goroutines && now.serverConns <= base.serverConns && now.dbConns <= base.dbConns &&
			(!fds || now.fds <= base.fds) {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			s.t.Fatalf("still held after 30 s: %+v, at the start %+v\n%s", now, base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestOversizedHeadersAreRefused sends headers over the server's limit:
// the server answers 431 and closes the connection without reading on.
func TestOversizedHeadersAreRefused(t *testing.T) {
	s, keys, addr := newHostileTestServer(t, api.Timeouts{})
	base := s.resources()
	c := dial(t, addr)
	send(t, c, "GET /api/v1/organizations HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 128<<10)+"\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	status, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.Contains(status, " 431 ") {
		t.Errorf("oversized headers: got %q (%v), want a 431 status line", status, err)
	}
	c.Close()
	s.normalRequestsAnswer(keys)
	s.waitForBaseline(base)
}
