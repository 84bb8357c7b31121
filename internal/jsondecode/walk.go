package jsondecode

import (
	"encoding"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/coalition-directory/coalition/internal/directory"
)

// walker decodes a scanned document into a Go value member by member,
// collecting a problem for every member that does not fit rather than
// stopping at the first, and decoding every member that does.
type walker struct {
	found []directory.FieldError
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeType            = reflect.TypeFor[time.Time]()
)

func (w *walker) add(path, message string) {
	if path == "" {
		path = "body"
	}
	w.found = append(w.found, directory.FieldError{Field: path, Message: message})
}

// value decodes raw, one JSON value, into v, named path.
func (w *walker) value(v reflect.Value, raw []byte, path string) {
	if string(raw) == "null" {
		return // encoding/json leaves the zero value (v starts zeroed)
	}
	if v.Kind() == reflect.Pointer {
		elem := reflect.New(v.Type().Elem())
		if !v.IsNil() {
			elem.Elem().Set(v.Elem())
		}
		before := len(w.found)
		w.value(elem.Elem(), raw, path)
		if len(w.found) == before {
			v.Set(elem)
		}
		return
	}
	if v.CanAddr() && (v.Addr().Type().Implements(unmarshalerType) || v.Addr().Type().Implements(textUnmarshalerType)) {
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			if v.Type() == timeType {
				w.add(path, "must be an RFC 3339 timestamp such as 2026-10-01T00:00:00Z")
			} else {
				w.add(path, "is not a valid value")
			}
			v.SetZero()
		}
		return
	}
	kind := jsonKind(raw)
	mismatch := func() { w.add(path, "must be "+typeName(v.Kind().String())+", not "+kind) }
	switch v.Kind() {
	case reflect.Interface:
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			w.add(path, "is not a valid value")
		}
	case reflect.Struct:
		if kind != "an object" {
			mismatch()
			return
		}
		fields := fieldsOf(v.Type())
		eachMember(raw, func(key string, val []byte) {
			index, ok := fields[key]
			if !ok {
				w.add(join(path, key), "is not a field of this resource (or is read-only)")
				return
			}
			w.value(v.FieldByIndex(index), val, join(path, key))
		})
	case reflect.Map:
		if kind != "an object" || v.Type().Key().Kind() != reflect.String {
			mismatch()
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		eachMember(raw, func(key string, val []byte) {
			elem := reflect.New(v.Type().Elem()).Elem()
			w.value(elem, val, join(path, key))
			v.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), elem)
		})
	case reflect.Slice:
		if kind != "an array" {
			mismatch()
			return
		}
		var elems [][]byte
		eachElement(raw, func(val []byte) { elems = append(elems, val) })
		v.Set(reflect.MakeSlice(v.Type(), len(elems), len(elems)))
		for i, val := range elems {
			w.value(v.Index(i), val, path+"["+strconv.Itoa(i)+"]")
		}
	case reflect.String:
		if kind != "a string" {
			mismatch()
			return
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			w.add(path, "is not a valid string")
			return
		}
		v.SetString(s)
	case reflect.Bool:
		if kind != "true or false" {
			mismatch()
			return
		}
		v.SetBool(raw[0] == 't')
	default:
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			mismatch()
			v.SetZero()
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// fieldsOf maps the JSON names of a struct's fields, those of embedded
// structs included, to their indexes.
func fieldsOf(t reflect.Type) map[string][]int {
	fields := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, index := range fieldsOf(f.Type) {
				if _, ok := fields[k]; !ok {
					fields[k] = append([]int{i}, index...)
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = []int{i}
	}
	return fields
}

// jsonKind names the kind of a JSON value as messages do.
func jsonKind(raw []byte) string {
	switch raw[0] {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case '{':
		return "an object"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	return "a number"
}

// eachMember calls f with each key (unescaped) and raw value of a scanned
// object.
func eachMember(raw []byte, f func(key string, val []byte)) {
	pos := skipSpace(raw, 1)
	for pos < len(raw) && raw[pos] != '}' {
		end := skipValue(raw, pos)
		var key string
		if err := json.Unmarshal(raw[pos:end], &key); err != nil {
			key = string(raw[pos:end])
		}
		pos = skipSpace(raw, end) + 1 // past ':'
		pos = skipSpace(raw, pos)
		end = skipValue(raw, pos)
		f(key, raw[pos:end])
		pos = skipSpace(raw, end)
		if pos < len(raw) && raw[pos] == ',' {
			pos = skipSpace(raw, pos+1)
		}
	}
}

// eachElement calls f with each raw element of a scanned array.
func eachElement(raw []byte, f func(val []byte)) {
	pos := skipSpace(raw, 1)
	for pos < len(raw) && raw[pos] != ']' {
		end := skipValue(raw, pos)
		f(raw[pos:end])
		pos = skipSpace(raw, end)
		if pos < len(raw) && raw[pos] == ',' {
			pos = skipSpace(raw, pos+1)
		}
	}
}

func skipSpace(raw []byte, pos int) int {
	for pos < len(raw) && (raw[pos] == ' ' || raw[pos] == '\t' || raw[pos] == '\n' || raw[pos] == '\r') {
		pos++
	}
	return pos
}

// skipValue returns the end of the value that starts at pos of a document
// the scan accepted.
func skipValue(raw []byte, pos int) int {
	depth := 0
	for ; pos < len(raw); pos++ {
		switch raw[pos] {
		case '"':
			for pos++; pos < len(raw) && raw[pos] != '"'; pos++ {
				if raw[pos] == '\\' {
					pos++
				}
			}
			if depth == 0 {
				return pos + 1
			}
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return pos + 1
			}
			if depth < 0 {
				return pos
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return pos
			}
		}
	}
	return pos
}
