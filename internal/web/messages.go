package web

import (
	"fmt"

	"github.com/coalition-directory/coalition/internal/directory"
)

// message is one text a person reads, in each language the pages speak.
// Counted messages (see catalogue.count) have plural forms as separate
// entries keyed "<key>.one", "<key>.few" and "<key>.many".
type message struct{ ru, en string }

// catalogue is every text of the pages, by key. Templates name keys, never
// literal text, so a page cannot be half translated: a test checks that
// every key a template uses is here, in both languages.
type catalogue map[string]message

// text returns the message key in lang; an unknown key returns the key
// itself, which the catalogue test rules out for templates.
func (c catalogue) text(lang, key string) string {
	m, ok := c[key]
	if !ok {
		return key
	}
	if lang == directory.LangEN {
		return m.en
	}
	return m.ru
}

// count returns the plural form of key for n in lang, with n put in its
// %d. Russian has three forms (1 организация, 2 организации,
// 5 организаций), English two ("many" serves for the plural).
func (c catalogue) count(lang, key string, n int) string {
	return fmt.Sprintf(c.text(lang, key+"."+pluralForm(lang, n)), n)
}

// pluralForm is the CLDR plural category of n in lang, folded to the three
// forms the catalogue keeps.
func pluralForm(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	if lang == directory.LangEN {
		if n == 1 {
			return "one"
		}
		return "many"
	}
	switch d, dd := n%10, n%100; {
	case d == 1 && dd != 11:
		return "one"
	case d >= 2 && d <= 4 && (dd < 12 || dd > 14):
		return "few"
	}
	return "many"
}

// messages returns the catalogue of the pages.
func messages() catalogue {
	return catalogue{
		"site.name":        {"Каталог коалиции", "Coalition Directory"},
		"site.tagline":     {"Организации коалиции против торговли людьми: кто и где помогает, и как с ними связаться.", "Member organizations of the anti-trafficking coalition: who helps where, and how to reach them."},
		"nav.skip":         {"Перейти к содержанию", "Skip to content"},
		"nav.home":         {"Все организации", "All organizations"},
		"nav.language":     {"Язык", "Language"},
		"nav.switch":       {"English", "Русский"},
		"nav.api":          {"API для разработчиков", "API for developers"},
		"nav.signin":       {"Вход для партнёров", "Partner sign-in"},
		"nav.signout":      {"Выйти", "Sign out"},
		"nav.signed_in_as": {"Вы вошли как партнёр: %s", "Signed in as partner: %s"},
		"footer.data":      {"Данные каталога доступны через открытый JSON API.", "The directory's data is open through its JSON API."},

		"list.title":               {"Каталог организаций коалиции", "Coalition member directory"},
		"list.title_query":         {"«%s» — поиск в каталоге коалиции", "“%s” — coalition directory search"},
		"list.description":         {"Поиск организаций коалиции против торговли людьми по регионам, странам и направлениям работы: горячие линии, приюты, юридическая помощь и другое.", "Find member organizations of the anti-trafficking coalition by region, country and focus area: hotlines, shelters, legal aid and more."},
		"search.heading":           {"Поиск", "Search"},
		"search.label":             {"Название, город или что ищете", "Name, city or what you need"},
		"search.placeholder":       {"например, приют в Казани", "e.g. shelter in Kazan"},
		"search.submit":            {"Найти", "Search"},
		"search.reset":             {"Сбросить фильтры", "Clear filters"},
		"filter.country":           {"Страна", "Country"},
		"filter.region":            {"Регион", "Region"},
		"filter.focus_area":        {"Направление работы", "Focus area"},
		"filter.any":               {"Любая", "Any"},
		"filter.any_region":        {"Любой", "Any"},
		"filter.any_focus":         {"Любое", "Any"},
		"filter.invalid":           {"Проверьте условия поиска: %s.", "Please check the search: %s."},
		"field.q":                  {"текст поиска", "search text"},
		"field.country":            {"страна", "country"},
		"field.region":             {"регион", "region"},
		"field.focus_area":         {"направление работы", "focus area"},
		"field.page":               {"номер страницы", "page number"},
		"results.heading":          {"Организации", "Organizations"},
		"results.found.one":        {"Найдена %d организация", "%d organization found"},
		"results.found.few":        {"Найдено %d организации", "%d organizations found"},
		"results.found.many":       {"Найдено %d организаций", "%d organizations found"},
		"results.none":             {"Ничего не найдено. Попробуйте другие слова или уберите фильтр.", "Nothing found. Try other words or remove a filter."},
		"results.page":             {"Страница %d из %d", "Page %d of %d"},
		"results.paging":           {"Страницы результатов", "Result pages"},
		"results.prev":             {"Предыдущая", "Previous"},
		"results.next":             {"Следующая", "Next"},
		"results.past_end":         {"Такой страницы результатов нет", "There is no such page of results"},
		"results.past_end_text":    {"Список короче: страницы с этим номером в нём нет.", "The list is shorter: it has no page with this number."},
		"results.last":             {"К последней странице результатов", "Go to the last page of results"},
		"org.seat":                 {"Местонахождение", "Location"},
		"org.focus_areas":          {"Направления работы", "Focus areas"},
		"org.service_regions":      {"Работает также в регионах", "Also works in"},
		"org.contacts":             {"Как связаться", "How to reach them"},
		"org.website":              {"Сайт", "Website"},
		"org.email":                {"Эл. почта", "Email"},
		"org.phones":               {"Телефоны", "Phones"},
		"org.address":              {"Адрес", "Address"},
		"org.address_hidden":       {"Адрес не публикуется; он виден партнёрам после входа.", "The address is not public; partners see it after signing in."},
		"org.status":               {"Статус", "Status"},
		"org.member_since":         {"В коалиции с %s", "Member since %s"},
		"org.people":               {"Контактные лица", "Contact people"},
		"org.no_people":            {"Публичных контактных лиц нет.", "No public contact people."},
		"org.partners_only":        {"только для партнёров", "partners only"},
		"org.primary":              {"основной контакт", "primary contact"},
		"org.vcard":                {"Скачать контакты (vCard)", "Download contacts (vCard)"},
		"org.languages":            {"Языки работы", "Working languages"},
		"org.verified":             {"Данные подтверждены %s", "Details confirmed on %s"},
		"org.back":                 {"Ко всем организациям", "Back to all organizations"},
		"org.more_in_region":       {"Другие организации региона", "Other organizations in this region"},
		"phone.office":             {"офис", "office"},
		"phone.hotline":            {"горячая линия", "hotline"},
		"phone.mobile":             {"мобильный", "mobile"},
		"org.description_fallback": {"Описание есть только на языке оригинала.", "The description is only available in the original language."},

		"map.heading":          {"Карта: организации по регионам", "Map: organizations by region"},
		"map.help":             {"Цвет показывает число организаций, которые находятся или работают в регионе. Нажмите на регион, чтобы увидеть его организации.", "The colour shows how many organizations are seated or work in a region. Select a region to list its organizations."},
		"map.table":            {"Те же данные таблицей", "The same counts as a table"},
		"map.table_caption":    {"Число организаций по регионам", "Organizations by region"},
		"map.no_boundary":      {"нет на карте", "not on the map"},
		"embed.title":          {"Организации коалиции", "Coalition member organizations"},
		"embed.more":           {"Все результаты в каталоге", "All results in the directory"},
		"embed.invalid":        {"Неверные параметры списка.", "The list's parameters are invalid."},
		"embed.heading":        {"Список на вашем сайте", "This list on your website"},
		"embed.help":           {"Вставьте этот код в страницу своего сайта, чтобы показать организации с выбранными фильтрами. Список обновляется сам.", "Paste this code into a page of your website to show the organizations matching the chosen filters. The list updates itself."},
		"embed.code":           {"HTML-код для вставки", "HTML code to paste"},
		"embed.copy":           {"Скопировать код", "Copy the code"},
		"embed.copied":         {"Код скопирован", "Code copied"},
		"countries.heading":    {"Страны", "Countries"},
		"country.title":        {"Организации коалиции: %s", "Coalition members in %s"},
		"country.description":  {"Организации коалиции против торговли людьми в стране %s: регионы и число организаций в каждом.", "Anti-trafficking coalition members in %s: regions and the number of organizations in each."},
		"country.regions":      {"Регионы", "Regions"},
		"country.region":       {"Регион", "Region"},
		"country.count":        {"Организаций", "Organizations"},
		"country.members.one":  {"%d организация", "%d organization"},
		"country.members.few":  {"%d организации", "%d organizations"},
		"country.members.many": {"%d организаций", "%d organizations"},
		"country.list":         {"Список организаций страны", "List the country's organizations"},
		"country.regions_note": {"Организация учитывается в регионе, где она находится, и в регионах, где работает.", "An organization counts in the region it is seated in and in those it also works in."},

		"signin.title":       {"Вход для партнёров", "Partner sign-in"},
		"signin.description": {"Партнёры коалиции входят по своему ключу API, чтобы видеть контакты только для партнёров.", "Coalition partners sign in with their API key to see partners-only contacts."},
		"signin.label":       {"Ключ API партнёра", "Partner API key"},
		"signin.help":        {"Ключ выдаёт администратор коалиции. Он нужен один раз: дальше вход хранится в защищённом cookie на 12 часов.", "The coalition's administrator issues the key. You enter it once: the sign-in then lasts 12 hours in a protected cookie."},
		"signin.submit":      {"Войти", "Sign in"},
		"signin.failed":      {"Ключ не подошёл: он неверен или отозван.", "That key did not work: it is wrong or was revoked."},
		"forbidden.title":    {"Форма устарела", "The form has expired"},
		"forbidden.text":     {"Не удалось проверить, что форма отправлена с этого сайта. Откройте страницу заново и повторите.", "We could not confirm the form was sent from this site. Please open the page again and retry."},
		"notfound.title":     {"Страница не найдена", "Page not found"},
		"notfound.text":      {"Такой страницы нет: возможно, организация переименована или ссылка неполная. Найдите её поиском:", "There is no such page: the organization may have been renamed, or the link is incomplete. Try searching:"},
		"error.title":        {"Что-то пошло не так", "Something went wrong"},
		"error.text":         {"Не удалось показать страницу. Попробуйте ещё раз через минуту.", "The page could not be shown. Please try again in a minute."},
		"toomany.title":      {"Слишком много запросов", "Too many requests"},
		"toomany.later":      {"С вашего адреса пришло слишком много запросов. Попробуйте ещё раз чуть позже.", "Too many requests came from your address. Please try again a little later."},
		"toomany.after.one":  {"С вашего адреса пришло слишком много запросов. Попробуйте ещё раз через %d секунду.", "Too many requests came from your address. Please try again in %d second."},
		"toomany.after.few":  {"С вашего адреса пришло слишком много запросов. Попробуйте ещё раз через %d секунды.", "Too many requests came from your address. Please try again in %d seconds."},
		"toomany.after.many": {"С вашего адреса пришло слишком много запросов. Попробуйте ещё раз через %d секунд.", "Too many requests came from your address. Please try again in %d seconds."},
	}
}
