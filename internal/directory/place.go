package directory

// Country is an ISO 3166-1 country with its English and Russian names.
type Country struct {
	Code   string // alpha-2
	NameEN string
	NameRU string
}

// Region is an ISO 3166-2 subdivision with its English and Russian names.
type Region struct {
	Code        string // e.g. RU-NIZ
	CountryCode string // e.g. RU
	Type        string // the iso-codes subdivision type, e.g. "Administrative region"
	NameEN      string
	NameRU      string
}

// Name returns the name in lang: English for "en", otherwise Russian, the
// coalition's working language; either falls back to the other.
func (c Country) Name(lang string) string { return pick(lang, c.NameRU, c.NameEN) }

// Name returns the name in lang ("ru" or "en"), falling back to the other.
func (r Region) Name(lang string) string { return pick(lang, r.NameRU, r.NameEN) }

func pick(lang, ru, en string) string {
	if lang == LangEN && en != "" || ru == "" {
		return en
	}
	return ru
}

// FocusAreaGroup groups the focus-area vocabulary.
type FocusAreaGroup string

// Focus-area groups: the 4P pillars, the services members run, and themes.
const (
	GroupPillar   FocusAreaGroup = "pillar"
	GroupActivity FocusAreaGroup = "activity"
	GroupTheme    FocusAreaGroup = "theme"
)

// FocusArea is one entry of the controlled vocabulary of what members do.
type FocusArea struct {
	Slug    string
	Group   FocusAreaGroup
	LabelEN string
	LabelRU string
}

// Label returns the label in lang, as Country.Name picks a name.
func (f FocusArea) Label(lang string) string { return pick(lang, f.LabelRU, f.LabelEN) }
