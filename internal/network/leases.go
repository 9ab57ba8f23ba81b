package network

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"strconv"
	"strings"
)

// Lease is one lease of dnsmasq's lease database.
type Lease struct {
	Expiry   int64  // Unix seconds; 0 for an infinite lease
	MAC      string // IPv4 leases
	IAID     string // IPv6 leases
	IP       string
	Hostname string // "" when the client gave none
	ClientID string // IPv4: the client id; IPv6: the DUID
	IPv6     bool
}

// ReadLeases reads a dnsmasq lease file; a missing file has no leases.
func ReadLeases(path string) ([]Lease, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	return ParseLeases(b), nil
}

// ParseLeases parses dnsmasq's lease database: IPv4 lines "EXPIRY MAC IP
// HOSTNAME CLIENTID", then, after a "duid SERVERDUID" line, IPv6 lines
// "EXPIRY IAID IP HOSTNAME DUID". "*" stands for an empty field.
func ParseLeases(b []byte) []Lease {
	var out []Lease
	v6 := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 1 && f[0] == "duid" {
			v6 = true
			continue
		}
		if len(f) < 4 {
			continue
		}
		exp, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		l := Lease{Expiry: exp, IP: f[2], Hostname: star(f[3])}
		if len(f) >= 5 {
			l.ClientID = star(f[4])
		}
		if _, err := net.ParseMAC(f[1]); err == nil && !v6 {
			l.MAC = strings.ToLower(f[1])
		} else {
			l.IPv6 = true
			l.IAID = f[1]
		}
		out = append(out, l)
	}
	return out
}

func star(s string) string {
	if s == "*" {
		return ""
	}
	return s
}
