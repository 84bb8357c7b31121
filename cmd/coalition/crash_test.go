package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/ndjson"
)

// crashServer is `coalition serve` as a child process, which the test can
// kill as a crash or a power cut of the process would.
type crashServer struct {
	cmd  *exec.Cmd
	base string
}

// startChildServe starts the real binary serving dbPath (a file, or a
// PostgreSQL URL) on a free port.
func startChildServe(t *testing.T, dbPath string) *crashServer {
	t.Helper()
	cmd := child("serve", "--addr", "127.0.0.1:0", dbFlag(dbPath), dbPath, "--no-demo", "--log-level", "error")
	cmd.Env = append(cmd.Env, "TMPDIR="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				addr <- a
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatal("the server stopped before listening")
		}
		return &crashServer{cmd: cmd, base: "http://" + a}
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not listen within 60 s")
	}
	return nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *crashServer) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := s.cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the server was not killed (%v): the test proves nothing", err)
	}
}

// acknowledged is what the server said it stored: each organization's
// version as of its last acknowledged write, and the city written with it.
type acknowledged struct {
	mu   sync.Mutex
	orgs map[string]ackedOrg
}

type ackedOrg struct {
	version int
	city    string
}

func (a *acknowledged) record(id string, version int, city string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.orgs[id].version < version {
		a.orgs[id] = ackedOrg{version, city}
	}
}

// TestAcknowledgedWritesSurviveKills streams creates and patches to the
// real server, kills it with SIGKILL at a random moment, and checks that
// every write it acknowledged is in the database and that the database is
// sound; ten times over, each restart recovering what the last left.
func TestAcknowledgedWritesSurviveKills(t *testing.T) {
	t.Parallel()
	dbPath := testDatabase(t, t.TempDir(), "crash.db")
	secret := createKey(t, dbPath, "editor")
	seed := time.Now().UnixNano()
	rnd := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("random seed %d", seed)
	acked := &acknowledged{orgs: map[string]ackedOrg{}}
	for round := range 10 {
		srv := startChildServe(t, dbPath)
		stop := make(chan struct{})
		acks := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 3 {
			wg.Go(func() { writeUntilStopped(srv.base, secret, fmt.Sprintf("%d-%d", round, w), acked, acks, stop) })
		}
		writersGone := make(chan struct{})
		go func() { wg.Wait(); close(writersGone) }()
		// The kill comes after a random number of acknowledged writes, with
		// the other writers' requests in flight: counted, not timed, so a
		// loaded machine cannot make a round that acknowledges nothing.
	wait:
		for n := 1 + rnd.IntN(40); n > 0; n-- {
			select {
			case <-acks:
			case <-writersGone: // every writer failed: the count below says so
				break wait
			}
		}
		srv.kill(t)
		close(stop)
		<-writersGone
		checkAcknowledged(t, dbPath, acked)
	}
	if len(acked.orgs) < 10 {
		t.Fatalf("only %d organizations were acknowledged: the test proves little", len(acked.orgs))
	}
	t.Logf("%d organizations acknowledged over 10 kills, all stored", len(acked.orgs))
}

// writeUntilStopped creates organizations and patches the ones it created,
// recording each acknowledged write and then sending on acks, until the
// server dies or stop closes.
func writeUntilStopped(base, secret, name string, acked *acknowledged, acks chan<- struct{}, stop <-chan struct{}) {
	client := &http.Client{Timeout: 10 * time.Second}
	var mine []string
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		city := fmt.Sprintf("Город %s-%d", name, i)
		method, path, body := http.MethodPost, "/api/v1/organizations",
			fmt.Sprintf(`{"name": "Организация %s-%d", "country_code": "RU", "city": %q, "focus_areas": ["research"]}`, name, i, city)
		if i%2 == 1 && len(mine) > 0 {
			method, path, body = http.MethodPatch, "/api/v1/organizations/"+mine[i%len(mine)], fmt.Sprintf(`{"city": %q}`, city)
		}
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		if method == http.MethodPatch {
			req.Header.Set("Content-Type", "application/merge-patch+json")
		}
		res, err := client.Do(req)
		if err != nil {
			return // the server is gone
		}
		var org struct {
			ID      string
			Version int
			City    string
		}
		err = json.NewDecoder(res.Body).Decode(&org)
		res.Body.Close()
		if err != nil || (res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated) {
			return // cut off mid-answer: not acknowledged
		}
		if method == http.MethodPost {
			mine = append(mine, org.ID)
		}
		acked.record(org.ID, org.Version, org.City)
		select {
		case acks <- struct{}{}:
		case <-stop:
			return
		}
	}
}

// checkAcknowledged opens the database as a restarted server would and
// checks that it is sound and holds every acknowledged write: each
// organization at its acknowledged version or a later one (a write the
// server made but could not acknowledge before it died).
func checkAcknowledged(t *testing.T, dbPath string, acked *acknowledged) {
	t.Helper()
	ctx := context.Background()
	db, dir, err := openDirectory(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	integrityCheck(t, dbPath)
	acked.mu.Lock()
	defer acked.mu.Unlock()
	for id, want := range acked.orgs {
		o, err := dir.Organization(ctx, id, directory.Operator("test"))
		switch {
		case err != nil:
			t.Errorf("acknowledged organization %s: %v", id, err)
		case o.Version < want.version || o.Version == want.version && o.City != want.city:
			t.Errorf("organization %s: stored version %d, city %q; acknowledged version %d, city %q", id, o.Version, o.City, want.version, want.city)
		}
	}
}

// createKey makes a key with role in the database at dbPath and returns
// its secret.
func createKey(t *testing.T, dbPath, role string) string {
	t.Helper()
	var out strings.Builder
	if err := run(context.Background(), []string{"keys", "create", dbFlag(dbPath), dbPath, "--name", role, "--role", role},
		func(string) string { return "" }, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	secret, _, _ := strings.Cut(out.String(), "\n")
	return secret
}

// TestKillDuringHTTPImport kills the server while it imports a file sent
// over HTTP: the database afterwards holds none of the import or, had it
// committed before the kill, all of it; never a part.
func TestKillDuringHTTPImport(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dbPath := testDatabase(t, tmp, "import.db")
	secret := createKey(t, dbPath, "admin")
	before, auditBefore := snapshot(t, dbPath)
	var file bytes.Buffer
	w := ndjson.NewWriter(&file)
	const rows = 20000
	for _, o := range demo.Generate(rows, 3) {
		if err := w.Write(&o); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}

	srv := startChildServe(t, dbPath)
	sent := make(chan struct{})
	answered := make(chan error, 1)
	go func() {
		body := &signalAtEOF{r: bytes.NewReader(file.Bytes()), done: sent}
		req, _ := http.NewRequest(http.MethodPost, srv.base+"/api/v1/import", body)
		req.ContentLength = int64(file.Len())
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/x-ndjson")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			err = fmt.Errorf("the import answered %d before the kill", res.StatusCode)
		}
		answered <- err
	}()
	<-sent
	time.Sleep(300 * time.Millisecond) // the file is spooled; the import runs
	srv.kill(t)
	if err := <-answered; err != nil && strings.Contains(err.Error(), "answered") {
		t.Log(err)
	}

	after, auditAfter := snapshot(t, dbPath)
	switch lines := strings.Count(after, "\n"); {
	case after == before && auditAfter == auditBefore:
		t.Log("the kill came before the import committed: nothing of it is stored")
	case lines == rows && auditAfter == auditBefore+rows:
		t.Log("the import committed before the kill: all of it is stored")
	default:
		t.Errorf("a killed import left part of itself: %d organizations, %d audit entries (before: %d)", lines, auditAfter, auditBefore)
	}
}

// signalAtEOF closes done when its reader is exhausted.
type signalAtEOF struct {
	r    io.Reader
	done chan struct{}
	once sync.Once
}

func (s *signalAtEOF) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		s.once.Do(func() { close(s.done) })
	}
	return n, err
}
