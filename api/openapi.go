package api

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"

	"github.com/coalition-directory/coalition/docs"
)

// OpenAPIYAML returns the OpenAPI 3 spec of the API: the Swagger 2.0
// document that swag generates into docs/, converted by kin-openapi and
// refined by refineOpenAPI where Swagger 2.0 cannot say what the server
// does. The repository's openapi.yaml is this output, kept in step by a
// golden test.
func OpenAPIYAML() ([]byte, error) {
	swagger := []byte(docs.SwaggerInfo.ReadDoc())
	var v2 openapi2.T
	if err := json.Unmarshal(swagger, &v2); err != nil {
		return nil, fmt.Errorf("parse swagger 2.0 doc: %w", err)
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return nil, fmt.Errorf("convert to openapi 3: %w", err)
	}
	if err := parameterExamples(v3, swagger); err != nil {
		return nil, fmt.Errorf("refine openapi 3: %w", err)
	}
	if err := refineOpenAPI(v3); err != nil {
		return nil, fmt.Errorf("refine openapi 3: %w", err)
	}
	js, err := json.Marshal(v3)
	if err != nil {
		return nil, fmt.Errorf("marshal openapi 3: %w", err)
	}
	out, err := yaml.JSONToYAML(js)
	if err != nil {
		return nil, fmt.Errorf("openapi 3 to yaml: %w", err)
	}
	return out, nil
}

// Media types that the refinement rules know.
const (
	mediaJSON       = "application/json"
	mediaProblem    = problemContentType
	mediaMergePatch = "application/merge-patch+json"
)

// extKeyOptional is the operation extension (swag: `@x-key-optional true`)
// of an operation that anyone may call and whose answer depends on the key
// sent: partners see partners-only contacts.
const extKeyOptional = "x-key-optional"

// refineOpenAPI says in OpenAPI 3 what the swag annotations cannot say in
// Swagger 2.0. Each rule is a function of its own with its own test.
func refineOpenAPI(doc *openapi3.T) error {
	if err := bearerScheme(doc); err != nil {
		return err
	}
	if err := optionalKey(doc); err != nil {
		return err
	}
	explicitSecurity(doc)
	mediaTypePerStatus(doc)
	queryProblems(doc)
	return mergePatchBodies(doc)
}

// operations calls f on every operation of doc, in a stable order.
func operations(doc *openapi3.T, f func(path, method string, op *openapi3.Operation) error) error {
	if doc.Paths == nil {
		return nil
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		methods := make([]string, 0, len(ops))
		for m := range ops {
			methods = append(methods, m)
		}
		slices.Sort(methods)
		for _, m := range methods {
			if err := f(path, m, ops[m]); err != nil {
				return fmt.Errorf("%s %s: %w", m, path, err)
			}
		}
	}
	return nil
}

// parameterExamples copies the example of each parameter (swag's
// `example(...)`, a key Swagger 2.0 does not define and kin-openapi does not
// read) from the Swagger 2.0 document into the OpenAPI 3 one.
func parameterExamples(doc *openapi3.T, swagger []byte) error {
	var v2 struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name    string `json:"name"`
				In      string `json:"in"`
				Example any    `json:"example"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(swagger, &v2); err != nil {
		return fmt.Errorf("read swagger 2.0 parameters: %w", err)
	}
	return operations(doc, func(path, method string, op *openapi3.Operation) error {
		for _, p := range v2.Paths[path][strings.ToLower(method)].Parameters {
			if p.Example == nil {
				continue
			}
			param := op.Parameters.GetByInAndName(p.In, p.Name)
			if param == nil {
				return fmt.Errorf("parameter %s in %s is not in the converted document", p.Name, p.In)
			}
			param.Example = p.Example
		}
		return nil
	})
}

// bearerScheme turns API-key schemes sent in the Authorization header, the
// nearest Swagger 2.0 has, into HTTP bearer schemes (RFC 6750), so that
// tools add the "Bearer " prefix themselves.
func bearerScheme(doc *openapi3.T) error {
	if doc.Components == nil {
		return nil
	}
	for name, ref := range doc.Components.SecuritySchemes {
		s := ref.Value
		if s == nil || s.Type != "apiKey" || s.In != "header" || !strings.EqualFold(s.Name, "Authorization") {
			continue
		}
		if ref.Ref != "" {
			return fmt.Errorf("security scheme %s is a reference", name)
		}
		ref.Value = &openapi3.SecurityScheme{
			Extensions:  s.Extensions,
			Type:        "http",
			Scheme:      "bearer",
			Description: s.Description,
		}
	}
	return nil
}

// optionalKey makes the key of operations marked x-key-optional optional:
// their security requirement list starts with the empty one, which lets
// anonymous callers in, and Swagger UI then sends the key when it has one.
// The mark itself is removed.
func optionalKey(doc *openapi3.T) error {
	return operations(doc, func(_, _ string, op *openapi3.Operation) error {
		v, ok := op.Extensions[extKeyOptional]
		if !ok {
			return nil
		}
		delete(op.Extensions, extKeyOptional)
		if on, isBool := v.(bool); !isBool || !on {
			return fmt.Errorf("%s must be true, not %v", extKeyOptional, v)
		}
		if op.Security == nil || len(*op.Security) == 0 {
			return fmt.Errorf("%s without a @Security scheme", extKeyOptional)
		}
		reqs := append(openapi3.SecurityRequirements{{}}, *op.Security...)
		op.Security = &reqs
		return nil
	})
}

// explicitSecurity gives operations that declare no security requirement
// an explicit empty list: they take no key at all (health probes, the spec
// itself), and linters can tell that from a forgotten one.
func explicitSecurity(doc *openapi3.T) {
	_ = operations(doc, func(_, _ string, op *openapi3.Operation) error {
		if op.Security == nil {
			op.Security = openapi3.NewSecurityRequirements()
		}
		return nil
	})
}

// mediaTypePerStatus gives each response only the media types it is sent
// with. swag's @Produce lists every type of an operation on every status;
// the server sends errors (4xx, 5xx, default) as application/problem+json
// and successes as anything else.
func mediaTypePerStatus(doc *openapi3.T) {
	_ = operations(doc, func(_, _ string, op *openapi3.Operation) error {
		if op.Responses == nil {
			return nil
		}
		for status, ref := range op.Responses.Map() {
			res := ref.Value
			if res == nil || len(res.Content) == 0 {
				continue
			}
			isError := status == "default" || strings.HasPrefix(status, "4") || strings.HasPrefix(status, "5")
			for mt := range res.Content {
				if (mt == mediaProblem) != isError {
					delete(res.Content, mt)
				}
			}
		}
		return nil
	})
}

// mergePatchBodies types the bodies of operations that accept a JSON merge
// patch (RFC 7396): the annotation names the full write schema X, and the
// body becomes XPatch (X without a "Write" suffix, plus "Patch"), derived by
// patchSchema, under every media type the operation accepts.
func mergePatchBodies(doc *openapi3.T) error {
	return operations(doc, func(_, _ string, op *openapi3.Operation) error {
		if op.RequestBody == nil || op.RequestBody.Value == nil {
			return nil
		}
		body := op.RequestBody.Value
		if body.Content[mediaMergePatch] == nil {
			return nil
		}
		for mt, media := range body.Content {
			if media.Schema == nil {
				return fmt.Errorf("%s body has no schema", mt)
			}
			ref, err := patchSchema(doc, media.Schema.Ref)
			if err != nil {
				return fmt.Errorf("%s body: %w", mt, err)
			}
			media.Schema = openapi3.NewSchemaRef(ref, nil)
		}
		return nil
	})
}

const schemaPrefix = "#/components/schemas/"

// patchSchema adds to doc the merge-patch form of the component schema at
// ref and returns the reference to it. In a merge patch every property is
// optional (absent: unchanged); a property that the full schema does not
// require is nullable (null removes it); defaults do not apply (absent
// means unchanged, not the default). Objects merge recursively, so a
// property that is another component becomes that component's patch, and
// a map's values become nullable patches (null removes an entry). Arrays
// are replaced whole and keep their item schema.
func patchSchema(doc *openapi3.T, ref string) (string, error) {
	name, ok := strings.CutPrefix(ref, schemaPrefix)
	if !ok {
		return "", fmt.Errorf("merge-patch body schema must be a component reference, not %q", ref)
	}
	patchName := strings.TrimSuffix(name, "Write") + "Patch"
	patchRef := schemaPrefix + patchName
	if doc.Components.Schemas[patchName] != nil {
		return patchRef, nil
	}
	full := doc.Components.Schemas[name]
	if full == nil || full.Value == nil || !full.Value.Type.Is(openapi3.TypeObject) {
		return "", fmt.Errorf("schema %s is not a known object schema", name)
	}
	patch := *full.Value
	patch.Required = nil
	patch.Description = "A JSON merge patch (RFC 7396) of " + name + ": properties present replace the stored ones, null removes them, absent ones stay as they are."
	patch.Properties = make(openapi3.Schemas, len(full.Value.Properties))
	doc.Components.Schemas[patchName] = openapi3.NewSchemaRef("", &patch) // before recursing: schemas may refer to themselves
	for prop, ps := range full.Value.Properties {
		required := slices.Contains(full.Value.Required, prop)
		switch {
		case ps.Ref != "":
			sub, err := patchSchema(doc, ps.Ref)
			if err != nil {
				return "", fmt.Errorf("%s.%s: %w", name, prop, err)
			}
			patch.Properties[prop] = refSchema(sub, !required)
		case ps.Value != nil:
			p := *ps.Value
			p.Default = nil
			if p.Type.Is(openapi3.TypeObject) && p.AdditionalProperties.Schema != nil && p.AdditionalProperties.Schema.Ref != "" {
				sub, err := patchSchema(doc, p.AdditionalProperties.Schema.Ref)
				if err != nil {
					return "", fmt.Errorf("%s.%s: %w", name, prop, err)
				}
				p.AdditionalProperties = openapi3.AdditionalProperties{Schema: refSchema(sub, true)}
			}
			if !required {
				nullable(&p)
			}
			patch.Properties[prop] = openapi3.NewSchemaRef("", &p)
		}
	}
	return patchRef, nil
}

// refSchema refers to a component object schema; a nullable reference
// needs allOf in OpenAPI 3.0, where keywords beside $ref are ignored, and a
// type beside nullable.
func refSchema(ref string, isNullable bool) *openapi3.SchemaRef {
	if !isNullable {
		return openapi3.NewSchemaRef(ref, nil)
	}
	return openapi3.NewSchemaRef("", &openapi3.Schema{
		Type:     &openapi3.Types{openapi3.TypeObject},
		AllOf:    openapi3.SchemaRefs{openapi3.NewSchemaRef(ref, nil)},
		Nullable: true,
	})
}

// nullable lets s be null; an enumeration then lists null too (OpenAPI
// 3.0.3 section 4.7.25.2).
func nullable(s *openapi3.Schema) {
	s.Nullable = true
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, nil) {
		s.Enum = append(slices.Clone(s.Enum), nil)
	}
}

// queryProblems documents the 400 that every operation may answer before
// its handler runs (see queryCheck): for a query parameter that is not
// UTF-8 text, and under /api/v1/ for one the operation does not list.
// Operations that document a 400 of their own keep it.
func queryProblems(doc *openapi3.T) {
	_ = operations(doc, func(path, _ string, op *openapi3.Operation) error {
		if op.Responses == nil || op.Responses.Status(400) != nil {
			return nil
		}
		desc := "A query parameter that is not UTF-8 text; errors name it"
		if strings.HasPrefix(path, checkedPrefix) {
			desc = "A query parameter that this route does not take, or that is not UTF-8 text; errors name each"
		}
		op.Responses.Set("400", &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(desc).
			WithContent(openapi3.NewContentWithSchemaRef(openapi3.NewSchemaRef(schemaPrefix+"Problem", nil), []string{mediaProblem}))})
		return nil
	})
}
