package jsondecode

import (
	"errors"
	"testing"

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
		{`{"inner": {"nick": "x"}}`, "nick"},
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
