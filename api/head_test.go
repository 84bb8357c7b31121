package api_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/coalition-directory/coalition/internal/directory"
)

// TestHeadAnswersAsGet walks every GET operation of openapi.yaml, with the
// examples of its path parameters, and checks that HEAD gets the status and
// headers of the GET, without a body; anonymously and with an admin key.
func TestHeadAnswersAsGet(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, nil)
	admin := s.key(directory.RoleAdmin)
	paths := doc.Paths.InMatchingOrder()
	slices.Sort(paths)
	walked := 0
	for _, path := range paths {
		op := doc.Paths.Value(path).Get
		if op == nil {
			continue
		}
		url := path
		for _, p := range op.Parameters {
			if p.Value.In == openapi3.ParameterInPath {
				url = strings.ReplaceAll(url, "{"+p.Value.Name+"}", p.Value.Example.(string))
			}
		}
		for _, secret := range []string{"", admin} {
			t.Run(url+" key="+strconv.FormatBool(secret != ""), func(t *testing.T) {
				walked++
				h := bearer(secret)
				h.Set("Accept-Encoding", "gzip") // the same for both: the transport adds it to GET only
				get := s.do(http.MethodGet, url, h, nil)
				head := s.head(url, h)
				if head.StatusCode != get.StatusCode {
					t.Errorf("HEAD status %d, GET %d", head.StatusCode, get.StatusCode)
				}
				if len(head.body) != 0 {
					t.Errorf("HEAD has a body of %d bytes", len(head.body))
				}
				ignore := []string{"Date", "X-Request-Id"}
				if path == "/metrics" {
					ignore = append(ignore, "Content-Length") // the metrics count the GET itself
				}
				for _, name := range unionKeys(get.Header, head.Header) {
					if slices.Contains(ignore, name) {
						continue
					}
					if g, hd := get.Header.Values(name), head.Header.Values(name); !slices.Equal(g, hd) {
						t.Errorf("%s: HEAD %q, GET %q", name, hd, g)
					}
				}
			})
		}
	}
	if walked < 20 {
		t.Errorf("walked %d GET operations and keys: the spec walk is broken", walked)
	}
}

// TestEveryParameterHasAnExample fails when a parameter of openapi.yaml has
// no example: readers and TestHeadAnswersAsGet use them.
func TestEveryParameterHasAnExample(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				count++
				if p.Value.Example == nil && len(p.Value.Examples) == 0 {
					t.Errorf("%s %s: parameter %s in %s has no example", method, path, p.Value.Name, p.Value.In)
				}
			}
		}
	}
	if count < 50 {
		t.Errorf("only %d parameters found", count)
	}
}

// head sends a HEAD request over a connection of its own and reads all
// the server sends until it closes it, so that a body the server wrongly
// sends is seen (an HTTP client ignores it). HEAD is not in the spec, so
// the response is not validated against it.
func (s *testServer) head(path string, header http.Header) response {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodHead, s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header = header.Clone()
	req.Close = true
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close()
	if err := req.Write(conn); err != nil {
		s.t.Fatal(err)
	}
	raw, err := io.ReadAll(conn)
	if err != nil {
		s.t.Fatal(err)
	}
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		s.t.Fatalf("HEAD %s: no end of headers in %q", path, raw)
	}
	res, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(append(head, "\r\n\r\n"...))), req)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{Response: res, body: body}
}

func unionKeys(a, b http.Header) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if a[k] == nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// TestEveryOperationIsDescribed fails where the linters CI runs
// (.ci/check.d/50-openapi.sh) would warn, so that a new route is described
// before it lands: every operation has an operationId, a summary, a
// description and tags the document defines; every error status is a
// problem; every operation says what key it takes.
func TestEveryOperationIsDescribed(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		if tag.Description == "" {
			t.Errorf("tag %s has no description", tag.Name)
		}
		tags[tag.Name] = true
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" || op.Summary == "" || op.Description == "" {
				t.Errorf("%s: needs @ID, @Summary and @Description", where)
			}
			if len(op.Tags) == 0 {
				t.Errorf("%s: has no @Tags", where)
			}
			for _, tag := range op.Tags {
				if !tags[tag] {
					t.Errorf("%s: tag %s is not declared in routes.go (@tag.name, @tag.description)", where, tag)
				}
			}
			if op.Security == nil {
				t.Errorf("%s: says nothing of keys", where)
			}
			for status, res := range op.Responses.Map() {
				if status >= "400" && res.Value.Content != nil && res.Value.Content["application/problem+json"] == nil {
					t.Errorf("%s: %s is not application/problem+json", where, status)
				}
			}
		}
	}
}
