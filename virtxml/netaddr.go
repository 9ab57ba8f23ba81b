package virtxml

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// IPAddr is an IPv4 or IPv6 address as libvirt's virSocketAddr holds it:
// 16 bytes with a family. The zero value is "no address".
type IPAddr struct {
	b  [16]byte
	v6 bool
	ok bool
}

// ParseIPAddr parses an address the way libvirt does (getaddrinfo with
// AI_NUMERICHOST): IPv4 in any inet_aton form ("10.1", "0x7f.1",
// "010.0.0.1") or an IPv6 literal.
func ParseIPAddr(s string) (IPAddr, error) {
	if strings.IndexByte(s, ':') >= 0 {
		return parseIPv6(s)
	}
	return parseIPv4(s)
}

// IsValid reports whether a holds an address.
func (a IPAddr) IsValid() bool { return a.ok }

// Is4 reports whether a is an IPv4 address.
func (a IPAddr) Is4() bool { return a.ok && !a.v6 }

// Is6 reports whether a is an IPv6 address.
func (a IPAddr) Is6() bool { return a.ok && a.v6 }

// String formats a as glibc's inet_ntop does ("" when a is not valid).
func (a IPAddr) String() string {
	if !a.ok {
		return ""
	}
	if !a.v6 {
		return fmt.Sprintf("%d.%d.%d.%d", a.b[0], a.b[1], a.b[2], a.b[3])
	}
	return formatIPv6(a.b)
}

// MarshalText implements encoding.TextMarshaler.
func (a IPAddr) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *IPAddr) UnmarshalText(b []byte) error {
	v, err := ParseIPAddr(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

func errBadAddr(s string) error {
	return fmt.Errorf("Cannot parse socket address '%s'", s)
}

// parseIPv4 accepts what inet_aton accepts: one to four parts, each
// decimal, octal (leading 0) or hex (0x), the last part filling the
// remaining bytes.
func parseIPv4(s string) (IPAddr, error) {
	if s == "" {
		return IPAddr{}, errBadAddr(s)
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return IPAddr{}, errBadAddr(s)
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, err := parseAtonPart(p)
		if err != nil {
			return IPAddr{}, errBadAddr(s)
		}
		vals[i] = v
	}
	var n uint64
	last := len(vals) - 1
	for i := 0; i < last; i++ {
		if vals[i] > 0xff {
			return IPAddr{}, errBadAddr(s)
		}
		n |= vals[i] << (8 * (3 - i))
	}
	room := uint(8 * (4 - last))
	if room < 64 && vals[last] >= 1<<room {
		return IPAddr{}, errBadAddr(s)
	}
	n |= vals[last]
	var a IPAddr
	a.ok = true
	a.b[0], a.b[1], a.b[2], a.b[3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return a, nil
}

func parseAtonPart(p string) (uint64, error) {
	if p == "" {
		return 0, errBadAddr(p)
	}
	base := 10
	switch {
	case len(p) > 1 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
		base, p = 16, p[2:]
		if p == "" {
			return 0, nil
		}
	case len(p) > 1 && p[0] == '0':
		base, p = 8, p[1:]
	}
	for i := 0; i < len(p); i++ {
		if _, ok := hexVal(p[i]); !ok || base == 10 && p[i] > '9' || base == 8 && p[i] > '7' {
			return 0, errBadAddr(p)
		}
	}
	v, err := strconv.ParseUint(p, base, 32)
	if err != nil {
		return 0, errBadAddr(p)
	}
	return v, nil
}

func parseIPv6(s string) (IPAddr, error) {
	var a IPAddr
	a.ok, a.v6 = true, true
	bad := func() (IPAddr, error) { return IPAddr{}, errBadAddr(s) }
	if i := strings.IndexByte(s, '%'); i >= 0 {
		return bad()
	}
	ellipsis := -1
	i := 0
	if strings.HasPrefix(s, "::") {
		ellipsis = 0
		s = s[2:]
		if s == "" {
			return a, nil
		}
	}
	for i < 16 {
		// Hex group or trailing dotted IPv4.
		j := 0
		for j < len(s) && j < 5 {
			if _, ok := hexVal(s[j]); !ok {
				break
			}
			j++
		}
		if j < len(s) && s[j] == '.' {
			if ellipsis < 0 && i != 12 || i > 12 {
				return bad()
			}
			v4, err := parseStrictIPv4(s)
			if err != nil {
				return bad()
			}
			copy(a.b[i:], v4[:])
			i += 4
			s = ""
			break
		}
		if j == 0 || j > 4 {
			return bad()
		}
		v, _ := strconv.ParseUint(s[:j], 16, 16)
		a.b[i], a.b[i+1] = byte(v>>8), byte(v)
		i += 2
		s = s[j:]
		if s == "" {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return bad()
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return bad()
			}
			ellipsis = i
			s = s[1:]
			if s == "" {
				break
			}
		}
	}
	if s != "" {
		return bad()
	}
	if i < 16 {
		if ellipsis < 0 {
			return bad()
		}
		n := 16 - i
		copy(a.b[ellipsis+n:], a.b[ellipsis:i])
		for k := ellipsis; k < ellipsis+n; k++ {
			a.b[k] = 0
		}
	} else if ellipsis >= 0 {
		return bad()
	}
	return a, nil
}

func parseStrictIPv4(s string) ([4]byte, error) {
	var out [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return out, errBadAddr(s)
	}
	for i, p := range parts {
		if p == "" || len(p) > 3 {
			return out, errBadAddr(s)
		}
		v, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return out, errBadAddr(s)
		}
		out[i] = byte(v)
	}
	return out, nil
}

// formatIPv6 writes the RFC 5952 form glibc produces, including its
// embedded-IPv4 forms ::a.b.c.d and ::ffff:a.b.c.d.
func formatIPv6(b [16]byte) string {
	var w [8]uint16
	for i := range w {
		w[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	bestBase, bestLen, curBase, curLen := -1, 0, -1, 0
	for i := 0; i < 8; i++ {
		if w[i] == 0 {
			if curBase < 0 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
			continue
		}
		if curBase >= 0 {
			if bestBase < 0 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if curBase >= 0 && (bestBase < 0 || curLen > bestLen) {
		bestBase, bestLen = curBase, curLen
	}
	if bestBase >= 0 && bestLen < 2 {
		bestBase = -1
	}
	var sb strings.Builder
	for i := 0; i < 8; i++ {
		if bestBase >= 0 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				sb.WriteByte(':')
			}
			continue
		}
		if i != 0 {
			sb.WriteByte(':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || bestLen == 5 && w[5] == 0xffff) {
			fmt.Fprintf(&sb, "%d.%d.%d.%d", b[12], b[13], b[14], b[15])
			break
		}
		sb.WriteString(strconv.FormatUint(uint64(w[i]), 16))
	}
	if bestBase >= 0 && bestBase+bestLen == 8 {
		sb.WriteByte(':')
	}
	return sb.String()
}

// hi and lo give the address as a 128-bit number (IPv4 in lo's low bits).
func (a IPAddr) hiLo() (hi, lo uint64) {
	if !a.v6 {
		return 0, uint64(a.b[0])<<24 | uint64(a.b[1])<<16 | uint64(a.b[2])<<8 | uint64(a.b[3])
	}
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(a.b[i])
		lo = lo<<8 | uint64(a.b[8+i])
	}
	return hi, lo
}

// maskPrefix returns a with all but the first prefix bits cleared.
func (a IPAddr) maskPrefix(prefix int) IPAddr {
	n := 32
	if a.v6 {
		n = 128
	}
	if prefix < 0 || prefix > n {
		return IPAddr{}
	}
	out := a
	for i := 0; i < n/8; i++ {
		keep := prefix - 8*i
		switch {
		case keep >= 8:
		case keep <= 0:
			out.b[i] = 0
		default:
			out.b[i] &= byte(0xff << (8 - keep))
		}
	}
	return out
}

// netmaskBits returns the prefix length of a contiguous netmask, or -1.
func (a IPAddr) netmaskBits() int {
	if !a.ok {
		return -1
	}
	n := 4
	if a.v6 {
		n = 16
	}
	count, done := 0, false
	for i := 0; i < n; i++ {
		c := a.b[i]
		if done {
			if c != 0 {
				return -1
			}
			continue
		}
		ones := bits.LeadingZeros8(^c)
		if c<<ones != 0 {
			return -1
		}
		count += ones
		if ones < 8 {
			done = true
		}
	}
	return count
}

// ipPrefix returns the prefix of an address with an optional netmask and
// prefix, falling back to the classful default for IPv4 and 64 for IPv6
// (libvirt's virSocketAddrGetIPPrefix); -1 when none applies.
func ipPrefix(addr, netmask IPAddr, prefix uint) int {
	if prefix > 0 {
		return int(prefix)
	}
	if netmask.IsValid() {
		return netmask.netmaskBits()
	}
	if addr.Is4() {
		if addr.b == [16]byte{} {
			return 0
		}
		switch o := addr.b[0]; {
		case o&0x80 == 0:
			return 8
		case o&0xc0 == 0x80:
			return 16
		case o&0xe0 == 0xc0:
			return 24
		}
		return -1
	}
	if addr.Is6() {
		if addr.b == [16]byte{} {
			return 0
		}
		return 64
	}
	return 0
}

// checkRange validates a DHCP or NAT address range the way libvirt's
// virSocketAddrGetRange does; with a network (net valid) both ends must lie
// inside it, and for IPv4 be neither its network nor its broadcast address.
func checkRange(start, end, net IPAddr, prefix int) error {
	ss, es := start.String(), end.String()
	if start.v6 != end.v6 {
		return errorf(CodeInternal, "mismatch of address family in range %s - %s", ss, es)
	}
	if net.IsValid() {
		ns := net.String()
		if net.v6 != start.v6 {
			return errorf(CodeInternal, "mismatch of address family in range %s - %s for network %s", ss, es, ns)
		}
		if prefix < 0 || start.v6 && prefix > 128 || !start.v6 && prefix > 32 {
			return errorf(CodeInternal, "bad prefix %d for network %s when checking range %s - %s", prefix, ns, ss, es)
		}
		n := net.maskPrefix(prefix)
		if start.maskPrefix(prefix) != n || end.maskPrefix(prefix) != n {
			return errorf(CodeInternal, "range %s - %s is not entirely within network %s/%d", ss, es, ns, prefix)
		}
		if !start.v6 {
			if start == n {
				return errorf(CodeInternal, "start of range %s - %s in network %s/%d is the network address", ss, es, ns, prefix)
			}
			bcast := n
			for i := 0; i < 4; i++ {
				keep := prefix - 8*i
				switch {
				case keep >= 8:
				case keep <= 0:
					bcast.b[i] = 0xff
				default:
					bcast.b[i] |= byte(0xff >> keep)
				}
			}
			if end == bcast {
				return errorf(CodeInternal, "end of range %s - %s in network %s/%d is the broadcast address", ss, es, ns, prefix)
			}
		}
	}
	if !start.v6 {
		if start.b[0] != end.b[0] || start.b[1] != end.b[1] {
			return errorf(CodeInternal, "range %s - %s is too large (> 65535)", ss, es)
		}
		if int(end.b[2])*256+int(end.b[3]) < int(start.b[2])*256+int(start.b[3]) {
			return errorf(CodeInternal, "range %s - %s is reversed ", ss, es)
		}
		return nil
	}
	for i := 0; i < 14; i++ {
		if start.b[i] != end.b[i] {
			return errorf(CodeInternal, "range %s - %s is too large (> 65535)", ss, es)
		}
	}
	if int(end.b[14])<<8|int(end.b[15]) < int(start.b[14])<<8|int(start.b[15]) {
		return errorf(CodeInternal, "range %s - %s start larger than end", ss, es)
	}
	return nil
}

// MAC is a 6-byte hardware address.
type MAC [6]byte

// ParseMAC parses "aa:bb:cc:dd:ee:ff" (one or two hex digits a part, as
// libvirt's virMacAddrParse accepts).
func ParseMAC(s string) (MAC, error) {
	var m MAC
	for i := 0; i < 6; i++ {
		j := 0
		for j < len(s) && j < 3 {
			if _, ok := hexVal(s[j]); !ok {
				break
			}
			j++
		}
		if j == 0 || j > 2 {
			return MAC{}, fmt.Errorf("invalid MAC address '%s'", s)
		}
		v, _ := strconv.ParseUint(s[:j], 16, 8)
		m[i] = byte(v)
		s = s[j:]
		if i < 5 {
			if s == "" || s[0] != ':' {
				return MAC{}, fmt.Errorf("invalid MAC address '%s'", s)
			}
			s = s[1:]
		}
	}
	// Like libvirt, accept anything after the last byte that starts with
	// a character at or below the space.
	if s != "" && s[0] > ' ' {
		return MAC{}, fmt.Errorf("invalid MAC address '%s'", s)
	}
	return m, nil
}

// IsMulticast reports whether the group bit is set.
func (m MAC) IsMulticast() bool { return m[0]&1 != 0 }

// String formats m as lower-case aa:bb:cc:dd:ee:ff.
func (m MAC) String() string {
	const hx = "0123456789abcdef"
	var b [17]byte
	for i := 0; i < 6; i++ {
		b[3*i] = hx[m[i]>>4]
		b[3*i+1] = hx[m[i]&15]
		if i < 5 {
			b[3*i+2] = ':'
		}
	}
	return string(b[:])
}
