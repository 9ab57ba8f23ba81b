package virtxml

import (
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// DnsmasqNamespace is the XML namespace of <dnsmasq:options>.
const DnsmasqNamespace = "http://libvirt.org/schemas/network/dnsmasq/1.0"

// Network is a virtual network definition: libvirt's <network>.
//
// ParseNetwork fills in libvirt's defaults (forward mode nat for an empty
// <forward/>, the forward dev as the first interface); Format writes the
// canonical form.
type Network struct {
	Name string
	UUID UUID
	// Metadata is the raw <metadata> element, or nil.
	Metadata *Node
	// IPv6 is the ipv6='yes' attribute: guest-to-guest IPv6 without a
	// gateway address.
	IPv6 bool
	// TrustGuestRxFilters is "", "yes" or "no".
	TrustGuestRxFilters string
	// Connections is the live count of guest interfaces (written only
	// without NetworkFormatInactive).
	Connections int

	Forward      *NetworkForward
	Bridge       *NetworkBridge
	MTU          uint
	MAC          string // lower-case aa:bb:cc:dd:ee:ff, or ""
	Domain       *NetworkDomain
	DNS          *NetworkDNS
	VLAN         *VLAN
	Bandwidth    *Bandwidth
	PortIsolated string // <port isolated='yes|no'/>, or ""
	IPs          []NetworkIP
	Routes       []NetworkRoute
	VirtualPort  *VirtualPort
	PortGroups   []NetworkPortGroup
	// DnsmasqOptions are the values of <dnsmasq:options><dnsmasq:option
	// value=.../>, passed to dnsmasq verbatim.
	DnsmasqOptions []string
}

// NetworkForward is <forward>: how traffic leaves the network.
type NetworkForward struct {
	// Mode is nat, route, open, bridge, private, vepa, passthrough or
	// hostdev.
	Mode string
	// Dev is the forward dev attribute. After parsing it is also the first
	// of Interfaces; Format writes the first interface's dev.
	Dev        string
	Managed    bool   // hostdev: managed='yes'
	Driver     string // hostdev: "", "kvm" or "vfio"
	NAT        *NetworkNAT
	PF         string // <pf dev=.../>
	Interfaces []NetworkForwardInterface
	Addresses  []PCIAddress // <address type='pci' .../> pool
}

// NetworkForwardInterface is one <interface dev=.../> of a forward pool.
type NetworkForwardInterface struct {
	Dev         string
	Connections int // live only
}

// NetworkNAT is <nat>: the SNAT address and port ranges.
type NetworkNAT struct {
	IPv6      string // "", "yes" or "no"
	AddrStart string
	AddrEnd   string
	PortStart uint
	PortEnd   uint
}

// NetworkBridge is <bridge>: the host bridge device.
type NetworkBridge struct {
	Name string
	Zone string
	// STP is "on" or "off"; empty means on.
	STP   string
	Delay uint64
	// MACTableManager is "", "kernel" or "libvirt".
	MACTableManager string
}

// NetworkDomain is <domain name= localOnly=>: the DNS domain of the
// network.
type NetworkDomain struct {
	Name      string
	LocalOnly string // "", "yes" or "no"
}

// NetworkDNS is <dns>.
type NetworkDNS struct {
	Enable            string // "", "yes" or "no"
	ForwardPlainNames string // "", "yes" or "no"
	Forwarders        []NetworkDNSForwarder
	TXTs              []NetworkDNSTXT
	Hosts             []NetworkDNSHost
	SRVs              []NetworkDNSSRV
}

// NetworkDNSForwarder is a <forwarder domain= addr=/>.
type NetworkDNSForwarder struct {
	Domain string
	Addr   string
}

// NetworkDNSTXT is a <txt name= value=/> record.
type NetworkDNSTXT struct {
	Name  string
	Value string
}

// NetworkDNSHost is a <host ip=> with its <hostname>s.
type NetworkDNSHost struct {
	IP        string
	Hostnames []string
}

// NetworkDNSSRV is a <srv> record.
type NetworkDNSSRV struct {
	Service  string
	Protocol string
	Domain   string
	Target   string
	Port     uint
	Priority uint
	Weight   uint
}

// NetworkIP is an <ip> element: an address of the bridge, with DHCP.
type NetworkIP struct {
	Family   string // "", "ipv4" or "ipv6"
	Address  string
	Netmask  string
	Prefix   uint
	LocalPtr string // "", "yes" or "no"
	TFTPRoot string
	DHCP     *NetworkDHCP
}

// NetworkDHCP is <dhcp>: ranges, static hosts and the boot file.
type NetworkDHCP struct {
	Ranges []NetworkDHCPRange
	Hosts  []NetworkDHCPHost
	Bootp  *NetworkBootp
}

// NetworkDHCPRange is a <range start= end=> with an optional lease.
type NetworkDHCPRange struct {
	Start string
	End   string
	Lease *NetworkDHCPLease
}

// NetworkDHCPHost is a static <host> of a DHCP server.
type NetworkDHCPHost struct {
	MAC   string
	ID    string
	Name  string
	IP    string
	Lease *NetworkDHCPLease
}

// NetworkDHCPLease is <lease expiry= unit=>; Expiry 0 is infinite.
type NetworkDHCPLease struct {
	Expiry uint64
	Unit   string // seconds, minutes (default) or hours
}

// NetworkBootp is <bootp file= server=>.
type NetworkBootp struct {
	File   string
	Server string
}

// NetworkRoute is a static <route>.
type NetworkRoute struct {
	Family  string
	Address string
	Netmask string
	Prefix  *uint
	Gateway string
	Metric  uint
}

// NetworkPortGroup is a <portgroup>.
type NetworkPortGroup struct {
	Name                string
	Default             bool
	TrustGuestRxFilters string
	VLAN                *VLAN
	VirtualPort         *VirtualPort
	Bandwidth           *Bandwidth
}

var forwardModes = []string{"nat", "route", "open", "bridge", "private", "vepa", "passthrough", "hostdev"}

// ParseNetwork parses a network XML document with libvirt's rules and
// defaults. Errors are *Error values.
func ParseNetwork(data []byte) (*Network, error) {
	root, err := parseRoot(data, "network", "network_definition")
	if err != nil {
		return nil, err
	}
	return parseNetworkNode(root)
}

func parseNetworkNode(root *xmldoc.Node) (*Network, error) {
	n := &Network{}
	name, ok := xpText(root, "name")
	if !ok {
		return nil, errorf(CodeNoName, "missing name information")
	}
	if strings.ContainsRune(name, '/') {
		return nil, errorf(CodeXMLDetail, "invalid char in name: /")
	}
	n.Name = name
	if s, ok := xpText(root, "uuid"); ok {
		u, err := ParseUUID(s)
		if err != nil {
			return nil, errorf(CodeInternal, "malformed uuid element")
		}
		n.UUID = u
	} else {
		n.UUID = NewUUID()
	}
	if s, ok := xpAttr(root, "ipv6"); ok {
		switch s {
		case "yes":
			n.IPv6 = true
		case "no":
		default:
			return nil, xmlErrorf("Invalid ipv6 setting '%s' in network '%s'", s, name)
		}
	}
	var err error
	if n.TrustGuestRxFilters, err = propTristate(root, "trustGuestRxFilters"); err != nil {
		return nil, err
	}
	if d := child(root, "domain"); d != nil {
		dn, hasName := propStr(d, "name")
		lo, err := propTristate(d, "localOnly")
		if err != nil {
			return nil, err
		}
		if hasName {
			n.Domain = &NetworkDomain{Name: dn, LocalOnly: lo}
		}
	}
	if b := child(root, "bandwidth"); b != nil {
		if n.Bandwidth, err = parseBandwidth(b, false); err != nil {
			return nil, err
		}
	}
	if v := child(root, "vlan"); v != nil {
		if n.VLAN, err = parseVLAN(v); err != nil {
			return nil, err
		}
	}
	if p := child(root, "port"); p != nil {
		if n.PortIsolated, err = propTristate(p, "isolated"); err != nil {
			return nil, err
		}
	}
	stpGiven := false
	br := child(root, "bridge")
	bridge := &NetworkBridge{}
	if br != nil {
		bridge.Name, _ = xpAttr(br, "name")
		bridge.Zone, _ = xpAttr(br, "zone")
		if stp, ok := xpAttr(br, "stp"); ok {
			stpGiven = true
			if stp == "off" {
				bridge.STP = "off"
			}
		}
		if s, ok := xpAttr(br, "delay"); ok {
			v, err := cParseUint(s, 10)
			if err != nil {
				return nil, xmlErrorf("Invalid delay value in network '%s'", name)
			}
			bridge.Delay = v
		}
		if s, ok := xpAttr(br, "macTableManager"); ok {
			if s != "kernel" && s != "libvirt" {
				return nil, xmlErrorf("Invalid macTableManager setting '%s' in network '%s'", s, name)
			}
			bridge.MACTableManager = s
		}
	}
	if m := child(root, "mac"); m != nil {
		if s, ok := xpAttr(m, "address"); ok {
			mac, err := ParseMAC(s)
			if err != nil {
				return nil, xmlErrorf("Invalid bridge mac address '%s' in network '%s'", s, name)
			}
			if mac.IsMulticast() {
				return nil, xmlErrorf("Invalid multicast bridge mac address '%s' in network '%s'", s, name)
			}
			n.MAC = mac.String()
		}
	}
	if m := child(root, "mtu"); m != nil {
		if s, ok := xpAttr(m, "size"); ok {
			v, err := cParseUintWrap(s, 10, 32)
			if err != nil {
				return nil, xmlErrorf("Invalid mtu size '%s' in network '%s'", s, name)
			}
			n.MTU = uint(v)
		}
	}
	if d := child(root, "dns"); d != nil {
		if n.DNS, err = parseNetworkDNS(name, d); err != nil {
			return nil, err
		}
	}
	if v := child(root, "virtualport"); v != nil {
		if n.VirtualPort, err = parseVirtualPort(v, true); err != nil {
			return nil, err
		}
	}
	for _, pg := range childrenNamed(root, "portgroup") {
		g, err := parsePortGroup(pg)
		if err != nil {
			return nil, err
		}
		n.PortGroups = append(n.PortGroups, g)
	}
	var ips []parsedIP
	for _, ipn := range childrenNamed(root, "ip") {
		ip, err := parseNetworkIP(name, ipn)
		if err != nil {
			return nil, err
		}
		ips = append(ips, ip)
		n.IPs = append(n.IPs, ip.NetworkIP)
	}
	for _, rn := range childrenNamed(root, "route") {
		r, gw, err := parseRoute(name, rn)
		if err != nil {
			return nil, err
		}
		if err := checkGateway(name, gw, ips); err != nil {
			return nil, err
		}
		n.Routes = append(n.Routes, r)
	}
	if f := child(root, "forward"); f != nil {
		if n.Forward, err = parseForward(name, f); err != nil {
			return nil, err
		}
	}
	if err := n.checkForward(bridge, stpGiven); err != nil {
		return nil, err
	}
	if br != nil || n.bridgeImplied() {
		n.Bridge = bridge
	}
	if md := child(root, "metadata"); md != nil {
		n.Metadata = sanitizeMetadata(md)
	}
	n.DnsmasqOptions = parseDnsmasqOptions(root)
	return n, nil
}

// bridgeImplied reports whether the forward mode uses a libvirt-managed
// bridge (none, nat, route, open), whose stp and delay are always written.
func (n *Network) bridgeImplied() bool {
	if n.Forward == nil {
		return true
	}
	switch n.Forward.Mode {
	case "", "nat", "route", "open":
		return true
	}
	return false
}

// checkForward applies the rules that tie the main definition to the
// forward mode.
func (n *Network) checkForward(br *NetworkBridge, stpGiven bool) error {
	mode, nifs, npfs := "", 0, 0
	if f := n.Forward; f != nil {
		mode, nifs = f.Mode, len(f.Interfaces)+len(f.Addresses)
		if f.PF != "" {
			npfs = 1
		}
	}
	switch mode {
	case "", "none":
	case "route", "nat", "open":
		if len(n.IPs) == 0 {
			return xmlErrorf("%s forwarding requested, but no IP address provided for network '%s'", mode, n.Name)
		}
		if nifs > 1 {
			return xmlErrorf("multiple forwarding interfaces specified for network '%s', only one is supported", n.Name)
		}
		if mode == "open" && nifs > 0 {
			return xmlErrorf("forward dev not allowed for network '%s' with forward mode='%s'", n.Name, mode)
		}
	default:
		if mode != "bridge" {
			if br.Name != "" {
				return xmlErrorf("bridge name not allowed in %s mode (network '%s')", mode, n.Name)
			}
			if br.Zone != "" {
				return xmlErrorf("bridge zone not allowed in %s mode (network '%s')", mode, n.Name)
			}
			if br.MACTableManager != "" {
				return xmlErrorf("bridge macTableManager setting not allowed in %s mode (network '%s')", mode, n.Name)
			}
		}
		if br.Delay != 0 || stpGiven || br.Zone != "" {
			return xmlErrorf("bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in %s (network '%s')", mode, n.Name)
		}
		if br.Name != "" && (nifs > 0 || npfs > 0) {
			return xmlErrorf("A network with forward mode='%s' can specify a bridge name or a forward dev, but not both (network '%s')", mode, n.Name)
		}
	}
	if n.MTU != 0 {
		switch mode {
		case "", "nat", "route", "open":
		default:
			return xmlErrorf("mtu size only allowed in open, route, nat, and isolated mode, not in %s (network '%s')", mode, n.Name)
		}
	}
	return nil
}

func parseForward(name string, fn *xmldoc.Node) (*NetworkForward, error) {
	f := &NetworkForward{Mode: "nat"}
	if mode, ok := xpAttr(fn, "mode"); ok {
		known := false
		for _, m := range forwardModes {
			if m == mode {
				known = true
			}
		}
		if !known {
			return nil, unsupportedf("unknown forwarding type '%s'", mode)
		}
		f.Mode = mode
	}
	if m, ok := xpAttr(fn, "managed"); ok && equalFold(m, "yes") {
		f.Managed = true
	}
	if d := child(fn, "driver"); d != nil {
		if dn, ok := xpAttr(d, "name"); ok {
			if dn != "kvm" && dn != "vfio" {
				return nil, unsupportedf("Unknown forward <driver name='%s'/> in network %s", dn, name)
			}
			f.Driver = dn
		}
	}
	ifNodes := childrenNamed(fn, "interface")
	addrNodes := childrenNamed(fn, "address")
	pfNodes := childrenNamed(fn, "pf")
	natNodes := childrenNamed(fn, "nat")
	if len(natNodes) > 1 {
		return nil, xmlErrorf("Only one <nat> element is allowed in <forward> of network %s", name)
	}
	if len(natNodes) == 1 {
		nat, err := parseNAT(name, f.Mode, natNodes[0])
		if err != nil {
			return nil, err
		}
		f.NAT = nat
	}
	dev, hasDev := xpAttr(fn, "dev")
	if hasDev && (len(addrNodes) > 0 || len(pfNodes) > 0) {
		// libvirt's message has a stray %s here and no argument.
		return nil, xmlErrorf("the <forward> 'dev' attribute cannot be used when <address> or <pf> sub-elements are present in network %%s")
	}
	switch {
	case len(ifNodes) > 0 || hasDev:
		if hasDev {
			f.Interfaces = append(f.Interfaces, NetworkForwardInterface{Dev: dev})
		}
		for i, in := range ifNodes {
			d, ok := propStr(in, "dev")
			if !ok {
				return nil, xmlErrorf("Missing required dev attribute in <forward> <interface> element of network %s", name)
			}
			if i == 0 && hasDev {
				if d != dev {
					return nil, xmlErrorf("<forward dev='%s'> must match first <interface dev='%s'/> in network %s", dev, d, name)
				}
				continue
			}
			for _, prev := range f.Interfaces {
				if prev.Dev == d {
					return nil, xmlErrorf("interface '%s' can only be listed once in network %s", d, name)
				}
			}
			f.Interfaces = append(f.Interfaces, NetworkForwardInterface{Dev: d})
		}
		f.Dev = f.Interfaces[0].Dev
	case len(addrNodes) > 0:
		for _, an := range addrNodes {
			t, ok := propStr(an, "type")
			if !ok {
				return nil, xmlErrorf("missing address type in network %s", name)
			}
			switch t {
			case "pci":
			case "none", "netdev":
				return nil, xmlErrorf("unsupported address type '%s' in network %s", t, name)
			default:
				return nil, unsupportedf("unknown address type '%s' in network %s", t, name)
			}
			a, err := parsePCIAddress(an)
			if err != nil {
				return nil, err
			}
			for _, prev := range f.Addresses {
				if prev == a {
					return nil, xmlErrorf("PCI device '%s' can only be listed once in network %s", a, name)
				}
			}
			f.Addresses = append(f.Addresses, a)
		}
	case len(pfNodes) > 1:
		return nil, xmlErrorf("Only one <pf> element is allowed in <forward> of network %s", name)
	case len(pfNodes) == 1:
		d, ok := propStr(pfNodes[0], "dev")
		if !ok {
			return nil, xmlErrorf("Missing required dev attribute in <pf> element of network '%s'", name)
		}
		f.PF = d
	}
	return f, nil
}

func parseNAT(name, mode string, nn *xmldoc.Node) (*NetworkNAT, error) {
	if mode != "nat" {
		return nil, xmlErrorf("The <nat> element can only be used when <forward> 'mode' is 'nat' in network %s", name)
	}
	nat := &NetworkNAT{}
	var err error
	if nat.IPv6, err = propTristate(nn, "ipv6"); err != nil {
		return nil, err
	}
	addrs := childrenNamed(nn, "address")
	if len(addrs) > 1 {
		return nil, xmlErrorf("Only one <address> element is allowed in <nat> in <forward> in network %s", name)
	}
	var start, end string
	var hasStart, hasEnd bool
	if len(addrs) == 1 {
		if start, hasStart = propStr(addrs[0], "start"); !hasStart {
			return nil, xmlErrorf("missing 'start' attribute in <address> element in <nat> in <forward> in network %s", name)
		}
		if end, hasEnd = propStr(addrs[0], "end"); !hasEnd {
			return nil, xmlErrorf("missing 'end' attribute in <address> element in <nat> in <forward> in network %s", name)
		}
		s, err := ParseIPAddr(start)
		if err != nil || !s.Is4() {
			return nil, xmlErrorf("Bad ipv4 start address '%s' in <nat> in <forward> in network '%s'", start, name)
		}
		e, err := ParseIPAddr(end)
		if err != nil || !e.Is4() {
			return nil, xmlErrorf("Bad ipv4 end address '%s' in <nat> in <forward> in network '%s'", end, name)
		}
		if err := checkRange(s, e, IPAddr{}, 0); err != nil {
			return nil, err
		}
		nat.AddrStart, nat.AddrEnd = s.String(), e.String()
	}
	ports := childrenNamed(nn, "port")
	if len(ports) > 1 {
		return nil, xmlErrorf("Only one <port> element is allowed in <nat> in <forward> in network %s", name)
	}
	if len(ports) == 1 {
		s, _ := xpAttr(ports[0], "start")
		v, err := cParseUint(s, 10)
		if err != nil || v > 65535 {
			return nil, errorf(CodeXMLDetail, "Missing or invalid 'start' attribute in <port> in <nat> in <forward> in network %s", name)
		}
		nat.PortStart = uint(v)
		s, _ = xpAttr(ports[0], "end")
		v, err = cParseUint(s, 10)
		if err != nil || v > 65535 || uint(v) < nat.PortStart {
			return nil, errorf(CodeXMLDetail, "Missing or invalid 'end' attribute in <port> in <nat> in <forward> in network %s", name)
		}
		nat.PortEnd = uint(v)
	}
	return nat, nil
}

func parsePortGroup(pg *xmldoc.Node) (NetworkPortGroup, error) {
	var g NetworkPortGroup
	name, ok := xpAttr(pg, "name")
	if !ok {
		return g, xmlErrorf("Missing required name attribute in portgroup")
	}
	g.Name = name
	if d, ok := xpAttr(pg, "default"); ok && equalFold(d, "yes") {
		g.Default = true
	}
	var err error
	if g.TrustGuestRxFilters, err = propTristate(pg, "trustGuestRxFilters"); err != nil {
		return g, err
	}
	if v := child(pg, "virtualport"); v != nil {
		if g.VirtualPort, err = parseVirtualPort(v, false); err != nil {
			return g, err
		}
	}
	if b := child(pg, "bandwidth"); b != nil {
		if g.Bandwidth, err = parseBandwidth(b, false); err != nil {
			return g, err
		}
	}
	if v := child(pg, "vlan"); v != nil {
		if g.VLAN, err = parseVLAN(v); err != nil {
			return g, err
		}
	}
	return g, nil
}

// sanitizeMetadata keeps only namespaced children of <metadata>, one per
// namespace, as libvirt does.
func sanitizeMetadata(md *xmldoc.Node) *xmldoc.Node {
	out := &xmldoc.Node{Name: md.Name, Line: md.Line}
	seen := map[string]bool{}
	for _, c := range md.Children {
		if c.Name == xmldoc.TextNodeName {
			continue
		}
		ns := c.Prefix()
		if ns == "" {
			if _, ok := c.Attr("xmlns"); !ok {
				continue
			}
		}
		if seen[ns] {
			continue
		}
		seen[ns] = true
		out.Children = append(out.Children, c)
	}
	return out
}

// parseDnsmasqOptions finds <PREFIX:options> where PREFIX is bound to the
// dnsmasq namespace on the root element.
func parseDnsmasqOptions(root *xmldoc.Node) []string {
	prefix := ""
	for _, a := range root.Attrs {
		if strings.HasPrefix(a.Name, "xmlns:") && a.Value == DnsmasqNamespace {
			prefix = a.Name[len("xmlns:"):]
		}
	}
	if prefix == "" {
		return nil
	}
	var opts []string
	for _, c := range childrenNamed(root, prefix+":options") {
		for _, o := range childrenNamed(c, prefix+":option") {
			if v, ok := propStr(o, "value"); ok {
				opts = append(opts, v)
			}
		}
	}
	return opts
}
