package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/coalition-directory/coalition/api"
	"github.com/coalition-directory/coalition/internal/directory"
)

// withText sets an organization's description in a language, and its city.
func withText(o directory.Organization, city, ru, en string) directory.Organization {
	o.City = city
	if t, ok := o.Translations[directory.LangRU]; ok {
		t.Description = ru
		o.Translations[directory.LangRU] = t
	}
	if t, ok := o.Translations[directory.LangEN]; ok {
		t.Description = en
		o.Translations[directory.LangEN] = t
	}
	return o
}

// typedFixtures is a directory for searches as people type them: each
// organization has distractors that share some of its words.
func typedFixtures() []directory.Organization {
	healing := withText(fixture("istselenie", "ru", "Центр реабилитации «Исцеление»", "Healing Rehabilitation Centre", "RU-STA", "reintegration"),
		"Ставрополь", "Психологическая помощь пострадавшим от торговли людьми.", "Psychological help for survivors of trafficking.")
	alliance := withText(fixture("alyans", "ru", "Альянс против насилия", "Alliance Against Violence", "RU-STA", "advocacy"),
		"Ставрополь", "Партнёр центров реабилитации в Ставрополе.", "A partner of rehabilitation centres in Stavropol.")
	harbour := withText(fixture("tikhaya-gavan", "ru", "Приют «Тихая гавань»", "Quiet Harbour Shelter", "RU-TA", "shelter"),
		"Казань", "Убежище для женщин и детей, пострадавших от насилия.", "A shelter in Kazan for women and children.")
	volga := withText(fixture("goryachaya-liniya-povolzhya", "ru", "Горячая линия Поволжья", "Volga Hotline", "RU-TA", "hotline"),
		"Казань", "Телефон доверия, консультации о приютах.", "A helpline with referrals to shelters.")
	law := withText(fixture("pravo-i-zashchita", "ru", "Право и защита", "Law and Protection", "RU-NIZ", "legal-aid"),
		"Нижний Новгород", "Бесплатная юридическая помощь мигрантам и жертвам трудовой эксплуатации.", "Free legal aid for migrants and victims of labour exploitation.")
	law.Acronym = "ПиЗ"
	hope := withText(fixture("nadezhda", "ru", "Центр «Надежда»", "Hope Centre", "RU-NIZ", "hotline", "shelter"),
		"Нижний Новгород", "Горячая линия и приют для женщин.", "Hotline and shelter for women.")
	hope.ServiceRegions = []string{"RU-VLA"}
	fresh := withText(fixture("novoe-nachalo", "ru", "Новое начало", "New Beginning", "MD-CU", "repatriation"),
		"Кишинёв", "Реинтеграция и репатриация жертв торговли людьми.", "Reintegration and repatriation of trafficking survivors.")
	together := withText(fixture("vmeste-protiv-torgovli-lyudmi", "ru", "Вместе против торговли людьми", "Together Against Human Trafficking", "RU-MOW", "prevention"),
		"Москва", "Профилактика в школах.", "Prevention in schools.")
	migration := withText(fixture("bezopasnaya-migratsiya", "ru", "Безопасная миграция", "Safe Migration", "KZ-ALA", "safe-migration"),
		"Алматы", "Консультации для трудовых мигрантов перед выездом за границу.", "Advice for labour migrants before they leave.")
	alone := withText(fixture("ty-ne-odin", "ru", "Ты не один", "You Are Not Alone", "RU-SPE", "psychosocial-support"),
		"Санкт-Петербург", "Психологическая поддержка подросткам.", "Psychological support for teenagers.")
	silent := withText(fixture("ne-molchi", "ru", "Не молчи", "Speak Up", "RU-SPE", "awareness-raising"),
		"Санкт-Петербург", "Один звонок меняет всё.", "One call changes everything.")
	childhood := withText(fixture("safe-childhood", "en", "Фонд «Безопасное детство»", "Safe Childhood Foundation", "GE-TB", "child-protection"),
		"Тбилиси", "Защита детства и поддержка семей.", "Child protection and family support.")
	borders := withText(fixture("detstvo-bez-granits", "ru", "Детство без границ", "Childhood Without Borders", "RU-MOW", "child-protection"),
		"Москва", "Защита детей-мигрантов.", "Protecting migrant children.")
	return []directory.Organization{healing, alliance, harbour, volga, law, hope, fresh, together, migration, alone, silent, childhood, borders}
}

// TestSearchAsPeopleType searches the way people type, in Russian and
// English: inflected forms, prepositions, plurals, typos, half-typed words,
// a word and a place. Each row names the organization it looks for and
// whether it must come first or be among the first three.
func TestSearchAsPeopleType(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, typedFixtures())
	const first, top3 = 1, 3
	tests := []struct {
		q      string
		want   string
		within int
	}{
		{"реабилитация", "istselenie", first},
		{"центр реабилитации", "istselenie", first},
		{"центры реабилитации", "istselenie", first},
		{"реабилитацыя", "istselenie", first},
		{"реабилит", "istselenie", first},
		{"реабилитация Ставрополь", "istselenie", first},
		{"rehabilitation", "istselenie", first},
		{"rehabilitaton", "istselenie", first},
		{"rehab centers", "istselenie", first},
		{"приют", "tikhaya-gavan", first},
		{"приюты", "tikhaya-gavan", first},
		{"приюты в Казани", "tikhaya-gavan", first},
		{"приют Казань", "tikhaya-gavan", first},
		{"в Казани", "tikhaya-gavan", top3},
		{"Татарстан", "tikhaya-gavan", top3},
		{"приют Татарстан", "tikhaya-gavan", first},
		{"приютов для женщин", "tikhaya-gavan", top3},
		{"shelters", "tikhaya-gavan", first},
		{"shelter in Kazan", "tikhaya-gavan", first},
		{"shelter for women", "tikhaya-gavan", first},
		{"hotline", "goryachaya-liniya-povolzhya", first},
		{"hotlines", "goryachaya-liniya-povolzhya", first},
		{"горячие линии", "goryachaya-liniya-povolzhya", first},
		{"горячая линия Нижний Новгород", "nadezhda", first},
		{"горячая линия во Владимирской области", "nadezhda", first},
		{"юридическая помощь", "pravo-i-zashchita", first},
		{"юридической помощи", "pravo-i-zashchita", first},
		{"юридическая помощь в Нижнем Новгороде", "pravo-i-zashchita", first},
		{"юрид помощ", "pravo-i-zashchita", first},
		{"legal aid", "pravo-i-zashchita", first},
		{"legal aid for migrants", "pravo-i-zashchita", first},
		{"пиз", "pravo-i-zashchita", first},
		{"Нижегородская область", "pravo-i-zashchita", top3},
		{"Новгрод", "nadezhda", top3},
		{"Молдова", "novoe-nachalo", first},
		{"Moldova", "novoe-nachalo", first},
		{"Кишинев", "novoe-nachalo", first},
		{"репатриация", "novoe-nachalo", first},
		{"repatriation of survivors", "novoe-nachalo", first},
		{"торговля людьми", "vmeste-protiv-torgovli-lyudmi", first},
		{"торговли людьми", "vmeste-protiv-torgovli-lyudmi", first},
		{"о торговле людьми", "vmeste-protiv-torgovli-lyudmi", first},
		{"human trafficking", "vmeste-protiv-torgovli-lyudmi", first},
		{"безопасн", "bezopasnaya-migratsiya", top3},
		{"безопасная мигр", "bezopasnaya-migratsiya", first},
		{"безопасная миграция", "bezopasnaya-migratsiya", first},
		{"трудовых мигрантов", "bezopasnaya-migratsiya", first},
		{"мигранты Алматы", "bezopasnaya-migratsiya", first},
		{"Казахстан", "bezopasnaya-migratsiya", first},
		{"Ты не один", "ty-ne-odin", first},
		{"не один", "ty-ne-odin", first},
		{"психологическая поддержка", "ty-ne-odin", first},
		{"child protection", "safe-childhood", first},
		{"защита детей", "detstvo-bez-granits", first},
		{"Georgia", "safe-childhood", first},
		{"Тбилиси", "safe-childhood", first},
		{"center", "istselenie", top3},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			r := s.get("/api/v1/organizations?q=" + url.QueryEscape(tt.q))
			wantStatus(t, r, http.StatusOK)
			got := slugsOf(decode[api.OrganizationList](t, r).Items)
			if i := slices.Index(got, tt.want); i < 0 || i >= tt.within {
				t.Errorf("q=%q: got %v, want %s within the first %d", tt.q, got, tt.want, tt.within)
			}
		})
	}
}

// TestSearchRelevanceRules shows each relevance rule, in order, with two
// organizations that differ only by that rule: the one the rule prefers
// comes first although its name sorts after the other's.
func TestSearchRelevanceRules(t *testing.T) {
	t.Parallel()
	org := func(slug, name, acronym, city, description string) directory.Organization {
		o := withText(fixture(slug, "ru", name, "", "RU-MOW", "research"), city, description, "")
		o.Acronym = acronym
		return o
	}
	s := newTestServer(t, []directory.Organization{
		org("stops-more", "Ковчег юг", "", "", "Место для детей."),
		org("stops-fewer", "Ковчег", "", "", "Место детей."),
		org("typos-fewer", "Сотрудничесвто юг", "", "", ""),
		org("typos-more", "Сотрадничесвто", "", "", ""),
		org("field-name", "Юг вереск", "", "", ""),
		org("field-acronym", "Альфа один", "ВЕРЕСК", "", ""),
		org("field-acronym-2", "Юг два", "ЛУГА", "", ""),
		org("field-place", "Альфа два", "", "Луга", ""),
		org("field-place-2", "Юг три", "", "Кострома", ""),
		org("field-description", "Альфа три", "", "", "Работаем: Кострома."),
		org("exact", "Юг четыре", "", "", "Ладья."),
		org("stem", "Альфа четыре", "", "", "Ладьи."),
		org("name-first", "Альфа пять", "", "", "Сокол."),
		org("name-second", "Бета пять", "", "", "Сокол."),
	})
	tests := []struct{ rule, q, better, worse string }{
		{"more of the query's stop words", "ковчег для детей", "stops-more", "stops-fewer"},
		{"fewer typos", "сотрудничество", "typos-fewer", "typos-more"},
		{"name before acronym", "вереск", "field-name", "field-acronym"},
		{"acronym before place", "луга", "field-acronym-2", "field-place"},
		{"place before description", "кострома", "field-place-2", "field-description"},
		{"exact word before stem", "ладья", "exact", "stem"},
		{"then name order", "сокол", "name-first", "name-second"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r := s.get("/api/v1/organizations?lang=ru&q=" + url.QueryEscape(tt.q))
			wantStatus(t, r, http.StatusOK)
			got := slugsOf(decode[api.OrganizationList](t, r).Items)
			if want := []string{tt.better, tt.worse}; !slices.Equal(got, want) {
				t.Errorf("q=%q: got %v, want %v", tt.q, got, want)
			}
			// Without relevance, name order puts them the other way round,
			// except for the last rule, which is name order.
			r = s.get("/api/v1/organizations?lang=ru&sort=name&q=" + url.QueryEscape(tt.q))
			wantStatus(t, r, http.StatusOK)
			byName := slugsOf(decode[api.OrganizationList](t, r).Items)
			if tt.rule != "then name order" && !slices.Equal(byName, []string{tt.worse, tt.better}) {
				t.Errorf("q=%q by name: got %v, want %v: the pair does not test the rule", tt.q, byName, []string{tt.worse, tt.better})
			}
		})
	}
}

// TestSearchHighlights checks the ranges of highlight=true: UTF-16 code
// units of the text as returned, for the words that matched by form, stem,
// prefix or typo, and none without the parameter.
func TestSearchHighlights(t *testing.T) {
	t.Parallel()
	harbour := withText(fixture("tikhaya-gavan", "ru", "Приют «Тихая гавань»", "Quiet Harbour Shelter", "RU-TA", "shelter"),
		"Казань", "🏠 Приюты и убежища для женщин.", "A shelter in Kazan.")
	s := newTestServer(t, []directory.Organization{harbour})
	tests := []struct {
		q, lang string
		want    map[string][][2]int
	}{
		{"приютах казани", "ru", map[string][][2]int{
			"name":        {{0, 5}},
			"description": {{3, 9}}, // after the emoji's two code units and a space
			"city":        {{0, 6}},
		}},
		{"shelters in kazan", "en", map[string][][2]int{
			"name":        {{14, 21}},
			"description": {{2, 9}, {10, 12}, {13, 18}},
		}},
		{"Татарстан", "ru", map[string][][2]int{"region_name": {{11, 20}}}},
		{"прют", "ru", nil},
		{"убежишя", "ru", map[string][][2]int{"description": {{12, 19}}}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			r := s.get("/api/v1/organizations?highlight=true&lang=" + tt.lang + "&q=" + url.QueryEscape(tt.q))
			wantStatus(t, r, http.StatusOK)
			items := decode[api.OrganizationList](t, r).Items
			if tt.want == nil {
				if len(items) != 0 {
					t.Errorf("q=%q: got %v, want no match", tt.q, slugsOf(items))
				}
				return
			}
			if len(items) != 1 {
				t.Fatalf("q=%q: got %v, want one match", tt.q, slugsOf(items))
			}
			got := items[0].Highlights
			if len(got) != len(tt.want) {
				t.Errorf("q=%q: got %v, want %v", tt.q, got, tt.want)
			}
			for field, want := range tt.want {
				if !slices.Equal(got[field], want) {
					t.Errorf("q=%q: %s got %v, want %v", tt.q, field, got[field], want)
				}
			}
		})
	}
	r := s.get("/api/v1/organizations?q=" + url.QueryEscape("приют"))
	wantStatus(t, r, http.StatusOK)
	if items := decode[api.OrganizationList](t, r).Items; len(items) != 1 || items[0].Highlights != nil {
		t.Errorf("without highlight=true: got %+v, want one item without highlights", items)
	}
}

// TestSearchPartnersOnlyText checks that what only partners see, they alone
// find, by its stems and typos too.
func TestSearchPartnersOnlyText(t *testing.T) {
	t.Parallel()
	hope := withText(fixture("nadezhda", "ru", "Центр «Надежда»", "", "RU-NIZ", "shelter"), "Нижний Новгород", "", "")
	hope.Address = "ул. Секретная, 5"
	hope.AddressHidden = true
	hope.Contacts = []directory.Contact{{ID: uuid.NewString(), Name: "Ивановна Кладовщица", Visibility: directory.VisibilityPartners}}
	s := newTestServer(t, []directory.Organization{hope})
	partner := s.key(directory.RolePartner)
	for _, q := range []string{"секретной", "секретная", "кладовщицы", "кладовщтца"} {
		r := s.get("/api/v1/organizations?q=" + url.QueryEscape(q))
		wantStatus(t, r, http.StatusOK)
		if got := slugsOf(decode[api.OrganizationList](t, r).Items); len(got) != 0 {
			t.Errorf("anonymous q=%q: got %v, want nothing", q, got)
		}
		r = s.send(http.MethodGet, "/api/v1/organizations?q="+url.QueryEscape(q), partner, nil)
		wantStatus(t, r, http.StatusOK)
		if got := slugsOf(decode[api.OrganizationList](t, r).Items); !slices.Equal(got, []string{"nadezhda"}) {
			t.Errorf("partner q=%q: got %v, want [nadezhda]", q, got)
		}
	}
}

// TestSearchDemoExamples runs the searches of issue 10 on the demo
// directory: each of them, typed as people type, finds organizations.
func TestSearchDemoExamples(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, nil)
	for _, q := range []string{"приют", "приюты", "Казань", "Казани", "в Казани", "торговли людьми", "торговля людьми",
		"shelter", "shelters", "hotlines", "горячие линии", "юридической помощи", "Татарстан", "Молдова",
		"Нижегородская область", "Новгрод", "реабилитацыя", "rehabilitaton"} {
		t.Run(q, func(t *testing.T) {
			r := s.get("/api/v1/organizations?q=" + url.QueryEscape(q))
			wantStatus(t, r, http.StatusOK)
			if list := decode[api.OrganizationList](t, r); list.TotalItems == 0 {
				t.Errorf("q=%q finds nothing", q)
			}
		})
	}
}
