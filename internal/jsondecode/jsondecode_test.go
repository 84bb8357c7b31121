package jsondecode

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coalition-directory/coalition/internal/directory"
)

type inner struct {
	Name string `json:"name"`
}

type doc struct {
	Count  int      `json:"count"`
	Tags   []string `json:"tags"`
	Inner  inner    `json:"inner"`
	Inners []inner  `json:"inners"`
}

func TestStrict(t *testing.T) {
	for _, tc := range []struct {
		in, field string // field is "" when the document must decode
	}{
		{`{"count": 1, "tags": ["a"], "inner": {"name": "x"}}`, ""},
		{" \n{\"count\": 2}\n ", ""},
		{``, "body"},
		{"  \n", "body"},
		{`{"count": 1`, "body"},
		{`{"count": 1} {"count": 2}`, "body"},
		{`{"count": 1} x`, "body"},
		{`[1]`, "body"},
		{`{"count": "one"}`, "count"},
		{`{"tags": "a"}`, "tags"},
		{`{"inner": {"name": 5}}`, "inner.name"},
		{`{"inners": [{"name": true}]}`, "inners[0].name"},
		{`{"inners": [{}, {"name": null}, {"name": ["x"]}]}`, "inners[2].name"},
		{`{"colour": "red"}`, "colour"},
		{`{"inner": {"nick": "x"}}`, "inner.nick"},
	} {
		var d doc
		err := Strict([]byte(tc.in), &d)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.in, err)
			}
			continue
		}
		var de *directory.Error
		if !errors.As(err, &de) || de.Code != directory.CodeInvalid || len(de.Fields) != 1 {
			t.Errorf("%q: got %v, want one invalid field", tc.in, err)
			continue
		}
		if de.Fields[0].Field != tc.field {
			t.Errorf("%q: field %q (%s), want %q", tc.in, de.Fields[0].Field, de.Fields[0].Message, tc.field)
		}
	}
}

// TestStrictMessage checks that a type error describes the value by its
// JSON kind rather than quoting the rest of the document.
func TestStrictMessage(t *testing.T) {
	for in, want := range map[string]string{
		`{"count": "one", "tags": []}`: "must be a whole number in range, not a string",
		`{"tags": {"a": 1}}`:           "must be an array, not an object",
		`{"inner": {"name": false}}`:   "must be a string, not true or false",
		`{"inner": []}`:                "must be an object, not an array",
		`{"count": 1.5}`:               "must be a whole number in range, not a number",
		`{"count": 1e99}`:              "must be a whole number in range, not a number",
	} {
		var d doc
		var de *directory.Error
		if err := Strict([]byte(in), &d); !errors.As(err, &de) || de.Fields[0].Message != want {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
	}
}

type timed struct {
	At    *time.Time `json:"at"`
	Flag  bool       `json:"flag"`
	Count int        `json:"count"`
	Name  string     `json:"name"`
	Tags  []string   `json:"tags"`
}

// TestDecodeEveryProblem checks that every member that does not fit is
// reported at once, and that the members that fit are decoded.
func TestDecodeEveryProblem(t *testing.T) {
	var v timed
	found, err := Decode([]byte(`{"at":"15.03.2025","flag":"yes","count":"7","name":"Ц","tags":["a",5,"c"],"Tag":"x","extra":1}`), &v)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"at":      "must be an RFC 3339 timestamp such as 2026-10-01T00:00:00Z",
		"flag":    "must be true or false, not a string",
		"count":   "must be a whole number in range, not a string",
		"tags[1]": "must be a string, not a number",
		"Tag":     "is not a field of this resource (or is read-only)",
		"extra":   "is not a field of this resource (or is read-only)",
	}
	got := map[string]string{}
	for _, f := range found {
		got[f.Field] = f.Message
	}
	if !maps.Equal(got, want) {
		t.Errorf("got %v,\nwant %v", got, want)
	}
	if v.Name != "Ц" || !slices.Equal(v.Tags, []string{"a", "", "c"}) || v.At != nil {
		t.Errorf("the members that fit were not decoded: %+v", v)
	}
}

// TestDecodeRejectsBeforeDecoding checks what the scan rejects, and the
// field it names.
func TestDecodeRejectsBeforeDecoding(t *testing.T) {
	deep := strings.Repeat("[", 2_000_000)
	for _, tc := range []struct {
		name, in, field, message string
	}{
		{"invalid UTF-8", "{\"inner\":{\"name\":\"\xff\xfe\"}}", "inner.name", "must be valid UTF-8 text"},
		{"invalid UTF-8 in a list", "{\"tags\":[\"ok\",\"\xd0\"]}", "tags[1]", "must be valid UTF-8 text"},
		{"a lone surrogate", `{"inner":{"name":"a\ud800b"}}`, "inner.name", "must be valid UTF-8 text"},
		{"a repeated key", `{"count":1,"count":2}`, "count", "appears twice; keys are matched exactly, and a repeated one would be ambiguous"},
		{"a case variant", `{"inner":{"name":"a","NAME":"b"}}`, "inner.NAME", `repeats the key "name" in other case; keys are matched exactly, and a repeated one would be ambiguous`},
		{"two million [", deep, "body", "nests arrays and objects deeper than 32 levels"},
		{"deep objects", strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40), "body", "nests arrays and objects deeper than 32 levels"},
		{"too many entries", `{"tags":[` + strings.Repeat(`"a",`, MaxEntries) + `"a"]}`, "tags", "has more than 1000 entries"},
		{"not JSON", `{"count":}`, "body", "is not valid JSON: unexpected '}' at byte 10"},
		{"a bare word", `{"count":tru}`, "body", "is not valid JSON: unexpected 't' at byte 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			found, err := Decode([]byte(tc.in), &d)
			var de *directory.Error
			if !errors.As(err, &de) || len(found) > 0 {
				t.Fatalf("got %v, %v; want an error", found, err)
			}
			if len(de.Fields) != 1 || de.Fields[0].Field != tc.field || de.Fields[0].Message != tc.message {
				t.Errorf("got %+v, want %s: %s", de.Fields, tc.field, tc.message)
			}
		})
	}
}

// TestDecodeKeysMatchExactly checks that a key in other case is not the
// field: encoding/json would match it.
func TestDecodeKeysMatchExactly(t *testing.T) {
	var d doc
	found, err := Decode([]byte(`{"COUNT": 3}`), &d)
	if err != nil || len(found) != 1 || found[0].Field != "COUNT" || d.Count != 0 {
		t.Errorf("got %v, %v, count %d", found, err, d.Count)
	}
}
