package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/coalition-directory/coalition/internal/demo"
	"github.com/coalition-directory/coalition/internal/directory"
)

// BenchmarkLoad is the load test of the README's table. For 1,000 and
// 100,000 generated organizations it imports the directory, starts the real
// server binary on 127.0.0.1 and drives it with bombardier (32
// connections, one URL per run, COALITION_LOAD_SECONDS each, 10 by default)
// for each class of query (the web pages, plainly and gzipped, right after
// the JSON of the same query, with their ratios), then with vegeta over 1,000 distinct realistic
// queries drawn with a Zipf distribution, reads and writes together. It
// prints a Markdown table: requests per second, p50 and p99 latency,
// errors, and the server's peak resident and anonymous memory. Only
// loopback is targeted, and every run is bounded in time.
//
//	go test ./cmd/coalition -run '^$' -bench '^BenchmarkLoad$' -benchtime 1x -timeout 30m
//
// COALITION_LOAD_SIZES=1000 limits the sizes (comma-separated).
func BenchmarkLoad(b *testing.B) {
	seconds := 10
	if v := os.Getenv("COALITION_LOAD_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 120 {
			b.Fatalf("COALITION_LOAD_SECONDS=%q: want 1 to 120", v)
		}
		seconds = n
	}
	sizes := []int{1000, 100000}
	if v := os.Getenv("COALITION_LOAD_SIZES"); v != "" {
		sizes = nil
		for _, s := range strings.Split(v, ",") {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 200000 {
				b.Fatalf("COALITION_LOAD_SIZES=%q: want sizes from 1 to 200000", v)
			}
			sizes = append(sizes, n)
		}
	}
	tmp := b.TempDir()
	server, bombardier := filepath.Join(tmp, "coalition"), filepath.Join(tmp, "bombardier")
	for _, build := range [][]string{{"-o", server, "."}, {"-o", bombardier, "github.com/codesenberg/bombardier"}} {
		if out, err := exec.Command("go", append([]string{"build"}, build...)...).CombinedOutput(); err != nil {
			b.Fatalf("go build %v: %v\n%s", build, err, out)
		}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("orgs=%d", n), func(b *testing.B) {
			for range b.N {
				loadRun(b, server, bombardier, n, time.Duration(seconds)*time.Second)
			}
		})
	}
}

// loadRow is one line of the table.
type loadRow struct {
	class            string
	rate, p50, p99   float64 // requests per second, milliseconds
	cpu              float64 // the server's CPU time per request, microseconds (0: not measured)
	requests, errors int
}

func loadRun(b *testing.B, server, bombardier string, n int, duration time.Duration) {
	dir := b.TempDir()
	db := filepath.Join(dir, "load.db")
	orgs := demo.Generate(n, 1)
	file := writeNDJSON(b, dir, n)
	if out, err := exec.Command(server, "import", "--db", db, file).CombinedOutput(); err != nil {
		b.Fatalf("import: %v\n%s", err, out)
	}
	out, err := exec.Command(server, "keys", "create", "--db", db, "--name", "load", "--role", "editor").Output()
	if err != nil {
		b.Fatalf("keys create: %v", err)
	}
	editor, _, _ := strings.Cut(string(out), "\n")

	srv := exec.Command(server, "serve", "--db", db, "--addr", "127.0.0.1:0", "--log-level", "error", "--no-demo")
	stdout, err := srv.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		srv.Process.Signal(os.Interrupt)
		srv.Wait()
	}()
	sc := bufio.NewScanner(stdout)
	base := ""
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			base = "http://" + a
			break
		}
	}
	if base == "" {
		b.Fatal("the server stopped before listening")
	}
	go io.Copy(io.Discard, stdout)
	mem := watchMemory(srv.Process.Pid)
	defer mem.stop()

	lastPage := (n + directory.DefaultPerPage - 1) / directory.DefaultPerPage
	// The web pages are driven with the JSON of the same query right
	// before them, plainly and as browsers ask (gzip), for the ratios below.
	search, org := "?q="+url.QueryEscape("центр"), orgs[n/2].Slug
	gzip := []string{"-H", "Accept-Encoding: gzip"}
	classes := []struct {
		name, path string
		args       []string
	}{
		{"/healthz (ceiling)", "/healthz", nil},
		{"list by name", "/api/v1/organizations?sort=name", nil},
		{"filter country + focus area", "/api/v1/organizations?country=RU&focus_area=shelter", nil},
		{"search a Russian word", "/api/v1/organizations" + search, nil},
		{"page: search a Russian word", "/" + search, nil},
		{"two-letter prefix", "/api/v1/organizations?q=" + url.QueryEscape("по"), nil},
		{fmt.Sprintf("deep page (%d of %d)", lastPage/2, lastPage), fmt.Sprintf("/api/v1/organizations?sort=name&page=%d", lastPage/2), nil},
		{"one organization by slug", "/api/v1/organizations/" + org, nil},
		{"page: one organization", "/org/" + org, nil},
		{"/stats", "/api/v1/stats", nil},
		{"search a Russian word, gzip", "/api/v1/organizations" + search, gzip},
		{"page: search a Russian word, gzip", "/" + search, gzip},
		{"one organization by slug, gzip", "/api/v1/organizations/" + org, gzip},
		{"page: one organization, gzip", "/org/" + org, gzip},
	}
	var rows []loadRow
	rate, cpu := map[string]float64{}, map[string]float64{}
	for _, c := range classes {
		if code := getStatus(b, base+c.path); code != http.StatusOK {
			b.Fatalf("GET %s: %d", c.path, code)
		}
		before := cpuTime(b, srv.Process.Pid)
		row := bombard(b, bombardier, c.name, base+c.path, duration, c.args...)
		row.cpu = float64((cpuTime(b, srv.Process.Pid) - before).Microseconds()) / float64(max(row.requests, 1))
		rows = append(rows, row)
		rate[c.name], cpu[c.name] = row.rate, row.cpu
	}
	rows = append(rows, mixedRun(b, base, editor, orgs, 2*duration)...)
	peakRSS, peakAnon := mem.stop()

	fmt.Printf("\n%d organizations, 32 connections, %v per class; server peak RSS %.0f MB, peak RssAnon %.0f MB\n\n",
		n, duration, float64(peakRSS)/1024, float64(peakAnon)/1024)
	fmt.Println("| query class | req/s | % of /healthz | p50 ms | p99 ms | server CPU µs/req | requests | errors |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		cpu := "–"
		if r.cpu > 0 {
			cpu = fmt.Sprintf("%.0f", r.cpu)
		}
		fmt.Printf("| %s | %.0f | %.1f%% | %.2f | %.2f | %s | %d | %d |\n",
			r.class, r.rate, 100*r.rate/rows[0].rate, r.p50, r.p99, cpu, r.requests, r.errors)
	}
	// Rates share the machine with the load generator (and, on a shared
	// machine, with whatever else runs); the server's own CPU time per
	// request does not, so both are given, each as page / JSON (for CPU
	// time, JSON's per page's, so that 1 means as cheap and less is dearer).
	fmt.Println("\n| web page / JSON of the same query | rate | rate, gzip | server CPU | server CPU, gzip |\n|---|---|---|---|---|")
	for _, q := range []string{"search a Russian word", "one organization by slug"} {
		page := "page: " + q
		if q == "one organization by slug" {
			page = "page: one organization"
		}
		fmt.Printf("| %s | %.2f | %.2f | %.2f | %.2f |\n", q, rate[page]/rate[q], rate[page+", gzip"]/rate[q+", gzip"],
			cpu[q]/cpu[page], cpu[q+", gzip"]/cpu[page+", gzip"])
	}
	b.ReportMetric(float64(peakRSS)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(peakAnon)/1024, "peak-RssAnon-MB")
}

// cpuTime is the user and system CPU time a process has used so far, from
// /proc/<pid>/stat (proc(5): fields 14 and 15, in clock ticks, which Linux
// gives user space as USER_HZ, 100 a second).
func cpuTime(b *testing.B, pid int) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/%d/stat: %q", pid, stat)
	}
	return time.Duration(utime+stime) * time.Second / 100
}

func getStatus(b *testing.B, url string) int {
	res, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// bombard runs bombardier against one URL for duration with 32
// connections, with its further arguments (headers), and reads its JSON
// report.
func bombard(b *testing.B, bombardier, class, url string, duration time.Duration, args ...string) loadRow {
	args = append([]string{"-c", "32", "-d", duration.String(), "-l", "-p", "r", "-o", "json"}, args...)
	out, err := exec.Command(bombardier, append(args, url)...).Output()
	if err != nil {
		b.Fatalf("bombardier %s: %v", url, err)
	}
	var rep struct {
		Result struct {
			TimeTakenSeconds                       float64
			Req1xx, Req2xx, Req3xx, Req4xx, Req5xx int
			Others                                 int
			Errors                                 []struct{ Count int }
			Latency                                struct{ Percentiles map[string]float64 }
		}
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		b.Fatalf("bombardier report %s: %v", out, err)
	}
	r := rep.Result
	row := loadRow{class: class, requests: r.Req1xx + r.Req2xx + r.Req3xx + r.Req4xx + r.Req5xx + r.Others,
		errors: r.Req1xx + r.Req3xx + r.Req4xx + r.Req5xx + r.Others,
		p50:    r.Latency.Percentiles["50"] / 1000, p99: r.Latency.Percentiles["99"] / 1000}
	for _, e := range r.Errors {
		row.errors += e.Count
	}
	row.rate = float64(row.requests) / r.TimeTakenSeconds
	return row
}

// mixedRun drives the server with vegeta over 1,000 distinct queries as
// people ask them, popular ones far more often (Zipf), with one request in
// twenty a merge patch of a random organization, and reports reads and
// writes apart.
func mixedRun(b *testing.B, base, editor string, orgs []directory.Organization, duration time.Duration) []loadRow {
	r := rand.New(rand.NewSource(1))
	queries := realisticQueries(r, orgs, 1000)
	pick := rand.NewZipf(r, 1.1, 1, uint64(len(queries)-1))
	var targets []vegeta.Target
	for i := range 20000 {
		if i%20 == 19 {
			o := orgs[r.Intn(len(orgs))]
			body := fmt.Sprintf(`{"acronym":"L%d"}`, i)
			targets = append(targets, vegeta.Target{Method: http.MethodPatch, URL: base + "/api/v1/organizations/" + o.Slug,
				Body: []byte(body), Header: http.Header{"Authorization": {"Bearer " + editor},
					"Content-Type": {"application/merge-patch+json"}}})
			continue
		}
		targets = append(targets, vegeta.Target{Method: http.MethodGet, URL: base + queries[pick.Uint64()]})
	}
	attacker := vegeta.NewAttacker(vegeta.Workers(32), vegeta.MaxWorkers(32), vegeta.Connections(32),
		vegeta.MaxConnections(32), vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
	var reads, writes vegeta.Metrics
	for res := range attacker.Attack(vegeta.NewStaticTargeter(targets...), vegeta.Rate{}, duration, "mixed") {
		if res.Method == http.MethodPatch {
			writes.Add(res)
		} else {
			reads.Add(res)
		}
	}
	reads.Close()
	writes.Close()
	row := func(class string, m *vegeta.Metrics) loadRow {
		errs := 0
		for code, n := range m.StatusCodes {
			if !strings.HasPrefix(code, "2") {
				errs += n
			}
		}
		return loadRow{class: class, rate: m.Rate, requests: int(m.Requests), errors: errs,
			p50: float64(m.Latencies.P50.Microseconds()) / 1000, p99: float64(m.Latencies.P99.Microseconds()) / 1000}
	}
	return []loadRow{
		row("mixed: reads (1,000 distinct, Zipf)", &reads),
		row("mixed: writes (merge patch, 1 in 20)", &writes),
	}
}

// realisticQueries returns n distinct list and read paths made of what the
// directory holds: words of its names, regions, countries, focus areas,
// slugs, each drawn by how common it is, with the common ones (by Zipf)
// far more often.
func realisticQueries(r *rand.Rand, orgs []directory.Organization, n int) []string {
	ranked := func(count map[string]int) []string {
		keys := make([]string, 0, len(count))
		for k := range count {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if count[a] != count[b] {
				return count[b] - count[a]
			}
			return strings.Compare(a, b)
		})
		return keys
	}
	words, regions, countries, areas := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, o := range orgs {
		for _, t := range o.Translations {
			for _, w := range directory.SearchTerms(t.Name) {
				if len([]rune(w)) >= 3 {
					words[w]++
				}
			}
		}
		regions[o.RegionCode]++
		countries[o.CountryCode]++
		for _, a := range o.FocusAreas {
			areas[a]++
		}
	}
	delete(regions, "")
	w, rg, c, a := ranked(words), ranked(regions), ranked(countries), ranked(areas)
	zipf := func(list []string) func() string {
		z := rand.NewZipf(r, 1.2, 1, uint64(len(list)-1))
		return func() string { return list[z.Uint64()] }
	}
	word, region, country, area := zipf(w), zipf(rg), zipf(c), zipf(a)
	page := rand.NewZipf(r, 1.5, 1, 50)
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		q := url.Values{}
		path := "/api/v1/organizations"
		switch k := r.Intn(100); {
		case k < 30: // a word
			q.Set("q", word())
		case k < 40: // two words
			q.Set("q", word()+" "+word())
		case k < 48: // what someone has typed so far
			v := []rune(word())
			q.Set("q", string(v[:2+r.Intn(min(3, len(v)-1))]))
		case k < 62:
			q.Set("region", region())
			if r.Intn(2) == 0 {
				q.Set("focus_area", area())
			}
		case k < 74:
			q.Set("country", country())
			q.Set("focus_area", area())
		case k < 84:
			q.Set("page", strconv.FormatUint(1+page.Uint64(), 10))
		case k < 96:
			path += "/" + orgs[r.Intn(len(orgs))].Slug
		default:
			path = []string{"/api/v1/stats", "/api/v1/focus-areas", "/api/v1/countries/RU/regions", "/api/v1/countries"}[r.Intn(4)]
		}
		if r.Intn(4) == 0 {
			q.Set("lang", "en")
		}
		if len(q) > 0 {
			path += "?" + q.Encode()
		}
		if !seen[path] {
			seen[path] = true
			out = append(out, path)
		}
	}
	return out
}

// memoryWatch samples a process's resident memory until stopped.
type memoryWatch struct {
	done     chan struct{}
	stopOnce sync.Once
	mu       sync.Mutex
	rss      int64 // VmHWM, KiB
	anon     int64 // the highest RssAnon sampled, KiB
}

func watchMemory(pid int) *memoryWatch {
	m := &memoryWatch{done: make(chan struct{})}
	file := fmt.Sprintf("/proc/%d/status", pid)
	sample := func() {
		status, err := os.ReadFile(file)
		if err != nil {
			return
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, line := range bytes.Split(status, []byte("\n")) {
			name, v, ok := strings.Cut(string(line), ":")
			if !ok {
				continue
			}
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				continue
			}
			switch name {
			case "VmHWM":
				m.rss = max(m.rss, kb)
			case "RssAnon":
				m.anon = max(m.anon, kb)
			}
		}
	}
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return m
}

// stop ends sampling and returns the peaks, in KiB.
func (m *memoryWatch) stop() (rss, anon int64) {
	m.stopOnce.Do(func() { close(m.done) })
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rss, m.anon
}
