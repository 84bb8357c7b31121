package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/coalition-directory/coalition/internal/directory"
)

// Generate returns n fictional member organizations for benchmarks and load
// tests, the same for the same seed. They are valid by the directory's rules,
// shaped like the demo directory and spread like a large real one: most
// are seated in Russia (Moscow and St Petersburg more than the rest), some in
// eight CIS countries; a focus area is held by about one organization in
// eight, a region (seat or service region) by one to three in a hundred, and
// a common word of the names and descriptions ("центр", "приют",
// "надежда") is found in a few in a hundred. Names are built from word lists
// in Russian with English translations; e-mail addresses and websites are
// under example.org. Slugs and ids are unique within one result.
// CreatedAt, UpdatedAt and Version are left for the store to set.
func Generate(n int, seed int64) []directory.Organization {
	g := generator{
		r:     rand.New(rand.NewPCG(uint64(seed), 0x636f616c6974696f)),
		slugs: make(map[string]int, n),
	}
	orgs := make([]directory.Organization, n)
	for i := range orgs {
		orgs[i] = g.organization()
	}
	return orgs
}

// generator holds the random source and the slugs handed out so far.
type generator struct {
	r     *rand.Rand
	slugs map[string]int
}

// weighted is an entry of a list picked from in proportion to its weight.
type weighted interface{ weight() int }

func pick[T weighted](r *rand.Rand, list []T) T {
	total := 0
	for _, v := range list {
		total += v.weight()
	}
	n := r.IntN(total)
	for _, v := range list {
		if n -= v.weight(); n < 0 {
			return v
		}
	}
	return list[len(list)-1]
}

func one[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// country is a country members are seated in, with the numbering of its
// phones and the languages spoken there besides Russian.
type country struct {
	code      string
	w         int      // share of organizations, in tenths of a percent
	mobile    []string // E.164 prefixes of mobile numbers
	length    int      // digits of an E.164 number without the +
	languages []string
}

func (c country) weight() int { return c.w }

// place is a seat: a region with its main city and the E.164 prefix of its
// fixed-line numbers. Every region and number prefix is checked against the
// reference data and the phone-number rules by the package's tests.
type place struct {
	region  string
	city    string // nominative
	cityGen string // genitive: "Фонд «Надежда» Нижнего Новгорода"
	cityEN  string
	phone   string
	w       int
}

func (p place) weight() int { return p.w }

// countries are the seats of generated organizations: Russia and eight CIS
// countries. The numbering prefixes are those the demo directory uses.
var countries = []country{
	{"RU", 850, []string{"7900", "7910", "7915", "7920", "7926", "7950", "7960", "7980", "7999"}, 11, nil},
	{"KZ", 40, []string{"7701", "7705", "7777"}, 11, []string{"kk"}},
	{"UZ", 25, []string{"99890", "99891"}, 12, []string{"uz"}},
	{"KG", 20, []string{"996555", "996700"}, 12, []string{"ky"}},
	{"TJ", 15, []string{"99290", "99293"}, 12, []string{"tg"}},
	{"MD", 15, []string{"37369", "37379"}, 11, []string{"ro"}},
	{"AM", 12, []string{"37491", "37494"}, 11, []string{"hy"}},
	{"AZ", 8, []string{"99450", "99455"}, 12, []string{"az"}},
	{"BY", 8, []string{"375291", "375296", "37533"}, 12, []string{"be"}},
	{"GE", 7, []string{"995555", "995599"}, 12, []string{"ka"}},
}

// places are the seats by country. Big cities weigh more.
var places = map[string][]place{
	"RU": {
		{"RU-MOW", "Москва", "Москвы", "Moscow", "74952", 8},
		{"RU-SPE", "Санкт-Петербург", "Санкт-Петербурга", "Saint Petersburg", "78122", 6},
		{"RU-MOS", "Подольск", "Подольска", "Podolsk", "74962", 2},
		{"RU-LEN", "Гатчина", "Гатчины", "Gatchina", "78132", 1},
		{"RU-NIZ", "Нижний Новгород", "Нижнего Новгорода", "Nizhny Novgorod", "78312", 2},
		{"RU-SVE", "Екатеринбург", "Екатеринбурга", "Yekaterinburg", "73432", 2},
		{"RU-NVS", "Новосибирск", "Новосибирска", "Novosibirsk", "73832", 2},
		{"RU-KDA", "Краснодар", "Краснодара", "Krasnodar", "78612", 2},
		{"RU-TA", "Казань", "Казани", "Kazan", "78432", 2},
		{"RU-PRI", "Владивосток", "Владивостока", "Vladivostok", "74232", 1},
		{"RU-KGD", "Калининград", "Калининграда", "Kaliningrad", "740122", 1},
		{"RU-ROS", "Ростов-на-Дону", "Ростова-на-Дону", "Rostov-on-Don", "78632", 2},
		{"RU-SAM", "Самара", "Самары", "Samara", "78462", 2},
		{"RU-BA", "Уфа", "Уфы", "Ufa", "73472", 2},
		{"RU-PER", "Пермь", "Перми", "Perm", "73422", 2},
		{"RU-VGG", "Волгоград", "Волгограда", "Volgograd", "784422", 2},
		{"RU-VOR", "Воронеж", "Воронежа", "Voronezh", "74732", 2},
		{"RU-CHE", "Челябинск", "Челябинска", "Chelyabinsk", "73512", 2},
		{"RU-OMS", "Омск", "Омска", "Omsk", "738122", 2},
		{"RU-KYA", "Красноярск", "Красноярска", "Krasnoyarsk", "73912", 2},
		{"RU-IRK", "Иркутск", "Иркутска", "Irkutsk", "739522", 1},
		{"RU-KHA", "Хабаровск", "Хабаровска", "Khabarovsk", "742122", 1},
		{"RU-MUR", "Мурманск", "Мурманска", "Murmansk", "781522", 1},
		{"RU-KR", "Петрозаводск", "Петрозаводска", "Petrozavodsk", "781422", 1},
		{"RU-PSK", "Псков", "Пскова", "Pskov", "781122", 1},
		{"RU-SAR", "Саратов", "Саратова", "Saratov", "784522", 1},
		{"RU-TYU", "Тюмень", "Тюмени", "Tyumen", "734522", 1},
		{"RU-ORE", "Оренбург", "Оренбурга", "Orenburg", "735322", 1},
		{"RU-AST", "Астрахань", "Астрахани", "Astrakhan", "785122", 1},
		{"RU-DA", "Махачкала", "Махачкалы", "Makhachkala", "787222", 1},
		{"RU-STA", "Ставрополь", "Ставрополя", "Stavropol", "786522", 1},
		{"RU-YAR", "Ярославль", "Ярославля", "Yaroslavl", "748522", 1},
		{"RU-TUL", "Тула", "Тулы", "Tula", "748722", 1},
		{"RU-VLA", "Владимир", "Владимира", "Vladimir", "749222", 1},
		{"RU-TVE", "Тверь", "Твери", "Tver", "748222", 1},
		{"RU-KLU", "Калуга", "Калуги", "Kaluga", "748422", 1},
		{"RU-RYA", "Рязань", "Рязани", "Ryazan", "749122", 1},
		{"RU-SMO", "Смоленск", "Смоленска", "Smolensk", "748122", 1},
		{"RU-BEL", "Белгород", "Белгорода", "Belgorod", "747222", 1},
		{"RU-KRS", "Курск", "Курска", "Kursk", "747122", 1},
		{"RU-LIP", "Липецк", "Липецка", "Lipetsk", "747422", 1},
		{"RU-PNZ", "Пенза", "Пензы", "Penza", "784122", 1},
		{"RU-ULY", "Ульяновск", "Ульяновска", "Ulyanovsk", "784222", 1},
		{"RU-UD", "Ижевск", "Ижевска", "Izhevsk", "734122", 1},
		{"RU-KIR", "Киров", "Кирова", "Kirov", "783322", 1},
		{"RU-ARK", "Архангельск", "Архангельска", "Arkhangelsk", "781822", 1},
		{"RU-VLG", "Вологда", "Вологды", "Vologda", "781722", 1},
		{"RU-TOM", "Томск", "Томска", "Tomsk", "738222", 1},
		{"RU-KEM", "Кемерово", "Кемерова", "Kemerovo", "738422", 1},
		{"RU-ALT", "Барнаул", "Барнаула", "Barnaul", "738522", 1},
		{"RU-KHM", "Сургут", "Сургута", "Surgut", "734622", 1},
		{"RU-BU", "Улан-Удэ", "Улан-Удэ", "Ulan-Ude", "730122", 1},
		{"RU-ZAB", "Чита", "Читы", "Chita", "730222", 1},
		{"RU-AMU", "Благовещенск", "Благовещенска", "Blagoveshchensk", "741622", 1},
		{"RU-SA", "Якутск", "Якутска", "Yakutsk", "741122", 1},
		{"RU-SAK", "Южно-Сахалинск", "Южно-Сахалинска", "Yuzhno-Sakhalinsk", "742422", 1},
		{"RU-KAM", "Петропавловск-Камчатский", "Петропавловска-Камчатского", "Petropavlovsk-Kamchatsky", "741522", 1},
		{"RU-CU", "Чебоксары", "Чебоксар", "Cheboksary", "783522", 1},
		{"RU-ME", "Йошкар-Ола", "Йошкар-Олы", "Yoshkar-Ola", "783622", 1},
		{"RU-MO", "Саранск", "Саранска", "Saransk", "783422", 1},
		{"RU-KO", "Сыктывкар", "Сыктывкара", "Syktyvkar", "782122", 1},
		{"RU-NGR", "Великий Новгород", "Великого Новгорода", "Veliky Novgorod", "781622", 1},
		{"RU-IVA", "Иваново", "Иванова", "Ivanovo", "749322", 1},
		{"RU-KOS", "Кострома", "Костромы", "Kostroma", "749422", 1},
		{"RU-ORL", "Орёл", "Орла", "Oryol", "748622", 1},
		{"RU-BRY", "Брянск", "Брянска", "Bryansk", "748322", 1},
		{"RU-TAM", "Тамбов", "Тамбова", "Tambov", "747522", 1},
		{"RU-KB", "Нальчик", "Нальчика", "Nalchik", "786622", 1},
		{"RU-SE", "Владикавказ", "Владикавказа", "Vladikavkaz", "786722", 1},
		{"RU-KGN", "Курган", "Кургана", "Kurgan", "735222", 1},
		{"RU-KK", "Абакан", "Абакана", "Abakan", "739022", 1},
		{"RU-MAG", "Магадан", "Магадана", "Magadan", "741322", 1},
		{"RU-AD", "Майкоп", "Майкопа", "Maykop", "787722", 1},
		{"RU-KC", "Черкесск", "Черкесска", "Cherkessk", "787822", 1},
		{"RU-CE", "Грозный", "Грозного", "Grozny", "787122", 1},
	},
	"KZ": {
		{"KZ-ALA", "Алматы", "Алматы", "Almaty", "77272", 3},
		{"KZ-AST", "Астана", "Астаны", "Astana", "77172", 2},
		{"KZ-SHY", "Шымкент", "Шымкента", "Shymkent", "77252", 1},
		{"KZ-KAR", "Караганда", "Караганды", "Karaganda", "77212", 1},
		{"KZ-AKT", "Актобе", "Актобе", "Aktobe", "77132", 1},
	},
	"UZ": {
		{"UZ-TK", "Ташкент", "Ташкента", "Tashkent", "998712", 3},
		{"UZ-SA", "Самарканд", "Самарканда", "Samarkand", "998662", 1},
		{"UZ-FA", "Фергана", "Ферганы", "Fergana", "998732", 1},
	},
	"KG": {
		{"KG-GB", "Бишкек", "Бишкека", "Bishkek", "9963122", 3},
		{"KG-GO", "Ош", "Оша", "Osh", "9963222", 1},
	},
	"TJ": {
		{"TJ-DU", "Душанбе", "Душанбе", "Dushanbe", "9923722", 2},
		{"TJ-SU", "Худжанд", "Худжанда", "Khujand", "9923422", 1},
	},
	"MD": {
		{"MD-CU", "Кишинёв", "Кишинёва", "Chișinău", "373222", 3},
		{"MD-BA", "Бельцы", "Бельц", "Bălți", "373231", 1},
	},
	"AM": {
		{"AM-ER", "Ереван", "Еревана", "Yerevan", "374102", 3},
		{"AM-SH", "Гюмри", "Гюмри", "Gyumri", "374312", 1},
	},
	"AZ": {
		{"AZ-BA", "Баку", "Баку", "Baku", "994124", 3},
		{"AZ-GA", "Гянджа", "Гянджи", "Ganja", "9942225", 1},
	},
	"BY": {
		{"BY-HM", "Минск", "Минска", "Minsk", "375172", 3},
		{"BY-HO", "Гомель", "Гомеля", "Gomel", "375232", 1},
		{"BY-BR", "Брест", "Бреста", "Brest", "375162", 1},
	},
	"GE": {
		{"GE-TB", "Тбилиси", "Тбилиси", "Tbilisi", "995322", 3},
		{"GE-IM", "Кутаиси", "Кутаиси", "Kutaisi", "995431", 1},
	},
}

// kind is what an organization calls itself: "Фонд", "Foundation".
type kind struct {
	ru, en string
	w      int
	legal  bool // a legal form such as АНО: only with a proper name
}

func (k kind) weight() int { return k.w }

var kinds = []kind{
	{"Фонд", "Foundation", 14, false},
	{"Центр", "Centre", 3, false},
	{"Кризисный центр", "Crisis Centre", 2, false},
	{"Ассоциация", "Association", 8, false},
	{"Союз", "Union", 5, false},
	{"Общество", "Society", 6, false},
	{"Сеть", "Network", 6, false},
	{"Движение", "Movement", 5, false},
	{"Служба", "Service", 5, false},
	{"Приют", "Shelter", 2, false},
	{"Дом", "House", 3, false},
	{"Инициатива", "Initiative", 6, false},
	{"Альянс", "Alliance", 4, false},
	{"Клуб", "Club", 3, false},
	{"Бюро", "Bureau", 4, false},
	{"Лига", "League", 4, false},
	{"Агентство", "Agency", 3, false},
	{"Партнёрство", "Partnership", 4, false},
	{"Совет", "Council", 3, false},
	{"Содружество", "Commonwealth", 3, false},
	{"Мастерская", "Workshop", 2, false},
	{"Региональная общественная организация", "Regional NGO", 5, true},
	{"Автономная некоммерческая организация", "Non-Profit", 5, true},
}

// propers are the names organizations give themselves in «quotes».
var propers = [][2]string{
	{"Надежда", "Hope"}, {"Рассвет", "Dawn"}, {"Маяк", "Lighthouse"}, {"Берег", "Shore"},
	{"Доверие", "Trust"}, {"Опора", "Mainstay"}, {"Забота", "Care"}, {"Свобода", "Freedom"},
	{"Вера", "Faith"}, {"Радуга", "Rainbow"}, {"Ковчег", "Ark"}, {"Мост", "Bridge"},
	{"Компас", "Compass"}, {"Родник", "Wellspring"}, {"Новый день", "New Day"}, {"Путь домой", "Way Home"},
	{"Открытый дом", "Open House"}, {"Тёплый дом", "Warm House"}, {"Зелёный свет", "Green Light"}, {"Щит", "Shield"},
	{"Крылья", "Wings"}, {"Луч", "Ray"}, {"Парус", "Sail"}, {"Гавань", "Harbour"},
	{"Ориентир", "Landmark"}, {"Сёстры", "Sisters"}, {"Равные", "Equals"}, {"Голос", "Voice"},
	{"Шанс", "Chance"}, {"Участие", "Involvement"}, {"Горизонт", "Horizon"}, {"Право выбора", "Right to Choose"},
	{"Живая нить", "Living Thread"}, {"Чистый лист", "Clean Slate"}, {"Ладонь", "Palm"}, {"Круг", "Circle"},
	{"Перекрёсток", "Crossroads"}, {"Весна", "Spring"}, {"Полярная звезда", "Pole Star"}, {"Ты не один", "You Are Not Alone"},
}

// purposes complete a name without a proper name: "Фонд защиты детей".
var purposes = [][2]string{
	{"помощи пострадавшим от торговли людьми", "for Assistance to Trafficking Survivors"},
	{"защиты детей", "for Child Protection"},
	{"против торговли людьми", "against Human Trafficking"},
	{"правовой помощи мигрантам", "for Legal Aid to Migrants"},
	{"безопасной миграции", "for Safe Migration"},
	{"профилактики насилия", "for Violence Prevention"},
	{"социальной адаптации", "for Social Adaptation"},
	{"поддержки женщин", "for Women's Support"},
	{"психологической помощи", "for Psychological Support"},
	{"за права трудовых мигрантов", "for the Rights of Migrant Workers"},
	{"возвращения домой", "for Return Home"},
	{"гражданских инициатив", "of Civic Initiatives"},
	{"юристов за права человека", "of Lawyers for Human Rights"},
	{"социальных работников", "of Social Workers"},
	{"кризисной помощи", "for Crisis Assistance"},
	{"содействия занятости", "for Employment Support"},
}

// clauses say what an organization does, by focus area, in Russian and
// English; a description joins those of its focus areas.
var clauses = map[string][][2]string{
	"prevention": {
		{"проводит профилактические занятия в школах и колледжах", "runs prevention classes in schools and colleges"},
		{"предупреждает молодёжь о рисках вербовки", "warns young people about recruitment risks"},
	},
	"protection":  {{"защищает права пострадавших", "protects survivors' rights"}},
	"prosecution": {{"помогает следствию и сопровождает пострадавших в суде", "supports investigations and accompanies survivors in court"}},
	"partnership": {{"объединяет местные организации и ведомства", "brings together local organisations and agencies"}},
	"awareness-raising": {
		{"проводит информационные кампании", "runs awareness campaigns"},
		{"выпускает памятки для тех, кто ищет работу", "publishes guides for job seekers"},
	},
	"safe-migration": {{"консультирует тех, кто собирается работать за рубежом", "advises people planning to work abroad"}},
	"hotline": {
		{"ведёт круглосуточную горячую линию", "runs a 24-hour hotline"},
		{"отвечает на звонки по телефону доверия", "answers a helpline"},
	},
	"identification-referral": {{"выявляет пострадавших и направляет их к специалистам", "identifies survivors and refers them to specialists"}},
	"shelter": {
		{"содержит приют для пострадавших", "runs a shelter for survivors"},
		{"предоставляет временное убежище", "provides temporary shelter"},
		{"размещает пострадавших в кризисных квартирах", "houses survivors in crisis flats"},
		{"даёт безопасное жильё женщинам с детьми", "offers safe housing to women with children"},
	},
	"psychosocial-support": {{"оказывает психологическую помощь", "provides psychological support"}},
	"medical-assistance":   {{"организует медицинскую помощь", "arranges medical care"}},
	"repatriation":         {{"помогает вернуться домой", "helps people return home"}},
	"reintegration":        {{"помогает с жильём, работой и документами", "helps with housing, jobs and documents"}},
	"legal-aid":            {{"даёт бесплатные юридические консультации", "gives free legal advice"}},
	"training":             {{"обучает полицейских, социальных работников и педагогов", "trains police officers, social workers and teachers"}},
	"research":             {{"изучает торговлю людьми в регионе", "researches human trafficking in the region"}},
	"advocacy":             {{"добивается изменений в законодательстве", "campaigns for changes in legislation"}},
	"child-protection":     {{"защищает детей от эксплуатации", "protects children from exploitation"}},
	"labour-exploitation":  {{"помогает пострадавшим от трудовой эксплуатации", "helps victims of labour exploitation"}},
	"sexual-exploitation":  {{"помогает пострадавшим от сексуальной эксплуатации", "assists survivors of sexual exploitation"}},
}

var audiences = [][2]string{
	{"женщины и дети", "women and children"},
	{"трудовые мигранты", "migrant workers"},
	{"подростки из группы риска", "teenagers at risk"},
	{"выпускники детских домов", "care leavers"},
	{"иностранные граждане", "foreign nationals"},
	{"семьи пострадавших", "survivors' families"},
}

var streets = []string{
	"ул. Садовая", "ул. Лесная", "пр. Мира", "ул. Школьная", "ул. Набережная", "пер. Тихий",
	"ул. Молодёжная", "ул. Полевая", "ул. Речная", "ул. Луговая", "бульвар Победы",
	"ул. Строителей", "пр. Космонавтов", "ул. Вишнёвая", "пер. Почтовый", "ул. Озёрная",
}

// People's names are invented: common first names with surnames made from
// words of nature, as in the demo directory.
var (
	firstNames = [][2]string{ // Russian, Latin for e-mail addresses
		{"Анна", "a"}, {"Мария", "m"}, {"Елена", "e"}, {"Ольга", "o"}, {"Татьяна", "t"}, {"Наталья", "n"},
		{"Ирина", "i"}, {"Светлана", "s"}, {"Юлия", "yu"}, {"Дарья", "d"}, {"Гульнара", "g"}, {"Дилноза", "d"},
	}
	maleFirstNames = [][2]string{
		{"Алексей", "a"}, {"Дмитрий", "d"}, {"Сергей", "s"}, {"Андрей", "a"}, {"Павел", "p"}, {"Иван", "i"},
		{"Михаил", "m"}, {"Никита", "n"}, {"Тимур", "t"}, {"Руслан", "r"}, {"Арман", "a"}, {"Фарход", "f"},
	}
	surnames = [][2]string{ // masculine, feminine
		{"Вересов", "Вересова"}, {"Ладогин", "Ладогина"}, {"Заречный", "Заречная"},
		{"Луговой", "Луговая"}, {"Озёрский", "Озёрская"}, {"Берёзкин", "Берёзкина"},
		{"Сосновский", "Сосновская"}, {"Ключевой", "Ключевая"}, {"Камышов", "Камышова"},
		{"Ольховский", "Ольховская"}, {"Рябинин", "Рябинина"}, {"Калинов", "Калинова"},
		{"Травников", "Травникова"}, {"Степной", "Степная"}, {"Ручьёв", "Ручьёва"},
		{"Прибрежный", "Прибрежная"}, {"Туманов", "Туманова"}, {"Снегирёв", "Снегирёва"},
	}
	roles = []string{
		"Директор", "Юрист", "Психолог", "Социальный работник", "Координатор проектов",
		"Руководитель программ", "Специалист по связям с общественностью", "Консультант",
	}
	desks = [][3]string{ // name, role, mailbox
		{"Горячая линия", "Дежурный консультант", "hotline"},
		{"Приёмная", "Администратор", "office"},
		{"Общие вопросы", "Секретарь", "info"},
	}
)

// allAreas are the slugs of the default focus-area vocabulary.
var allAreas = func() []string {
	var slugs []string
	for _, a := range directory.DefaultFocusAreas() {
		slugs = append(slugs, a.Slug)
	}
	return slugs
}()

// profiles are the kinds of work that go together; an organization takes
// most of its focus areas from one of them.
var profiles = [][]string{
	{"prevention", "awareness-raising", "safe-migration", "training"},
	{"protection", "shelter", "psychosocial-support", "medical-assistance", "reintegration"},
	{"hotline", "identification-referral", "protection", "repatriation"},
	{"prosecution", "legal-aid", "advocacy", "labour-exploitation"},
	{"partnership", "research", "advocacy", "training"},
	{"child-protection", "prevention", "psychosocial-support", "sexual-exploitation"},
	{"safe-migration", "labour-exploitation", "legal-aid", "repatriation"},
	{"shelter", "sexual-exploitation", "child-protection", "hotline"},
	{"awareness-raising", "research", "partnership", "labour-exploitation"},
}

func (g *generator) organization() directory.Organization {
	r := g.r
	c := pick(r, countries)
	seat := pick(r, places[c.code])
	k := pick(r, kinds)

	// The name: a kind with a proper name or a purpose, sometimes the city.
	var ru, en, acronym string
	if k.legal || r.IntN(100) < 65 {
		p := one(r, propers)
		ru, en = k.ru+" «"+p[0]+"»", p[1]+" "+k.en
		acronym = initials(k.ru) + initials(p[0])
	} else {
		p := one(r, purposes)
		ru, en = k.ru+" "+p[0], k.en+" "+p[1]
		acronym = initials(k.ru + " " + p[0])
	}
	withCity := r.IntN(100) < 35
	if withCity {
		ru, en = ru+" "+seat.cityGen, en+" of "+seat.cityEN
	}
	if r.IntN(100) < 30 || len([]rune(acronym)) < 2 {
		acronym = ""
	}
	base := translit(ru)
	if !withCity {
		base += "-" + translit(seat.city)
	}
	slug := g.uniqueSlug(base)
	domain := slug
	if len(domain) > 63 {
		domain = strings.TrimRight(domain[:63], "-")
	}

	areas := g.focusAreas()
	descRU, descEN := g.description(areas)

	o := directory.Organization{
		ID:               g.uuid(),
		Slug:             slug,
		OriginalLanguage: directory.LangRU,
		Translations:     map[string]directory.Text{},
		Acronym:          acronym,
		Website:          "https://" + domain + ".example.org",
		Email:            "info@" + domain + ".example.org",
		CountryCode:      c.code,
		RegionCode:       seat.region,
		City:             seat.city,
		Address:          fmt.Sprintf("%s, д. %d", one(r, streets), 1+r.IntN(120)),
		FocusAreas:       areas,
		Languages:        []string{"ru"},
	}
	switch n := r.IntN(100); {
	case n < 84: // both languages
		o.Translations[directory.LangRU] = directory.Text{Name: ru, Description: descRU}
		o.Translations[directory.LangEN] = directory.Text{Name: en, Description: descEN}
	case n < 97: // Russian only
		o.Translations[directory.LangRU] = directory.Text{Name: ru, Description: descRU}
	default: // an English name of its own, with a Russian translation
		o.OriginalLanguage = directory.LangEN
		o.Translations[directory.LangEN] = directory.Text{Name: en, Description: descEN}
		o.Translations[directory.LangRU] = directory.Text{Name: ru, Description: descRU}
	}
	if r.IntN(100) < 40 {
		o.Languages = append(o.Languages, "en")
	}
	if len(c.languages) > 0 {
		o.Languages = append(o.Languages, c.languages...)
	} else if r.IntN(100) < 15 {
		o.Languages = append(o.Languages, "uz", "tg", "ky")
	}
	for _, a := range areas {
		if a == "shelter" {
			o.AddressHidden = true // a shelter's address is for partners only
		}
	}

	// Service regions: up to two other regions of the same country, fewer
	// than one on average.
	for range [...]int{0, 0, 0, 1, 1, 1, 2}[r.IntN(7)] {
		if sr := one(r, places[c.code]).region; sr != seat.region && !slices.Contains(o.ServiceRegions, sr) {
			o.ServiceRegions = append(o.ServiceRegions, sr)
		}
	}

	o.Phones = []directory.Phone{{Number: number(r, seat.phone, c.length), Kind: directory.PhoneOffice, Description: "пн–пт 10:00–18:00"}}
	if slices.Contains(areas, "hotline") {
		hotline := seat.phone
		if c.code == "RU" {
			hotline = "78002"
		}
		o.Phones = append(o.Phones, directory.Phone{Number: number(r, hotline, c.length), Kind: directory.PhoneHotline, Description: "круглосуточно"})
	}
	if r.IntN(100) < 30 {
		o.Phones = append(o.Phones, directory.Phone{Number: number(r, one(r, c.mobile), c.length), Kind: directory.PhoneMobile})
	}

	switch n := r.IntN(100); {
	case n < 75:
		o.MembershipStatus = directory.StatusMember
	case n < 93:
		o.MembershipStatus = directory.StatusAssociate
	default:
		o.MembershipStatus = directory.StatusFormer
	}
	since := time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(26*365))
	o.MemberSince = since.Format(time.DateOnly)
	if o.MembershipStatus == directory.StatusFormer {
		o.MemberUntil = since.AddDate(0, 0, 30+r.IntN(3000)).Format(time.DateOnly)
	}
	if r.IntN(100) < 70 {
		v := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(600*24*60)) * time.Minute)
		o.VerifiedAt = &v
	}

	o.Contacts = g.contacts(&o, c, domain)
	return o
}

// focusAreas picks two to four areas, mostly from one profile.
func (g *generator) focusAreas() []string {
	r := g.r
	profile := one(r, profiles)
	want := 2 + r.IntN(2)
	if r.IntN(100) < 15 {
		want++
	}
	var areas []string
	for len(areas) < want {
		var a string
		if r.IntN(100) < 80 {
			a = one(r, profile)
		} else {
			a = one(r, allAreas)
		}
		if !slices.Contains(areas, a) {
			areas = append(areas, a)
		}
	}
	return areas
}

// description joins what the organization does in its focus areas, with
// its founding year and whom it helps.
func (g *generator) description(areas []string) (string, string) {
	r := g.r
	var ru, en []string
	for _, a := range areas {
		c := one(r, clauses[a])
		ru, en = append(ru, c[0]), append(en, c[1])
	}
	descRU := capitalize(joinClauses(ru, " и ")) + "."
	descEN := capitalize(joinClauses(en, " and ")) + "."
	if r.IntN(100) < 60 {
		a := one(r, audiences)
		descRU += " Основные подопечные — " + a[0] + "."
		descEN += " It mainly helps " + a[1] + "."
	}
	year := strconv.Itoa(1995 + r.IntN(30))
	descRU += " Работает с " + year + " года."
	descEN += " Founded in " + year + "."
	return descRU, descEN
}

// contacts returns one to three contacts, exactly one primary: a public desk
// or the director, then partners-only (sometimes public) staff.
func (g *generator) contacts(o *directory.Organization, c country, domain string) []directory.Contact {
	r := g.r
	var out []directory.Contact
	if r.IntN(100) < 65 {
		d := one(r, desks)
		out = append(out, directory.Contact{
			ID: g.uuid(), Name: d[0], Role: d[1], Email: d[2] + "@" + domain + ".example.org",
			Phone: o.Phones[len(o.Phones)-1].Number, Languages: []string{"ru"},
			Visibility: directory.VisibilityPublic, IsPrimary: true,
		})
	}
	people := r.IntN(3)
	if len(out) == 0 {
		people++
	}
	for i := range people {
		first, feminine := one(r, maleFirstNames), false
		if r.IntN(100) < 65 {
			first, feminine = one(r, firstNames), true
		}
		s := one(r, surnames)
		last := s[0]
		if feminine {
			last = s[1]
		}
		role := "Директор"
		if i > 0 || len(out) > 0 {
			role = one(r, roles)
		}
		ct := directory.Contact{
			ID: g.uuid(), Name: first[0] + " " + last, Role: role,
			Email:      first[1] + "." + translit(last) + "@" + domain + ".example.org",
			Phone:      number(r, one(r, c.mobile), c.length),
			Languages:  []string{"ru"},
			Visibility: directory.VisibilityPartners,
			IsPrimary:  len(out) == 0,
		}
		if r.IntN(100) < 20 {
			ct.Visibility = directory.VisibilityPublic
		}
		if r.IntN(100) < 35 {
			ct.Languages = append(ct.Languages, "en")
		}
		out = append(out, ct)
	}
	return out
}

// uuid returns a version 4 UUID from the generator's random source.
func (g *generator) uuid() string {
	var u uuid.UUID
	for i := range 2 {
		v := g.r.Uint64()
		for j := range 8 {
			u[i*8+j] = byte(v >> (8 * j))
		}
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// uniqueSlug returns base, shortened to leave room for a suffix, or with
// the first free "-2", "-3", ... when taken.
func (g *generator) uniqueSlug(base string) string {
	const maxBase = 80
	if len(base) > maxBase {
		base = base[:maxBase]
		if i := strings.LastIndexByte(base, '-'); i > 0 {
			base = base[:i]
		}
	}
	n := g.slugs[base]
	g.slugs[base] = n + 1
	if n == 0 {
		return base
	}
	return base + "-" + strconv.Itoa(n+1)
}

// number fills an E.164 prefix with random digits up to length digits.
func number(r *rand.Rand, prefix string, length int) string {
	b := make([]byte, 0, length+1)
	b = append(b, '+')
	b = append(b, prefix...)
	for len(b) <= length {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return string(b)
}

// skipInitials are the words an acronym leaves out.
var skipInitials = map[string]bool{"от": true, "за": true, "и": true, "против": true}

// initials returns the upper-cased first letters of the words of s.
func initials(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(s) {
		if skipInitials[w] {
			continue
		}
		for _, r := range w {
			b.WriteString(strings.ToUpper(string(r)))
			break
		}
	}
	return b.String()
}

var latin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
}

// translit makes a slug of a Russian text: transliterated, lower case,
// words joined by single hyphens.
func translit(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		switch l, ok := latin[r]; {
		case ok:
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteString(l)
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	return b.String()
}

func joinClauses(parts []string, and string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + and + parts[len(parts)-1]
}

func capitalize(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
