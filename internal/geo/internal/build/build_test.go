package build

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// writeMO encodes msgs as a gettext .mo file in the given byte order, with a
// header entry as msgfmt writes one.
func writeMO(order binary.ByteOrder, msgs map[string]string) []byte {
	ids := slices.Sorted(maps.Keys(msgs))
	ids = append([]string{""}, ids...)
	msgs[""] = "Content-Type: text/plain; charset=UTF-8\n"
	n := uint32(len(ids))
	const header = 28
	origs, trans := uint32(header), uint32(header)+8*n
	var strs bytes.Buffer
	base := trans + 8*n
	table := make([]byte, 16*n)
	for i, id := range ids {
		order.PutUint32(table[8*i:], uint32(len(id)))
		order.PutUint32(table[8*i+4:], base+uint32(strs.Len()))
		strs.WriteString(id + "\x00")
	}
	for i, id := range ids {
		off := 8*int(n) + 8*i
		order.PutUint32(table[off:], uint32(len(msgs[id])))
		order.PutUint32(table[off+4:], base+uint32(strs.Len()))
		strs.WriteString(msgs[id] + "\x00")
	}
	head := make([]byte, header)
	order.PutUint32(head, 0x950412de)
	order.PutUint32(head[8:], n)
	order.PutUint32(head[12:], origs)
	order.PutUint32(head[16:], trans)
	return slices.Concat(head, table, strs.Bytes())
}

func TestParseMO(t *testing.T) {
	msgs := map[string]string{"Moskva": "Москва", "Toshkent": "Ташкент", "plural\x00plurals": "форма\x00формы"}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		got, err := parseMO(writeMO(order, maps.Clone(msgs)))
		if err != nil {
			t.Fatalf("%v: %v", order, err)
		}
		want := map[string]string{"Moskva": "Москва", "Toshkent": "Ташкент", "plural": "форма"}
		if !maps.Equal(got, want) {
			t.Errorf("%v: got %v, want %v", order, got, want)
		}
	}
	for _, bad := range [][]byte{nil, []byte("not a catalogue at all"), writeMO(binary.LittleEndian, map[string]string{"a": "б"})[:40]} {
		if _, err := parseMO(bad); err == nil {
			t.Errorf("parseMO(%q): got no error", bad)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Bosnia & Herzegovina", "Bosnia and Herzegovina"},
		{"о-в Мэн", "Остров Мэн"},
		{"Виргинские о-ва (США)", "Виргинские острова (США)"},
		{"районы республиканского подчинения", "Районы республиканского подчинения"},
		{"Ямало-Ненецкий автономный округ", "Ямало-Ненецкий автономный округ"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsRussian(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Нижегородская область", true},
		{"Республика Северная Осетия — Алания", true},
		{"Кемеровская область — Кузбасс", true},
		{"Ёлкино", true},
		{"Nizhegorodskaya oblast'", false},
		{"Київська область", false}, // Ukrainian і
		{"Қарағанды облысы", false}, // Kazakh letters
		{"Москва-City", false},
		{"", false},
		{"—", false},
	}
	for _, tt := range tests {
		if got := isRussian(tt.in); got != tt.want {
			t.Errorf("isRussian(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// testSources returns a tiny tree shaped like /usr/share, with Russia and
// Uzbekistan only, in which the iso-codes msgid "Toshkent" names both the
// city and the region of Tashkent.
func testSources() fstest.MapFS {
	ldml := func(list, elem string, names map[string]string) *fstest.MapFile {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?><!DOCTYPE ldml SYSTEM "../../common/dtd/ldml.dtd"><ldml><localeDisplayNames><` + list + `>`)
		for _, k := range slices.Sorted(maps.Keys(names)) {
			b.WriteString(`<` + elem + ` type="` + k + `">` + names[k] + `</` + elem + `>`)
		}
		b.WriteString(`<` + elem + ` type="RU" alt="short">RF</` + elem + `>`)
		b.WriteString(`</` + list + `></localeDisplayNames></ldml>`)
		return &fstest.MapFile{Data: []byte(b.String())}
	}
	return fstest.MapFS{
		"pkgconfig/iso-codes.pc":                  {Data: []byte("Name: iso-codes\nVersion: 9.9.9\n")},
		"unicode/cldr/common/dtd/ldml.dtd":        {Data: []byte(`<!ATTLIST version cldrVersion CDATA #FIXED "99" >`)},
		"iso-codes/json/iso_3166-1.json":          {Data: []byte(`{"3166-1":[{"alpha_2":"UZ","name":"Uzbekistan"},{"alpha_2":"RU","name":"Russian Federation"}]}`)},
		"iso-codes/json/iso_3166-2.json":          {Data: []byte(`{"3166-2":[{"code":"UZ-TK","name":"Toshkent","type":"City"},{"code":"UZ-TO","name":"Toshkent","type":"Region"},{"code":"RU-NIZ","name":"Nizhegorodskaya oblast'","type":"Administrative region"},{"code":"RU-MOW","name":"Moskva","type":"Autonomous city"},{"code":"RU-X1","name":"Child","type":"District","parent":"MOW"}]}`)},
		"locale/ru/LC_MESSAGES/iso_3166-1.mo":     {Data: writeMO(binary.LittleEndian, map[string]string{"Russian Federation": "Российская Федерация", "Uzbekistan": "Узбекистан"})},
		"locale/ru/LC_MESSAGES/iso_3166-2.mo":     {Data: writeMO(binary.LittleEndian, map[string]string{"Toshkent": "Ташкент", "Nizhegorodskaya oblast'": "Нижегородская область", "Moskva": "Moskva"})},
		"unicode/cldr/common/main/en.xml":         ldml("territories", "territory", map[string]string{"RU": "Russia", "UZ": "Uzbekistan"}),
		"unicode/cldr/common/main/ru.xml":         ldml("territories", "territory", map[string]string{"RU": "Россия"}),
		"unicode/cldr/common/subdivisions/en.xml": ldml("subdivisions", "subdivision", map[string]string{"runiz": "Nizhny Novgorod", "uztk": "Tashkent", "uzto": "Tashkent Province"}),
		"unicode/cldr/common/subdivisions/ru.xml": ldml("subdivisions", "subdivision", map[string]string{"uztk": "Ташкент", "uzto": "Ташкентская область", "rumow": "Москва"}),
	}
}

func TestPlaces(t *testing.T) {
	got, err := Places(testSources(), []byte(`{"regions":{"RU-MOW":{"en":"Moscow City","why":"test"}},
		"added_regions":{"UZ-99":{"type":"Region","en":"New Region","ru":"Новая область","why":"test"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"sources":{"iso_codes":"9.9.9","cldr":"99"},
"countries":[
{"code":"RU","en":"Russia","ru":"Россия"},
{"code":"UZ","en":"Uzbekistan","ru":"Узбекистан"}
],"regions":[
{"code":"RU-MOW","type":"Autonomous city","en":"Moscow City","ru":"Москва"},
{"code":"RU-NIZ","type":"Administrative region","en":"Nizhny Novgorod","ru":"Нижегородская область"},
{"code":"UZ-99","type":"Region","en":"New Region","ru":"Новая область"},
{"code":"UZ-TK","type":"City","en":"Tashkent","ru":"Ташкент"},
{"code":"UZ-TO","type":"Region","en":"Tashkent Province","ru":"Ташкентская область"}
]}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Errorf("output is not JSON: %v", err)
	}
}

func TestPlacesRejects(t *testing.T) {
	tests := []struct {
		name      string
		overrides string
		edit      func(fstest.MapFS)
		wantErr   string
	}{
		{name: "unknown override field", overrides: `{"regions":{"RU-MOW":{"name":"x","why":"y"}}}`, wantErr: "parse overrides"},
		{name: "override without why", overrides: `{"regions":{"RU-MOW":{"en":"Moscow City"}}}`, wantErr: "no why"},
		{name: "empty override", overrides: `{"regions":{"RU-MOW":{"why":"y"}}}`, wantErr: "neither en nor ru"},
		{name: "override not Russian", overrides: `{"regions":{"RU-MOW":{"ru":"Moskva","why":"y"}}}`, wantErr: "not in Russian"},
		{name: "redundant override", overrides: `{"regions":{"RU-NIZ":{"en":"Nizhny Novgorod","why":"y"}}}`, wantErr: "what the sources give"},
		{name: "unknown region", overrides: `{"regions":{"RU-XXX":{"en":"X","why":"y"}}}`, wantErr: "RU-XXX"},
		{name: "second-level region", overrides: `{"regions":{"RU-X1":{"en":"X","why":"y"}}}`, wantErr: "RU-X1"},
		{name: "unknown country", overrides: `{"countries":{"XX":{"en":"X","why":"y"}}}`, wantErr: "XX"},
		{name: "added region the sources have", overrides: `{"added_regions":{"RU-NIZ":{"type":"Region","en":"X","ru":"Икс","why":"y"}}}`, wantErr: "remove the addition"},
		{name: "added region without why", overrides: `{"added_regions":{"RU-10":{"type":"Region","en":"X","ru":"Икс"}}}`, wantErr: "no why"},
		{name: "added region without a name", overrides: `{"added_regions":{"RU-10":{"type":"Region","en":"X","why":"y"}}}`, wantErr: "needs type, en and ru"},
		{name: "added region not Russian", overrides: `{"added_regions":{"RU-10":{"type":"Region","en":"X","ru":"X","why":"y"}}}`, wantErr: "not in Russian"},
		{name: "added region of no country", overrides: `{"added_regions":{"XX-10":{"type":"Region","en":"X","ru":"Икс","why":"y"}}}`, wantErr: "no region of its country"},
		{
			name:      "missing source",
			overrides: `{}`,
			edit:      func(fs fstest.MapFS) { delete(fs, "unicode/cldr/common/subdivisions/ru.xml") },
			wantErr:   "read CLDR",
		},
		{
			name:      "country without Russian name",
			overrides: `{}`,
			edit: func(fs fstest.MapFS) {
				fs["locale/ru/LC_MESSAGES/iso_3166-1.mo"] = &fstest.MapFile{Data: writeMO(binary.LittleEndian, map[string]string{})}
			},
			wantErr: "country UZ",
		},
		{
			name:      "CIS region without a name",
			overrides: `{}`,
			edit: func(fs fstest.MapFS) {
				fs["locale/ru/LC_MESSAGES/iso_3166-2.mo"] = &fstest.MapFile{Data: writeMO(binary.LittleEndian, map[string]string{})}
			},
			wantErr: "region RU-NIZ", // CLDR has no Russian name for it either
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := testSources()
			if tt.edit != nil {
				tt.edit(src)
			}
			_, err := Places(src, []byte(tt.overrides))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
