package directory

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

func TestFoldText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Центр «Надежда»", "центр «надежда»"},
		{"ЁЛКА и ёлка", "елка и елка"},
		{"Café Liberté, Straße", "cafe liberte, strasse"},
		{"Şəki, Ağdam", "səki, agdam"}, // ə is a letter, not a mark
		{"Йошкар-Ола", "йошкар-ола"},
		{"ЙЁ", "йе"},
		{"Қазақстан", "қазақстан"},
	}
	for _, tt := range tests {
		if got := FoldText(tt.in); got != tt.want {
			t.Errorf("FoldText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMakeSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Центр «Надежда» Нижнего Новгорода", "tsentr-nadezhda-nizhnego-novgoroda"},
		{"Объединённые усилия", "obedinyonnye-usiliya"},
		{"Щит и Юность Ярославля", "shchit-i-yunost-yaroslavlya"},
		{"Café Liberté", "cafe-liberte"},
		{"«»!!", "organization"},
	}
	for _, tt := range tests {
		if got := MakeSlug(tt.in); got != tt.want {
			t.Errorf("MakeSlug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := MakeSlug("Межрегиональная общественная организация по защите прав женщин и детей от торговли людьми и эксплуатации в Приволжском федеральном округе")
	if len(long) > maxSlugLength-4 || !slugPattern.MatchString(long) {
		t.Errorf("long slug %q (%d characters)", long, len(long))
	}
}

// TestSearchTextFastPathAccepts checks that the one-pass path takes the
// text it is for and gives what the definition gives, and refuses ß, which
// folds to ss.
func TestSearchTextFastPathAccepts(t *testing.T) {
	for _, s := range []string{"Центр «Надежда» — №5", "ЁЖИК ёж", "Hello, World 42!", "Щ Ъ Ы Ь Э Ю Я", "“quoted” „нижние“"} {
		fast, ok := searchTextSimple(s)
		if !ok {
			t.Errorf("%q: fast path refused", s)
			continue
		}
		if slow := searchTextGeneral(s); fast != slow {
			t.Errorf("%q: fast %q, general %q", s, fast, slow)
		}
	}
	if _, ok := searchTextSimple("Straße"); ok {
		t.Error("the fast path accepted ß, which folds to ss")
	}
}

// searchTextGeneral is SearchText by its definition: the runs of letters
// and digits of the folded text.
func searchTextGeneral(s string) string {
	return strings.Join(strings.FieldsFunc(FoldText(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

func TestSearchText(t *testing.T) {
	for in, want := range map[string]string{
		"Центр «Надежда» — №5":            "центр надежда 5",
		"  ЁЖИК, ёж!  ":                   "ежик еж",
		"Фонд \"Берег\"\nfond-bereg-omsk": "фонд берег fond bereg omsk",
		"Café Liberté":                    "cafe liberte",
		"Şəki–Ağdam":                      "səki agdam",
		"":                                "",
		"«»":                              "",
	} {
		if got := SearchText(in); got != want {
			t.Errorf("SearchText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSearchTextFastPathAgrees checks the one-pass path against the
// definition on random text drawn from what the fast path accepts and from
// what it must refuse.
func TestSearchTextFastPathAgrees(t *testing.T) {
	alphabet := []rune("aZz09 -.,!\"'\n\tАаБбОоПпРрСсЭэЮюЯяЁёЙйЪъЬьіїєґЎўЀѐЏџ«»—–№„“”éßƏəҚ\u0301")
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		runes := make([]rune, r.IntN(12))
		for i := range runes {
			runes[i] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(runes)
		if got, want := SearchText(s), searchTextGeneral(s); got != want {
			t.Fatalf("SearchText(%q) = %q, want %q", s, got, want)
		}
		if fast, ok := searchTextSimple(s); ok && fast != searchTextGeneral(s) {
			t.Fatalf("fast path on %q: %q", s, fast)
		}
	}
}

// TestControlCharacter checks the byte scan against unicode.IsControl on
// random text, valid UTF-8 or not.
func TestControlCharacter(t *testing.T) {
	alphabet := []string{"a", " ", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\u0080", "\u009f", "\u00a0", "ж", "«",
		"\u2028", "\xc2", "\x9f", "\xff", "é"}
	r := rand.New(rand.NewPCG(7, 8))
	for range 50000 {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		for _, multiline := range []bool{false, true} {
			want := -1
			for i, c := range s {
				if unicode.IsControl(c) && !(multiline && (c == '\n' || c == '\r' || c == '\t')) {
					want = i
					break
				}
			}
			if got := controlCharacter(s, multiline); got != want {
				t.Fatalf("controlCharacter(%q, %v) = %d, want %d", s, multiline, got, want)
			}
		}
	}
}
