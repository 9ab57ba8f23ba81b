package virtxml

import (
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// CodeNoName is VIR_ERR_NO_NAME ("missing name information").
const CodeNoName ErrorCode = 21

// parsedIP keeps the binary addresses of an <ip> for later checks.
type parsedIP struct {
	NetworkIP
	addr    IPAddr
	netmask IPAddr
}

func (p *parsedIP) prefix() int { return ipPrefix(p.addr, p.netmask, p.Prefix) }

func parseNetworkIP(name string, n *xmldoc.Node) (parsedIP, error) {
	var ip parsedIP
	ip.Family, _ = xpAttr(n, "family")
	address, ok := xpAttr(n, "address")
	if !ok {
		return ip, xmlErrorf("Missing required address attribute in network '%s'", name)
	}
	a, err := ParseIPAddr(address)
	if err != nil {
		return ip, xmlErrorf("Invalid address '%s' in network '%s'", address, name)
	}
	ip.addr = a
	ip.Address = a.String()
	netmask, hasMask := xpAttr(n, "netmask")
	if hasMask {
		m, err := ParseIPAddr(netmask)
		if err != nil {
			return ip, xmlErrorf("Invalid netmask '%s' in network '%s'", netmask, name)
		}
		ip.netmask = m
		ip.Netmask = m.String()
	}
	prefix, _, err := propUint(n, "prefix", 10, 1<<32-1)
	if err != nil {
		return ip, err
	}
	ip.Prefix = uint(prefix)
	if ip.LocalPtr, err = propTristate(n, "localPtr"); err != nil {
		return ip, err
	}
	switch ip.Family {
	case "", "ipv4":
		if !a.Is4() {
			fam := "no"
			if ip.Family != "" {
				fam = "ipv4"
			}
			return ip, unsupportedf("%s family specified for non-IPv4 address '%s' in network '%s'", fam, address, name)
		}
		if hasMask {
			if !ip.netmask.Is4() {
				return ip, unsupportedf("Invalid netmask '%s' for address '%s' in network '%s' (both must be IPv4)", netmask, address, name)
			}
			if ip.Prefix > 0 {
				return ip, unsupportedf("Network '%s' IP address cannot have both a prefix and a netmask", name)
			}
		} else if ip.Prefix > 32 {
			return ip, unsupportedf("Invalid IPv4 prefix '%d' in network '%s'", ip.Prefix, name)
		}
	case "ipv6":
		if !a.Is6() {
			return ip, unsupportedf("Family 'ipv6' specified for non-IPv6 address '%s' in network '%s'", address, name)
		}
		if hasMask {
			return ip, unsupportedf("netmask not allowed for IPv6 address '%s' in network '%s'", address, name)
		}
		if ip.Prefix > 128 {
			return ip, unsupportedf("Invalid IPv6 prefix '%d' in network '%s'", ip.Prefix, name)
		}
	default:
		return ip, xmlErrorf("Unrecognized family '%s' in network '%s'", ip.Family, name)
	}
	if d := child(n, "dhcp"); d != nil {
		dhcp, err := parseDHCP(name, &ip, d)
		if err != nil {
			return ip, err
		}
		ip.DHCP = dhcp
	}
	if t := child(n, "tftp"); t != nil {
		if !a.Is4() {
			return ip, unsupportedf("Unsupported <tftp> element in an IPv6 element in network '%s'", name)
		}
		ip.TFTPRoot, _ = xpAttr(t, "root")
	}
	return ip, nil
}

func parseDHCP(name string, ip *parsedIP, n *xmldoc.Node) (*NetworkDHCP, error) {
	d := &NetworkDHCP{}
	for _, rn := range childrenNamed(n, "range") {
		start, ok := propStr(rn, "start")
		if !ok {
			return nil, xmlErrorf("Missing 'start' attribute in dhcp range for network '%s'", name)
		}
		s, err := ParseIPAddr(start)
		if err != nil {
			return nil, badSocketAddr(start)
		}
		end, ok := propStr(rn, "end")
		if !ok {
			return nil, xmlErrorf("Missing 'end' attribute in dhcp range for network '%s'", name)
		}
		e, err := ParseIPAddr(end)
		if err != nil {
			return nil, badSocketAddr(end)
		}
		if err := checkRange(s, e, ip.addr, ip.prefix()); err != nil {
			return nil, err
		}
		r := NetworkDHCPRange{Start: s.String(), End: e.String()}
		if l := child(rn, "lease"); l != nil {
			if r.Lease, err = parseLease(l); err != nil {
				return nil, err
			}
		}
		d.Ranges = append(d.Ranges, r)
	}
	for _, hn := range childrenNamed(n, "host") {
		h, err := parseDHCPHost(name, ip, hn)
		if err != nil {
			return nil, err
		}
		d.Hosts = append(d.Hosts, h)
	}
	if b := child(n, "bootp"); b != nil && ip.addr.Is4() {
		file, ok := propStr(b, "file")
		if !ok {
			return nil, xmlErrorf("Missing required attribute 'file' in element 'bootp'")
		}
		bp := &NetworkBootp{File: file}
		if srv, ok := propStr(b, "server"); ok {
			a, err := ParseIPAddr(srv)
			if err != nil {
				return nil, badSocketAddr(srv)
			}
			bp.Server = a.String()
		}
		d.Bootp = bp
	}
	return d, nil
}

// badSocketAddr is virSocketAddrParse's own error.
func badSocketAddr(s string) error {
	return errorf(CodeSystemError, "Cannot parse socket address '%s': Name or service not known", s)
}

// CodeSystemError is VIR_ERR_SYSTEM_ERROR.
const CodeSystemError ErrorCode = 38

func parseLease(n *xmldoc.Node) (*NetworkDHCPLease, error) {
	exp, ok, err := propUint(n, "expiry", 0, 1<<64-1)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	unit, err := propEnum(n, "unit", "seconds", "minutes", "hours")
	if err != nil {
		return nil, err
	}
	if unit == "" {
		unit = "minutes"
	}
	if exp > 0 && (unit == "seconds" && exp < 120 || unit == "minutes" && exp < 2) {
		return nil, unsupportedf("The minimum lease time should be greater than 2 minutes")
	}
	return &NetworkDHCPLease{Expiry: exp, Unit: unit}, nil
}

func parseDHCPHost(name string, ip *parsedIP, n *xmldoc.Node) (NetworkDHCPHost, error) {
	var h NetworkDHCPHost
	mac, hasMAC := propStr(n, "mac")
	if hasMAC {
		if ip.addr.Is6() {
			return h, xmlErrorf("Invalid to specify MAC address '%s' in network '%s' IPv6 static host definition", mac, name)
		}
		m, err := ParseMAC(mac)
		if err != nil {
			return h, xmlErrorf("Cannot parse MAC address '%s' in network '%s'", mac, name)
		}
		if m.IsMulticast() {
			return h, xmlErrorf("expected unicast mac address, found multicast '%s' in network '%s'", mac, name)
		}
		h.MAC = mac
	}
	id, hasID := propStr(n, "id")
	if hasID {
		if i := strings.IndexFunc(id, func(r rune) bool {
			return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' || r == ':')
		}); i >= 0 {
			return h, xmlErrorf("Invalid character '%c' in id '%s' of network '%s'", id[i], id, name)
		}
		h.ID = id
	}
	hn, hasName := propStr(n, "name")
	if hasName {
		if hn == "" || !(hn[0] >= 'a' && hn[0] <= 'z' || hn[0] >= 'A' && hn[0] <= 'Z' || hn[0] >= '0' && hn[0] <= '9') {
			return h, xmlErrorf("Cannot use host name '%s' in network '%s'", hn, name)
		}
		h.Name = hn
	}
	ipStr, hasIP := propStr(n, "ip")
	var addr IPAddr
	if hasIP {
		a, err := ParseIPAddr(ipStr)
		if err != nil {
			return h, xmlErrorf("Invalid IP address in static host definition for network '%s'", name)
		}
		addr = a
	}
	if ip.addr.Is6() {
		if !hasID && !hasName {
			return h, xmlErrorf("Static host definition in IPv6 network '%s' must have id or name attribute", name)
		}
	} else if !hasMAC && !hasName {
		return h, xmlErrorf("Static host definition in IPv4 network '%s' must have mac or name attribute", name)
	}
	if !hasIP {
		return h, xmlErrorf("Missing IP address in static host definition for network '%s'", name)
	}
	h.IP = addr.String()
	if l := child(n, "lease"); l != nil {
		var err error
		if h.Lease, err = parseLease(l); err != nil {
			return h, err
		}
	}
	return h, nil
}

const (
	protocolChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-+/"
	serviceChars  = protocolChars + "_*"
)

func onlyChars(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

func parseNetworkDNS(name string, n *xmldoc.Node) (*NetworkDNS, error) {
	d := &NetworkDNS{}
	var err error
	if d.Enable, err = propTristate(n, "enable"); err != nil {
		return nil, err
	}
	if d.ForwardPlainNames, err = propTristate(n, "forwardPlainNames"); err != nil {
		return nil, err
	}
	fwds := childrenNamed(n, "forwarder")
	for _, f := range fwds {
		var fw NetworkDNSForwarder
		addr, hasAddr := propStr(f, "addr")
		if hasAddr {
			a, err := ParseIPAddr(addr)
			if err != nil {
				return nil, xmlErrorf("Invalid forwarder IP address '%s' in network '%s'", addr, name)
			}
			fw.Addr = a.String()
		}
		dom, hasDom := propStr(f, "domain")
		fw.Domain = dom
		if !hasAddr && !hasDom {
			return nil, xmlErrorf("Invalid forwarder element, must contain at least one of addr or domain")
		}
		d.Forwarders = append(d.Forwarders, fw)
	}
	hosts := childrenNamed(n, "host")
	for _, h := range hosts {
		var dh NetworkDNSHost
		for _, hn := range childrenNamed(h, "hostname") {
			t := nodeText(hn)
			if t == "" {
				return nil, errorf(CodeXMLDetail, "Missing hostname in network '%s' DNS HOST record", name)
			}
			dh.Hostnames = append(dh.Hostnames, t)
		}
		if len(dh.Hostnames) == 0 {
			return nil, errorf(CodeXMLDetail, "Missing hostname in network '%s' DNS HOST record", name)
		}
		ipStr, ok := propStr(h, "ip")
		if !ok {
			return nil, errorf(CodeXMLDetail, "Missing IP address in network '%s' DNS HOST record", name)
		}
		a, err := ParseIPAddr(ipStr)
		if err != nil {
			return nil, errorf(CodeXMLDetail, "Invalid IP address in network '%s' DNS HOST record", name)
		}
		dh.IP = a.String()
		d.Hosts = append(d.Hosts, dh)
	}
	srvs := childrenNamed(n, "srv")
	for _, s := range srvs {
		srv, err := parseSRV(name, s)
		if err != nil {
			return nil, err
		}
		d.SRVs = append(d.SRVs, srv)
	}
	txts := childrenNamed(n, "txt")
	for _, t := range txts {
		var txt NetworkDNSTXT
		tn, ok := propStr(t, "name")
		if !ok {
			return nil, errorf(CodeXMLDetail, "missing required name attribute in DNS TXT record of network %s", name)
		}
		if strings.ContainsAny(tn, " ,") {
			return nil, errorf(CodeXMLDetail, "prohibited character in DNS TXT record name '%s' of network %s", tn, name)
		}
		v, ok := propStr(t, "value")
		if !ok {
			return nil, errorf(CodeXMLDetail, "missing required value attribute in DNS TXT record named '%s' of network %s", tn, name)
		}
		txt.Name, txt.Value = tn, v
		d.TXTs = append(d.TXTs, txt)
	}
	if d.Enable == "no" && len(fwds)+len(hosts)+len(srvs)+len(txts) > 0 {
		return nil, xmlErrorf("Extra data in disabled network '%s'", name)
	}
	return d, nil
}

func parseSRV(name string, n *xmldoc.Node) (NetworkDNSSRV, error) {
	var s NetworkDNSSRV
	svc, ok := propStr(n, "service")
	if !ok {
		return s, errorf(CodeXMLDetail, "missing required service attribute in DNS SRV record of network '%s'", name)
	}
	if len(svc) > 15 {
		return s, errorf(CodeXMLDetail, "service attribute '%s' in network '%s' is too long, limit is %d bytes", svc, name, 15)
	}
	if !onlyChars(svc, serviceChars) {
		return s, errorf(CodeXMLDetail, "invalid character in service attribute '%s' in DNS SRV record of network '%s'", svc, name)
	}
	proto, ok := propStr(n, "protocol")
	if !ok {
		return s, errorf(CodeXMLDetail, "missing required protocol attribute in DNS SRV record '%s' of network '%s'", svc, name)
	}
	if !onlyChars(proto, protocolChars) {
		return s, errorf(CodeXMLDetail, "invalid character in protocol attribute '%s' in DNS SRV record of network '%s'", proto, name)
	}
	s.Service, s.Protocol = svc, proto
	var hasTarget bool
	s.Domain, _ = propStr(n, "domain")
	s.Target, hasTarget = propStr(n, "target")
	num := func(attr string, dst *uint, min, max uint64, badMsg string) error {
		v, ok := xpAttr(n, attr)
		if !ok {
			return nil
		}
		x, err := cParseUintWrap(v, 10, 32)
		if err == nil && !hasTarget {
			return errorf(CodeXMLDetail, "DNS SRV %s attribute not permitted without target for service '%s' in network '%s'", attr, svc, name)
		}
		if err != nil || x > 1<<32-1 || x < min || x > max {
			return errorf(CodeXMLDetail, badMsg, svc, name)
		}
		*dst = uint(x)
		return nil
	}
	if err := num("port", &s.Port, 1, 65535, "invalid DNS SRV port attribute for service '%s' in network '%s'"); err != nil {
		return s, err
	}
	if err := num("priority", &s.Priority, 0, 65535, "Invalid DNS SRV priority attribute for service '%s' in network '%s'"); err != nil {
		return s, err
	}
	if err := num("weight", &s.Weight, 0, 65535, "invalid DNS SRV weight attribute for service '%s' in network '%s'"); err != nil {
		return s, err
	}
	return s, nil
}

// parseRoute reads a static <route>; errors are prefixed with the network
// name as libvirt does.
func parseRoute(name string, n *xmldoc.Node) (NetworkRoute, IPAddr, error) {
	var r NetworkRoute
	fail := func(code ErrorCode, format string, args ...any) (NetworkRoute, IPAddr, error) {
		return r, IPAddr{}, errorf(code, "%s: "+format, append([]any{name}, args...)...)
	}
	r.Family, _ = xpAttr(n, "family")
	address, hasAddr := xpAttr(n, "address")
	netmask, hasMask := xpAttr(n, "netmask")
	gateway, hasGW := xpAttr(n, "gateway")
	var prefix uint64
	hasPrefix := false
	if s, ok := xpAttr(n, "prefix"); ok {
		v, err := cParseUint(s, 10)
		if err != nil {
			return fail(CodeXML, "Invalid prefix specified in route definition")
		}
		prefix, hasPrefix = v, true
	}
	if s, ok := xpAttr(n, "metric"); ok {
		v, err := cParseUint(s, 10)
		if err != nil {
			return fail(CodeXML, "Invalid metric specified in route definition")
		}
		if v == 0 {
			return fail(CodeXML, "Invalid metric value, must be > 0 in route definition")
		}
		r.Metric = uint(v)
	}
	if !hasAddr {
		return fail(CodeXML, "Missing required address attribute in route definition")
	}
	if !hasGW {
		return fail(CodeXML, "Missing required gateway attribute in route definition")
	}
	addr, err := ParseIPAddr(address)
	if err != nil {
		return fail(CodeXML, "Bad network address '%s' in route definition", address)
	}
	gw, err := ParseIPAddr(gateway)
	if err != nil {
		return fail(CodeXML, "Bad gateway address '%s' in route definition", gateway)
	}
	var mask IPAddr
	switch r.Family {
	case "", "ipv4":
		if !addr.Is4() {
			if r.Family == "" {
				return fail(CodeXML, "No family specified for non-IPv4 address '%s' in route definition", address)
			}
			return fail(CodeXML, "IPv4 family specified for non-IPv4 address '%s' in route definition", address)
		}
		if !gw.Is4() {
			if r.Family == "" {
				return fail(CodeXML, "No family specified for non-IPv4 gateway '%s' in route definition", address)
			}
			return fail(CodeXML, "IPv4 family specified for non-IPv4 gateway '%s' in route definition", address)
		}
		if hasMask {
			m, err := ParseIPAddr(netmask)
			if err != nil {
				return fail(CodeXML, "Bad netmask address '%s' in route definition", netmask)
			}
			if !m.Is4() {
				return fail(CodeXML, "Invalid netmask '%s' for address '%s' (both must be IPv4)", netmask, address)
			}
			if hasPrefix {
				return fail(CodeXML, "Route definition cannot have both a prefix and a netmask")
			}
			mask = m
		}
		if prefix > 32 {
			return fail(CodeXML, "Invalid prefix %d specified in route definition, must be 0 - 32", prefix)
		}
	case "ipv6":
		if !addr.Is6() {
			return fail(CodeXML, "ipv6 family specified for non-IPv6 address '%s' in route definition", address)
		}
		if hasMask {
			return fail(CodeXML, "Specifying netmask invalid for IPv6 address '%s' in route definition", address)
		}
		if !gw.Is6() {
			return fail(CodeXML, "ipv6 specified for non-IPv6 gateway address '%s' in route definition", gateway)
		}
		if prefix > 128 {
			return fail(CodeXML, "Invalid prefix %d specified in route definition, must be 0 - 128", prefix)
		}
	default:
		return fail(CodeXML, "Unrecognized family '%s' in route definition", r.Family)
	}
	var masked IPAddr
	if mask.IsValid() {
		masked = addr
		for i := range masked.b {
			masked.b[i] &= mask.b[i]
		}
	} else {
		masked = addr.maskPrefix(int(prefix))
	}
	if masked != addr {
		return fail(CodeXML, "Address '%s' in route definition is not a network address", address)
	}
	r.Address = addr.String()
	r.Netmask = mask.String()
	if hasPrefix {
		p := uint(prefix)
		r.Prefix = &p
	}
	r.Gateway = gw.String()
	return r, gw, nil
}

// checkGateway requires a static route's gateway to be on one of the
// network's own subnets.
func checkGateway(name string, gw IPAddr, ips []parsedIP) error {
	for i := range ips {
		ip := &ips[i]
		if ip.addr.v6 != gw.v6 {
			continue
		}
		p := ip.prefix()
		a, g := ip.addr.maskPrefix(p), gw.maskPrefix(p)
		if a.IsValid() && g.IsValid() && a == g {
			return nil
		}
	}
	return unsupportedf("unreachable static route gateway '%s' specified for network '%s'", gw.String(), name)
}
