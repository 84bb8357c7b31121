package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
	"github.com/coalition-directory/coalition/internal/ndjson"
	"github.com/coalition-directory/coalition/internal/postgres"
	"github.com/coalition-directory/coalition/internal/sqlite"
)

// TestMain lets tests run the real binary as a child process: the test
// binary runs main when COALITION_TEST_MAIN is set. When
// COALITION_TEST_PEAK names a file, a child that succeeds writes its peak
// resident memory (VmHWM) there as it exits: read from outside, the peak
// would need polling, which slows the child, and the rusage of a child
// counts the memory of this large test process, which it was forked from.
func TestMain(m *testing.M) {
	if os.Getenv("COALITION_TEST_MAIN") == "1" {
		main()
		if file := os.Getenv("COALITION_TEST_PEAK"); file != "" {
			if err := os.WriteFile(file, []byte(strconv.FormatInt(peakRSS(), 10)), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// peakRSS returns this process's peak resident memory in KiB, or -1 if
// /proc does not tell.
func peakRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb
			}
		}
	}
	return -1
}

// child returns the command running this binary's main with args.
func child(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "COALITION_TEST_MAIN=1")
	return cmd
}

// writeNDJSON writes n generated organizations to a file and returns its path.
func writeNDJSON(t testing.TB, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "orgs.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := ndjson.NewWriter(f)
	for _, o := range demo.Generate(n, 1) {
		if err := w.Write(&o); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// integrityCheck runs SQLite's integrity check on the database at where,
// if it is an SQLite file (PostgreSQL checks its pages as it reads them).
func integrityCheck(t *testing.T, where string) {
	t.Helper()
	if postgres.IsURL(where) {
		return
	}
	db, err := sqlite.Open(context.Background(), where)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// snapshot returns the whole directory as an export plus the size of the
// audit log: what must not change when an import fails.
func snapshot(t *testing.T, dbPath string) (string, int) {
	t.Helper()
	ctx := context.Background()
	db, dir, err := openDirectory(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	integrityCheck(t, dbPath)
	var buf bytes.Buffer
	w := ndjson.NewWriter(&buf)
	if err := dir.Export(ctx, directory.Operator("test"), directory.ListQuery{}, nil, w.Write); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	_, audit, err := dir.Audit(ctx, directory.Operator("test"), directory.AuditQuery{Page: 1, PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	return buf.String(), audit
}

func TestImportKilledHalfwayChangesNothing(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dbPath := testDatabase(t, tmp, "live.db")
	ctx := context.Background()
	db, dir, err := openDirectory(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := demo.Organizations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dir.Seed(ctx, orgs); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, auditBefore := snapshot(t, dbPath)
	file := writeNDJSON(t, tmp, 40000)

	cmd := child("import", dbFlag(dbPath), dbPath, file)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	progress := bufio.NewScanner(stderr)
	killed := false
	for progress.Scan() {
		if strings.HasPrefix(progress.Text(), "read 20000 rows") {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
			break
		}
	}
	go io.Copy(io.Discard, stderr)
	err = cmd.Wait()
	var exit *exec.ExitError
	if !killed || !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the import was not killed halfway (killed %v, wait: %v): the test proves nothing", killed, err)
	}

	after, auditAfter := snapshot(t, dbPath)
	if after != before || auditAfter != auditBefore {
		t.Errorf("a killed import changed the database: export %d bytes, audit %d entries; before %d bytes, %d entries",
			len(after), auditAfter, len(before), auditBefore)
	}
}

// BenchmarkBulk measures the import of 100,000 generated organizations into
// an empty database (NDJSON and CSV, each in one transaction) and their
// export, each as a separate process so that its peak memory (max RSS) is
// its own. Run with -benchtime=1x: one operation takes seconds. With
// COALITION_TEST_DATABASE_URL set, each database is a new PostgreSQL one.
func BenchmarkBulk(b *testing.B) {
	const n = 100000
	tmp := b.TempDir()
	ndjsonFile := writeNDJSON(b, tmp, n)
	source := testDatabase(b, tmp, "source.db")
	if out, err := child("import", dbFlag(source), source, ndjsonFile).CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	csvFile := filepath.Join(tmp, "orgs.csv")
	if out, err := child("export", dbFlag(source), source, "--format", "csv", "--out", csvFile).CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}

	measure := func(b *testing.B, args func(i int) []string) {
		var peak int64
		var elapsed time.Duration
		for i := 0; i < b.N; i++ {
			// Write out what the preparation left in the page cache, so
			// that the measured process does not wait for it at its fsync.
			syscall.Sync()
			peakFile := filepath.Join(b.TempDir(), "peak")
			cmd := child(args(i)...)
			cmd.Env = append(cmd.Env, "COALITION_TEST_PEAK="+peakFile)
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
			elapsed += time.Since(start)
			kb, err := os.ReadFile(peakFile)
			if err != nil {
				b.Fatal(err)
			}
			n, err := strconv.ParseInt(string(kb), 10, 64)
			if err != nil || n <= 0 {
				b.Fatalf("peak memory %q: %v", kb, err)
			}
			peak = max(peak, n)
		}
		b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N), "ms/op")
		b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
	}
	for _, format := range []string{"ndjson", "csv"} {
		file := map[string]string{"ndjson": ndjsonFile, "csv": csvFile}[format]
		b.Run("import/"+format+"/orgs=100000", func(b *testing.B) {
			measure(b, func(i int) []string {
				target := testDatabase(b, tmp, format+"-"+strings.Repeat("x", i)+".db")
				return []string{"import", dbFlag(target), target, file}
			})
		})
	}
	for _, format := range []string{"ndjson", "csv"} {
		b.Run("export/"+format+"/orgs=100000", func(b *testing.B) {
			measure(b, func(i int) []string {
				return []string{"export", dbFlag(source), source, "--format", format, "--out", filepath.Join(tmp, "out."+format)}
			})
		})
	}
}
