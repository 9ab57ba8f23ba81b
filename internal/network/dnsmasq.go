package network

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virtxml"
)

// Files are where a network's dnsmasq keeps its state.
type Files struct {
	Conf      string // the configuration file
	PidFile   string
	LeaseFile string // dnsmasq's own lease database (net-dhcp-leases)
}

// IPPrefix returns the address and prefix of an <ip> element: its prefix,
// else its netmask, else the address class's default (IPv6: 64).
func IPPrefix(ip *virtxml.NetworkIP) (netip.Prefix, error) {
	a, err := netip.ParseAddr(ip.Address)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad address %q: %w", ip.Address, err)
	}
	bitsN := int(ip.Prefix)
	switch {
	case bitsN > 0:
	case ip.Netmask != "":
		m, err := netip.ParseAddr(ip.Netmask)
		if err != nil || !m.Is4() {
			return netip.Prefix{}, fmt.Errorf("bad netmask %q", ip.Netmask)
		}
		b := m.As4()
		bitsN = bits.OnesCount32(binary.BigEndian.Uint32(b[:]))
	case a.Is6():
		bitsN = 64
	default:
		switch b := a.As4(); {
		case b[0] < 128:
			bitsN = 8
		case b[0] < 192:
			bitsN = 16
		default:
			bitsN = 24
		}
	}
	return netip.PrefixFrom(a, bitsN), nil
}

// netmask is the dotted netmask of an IPv4 prefix length.
func netmask(bitsN int) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], ^uint32(0)<<(32-bitsN))
	return netip.AddrFrom4(b).String()
}

// leaseTime is dnsmasq's spelling of a lease time ("" for the default).
func leaseTime(l *virtxml.NetworkDHCPLease) string {
	if l == nil {
		return ""
	}
	if l.Expiry == 0 {
		return "infinite"
	}
	switch l.Unit {
	case "seconds":
		return strconv.FormatUint(l.Expiry, 10)
	case "hours":
		return strconv.FormatUint(l.Expiry, 10) + "h"
	}
	return strconv.FormatUint(l.Expiry, 10) + "m"
}

// NeedsDnsmasq reports whether a network runs a dnsmasq: it has a bridge
// of its own with an address to serve on.
func NeedsDnsmasq(def *virtxml.Network) bool {
	return OwnBridge(def) && len(def.IPs) > 0
}

// OwnBridge reports whether govirt creates the network's bridge (nat,
// route, open and isolated networks); bridge-mode networks use an
// existing one.
func OwnBridge(def *virtxml.Network) bool {
	if def.Forward == nil {
		return true
	}
	switch def.Forward.Mode {
	case "nat", "route", "open", "":
		return true
	}
	return false
}

// DnsmasqConfig returns a network's dnsmasq configuration. It does no
// I/O. Static DHCP and DNS hosts are written into it rather than into
// files of their own: dnsmasq reads its configuration before it drops
// root's privileges, so the state folders may stay private.
func DnsmasqConfig(def *virtxml.Network, f Files) (string, error) {
	if def.Bridge == nil || def.Bridge.Name == "" {
		return "", fmt.Errorf("network '%s' has no bridge", def.Name)
	}
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	line("## Written by govirt for network %s: changes are lost when it restarts.", def.Name)
	line("strict-order")
	line("pid-file=%s", f.PidFile)
	line("except-interface=lo")
	line("bind-dynamic")
	line("interface=%s", def.Bridge.Name)
	dns := def.DNS
	if dns != nil && dns.Enable == "no" {
		line("port=0")
	}
	if def.Domain != nil && def.Domain.Name != "" {
		line("domain=%s", def.Domain.Name)
		if def.Domain.LocalOnly == "yes" {
			line("local=/%s/", def.Domain.Name)
		}
		line("expand-hosts")
	}
	if dns != nil && dns.Enable != "no" {
		if dns.ForwardPlainNames == "no" {
			line("domain-needed")
		}
		for _, fw := range dns.Forwarders {
			switch {
			case fw.Domain != "" && fw.Addr != "":
				line("server=/%s/%s", fw.Domain, fw.Addr)
			case fw.Domain != "":
				line("server=/%s/", fw.Domain)
			case fw.Addr != "":
				line("server=%s", fw.Addr)
			}
		}
		for _, fw := range dns.Forwarders {
			if fw.Domain == "" && fw.Addr != "" {
				line("no-resolv") // only the forwarders answer
				break
			}
		}
		for _, t := range dns.TXTs {
			line("txt-record=%s,%s", t.Name, t.Value)
		}
		for _, s := range dns.SRVs {
			name := "_" + s.Service + "._" + s.Protocol
			if s.Domain != "" {
				name += "." + s.Domain
			}
			if s.Target != "" {
				line("srv-host=%s,%s,%d,%d,%d", name, s.Target, s.Port, s.Priority, s.Weight)
			} else {
				line("srv-host=%s", name)
			}
		}
	}
	var hosts []string
	leaseMax := 0
	dhcp := false
	for i := range def.IPs {
		ip := &def.IPs[i]
		p, err := IPPrefix(ip)
		if err != nil {
			return "", err
		}
		if ip.DHCP == nil {
			if p.Addr().Is6() {
				line("dhcp-range=%s,ra-only", p.Masked().Addr())
			}
			continue
		}
		for _, r := range ip.DHCP.Ranges {
			spec := r.Start + "," + r.End
			if p.Addr().Is4() {
				spec += "," + netmask(p.Bits())
			} else {
				spec += "," + strconv.Itoa(p.Bits())
			}
			if lt := leaseTime(r.Lease); lt != "" {
				spec += "," + lt
			}
			line("dhcp-range=%s", spec)
			leaseMax += rangeSize(r.Start, r.End)
			dhcp = true
		}
		for _, h := range ip.DHCP.Hosts {
			var fields []string
			if h.MAC != "" {
				fields = append(fields, h.MAC)
			}
			if h.ID != "" {
				fields = append(fields, "id:"+h.ID)
			}
			if h.IP != "" {
				if p.Addr().Is6() {
					fields = append(fields, "["+h.IP+"]")
				} else {
					fields = append(fields, h.IP)
				}
			}
			if h.Name != "" {
				fields = append(fields, h.Name)
			}
			if lt := leaseTime(h.Lease); lt != "" {
				fields = append(fields, lt)
			}
			hosts = append(hosts, "dhcp-host="+strings.Join(fields, ","))
			leaseMax++
			dhcp = true
		}
		if len(ip.DHCP.Ranges) == 0 && len(ip.DHCP.Hosts) > 0 && p.Addr().Is4() {
			// Static hosts alone still need a range for the subnet.
			line("dhcp-range=%s,static,%s", p.Masked().Addr(), netmask(p.Bits()))
		}
		if bp := ip.DHCP.Bootp; bp != nil && p.Addr().Is4() {
			if bp.Server != "" {
				line("dhcp-boot=%s,,%s", bp.File, bp.Server)
			} else {
				line("dhcp-boot=%s", bp.File)
			}
		}
		if p.Addr().Is6() {
			line("enable-ra")
		}
		if ip.TFTPRoot != "" {
			line("enable-tftp")
			line("tftp-root=%s", ip.TFTPRoot)
		}
	}
	if dhcp {
		line("dhcp-no-override")
		line("dhcp-authoritative")
		if leaseMax > 0 {
			line("dhcp-lease-max=%d", leaseMax)
		}
		line("dhcp-leasefile=%s", f.LeaseFile)
		for _, h := range hosts {
			line("%s", h)
		}
	}
	if dns != nil && dns.Enable != "no" {
		for _, h := range dns.Hosts {
			if len(h.Hostnames) > 0 {
				line("host-record=%s,%s", strings.Join(h.Hostnames, ","), h.IP)
			}
		}
	}
	for _, o := range def.DnsmasqOptions {
		line("%s", o)
	}
	return b.String(), nil
}

// rangeSize is the number of addresses from start to end (IPv4; IPv6
// ranges count as many as dnsmasq would lease at most).
func rangeSize(start, end string) int {
	s, err1 := netip.ParseAddr(start)
	e, err2 := netip.ParseAddr(end)
	if err1 != nil || err2 != nil {
		return 0
	}
	if s.Is4() && e.Is4() {
		sa, ea := s.As4(), e.As4()
		d := int64(binary.BigEndian.Uint32(ea[:])) - int64(binary.BigEndian.Uint32(sa[:])) + 1
		if d > 0 {
			return int(d)
		}
		return 0
	}
	sa, ea := s.As16(), e.As16()
	if binary.BigEndian.Uint64(sa[:8]) != binary.BigEndian.Uint64(ea[:8]) {
		return 1 << 24
	}
	d := binary.BigEndian.Uint64(ea[8:]) - binary.BigEndian.Uint64(sa[8:]) + 1
	if d > 1<<24 {
		return 1 << 24
	}
	return int(d)
}
