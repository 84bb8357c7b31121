package jsondecode

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/coalition-directory/coalition/internal/directory"
)

// Limits of every document this package decodes, checked before decoding:
// a decoder that recurses once per level dies of a stack overflow on two
// million nested "[" and allocates per level on far fewer, so nesting and
// entries are bounded by a scan that keeps its own small stack.
const (
	// MaxDepth is the deepest nesting of arrays and objects accepted; the
	// deepest valid record nests four levels.
	MaxDepth = 32
	// MaxEntries is the most members of one object or elements of one array
	// accepted; the longest valid list has fifty.
	MaxEntries = 1000
)

// frame is one open array or object of a scan.
type frame struct {
	object   bool
	entries  int
	key      []byte // the member being read, in an object
	keysFrom int    // where the object's keys start in scanner.keys
}

// scanner checks a document's syntax, UTF-8, limits and keys in one pass.
type scanner struct {
	data  []byte
	pos   int
	stack []frame
	keys  [][]byte               // the keys of the open objects, read so far
	found []directory.FieldError // invalid UTF-8 and repeated keys: the scan goes on
}

// scan checks that data is one JSON value within the limits, with valid
// UTF-8 in every string and no object key given twice, in any mix of case
// (encoding/json matches keys without regard to case and lets the last
// one win, so {"address_hidden":true,"ADDRESS_HIDDEN":false} would publish
// a hidden address). It returns a CodeInvalid *directory.Error naming the
// field of every such problem, or of the first syntax or limit problem.
func scan(data []byte) error {
	s := scanner{data: data}
	if err := s.document(); err != nil {
		return err
	}
	if len(s.found) > 0 {
		return &directory.Error{Code: directory.CodeInvalid, Message: "invalid JSON", Fields: s.found}
	}
	return nil
}

func (s *scanner) document() error {
	s.space()
	if s.pos == len(s.data) {
		return invalid("body", "is empty; a JSON object is required")
	}
	for {
		// A value starts here.
		if err := s.value(); err != nil {
			return err
		}
		// Close every array and object the value completes.
		for {
			if len(s.stack) == 0 {
				s.space()
				if s.pos < len(s.data) {
					return invalid("body", "must hold exactly one JSON value")
				}
				return nil
			}
			top := &s.stack[len(s.stack)-1]
			s.space()
			if s.pos == len(s.data) {
				return s.syntax("unexpected end of input")
			}
			c := s.data[s.pos]
			s.pos++
			switch {
			case c == ',':
				top.entries++
				if top.entries >= MaxEntries {
					return invalid(s.path(len(s.stack)-1), fmt.Sprintf("has more than %d entries", MaxEntries))
				}
				if top.object {
					if err := s.key(top); err != nil {
						return err
					}
				}
			case c == ']' && !top.object, c == '}' && top.object:
				s.pop()
				continue
			default:
				s.pos--
				return s.syntax(fmt.Sprintf("unexpected %q", c))
			}
			break // the next entry's value
		}
	}
}

// value reads a scalar, or opens an array or object and reads up to its
// first entry's value (or closes it when empty).
func (s *scanner) value() error {
	for {
		s.space()
		if s.pos == len(s.data) {
			return s.syntax("unexpected end of input")
		}
		switch c := s.data[s.pos]; {
		case c == '{' || c == '[':
			if len(s.stack) >= MaxDepth {
				return invalid("body", fmt.Sprintf("nests arrays and objects deeper than %d levels", MaxDepth))
			}
			s.pos++
			s.stack = append(s.stack, frame{object: c == '{', keysFrom: len(s.keys)})
			top := &s.stack[len(s.stack)-1]
			s.space()
			if s.pos < len(s.data) && (c == '{' && s.data[s.pos] == '}' || c == '[' && s.data[s.pos] == ']') {
				s.pos++
				s.pop()
				return nil
			}
			if top.object {
				if err := s.key(top); err != nil {
					return err
				}
			}
			continue // the first entry's value
		case c == '"':
			_, err := s.str("")
			return err
		case c == 't':
			return s.literal("true")
		case c == 'f':
			return s.literal("false")
		case c == 'n':
			return s.literal("null")
		case c == '-' || '0' <= c && c <= '9':
			return s.number()
		default:
			return s.syntax(fmt.Sprintf("unexpected %q", c))
		}
	}
}

// pop closes the innermost array or object.
func (s *scanner) pop() {
	s.keys = s.keys[:s.stack[len(s.stack)-1].keysFrom]
	s.stack = s.stack[:len(s.stack)-1]
}

// key reads `"name":` and checks that the object has no such key yet.
func (s *scanner) key(top *frame) error {
	s.space()
	if s.pos == len(s.data) || s.data[s.pos] != '"' {
		if s.pos == len(s.data) {
			return s.syntax("unexpected end of input")
		}
		return s.syntax(fmt.Sprintf("unexpected %q where a key belongs", s.data[s.pos]))
	}
	k, err := s.str("key")
	if err != nil {
		return err
	}
	top.key = k
	for _, seen := range s.keys[top.keysFrom:] {
		if bytes.EqualFold(seen, k) {
			what := "appears twice"
			if !bytes.Equal(seen, k) {
				what = "repeats the key " + strconv.Quote(string(seen)) + " in other case"
			}
			s.found = append(s.found, directory.FieldError{Field: s.path(len(s.stack)),
				Message: what + "; keys are matched exactly, and a repeated one would be ambiguous"})
			break
		}
	}
	s.keys = append(s.keys, k)
	s.space()
	if s.pos == len(s.data) || s.data[s.pos] != ':' {
		return s.syntax("expected ':' after a key")
	}
	s.pos++
	return nil
}

// str reads a string at s.pos. It returns its text when it is a key
// (what is "key"), checking escapes and UTF-8 either way.
func (s *scanner) str(what string) ([]byte, error) {
	start := s.pos
	s.pos++
	escaped, bad := false, false
	for {
		if s.pos >= len(s.data) {
			return nil, s.syntax("unterminated string")
		}
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			if bad {
				field := s.path(len(s.stack))
				msg := "must be valid UTF-8 text"
				if what == "key" {
					field, msg = s.path(len(s.stack)-1), "has a key that is not valid UTF-8 text"
				}
				s.found = append(s.found, directory.FieldError{Field: field, Message: msg})
			}
			if what != "key" {
				return nil, nil
			}
			raw := s.data[start:s.pos]
			if !escaped {
				return raw[1 : len(raw)-1], nil
			}
			k, err := strconv.Unquote(strings.ReplaceAll(string(raw), `\/`, `/`))
			if err != nil {
				return raw, nil // a key no field has: the decoder names it
			}
			return []byte(k), nil
		case c == '\\':
			escaped = true
			if s.pos+1 >= len(s.data) {
				return nil, s.syntax("unterminated string")
			}
			switch s.data[s.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos += 2
			case 'u':
				r, ok := s.hex(s.pos + 2)
				if !ok {
					return nil, s.syntax(`invalid \u escape`)
				}
				s.pos += 6
				if utf16.IsSurrogate(r) {
					r2, ok := rune(0), false
					if s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
						r2, ok = s.hex(s.pos + 2)
					}
					if ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
						s.pos += 6
					} else {
						bad = true // a lone surrogate is no character: decoders make it U+FFFD
					}
				}
			default:
				return nil, s.syntax("invalid escape in a string")
			}
		case c < 0x20:
			return nil, s.syntax("control character in a string")
		case c < utf8.RuneSelf:
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && size == 1 {
				bad = true
			}
			s.pos += size
		}
	}
}

func (s *scanner) hex(at int) (rune, bool) {
	if at+4 > len(s.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s.data[at:at+4]), 16, 16)
	return rune(v), err == nil
}

func (s *scanner) literal(word string) error {
	if !strings.HasPrefix(string(s.data[s.pos:min(len(s.data), s.pos+len(word))]), word) {
		return s.syntax(fmt.Sprintf("unexpected %q", s.data[s.pos]))
	}
	s.pos += len(word)
	return nil
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) number() error {
	digits := func() int {
		n := 0
		for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	if s.data[s.pos] == '-' {
		s.pos++
	}
	if s.pos < len(s.data) && s.data[s.pos] == '0' {
		s.pos++
	} else if digits() == 0 {
		return s.syntax("invalid number")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if digits() == 0 {
			return s.syntax("invalid number")
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if digits() == 0 {
			return s.syntax("invalid number")
		}
	}
	return nil
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) syntax(problem string) error {
	return invalid("body", fmt.Sprintf("is not valid JSON: %s at byte %d", problem, s.pos+1))
}

// path names the value at depth n of the stack (0 is the document) as the
// validation rules name fields: "phones[0].number", "translations.en.name";
// the document itself is "body".
func (s *scanner) path(n int) string {
	var b strings.Builder
	for _, f := range s.stack[:n] {
		if f.object {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.Write(f.key)
		} else {
			b.WriteString("[" + strconv.Itoa(f.entries) + "]")
		}
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}
