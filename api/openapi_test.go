package api

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"
)

// loadDoc parses an OpenAPI 3 document written in YAML for a rule's test.
func loadDoc(t *testing.T, src string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(src))
	if err != nil {
		t.Fatalf("load test document: %v", err)
	}
	return doc
}

// yamlOf renders part of a document for comparison with the wanted YAML.
func yamlOf(t *testing.T, v any) string {
	t.Helper()
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func TestParameterExamples(t *testing.T) {
	t.Parallel()
	doc := loadDoc(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a/{id}:
    get:
      parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
      - {name: page, in: query, schema: {type: integer}}
      - {name: lang, in: query, schema: {type: string}}
      responses: {"200": {description: ok}}
`)
	swagger := `{"paths": {"/a/{id}": {"get": {"parameters": [
		{"name": "id", "in": "path", "example": "nadezhda"},
		{"name": "page", "in": "query", "example": 2},
		{"name": "lang", "in": "query"}]}}}}`
	if err := parameterExamples(doc, []byte(swagger)); err != nil {
		t.Fatal(err)
	}
	params := doc.Paths.Value("/a/{id}").Get.Parameters
	for _, tt := range []struct {
		in, name string
		want     any
	}{
		{"path", "id", "nadezhda"},
		{"query", "page", float64(2)},
		{"query", "lang", nil},
	} {
		if got := params.GetByInAndName(tt.in, tt.name).Example; got != tt.want {
			t.Errorf("%s example: got %v, want %v", tt.name, got, tt.want)
		}
	}

	unknown := `{"paths": {"/a/{id}": {"get": {"parameters": [{"name": "nope", "in": "query", "example": 1}]}}}}`
	if err := parameterExamples(doc, []byte(unknown)); err == nil {
		t.Error("an example of a parameter the document lacks: got no error")
	}
}

func TestBearerScheme(t *testing.T) {
	t.Parallel()
	doc := loadDoc(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  securitySchemes:
    bearer: {type: apiKey, in: header, name: Authorization, description: a key}
    other: {type: apiKey, in: header, name: X-Api-Key}
    query: {type: apiKey, in: query, name: Authorization}
`)
	if err := bearerScheme(doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"bearer": "description: a key\nscheme: bearer\ntype: http",
		"other":  "in: header\nname: X-Api-Key\ntype: apiKey",
		"query":  "in: query\nname: Authorization\ntype: apiKey",
	}
	for name, w := range want {
		if got := yamlOf(t, doc.Components.SecuritySchemes[name].Value); got != w {
			t.Errorf("%s:\ngot  %s\nwant %s", name, got, w)
		}
	}
}

func TestOptionalKeyAndExplicitSecurity(t *testing.T) {
	t.Parallel()
	doc := loadDoc(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /public:
    get: {x-key-optional: true, security: [{bearer: []}], responses: {"200": {description: ok}}}
  /protected:
    get: {security: [{bearer: []}], responses: {"200": {description: ok}}}
  /health:
    get: {responses: {"200": {description: ok}}}
`)
	if err := optionalKey(doc); err != nil {
		t.Fatal(err)
	}
	explicitSecurity(doc)
	want := map[string]string{
		"/public":    "- {}\n- bearer: []",
		"/protected": "- bearer: []",
		"/health":    "[]",
	}
	for path, w := range want {
		op := doc.Paths.Value(path).Get
		if got := yamlOf(t, op.Security); got != w {
			t.Errorf("%s security:\ngot  %s\nwant %s", path, got, w)
		}
		if _, ok := op.Extensions[extKeyOptional]; ok {
			t.Errorf("%s keeps %s", path, extKeyOptional)
		}
	}

	for name, src := range map[string]string{
		"no scheme": `get: {x-key-optional: true, responses: {"200": {description: ok}}}`,
		"not true":  `get: {x-key-optional: "yes", security: [{bearer: []}], responses: {"200": {description: ok}}}`,
	} {
		doc := loadDoc(t, "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    "+src+"\n")
		if err := optionalKey(doc); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
}

func TestMediaTypePerStatus(t *testing.T) {
	t.Parallel()
	both := `{application/json: {schema: {type: object}}, application/problem+json: {schema: {type: object}}}`
	doc := loadDoc(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {description: ok, content: `+both+`}
        "201": {description: ok, content: {text/csv: {schema: {type: string}}, application/x-ndjson: {schema: {type: string}}, application/problem+json: {schema: {type: object}}}}
        "304": {description: not modified}
        "404": {description: no, content: `+both+`}
        "503": {description: down, content: `+both+`}
        default: {description: other, content: `+both+`}
`)
	mediaTypePerStatus(doc)
	want := map[int]string{
		200: "application/json",
		201: "application/x-ndjson,text/csv",
		304: "",
		404: "application/problem+json",
		503: "application/problem+json",
	}
	responses := doc.Paths.Value("/a").Get.Responses
	for status, w := range want {
		if got := mediaTypes(responses.Status(status).Value.Content); got != w {
			t.Errorf("%d: got %q, want %q", status, got, w)
		}
	}
	if got := mediaTypes(responses.Default().Value.Content); got != "application/problem+json" {
		t.Errorf("default: got %q", got)
	}
}

func mediaTypes(c openapi3.Content) string {
	var out []string
	for _, mt := range []string{"application/json", "application/problem+json", "application/x-ndjson", "text/csv"} {
		if c[mt] != nil {
			out = append(out, mt)
		}
	}
	if len(c) != len(out) {
		return "unexpected types"
	}
	return strings.Join(out, ",")
}

func TestMergePatchBodies(t *testing.T) {
	t.Parallel()
	doc := loadDoc(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{id}:
    patch:
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/ThingWrite'}}
          application/merge-patch+json: {schema: {$ref: '#/components/schemas/ThingWrite'}}
      responses: {"200": {description: ok}}
  /things:
    post:
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/ThingWrite'}}
      responses: {"201": {description: ok}}
components:
  schemas:
    ThingWrite:
      type: object
      required: [name, names]
      properties:
        name: {type: string, maxLength: 10}
        kind: {type: string, enum: [a, b], default: a}
        tags: {type: array, items: {$ref: '#/components/schemas/Names'}}
        names: {$ref: '#/components/schemas/Names'}
        alias: {$ref: '#/components/schemas/Names'}
        translations: {type: object, additionalProperties: {$ref: '#/components/schemas/Names'}}
    Names:
      type: object
      required: [en]
      properties:
        en: {type: string}
        ru: {type: string}
`)
	if err := mergePatchBodies(doc); err != nil {
		t.Fatal(err)
	}
	body := doc.Paths.Value("/things/{id}").Patch.RequestBody.Value.Content
	for _, mt := range []string{"application/json", "application/merge-patch+json"} {
		if got := body[mt].Schema.Ref; got != "#/components/schemas/ThingPatch" {
			t.Errorf("PATCH %s body: got %q, want ThingPatch", mt, got)
		}
	}
	if got := doc.Paths.Value("/things").Post.RequestBody.Value.Content["application/json"].Schema.Ref; got != "#/components/schemas/ThingWrite" {
		t.Errorf("POST body changed to %q", got)
	}
	props := func(name string) openapi3.Schemas { return doc.Components.Schemas[name].Value.Properties }
	tests := []struct {
		schema, prop, want string
	}{
		// required in the write schema: optional, not nullable (null would remove it)
		{"ThingPatch", "name", "maxLength: 10\ntype: string"},
		// optional: nullable, without a default; an enum lists null
		{"ThingPatch", "kind", "enum:\n- a\n- b\n- null\nnullable: true\ntype: string"},
		// arrays are replaced whole: items stay full schemas
		{"ThingPatch", "tags", "items:\n  $ref: '#/components/schemas/Names'\nnullable: true\ntype: array"},
		// a required object merges: its patch
		{"ThingPatch", "names", "$ref: '#/components/schemas/NamesPatch'"},
		// an optional object merges or is removed: a nullable patch
		{"ThingPatch", "alias", "allOf:\n- $ref: '#/components/schemas/NamesPatch'\nnullable: true\ntype: object"},
		// a map's entries merge or are removed
		{"ThingPatch", "translations", "additionalProperties:\n  allOf:\n  - $ref: '#/components/schemas/NamesPatch'\n  nullable: true\n  type: object\nnullable: true\ntype: object"},
		{"NamesPatch", "en", "type: string"},
		{"NamesPatch", "ru", "nullable: true\ntype: string"},
	}
	for _, tt := range tests {
		if got := yamlOf(t, props(tt.schema)[tt.prop]); got != tt.want {
			t.Errorf("%s.%s:\ngot  %s\nwant %s", tt.schema, tt.prop, got, tt.want)
		}
	}
	for _, name := range []string{"ThingPatch", "NamesPatch"} {
		if req := doc.Components.Schemas[name].Value.Required; len(req) != 0 {
			t.Errorf("%s requires %v", name, req)
		}
	}
	if req := doc.Components.Schemas["ThingWrite"].Value.Required; len(req) != 2 {
		t.Errorf("ThingWrite changed: requires %v", req)
	}

	inline := loadDoc(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    patch:
      requestBody: {content: {application/merge-patch+json: {schema: {type: object}}}}
      responses: {"200": {description: ok}}
`)
	if err := mergePatchBodies(inline); err == nil {
		t.Error("an inline merge-patch body: got no error")
	}
}

func TestQueryProblems(t *testing.T) {
	t.Parallel()
	doc := loadDoc(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /api/v1/a:
    get:
      responses:
        "200": {description: ok}
    post:
      responses:
        "400": {description: own}
  /healthz:
    get:
      responses:
        "200": {description: ok}
components:
  schemas:
    Problem: {type: object}
`)
	queryProblems(doc)
	for _, c := range []struct{ path, method, want string }{
		{"/api/v1/a", "GET", "A query parameter that this route does not take, or that is not UTF-8 text; errors name each"},
		{"/api/v1/a", "POST", "own"},
		{"/healthz", "GET", "A query parameter that is not UTF-8 text; errors name it"},
	} {
		res := doc.Paths.Value(c.path).GetOperation(c.method).Responses.Status(400)
		if res == nil || res.Value == nil {
			t.Errorf("%s %s: no 400", c.method, c.path)
			continue
		}
		if got := *res.Value.Description; got != c.want {
			t.Errorf("%s %s: 400 %q, want %q", c.method, c.path, got, c.want)
		}
		if c.want != "own" && mediaTypes(res.Value.Content) != "application/problem+json" {
			t.Errorf("%s %s: 400 content %v", c.method, c.path, res.Value.Content)
		}
	}
}
