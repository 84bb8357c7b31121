package api

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/coalition-directory/coalition/internal/directory"
)

// maxProblemErrors bounds the field errors one problem lists: a request of
// a hundred thousand bad values gets a readable answer of bounded size, with
// the whole count in errors_total.
const maxProblemErrors = 100

// queryCheck answers 400 when a request to an /api/v1 route has a query
// parameter that the route's operation in the OpenAPI spec does not
// declare, or a parameter name or value that is not valid UTF-8, naming
// every such parameter at once, before any handler reads them. A parameter
// the server would ignore (a misspelt filter: contry=RU) must not be
// answered as if it had been applied, and Go's URL decoding keeps bytes as
// they are, while text that is not UTF-8 must never reach a search, a
// filter or a stored record. The declared parameters come from the spec
// the server serves, so the check and the spec cannot drift apart.
type queryCheck struct {
	ops map[string]*openapi3.Operation // from the spec, by "METHOD /path/{param}"
	// declared holds the query parameters of each /api/v1 route, by
	// "METHOD /path/:param" as Echo names the route: filled by bind.
	declared map[string][]string
	// lists holds, by route as declared does, those of its parameters
	// that take several values (see listParameter): only they may be
	// given more than once.
	lists map[string][]string
}

// newQueryCheck reads the operations of spec, the OpenAPI 3 document in
// YAML.
func newQueryCheck(spec []byte) (*queryCheck, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("read the query parameters of the openapi spec: %w", err)
	}
	ops := map[string]*openapi3.Operation{}
	if err := operations(doc, func(path, method string, op *openapi3.Operation) error {
		ops[method+" "+path] = op
		return nil
	}); err != nil {
		return nil, err
	}
	return &queryCheck{ops: ops}, nil
}

// QueryParameters returns the names of the query parameters of the
// operation at method and path in the spec the server serves, the path
// written as the spec writes it ("/api/v1/organizations/{id}"), in the
// spec's order. It fails when the spec has no such operation. The command
// line uses it to refuse what the same operation over HTTP would refuse.
func QueryParameters(method, path string) ([]string, error) {
	spec, err := OpenAPIYAML()
	if err != nil {
		return nil, fmt.Errorf("load openapi spec: %w", err)
	}
	q, err := newQueryCheck(spec)
	if err != nil {
		return nil, err
	}
	op := q.ops[method+" "+path]
	if op == nil {
		return nil, fmt.Errorf("%s %s is not in the openapi spec", method, path)
	}
	return queryNames(op, nil), nil
}

// queryNames returns the names of op's query parameters, of those keep
// reports true for when keep is not nil.
func queryNames(op *openapi3.Operation, keep func(*openapi3.Parameter) bool) []string {
	names := []string{}
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery && (keep == nil || keep(p.Value)) {
			names = append(names, p.Value.Name)
		}
	}
	return names
}

// checkedPrefix is the path prefix of the routes whose query parameters
// must be the ones their operation lists.
const checkedPrefix = "/api/v1/"

// echoParam is a path parameter as Echo writes it (:id), which OpenAPI
// writes {id}.
var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// bind takes the query parameters of every /api/v1 route of routes from
// the spec. It fails when such a route has no operation in the spec:
// whatever it takes would be refused.
func (q *queryCheck) bind(routes []*echo.Route) error {
	q.declared, q.lists = map[string][]string{}, map[string][]string{}
	for _, r := range routes {
		if !strings.HasPrefix(r.Path, checkedPrefix) {
			continue
		}
		op := q.ops[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")]
		if op == nil {
			return fmt.Errorf("route %s %s is not in the openapi spec: annotate its handler and run go generate ./api", r.Method, r.Path)
		}
		route := r.Method + " " + r.Path
		q.declared[route] = queryNames(op, nil)
		q.lists[route] = queryNames(op, listParameter)
	}
	return nil
}

// listParameter reports whether the spec gives p several values: an array,
// or a string its description calls comma-separated (country=RU,KZ, which
// may also be written country=RU&country=KZ). Every other parameter takes
// one value, and given twice it is refused rather than read for one of
// them or joined into a value that fails for a misleading reason.
func listParameter(p *openapi3.Parameter) bool {
	if p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Type.Is(openapi3.TypeArray) {
		return true
	}
	return strings.Contains(p.Description, "comma-separated")
}

// middleware is the check, run after routing (it needs the route).
func (q *queryCheck) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.RawQuery == "" {
			return next(c)
		}
		method := c.Request().Method
		if method == http.MethodHead {
			method = http.MethodGet // HEAD is answered as the GET
		}
		route := method + " " + c.Path()
		declared, isAPI := q.declared[route]
		query := c.QueryParams()
		names := make([]string, 0, len(query))
		for name := range query {
			names = append(names, name)
		}
		slices.Sort(names)
		var fields []directory.FieldError
		for _, name := range names {
			switch {
			case !utf8.ValidString(name):
				fields = append(fields, directory.FieldError{Field: "query", Message: "has a parameter name that is not valid UTF-8 text"})
			case isAPI && !slices.Contains(declared, name):
				fields = append(fields, directory.FieldError{Field: name, Message: unknownParameter(declared)})
			case slices.ContainsFunc(query[name], func(v string) bool { return !utf8.ValidString(v) }):
				fields = append(fields, directory.FieldError{Field: name, Message: "must be valid UTF-8 text"})
			case isAPI && len(query[name]) > 1 && !slices.Contains(q.lists[route], name):
				fields = append(fields, directory.FieldError{Field: name, Message: "is given more than once; it takes one value"})
			}
		}
		if len(fields) > 0 {
			return &directory.Error{Code: directory.CodeInvalid, Message: "invalid query parameters", Fields: fields}
		}
		return next(c)
	}
}

// unknownParameter is the message of a query parameter that a route does
// not take, naming those it does.
func unknownParameter(declared []string) string {
	if len(declared) == 0 {
		return "is not a parameter of this route, which takes none"
	}
	return "is not a parameter of this route, which takes " + strings.Join(declared, ", ")
}

// problemFields converts a domain error's field errors, the first
// maxProblemErrors of them, and returns their whole count.
func problemFields(de *directory.Error) ([]ProblemField, int) {
	total := max(len(de.Fields), de.FieldsTotal)
	var out []ProblemField
	for _, f := range de.Fields[:min(len(de.Fields), maxProblemErrors)] {
		out = append(out, ProblemField{Field: f.Field, Message: f.Message})
	}
	return out, total
}
