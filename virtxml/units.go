package virtxml

import (
	"math/bits"
	"strconv"
	"strings"
)

// ScaleUnit returns the multiplier for a libvirt size unit: "b"/"bytes",
// "KB" (1000), "k"/"KiB" (1024), "MB", "M"/"MiB", ... up to "E"/"EiB".
// An empty unit gives def.
func ScaleUnit(unit string, def uint64) (uint64, error) {
	if unit == "" {
		return def, nil
	}
	first := unit[0] | 0x20
	if first == 'b' {
		switch strings.ToLower(unit) {
		case "b", "byte", "bytes":
			return 1, nil
		}
		return 0, errorf(CodeInvalidArg, "unknown suffix '%s'", unit)
	}
	var base uint64
	rest := unit[1:]
	switch {
	case rest == "" || strings.EqualFold(rest, "iB"):
		base = 1024
	case strings.EqualFold(rest, "B"):
		base = 1000
	default:
		return 0, errorf(CodeInvalidArg, "unknown suffix '%s'", unit)
	}
	var pow int
	switch first {
	case 'k':
		pow = 1
	case 'm':
		pow = 2
	case 'g':
		pow = 3
	case 't':
		pow = 4
	case 'p':
		pow = 5
	case 'e':
		pow = 6
	default:
		return 0, errorf(CodeInvalidArg, "unknown suffix '%s'", unit)
	}
	scale := uint64(1)
	for i := 0; i < pow; i++ {
		scale *= base
	}
	return scale, nil
}

// ParseScaled parses a decimal size with its unit into bytes, as libvirt's
// virScaleInteger does: def is the unit when none is given and max the
// largest result allowed.
func ParseScaled(value, unit string, def, max uint64) (uint64, error) {
	v, err := strconv.ParseUint(strings.TrimSpace(value), 10, 64)
	if err != nil {
		return 0, errorf(CodeXML, "Invalid value '%s'", value)
	}
	scale, err := ScaleUnit(unit, def)
	if err != nil {
		return 0, err
	}
	hi, lo := bits.Mul64(v, scale)
	if hi != 0 || lo > max {
		return 0, errorf(CodeOverflow, "value too large: %s%s", value, unit)
	}
	return lo, nil
}

// DivUp divides rounding up.
func DivUp(a, b uint64) uint64 {
	return a/b + min(a%b, 1)
}
