package directory

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

// TestComposedAlone checks composedAlone against norm's tables: every rune
// it accepts is in NFC by itself and starts a new segment (combines with no
// rune before it), so any sequence of them is in NFC; and the combining
// marks either side of the ranges it accepts are refused.
func TestComposedAlone(t *testing.T) {
	accepted := 0
	for r := rune(0); r <= 0x10FFFF; r++ {
		s := string(r)
		if !composedAlone(s) {
			continue
		}
		accepted++
		if p := norm.NFC.PropertiesString(s); !norm.NFC.IsNormalString(s) || !p.BoundaryBefore() || p.CCC() != 0 {
			t.Errorf("U+%04X accepted, but NFC %v, boundary before %v, combining class %d",
				r, norm.NFC.IsNormalString(s), p.BoundaryBefore(), p.CCC())
		}
	}
	if accepted < 0x300+0x80 {
		t.Errorf("accepted %d runes, want at least the %d below U+0300 and the Cyrillic letters", accepted, 0x300+0x80)
	}
	for _, s := range []string{"и\u0306", "e\u0301", "\u0483", "Ш\u0489", "\u212B"} {
		if composedAlone(s) {
			t.Errorf("composedAlone(%+q) = true, want false", s)
		}
		if normalizeText(s) != norm.NFC.String(s) {
			t.Errorf("normalizeText(%+q) = %+q, want %+q", s, normalizeText(s), norm.NFC.String(s))
		}
	}
}
