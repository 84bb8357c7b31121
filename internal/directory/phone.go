package directory

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// phoneRules decides what phonenumbers.IsValidNumber decides, from the
// library's own metadata, with each region's patterns compiled once, when a
// number of that region is first checked. The library builds each pattern's
// text and looks it up in a locked cache for every check, and matches each
// pattern twice: five times the cost, which an import of a hundred thousand
// organizations pays for three hundred thousand numbers. The library still
// parses numbers and picks their region; a test holds the two to the same
// answers.
type phoneRules struct {
	byRegion map[string]*phonenumbers.PhoneMetadata // by region code
	nonGeo   map[int32]*phonenumbers.PhoneMetadata  // non-geographic entities (region 001), by country code
	compiled sync.Map                               // *phonenumbers.PhoneMetadata → *regionPhoneRules
}

// regionPhoneRules are one region's: the general description every valid
// number fits, and the descriptions of the number types, of which a valid
// number fits one.
type regionPhoneRules struct {
	general numberDesc
	types   []numberDesc
}

// numberDesc is a compiled phonenumbers.PhoneNumberDesc.
type numberDesc struct {
	lengths []int32 // possible lengths of the national number; none means any
	pattern *regexp.Regexp
}

func (d numberDesc) matches(nsn string) bool {
	if len(d.lengths) > 0 && !slices.Contains(d.lengths, int32(len(nsn))) {
		return false
	}
	return d.pattern.MatchString(nsn)
}

// sharedPhoneRules are read once per process, when first needed, and shared
// by every Service: like a compiled regular expression, they derive from
// data built into the program and never change (and
// phonenumbers.MetadataCollection must not be called concurrently).
var sharedPhoneRules = sync.OnceValue(newPhoneRules)

// newPhoneRules indexes the library's metadata; nil if it cannot be read,
// and then the library decides alone.
func newPhoneRules() *phoneRules {
	collection, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil
	}
	rules := &phoneRules{byRegion: map[string]*phonenumbers.PhoneMetadata{}, nonGeo: map[int32]*phonenumbers.PhoneMetadata{}}
	for _, md := range collection.GetMetadata() {
		if id := md.GetId(); id == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
			rules.nonGeo[md.GetCountryCode()] = md
		} else {
			rules.byRegion[id] = md
		}
	}
	return rules
}

// region returns the compiled rules of a region's metadata.
func (p *phoneRules) region(md *phonenumbers.PhoneMetadata) *regionPhoneRules {
	if r, ok := p.compiled.Load(md); ok {
		return r.(*regionPhoneRules)
	}
	r := &regionPhoneRules{general: compileDesc(md.GetGeneralDesc())}
	// The types getNumberTypeHelper recognizes; mobile only where its
	// pattern is not the fixed-line one (the library then checks only
	// fixed line).
	descs := []*phonenumbers.PhoneNumberDesc{md.GetFixedLine(), md.GetPremiumRate(), md.GetTollFree(),
		md.GetSharedCost(), md.GetVoip(), md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail()}
	if !md.GetSameMobileAndFixedLinePattern() {
		descs = append([]*phonenumbers.PhoneNumberDesc{md.GetMobile()}, descs...)
	}
	for _, d := range descs {
		if d != nil && d.GetNationalNumberPattern() != "" {
			r.types = append(r.types, compileDesc(d))
		}
	}
	stored, _ := p.compiled.LoadOrStore(md, r)
	return stored.(*regionPhoneRules)
}

// compileDesc compiles a description's pattern as the library matches it:
// the whole national number.
func compileDesc(d *phonenumbers.PhoneNumberDesc) numberDesc {
	return numberDesc{lengths: d.GetPossibleLength(), pattern: regexp.MustCompile("^(?:" + d.GetNationalNumberPattern() + ")$")}
}

// valid reports whether num is a valid number, as phonenumbers.IsValidNumber.
func (p *phoneRules) valid(num *phonenumbers.PhoneNumber) bool {
	if p == nil {
		return phonenumbers.IsValidNumber(num)
	}
	region := phonenumbers.GetRegionCodeForNumber(num)
	md := p.byRegion[region]
	if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
		md = p.nonGeo[num.GetCountryCode()]
	}
	if md == nil {
		return false
	}
	r := p.region(md)
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	if !r.general.matches(nsn) {
		return false
	}
	return slices.ContainsFunc(r.types, func(d numberDesc) bool { return d.matches(nsn) })
}

// validE164 is a fast path for numbers already stored in E.164, as every
// export writes them: it skips the parser's text clean-up, which costs more
// than the validation itself when a hundred thousand organizations are
// imported. Anything it does not accept goes through the full parser, so it
// never rejects a number that the parser would take.
func (p *phoneRules) validE164(v string) bool {
	if len(v) < 8 || len(v) > 16 || v[0] != '+' || v[1] == '0' {
		return false
	}
	for i := 1; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	for ccLen := 1; ccLen <= 3; ccLen++ {
		cc, _ := strconv.Atoi(v[1 : 1+ccLen])
		if phonenumbers.GetRegionCodeForCountryCode(cc) == phonenumbers.UNKNOWN_REGION {
			continue
		}
		national := v[1+ccLen:]
		if national == "" || national[0] == '0' { // leading zeros need the parser's care
			return false
		}
		nn, err := strconv.ParseUint(national, 10, 64)
		if err != nil {
			return false
		}
		code := int32(cc)
		return p.valid(&phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &nn})
	}
	return false
}

// check parses a number, in national format with the country as default
// region or in international format, and returns it in E.164 with the
// extension written after it (доб. 123, ext. 456, x123, #123, ;ext=123),
// which libphonenumber's parser reads and E.164 cannot hold. A number the
// parser rejects may still be a short service number (112) that the
// library's short-number data accepts for the country: it is returned as
// dialled, since it has no international form.
func (p *phoneRules) check(fe *fieldErrors, field, v, country string) (number, extension string) {
	if p.validE164(v) {
		return v, ""
	}
	num, err := phonenumbers.Parse(v, country)
	switch {
	case err == nil && p.valid(num):
		return phonenumbers.Format(num, phonenumbers.E164), num.GetExtension()
	case err == nil && !strings.HasPrefix(v, "+") && num.GetExtension() == "" &&
		phonenumbers.IsValidShortNumberForRegion(num, country):
		return phonenumbers.GetNationalSignificantNumber(num), ""
	}
	fe.add(field, "must be a valid phone number, such as +7 831 200-00-00 or +7 831 200-00-00 доб. 123")
	return v, ""
}

// maxExtensionLength is the longest extension libphonenumber reads after an
// explicit label such as "ext.".
const maxExtensionLength = 20

// checkPhone validates one of an organization's phones: the number (with
// an extension written in it moved to Extension, see check), the extension,
// the kind (office by default) and the description.
func checkPhone(fe *fieldErrors, rules *phoneRules, field string, ph *Phone, country string) {
	number, ext := rules.check(fe, field+".number", ph.Number, country)
	ph.Number = number
	switch {
	case ext != "" && ph.Extension != "" && ext != ph.Extension:
		fe.add(field+".extension", "is %s, but the number says %s", ph.Extension, ext)
	case ext != "":
		ph.Extension = ext
	}
	if ph.Extension != "" && !extensionPattern.MatchString(ph.Extension) {
		fe.add(field+".extension", "must be 1 to %d digits", maxExtensionLength)
	}
	switch ph.Kind {
	case PhoneOffice, PhoneHotline, PhoneMobile:
	case "":
		ph.Kind = PhoneOffice
	default:
		fe.add(field+".kind", "must be one of office, hotline, mobile")
	}
	checkText(fe, field+".description", ph.Description, maxShortText, false)
}

var extensionPattern = regexp.MustCompile(`^[0-9]{1,20}$`)
