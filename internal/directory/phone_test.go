package directory

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestValidE164AgreesWithTheParser checks the fast path against the full
// parser: it may pass a number to the parser, but never disagree with it.
func TestValidE164AgreesWithTheParser(t *testing.T) {
	rules := sharedPhoneRules()
	for _, n := range []string{"+78312000000", "+74950000001", "+77172000001", "+998712000001", "+37322000001",
		"+79200000001", "+7123", "+70000000000", "+12025550123", "+390612345678", "+4420794600000", "+99", "+7831200000000000"} {
		var fe fieldErrors
		rules.check(&fe, "phone", n, "RU")
		parsed, err := phonenumbers.Parse(n, "RU")
		want := err == nil && phonenumbers.IsValidNumber(parsed)
		if got := len(fe) == 0; got != want {
			t.Errorf("%s: valid %v, the parser says %v", n, got, want)
		}
		if rules.validE164(n) && !want {
			t.Errorf("%s: the fast path accepts what the parser rejects", n)
		}
	}
}

// TestPhoneRulesAgreeWithTheLibrary checks phoneRules against
// phonenumbers.IsValidNumber for every region the library knows: its
// example numbers of every type, and those numbers with their last digits
// redrawn, shortened and lengthened.
func TestPhoneRulesAgreeWithTheLibrary(t *testing.T) {
	rules := sharedPhoneRules()
	if rules == nil {
		t.Fatal("the library's metadata could not be read")
	}
	r := rand.New(rand.NewPCG(5, 6))
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER,
		phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL}
	var checked, valid int
	check := func(cc int32, nsn string) {
		if nsn == "" || nsn[0] == '0' || len(nsn) > 17 {
			return
		}
		n, err := strconv.ParseUint(nsn, 10, 64)
		if err != nil {
			return
		}
		num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &n}
		want := phonenumbers.IsValidNumber(num)
		if got := rules.valid(num); got != want {
			t.Fatalf("+%d %s: phoneRules %v, the library %v", cc, nsn, got, want)
		}
		checked++
		if want {
			valid++
		}
	}
	regions := phonenumbers.GetSupportedRegions()
	for region := range regions {
		for _, typ := range types {
			example := phonenumbers.GetExampleNumberForType(region, typ)
			if example == nil {
				continue
			}
			cc := example.GetCountryCode()
			nsn := phonenumbers.GetNationalSignificantNumber(example)
			check(cc, nsn)
			for range 20 {
				keep := r.IntN(len(nsn) + 1)
				redrawn := []byte(nsn[:keep])
				for len(redrawn) < len(nsn)+r.IntN(3)-1 {
					redrawn = append(redrawn, byte('0'+r.IntN(10)))
				}
				check(cc, string(redrawn))
			}
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		for range 50 {
			nsn := strconv.Itoa(1 + r.IntN(9))
			for range 7 + r.IntN(5) {
				nsn += strconv.Itoa(r.IntN(10))
			}
			check(int32(cc), nsn)
		}
	}
	if checked < 20000 || valid < checked/10 {
		t.Errorf("checked %d numbers, %d of them valid: too few to tell", checked, valid)
	}
	t.Logf("%d numbers checked, %d valid", checked, valid)
}
