package directory

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestStemAndStopWords(t *testing.T) {
	tests := []struct {
		word, stem string
		stop       bool
	}{
		{"приюты", "приют", false},
		{"приютов", "приют", false},
		{"казани", "казан", false},
		{"казань", "казан", false},
		{"shelters", "shelter", false},
		{"hotlines", "hotlin", false},
		{"hotline", "hotlin", false},
		{"в", "в", true},
		{"для", "для", true},
		{"the", "the", true},
		{"один", "один", true},
		{"2024", "2024", false},
		{"covid19", "covid19", false},
		{"თბილისი", "თბილისი", false}, // Georgian: no stemmer
		{"ейш", "ейш", false},         // the Russian stemmer strips it to nothing
		{"ейшая", "ейшая", false},
	}
	for _, tt := range tests {
		if got := Stem(tt.word); got != tt.stem {
			t.Errorf("Stem(%q) = %q, want %q", tt.word, got, tt.stem)
		}
		if got := IsStopWord(tt.word); got != tt.stop {
			t.Errorf("IsStopWord(%q) = %v, want %v", tt.word, got, tt.stop)
		}
	}
}

func TestAppendTerms(t *testing.T) {
	ix := NewIndexer(nil)
	got := string(ix.AppendTerms(nil, "Приюты для Женщин, shelters", false))
	if want := "приюты §приют для женщин shelters §shelter "; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = string(ix.AppendTerms(nil, "Секретная улица", true))
	if want := "¤секретная ¤§секретн ¤улица ¤§улиц "; got != want {
		t.Errorf("private: got %q, want %q", got, want)
	}
}

// TestDocumentTermsAreWords builds the documents of organizations whose
// text is only punctuation, combining marks, spaces of every kind, symbols
// or words the stemmer strips to nothing, in every field the document
// takes: each field must be terms separated by single spaces, and no term
// may be empty or marks alone (PostgreSQL's array_to_tsvector, migration
// 0013, refuses an empty one).
func TestDocumentTermsAreWords(t *testing.T) {
	odd := []string{"", " ", "\u00a0\u2003\u3000", "\u200b\u200d\ufeff", "!!! ... —", "«»()[]{}", "\u0301\u0308\u0301",
		"a\u0301 \u0301b", "§ ¤ §¤", "ейш ейшая", "  две   части  ", "\t\n\r", "☺ ★ ♥", "1/2 ½", "ǅ ǈ"}
	ix := NewIndexer(nil)
	for _, text := range odd {
		for _, hidden := range []bool{false, true} {
			o := Organization{Slug: "x", Acronym: text, City: text, Address: text, AddressHidden: hidden,
				Translations: map[string]Text{LangRU: {Name: text, Description: text}, LangEN: {Name: text + " en", Description: text}},
				Contacts:     []Contact{{Name: text, Role: text, Visibility: VisibilityPublic}, {Name: text, Role: text, Visibility: VisibilityPartners}}}
			d := ix.Document(&o)
			for f, field := range d {
				if field != strings.Join(strings.Fields(field), " ") {
					t.Errorf("text %q: field %d is %q: not terms separated by single spaces", text, f, field)
				}
				for _, term := range strings.Fields(field) {
					if strings.Trim(term, StemMark+PrivateMark) == "" {
						t.Errorf("text %q: field %d %q has the term %q, marks alone", text, f, field, term)
					}
				}
			}
		}
	}
}

func TestParseSearch(t *testing.T) {
	q := ParseSearch("Приюты в Казани в")
	var got []string
	for _, w := range q.Words {
		got = append(got, w.Text+"/"+w.Stem+map[bool]string{true: "/stop"}[w.Stop])
	}
	if want := []string{"приюты/приют", "в/в/stop", "казани/казан"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// Only stop words: all of them are needed.
	for _, w := range ParseSearch("Ты не один").Words {
		if w.Stop {
			t.Errorf("%q is optional in a query of stop words alone", w.Text)
		}
	}
	for word, edits := range map[string]int{"прию": 0, "приют": 1, "реабилита": 2, "rehab": 1} {
		if got := ParseSearch(word).Words[0].MaxEdits; got != edits {
			t.Errorf("%q may hold %d typos, want %d", word, got, edits)
		}
	}
}

func TestEdits(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"новгород", "новгород", 2, 0},
		{"новгрод", "новгород", 2, 1},          // missing letter
		{"реабилитацыя", "реабилитация", 2, 1}, // wrong letter
		{"rehabilitaton", "rehabilitation", 2, 1},
		{"center", "centre", 2, 1}, // swapped letters count once
		{"новгорд", "новгород", 1, 1},
		{"abcdef", "badcfe", 2, 3}, // beyond the limit: limit+1
		{"abc", "abcdef", 2, 3},
	}
	for _, tt := range tests {
		if got := Edits(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("Edits(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

// TestTypoProbesReachOneEdit checks, on random words and random single
// edits, that a probe reaches every term within one edit of a word.
func TestTypoProbesReachOneEdit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	letters := []rune("абвгдежзиклмнопрстуфхцчшщыэюя")
	for range 20000 {
		n := 5 + r.IntN(8)
		w := make([]rune, n)
		for i := range w {
			w[i] = letters[r.IntN(len(letters))]
		}
		v := slices.Clone(w)
		switch i := r.IntN(n); r.IntN(4) {
		case 0:
			v[i] = letters[r.IntN(len(letters))]
		case 1:
			v = slices.Delete(v, i, i+1)
		case 2:
			v = slices.Insert(v, i, letters[r.IntN(len(letters))])
		default:
			if i+1 < n {
				v[i], v[i+1] = v[i+1], v[i]
			}
		}
		word, term := string(w), string(v)
		edits := 1
		if n >= twoTyposLength {
			edits = 2
		}
		p := typoProbe(word, "", edits)
		rev := []rune(term)
		slices.Reverse(rev)
		inLength := p.MinLen <= len(v) && len(v) <= p.MaxLen
		if !inLength || !strings.HasPrefix(term, p.Prefix) && !strings.HasPrefix(string(rev), p.ReversedSuffix) {
			t.Fatalf("the probe %+v of %q does not reach %q", p, word, term)
		}
	}
}

func TestAddTypos(t *testing.T) {
	q := ParseSearch("реабилитацыя")
	q.AddTypos([]string{"реабилитация", "реабилитации", "§реабилитац", "реабилитацыями", "реорганизация", "реабилитацыю"})
	var got []string
	for _, ty := range q.Words[0].Typos {
		got = append(got, ty.Term)
	}
	// "реабилитацыями" begins with the word, and "реабилитацыю" has its stem:
	// they match already.
	if want := []string{"§реабилитац", "реабилитация", "реабилитации"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestHighlights(t *testing.T) {
	q := ParseSearch("приюты в казани")
	q.AddTypos(nil)
	tests := []struct {
		text string
		want []Span
	}{
		{"Приют «Тихая гавань» в Казани", []Span{{0, 5}, {21, 22}, {23, 29}}},
		{"🏠 Приюты", []Span{{3, 9}}},    // the emoji is two UTF-16 code units
		{"Приютившие", []Span{{0, 10}}}, // same stem
		{"Казанский", nil},
	}
	for _, tt := range tests {
		if got := q.Highlights(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Highlights(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
