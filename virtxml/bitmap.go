package virtxml

import (
	"sort"
	"strconv"
	"strings"
)

// maxBitmapBit bounds the CPU and node numbers accepted in a set, as
// libvirt does (VIR_DOMAIN_CPUMASK_LEN).
const maxBitmapBit = 8192

// ParseBitmap parses a libvirt CPU or node set such as "0-3,^2,8" into
// its sorted members.
func ParseBitmap(s string) ([]uint, bool) {
	in := map[uint]bool{}
	if strings.TrimSpace(s) == "" {
		return nil, false
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		neg := strings.HasPrefix(part, "^")
		if neg {
			part = part[1:]
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 32)
		if err != nil || a >= maxBitmapBit {
			return nil, false
		}
		b := a
		if isRange {
			if neg {
				return nil, false
			}
			b, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 32)
			if err != nil || b < a || b >= maxBitmapBit {
				return nil, false
			}
		}
		for i := a; i <= b; i++ {
			if neg {
				delete(in, uint(i))
			} else {
				in[uint(i)] = true
			}
		}
	}
	out := make([]uint, 0, len(in))
	for k := range in {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, true
}

// FormatBitmap writes sorted members as libvirt does: "0-3,5".
func FormatBitmap(bits []uint) string {
	var b strings.Builder
	for i := 0; i < len(bits); {
		j := i
		for j+1 < len(bits) && bits[j+1] == bits[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(bits[i]), 10))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.FormatUint(uint64(bits[j]), 10))
		}
		i = j + 1
	}
	return b.String()
}

// normBitmap reformats a set canonically; ok is false when s is invalid
// or empty.
func normBitmap(s string) (string, bool) {
	bits, ok := ParseBitmap(s)
	if !ok {
		return s, false
	}
	return FormatBitmap(bits), len(bits) > 0
}
