package build

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// parseMO reads a GNU gettext message catalogue (.mo) and returns its
// translations keyed by msgid. The header entry (empty msgid) is skipped; for
// plural entries the singular msgid maps to the first form; a msgctxt stays in
// the key as gettext stores it ("ctx\x04msgid"), which iso-codes does not use.
//
// The format (https://www.gnu.org/software/gettext/manual/html_node/MO-Files.html):
// a magic number that also gives the byte order, a revision, the number of
// strings N, and the offsets of two tables of N (length, offset) pairs, one
// for the msgids and one for their translations.
func parseMO(data []byte) (map[string]string, error) {
	if len(data) < 20 {
		return nil, errors.New("mo: file too short for a header")
	}
	var order binary.ByteOrder
	switch binary.LittleEndian.Uint32(data) {
	case 0x950412de:
		order = binary.LittleEndian
	case 0xde120495:
		order = binary.BigEndian
	default:
		return nil, errors.New("mo: bad magic number")
	}
	if rev := order.Uint32(data[4:]); rev>>16 > 1 {
		return nil, fmt.Errorf("mo: unsupported major revision %d", rev>>16)
	}
	n := order.Uint32(data[8:])
	origs := order.Uint32(data[12:])
	trans := order.Uint32(data[16:])

	// str returns the string described by the table entry at off.
	str := func(off uint64) (string, error) {
		if off+8 > uint64(len(data)) {
			return "", fmt.Errorf("mo: table entry at %d out of range", off)
		}
		length := uint64(order.Uint32(data[off:]))
		start := uint64(order.Uint32(data[off+4:]))
		if start+length > uint64(len(data)) {
			return "", fmt.Errorf("mo: string at %d+%d out of range", start, length)
		}
		return string(data[start : start+length]), nil
	}

	msgs := make(map[string]string, n)
	for i := range uint64(n) {
		id, err := str(uint64(origs) + 8*i)
		if err != nil {
			return nil, err
		}
		tr, err := str(uint64(trans) + 8*i)
		if err != nil {
			return nil, err
		}
		if id == "" {
			continue // the header
		}
		id, _, _ = strings.Cut(id, "\x00")
		tr, _, _ = strings.Cut(tr, "\x00")
		msgs[id] = tr
	}
	return msgs, nil
}
