package virtxml

import (
	"strconv"
)

// NetworkFormatFlags select what (*Network).Format writes.
type NetworkFormatFlags uint32

// NetworkFormatInactive writes the persistent definition: no live data such
// as connection counts (VIR_NETWORK_XML_INACTIVE).
const NetworkFormatInactive NetworkFormatFlags = 1 << 0

// Format writes the network in libvirt's canonical form.
func (n *Network) Format(flags NetworkFormatFlags) ([]byte, error) {
	var e enc
	n.format(&e, flags)
	return e.Bytes(), nil
}

// Clone returns a deep copy of n.
func (n *Network) Clone() *Network {
	c := *n
	if n.Metadata != nil {
		c.Metadata = cloneNode(n.Metadata)
	}
	if n.Forward != nil {
		f := *n.Forward
		if f.NAT != nil {
			nat := *f.NAT
			f.NAT = &nat
		}
		f.Interfaces = append([]NetworkForwardInterface(nil), f.Interfaces...)
		f.Addresses = append([]PCIAddress(nil), f.Addresses...)
		c.Forward = &f
	}
	if n.Bridge != nil {
		b := *n.Bridge
		c.Bridge = &b
	}
	if n.Domain != nil {
		d := *n.Domain
		c.Domain = &d
	}
	if n.DNS != nil {
		d := *n.DNS
		d.Forwarders = append([]NetworkDNSForwarder(nil), d.Forwarders...)
		d.TXTs = append([]NetworkDNSTXT(nil), d.TXTs...)
		d.SRVs = append([]NetworkDNSSRV(nil), d.SRVs...)
		d.Hosts = make([]NetworkDNSHost, len(n.DNS.Hosts))
		for i, h := range n.DNS.Hosts {
			h.Hostnames = append([]string(nil), h.Hostnames...)
			d.Hosts[i] = h
		}
		c.DNS = &d
	}
	c.VLAN = n.VLAN.clone()
	c.Bandwidth = n.Bandwidth.clone()
	c.VirtualPort = n.VirtualPort.clone()
	c.IPs = make([]NetworkIP, len(n.IPs))
	for i, ip := range n.IPs {
		if ip.DHCP != nil {
			d := *ip.DHCP
			d.Ranges = make([]NetworkDHCPRange, len(ip.DHCP.Ranges))
			for j, r := range ip.DHCP.Ranges {
				r.Lease = r.Lease.clone()
				d.Ranges[j] = r
			}
			d.Hosts = make([]NetworkDHCPHost, len(ip.DHCP.Hosts))
			for j, h := range ip.DHCP.Hosts {
				h.Lease = h.Lease.clone()
				d.Hosts[j] = h
			}
			if d.Bootp != nil {
				b := *d.Bootp
				d.Bootp = &b
			}
			ip.DHCP = &d
		}
		c.IPs[i] = ip
	}
	if n.IPs == nil {
		c.IPs = nil
	}
	c.Routes = make([]NetworkRoute, len(n.Routes))
	for i, r := range n.Routes {
		if r.Prefix != nil {
			p := *r.Prefix
			r.Prefix = &p
		}
		c.Routes[i] = r
	}
	if n.Routes == nil {
		c.Routes = nil
	}
	c.PortGroups = make([]NetworkPortGroup, len(n.PortGroups))
	for i, g := range n.PortGroups {
		g.VLAN = g.VLAN.clone()
		g.Bandwidth = g.Bandwidth.clone()
		g.VirtualPort = g.VirtualPort.clone()
		c.PortGroups[i] = g
	}
	if n.PortGroups == nil {
		c.PortGroups = nil
	}
	c.DnsmasqOptions = append([]string(nil), n.DnsmasqOptions...)
	return &c
}

func (l *NetworkDHCPLease) clone() *NetworkDHCPLease {
	if l == nil {
		return nil
	}
	c := *l
	return &c
}

func (v *VLAN) clone() *VLAN {
	if v == nil {
		return nil
	}
	c := *v
	c.Tags = append([]VLANTag(nil), v.Tags...)
	return &c
}

func (b *Bandwidth) clone() *Bandwidth {
	if b == nil {
		return nil
	}
	c := Bandwidth{}
	if b.Inbound != nil {
		r := *b.Inbound
		c.Inbound = &r
	}
	if b.Outbound != nil {
		r := *b.Outbound
		c.Outbound = &r
	}
	return &c
}

func (vp *VirtualPort) clone() *VirtualPort {
	if vp == nil {
		return nil
	}
	c := *vp
	if vp.ManagerID != nil {
		x := *vp.ManagerID
		c.ManagerID = &x
	}
	if vp.TypeID != nil {
		x := *vp.TypeID
		c.TypeID = &x
	}
	if vp.TypeIDVersion != nil {
		x := *vp.TypeIDVersion
		c.TypeIDVersion = &x
	}
	if vp.InstanceID != nil {
		x := *vp.InstanceID
		c.InstanceID = &x
	}
	if vp.InterfaceID != nil {
		x := *vp.InterfaceID
		c.InterfaceID = &x
	}
	return &c
}

func cloneNode(n *Node) *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Attrs = append([]Attr(nil), n.Attrs...)
	c.Children = make([]*Node, len(n.Children))
	for i, ch := range n.Children {
		c.Children[i] = cloneNode(ch)
	}
	if n.Children == nil {
		c.Children = nil
	}
	return &c
}

func (n *Network) format(e *enc, flags NetworkFormatFlags) {
	inactive := flags&NetworkFormatInactive != 0
	e.Open("network")
	if len(n.DnsmasqOptions) > 0 {
		e.Attr("xmlns:dnsmasq", DnsmasqNamespace)
	}
	if !inactive && n.Connections > 0 {
		e.AttrUint("connections", uint64(n.Connections))
	}
	if n.IPv6 {
		e.Attr("ipv6", "yes")
	}
	if n.TrustGuestRxFilters != "" {
		e.Attr("trustGuestRxFilters", n.TrustGuestRxFilters)
	}
	e.EndOpen()
	e.TextElement("name", n.Name)
	e.TextElement("uuid", n.UUID.String())
	formatMetadata(e, n.Metadata)
	n.formatForward(e, inactive)
	n.formatBridge(e)
	if n.MTU != 0 {
		e.Open("mtu")
		e.AttrUint("size", uint64(n.MTU))
		e.EndEmpty()
	}
	if n.MAC != "" {
		e.empty("mac", "address", n.MAC)
	}
	if d := n.Domain; d != nil {
		e.Open("domain")
		e.Attr("name", d.Name)
		if d.LocalOnly != "" {
			e.Attr("localOnly", d.LocalOnly)
		}
		e.EndEmpty()
	}
	n.DNS.format(e)
	n.VLAN.format(e)
	n.Bandwidth.format(e)
	if n.PortIsolated != "" {
		e.empty("port", "isolated", n.PortIsolated)
	}
	for i := range n.IPs {
		n.IPs[i].format(e)
	}
	for i := range n.Routes {
		n.Routes[i].format(e)
	}
	n.VirtualPort.format(e)
	for i := range n.PortGroups {
		g := &n.PortGroups[i]
		e.Open("portgroup")
		e.Attr("name", g.Name)
		if g.Default {
			e.Attr("default", "yes")
		}
		if g.TrustGuestRxFilters != "" {
			e.Attr("trustGuestRxFilters", g.TrustGuestRxFilters)
		}
		e.EndOpen()
		g.VLAN.format(e)
		g.VirtualPort.format(e)
		g.Bandwidth.format(e)
		e.Close("portgroup")
	}
	if len(n.DnsmasqOptions) > 0 {
		e.Open("dnsmasq:options")
		e.EndOpen()
		for _, o := range n.DnsmasqOptions {
			e.empty("dnsmasq:option", "value", o)
		}
		e.Close("dnsmasq:options")
	}
	e.Close("network")
}

// formatMetadata writes <metadata> the way libvirt does: libxml2's dump of
// each namespaced child.
func formatMetadata(e *enc, md *Node) {
	if md == nil {
		return
	}
	if len(md.Children) == 0 {
		e.Open("metadata")
		e.EndEmpty()
		return
	}
	e.Open("metadata")
	e.EndOpen()
	for _, c := range md.Children {
		e.Raw(c)
	}
	e.Close("metadata")
}

func (n *Network) formatForward(e *enc, inactive bool) {
	f := n.Forward
	if f == nil || f.Mode == "" || f.Mode == "none" {
		return
	}
	ifs := f.Interfaces
	if len(ifs) == 0 && f.Dev != "" && len(f.Addresses) == 0 {
		ifs = []NetworkForwardInterface{{Dev: f.Dev}}
	}
	e.Open("forward")
	if f.PF == "" && len(ifs) > 0 {
		e.Attr("dev", ifs[0].Dev)
	}
	e.Attr("mode", f.Mode)
	if f.Mode == "hostdev" {
		if f.Managed {
			e.Attr("managed", "yes")
		} else {
			e.Attr("managed", "no")
		}
	}
	nat := f.NAT
	if f.Mode != "nat" {
		nat = nil
	}
	natEmpty := nat == nil || nat.AddrStart == "" && nat.AddrEnd == "" && nat.PortStart == 0 && nat.PortEnd == 0
	short := len(ifs) == 0 && len(f.Addresses) == 0 && f.PF == "" && f.Driver == "" &&
		natEmpty && (nat == nil || nat.IPv6 == "")
	if short {
		e.EndEmpty()
		return
	}
	e.EndOpen()
	if f.Driver != "" {
		e.empty("driver", "name", f.Driver)
	}
	if nat != nil && !(natEmpty && nat.IPv6 == "") {
		e.Open("nat")
		if nat.IPv6 != "" {
			e.Attr("ipv6", nat.IPv6)
		}
		if natEmpty {
			e.EndEmpty()
		} else {
			e.EndOpen()
			if nat.AddrStart != "" {
				e.empty("address", "start", nat.AddrStart, "end", nat.AddrEnd)
			}
			if nat.PortStart != 0 || nat.PortEnd != 0 {
				e.Open("port")
				e.AttrUint("start", uint64(nat.PortStart))
				if nat.PortEnd != 0 {
					e.AttrUint("end", uint64(nat.PortEnd))
				}
				e.EndEmpty()
			}
			e.Close("nat")
		}
	}
	if f.PF != "" {
		e.empty("pf", "dev", f.PF)
	}
	if f.PF == "" || !inactive {
		for _, in := range ifs {
			e.Open("interface")
			e.Attr("dev", in.Dev)
			if !inactive && in.Connections > 0 {
				e.AttrUint("connections", uint64(in.Connections))
			}
			e.EndEmpty()
		}
		for _, a := range f.Addresses {
			a.format(e, true)
		}
	}
	e.Close("forward")
}

func (n *Network) formatBridge(e *enc) {
	implied := n.bridgeImplied()
	b := n.Bridge
	if b == nil {
		b = &NetworkBridge{}
	}
	if !implied && b.Name == "" && b.MACTableManager == "" {
		return
	}
	e.Open("bridge")
	if b.Name != "" {
		e.Attr("name", b.Name)
	}
	if b.Zone != "" {
		e.Attr("zone", b.Zone)
	}
	if implied {
		if b.STP == "off" {
			e.Attr("stp", "off")
		} else {
			e.Attr("stp", "on")
		}
		e.AttrUint("delay", b.Delay)
	}
	if b.MACTableManager != "" {
		e.Attr("macTableManager", b.MACTableManager)
	}
	e.EndEmpty()
}

func (d *NetworkDNS) format(e *enc) {
	if d == nil {
		return
	}
	hasChildren := len(d.Forwarders)+len(d.TXTs)+len(d.SRVs)+len(d.Hosts) > 0
	if d.Enable == "" && d.ForwardPlainNames == "" && !hasChildren {
		return
	}
	e.Open("dns")
	if d.Enable != "" {
		e.Attr("enable", d.Enable)
	}
	if d.ForwardPlainNames != "" {
		e.Attr("forwardPlainNames", d.ForwardPlainNames)
	}
	if !hasChildren {
		e.EndEmpty()
		return
	}
	e.EndOpen()
	for _, f := range d.Forwarders {
		e.empty("forwarder", "domain", f.Domain, "addr", f.Addr)
	}
	for _, t := range d.TXTs {
		e.Open("txt")
		e.Attr("name", t.Name)
		e.Attr("value", t.Value)
		e.EndEmpty()
	}
	for _, s := range d.SRVs {
		e.Open("srv")
		e.Attr("service", s.Service)
		e.Attr("protocol", s.Protocol)
		if s.Domain != "" {
			e.Attr("domain", s.Domain)
		}
		if s.Target != "" {
			e.Attr("target", s.Target)
		}
		if s.Port != 0 {
			e.AttrUint("port", uint64(s.Port))
		}
		if s.Priority != 0 {
			e.AttrUint("priority", uint64(s.Priority))
		}
		if s.Weight != 0 {
			e.AttrUint("weight", uint64(s.Weight))
		}
		e.EndEmpty()
	}
	for _, h := range d.Hosts {
		e.Open("host")
		e.Attr("ip", h.IP)
		e.EndOpen()
		for _, hn := range h.Hostnames {
			e.TextElement("hostname", hn)
		}
		e.Close("host")
	}
	e.Close("dns")
}

func (ip *NetworkIP) format(e *enc) {
	e.Open("ip")
	if ip.Family != "" {
		e.Attr("family", ip.Family)
	}
	if ip.Address != "" {
		e.Attr("address", ip.Address)
	}
	if ip.Netmask != "" {
		e.Attr("netmask", ip.Netmask)
	}
	if ip.Prefix > 0 {
		e.AttrUint("prefix", uint64(ip.Prefix))
	}
	if ip.LocalPtr != "" {
		e.Attr("localPtr", ip.LocalPtr)
	}
	e.EndOpen()
	if ip.TFTPRoot != "" {
		e.empty("tftp", "root", ip.TFTPRoot)
	}
	if d := ip.DHCP; d != nil && len(d.Ranges)+len(d.Hosts) > 0 {
		e.Open("dhcp")
		e.EndOpen()
		for _, r := range d.Ranges {
			e.Open("range")
			e.Attr("start", r.Start)
			e.Attr("end", r.End)
			r.Lease.formatIn(e, "range")
		}
		for _, h := range d.Hosts {
			// libvirt writes mac, id and name unescaped, which gives
			// malformed XML for a name holding '&' or a quote; govirt
			// escapes them.
			e.Open("host")
			if h.MAC != "" {
				e.Attr("mac", h.MAC)
			}
			if h.ID != "" {
				e.Attr("id", h.ID)
			}
			if h.Name != "" {
				e.Attr("name", h.Name)
			}
			if h.IP != "" {
				e.Attr("ip", h.IP)
			}
			h.Lease.formatIn(e, "host")
		}
		if b := d.Bootp; b != nil && b.File != "" {
			e.empty("bootp", "file", b.File, "server", b.Server)
		}
		e.Close("dhcp")
	}
	e.Close("ip")
}

// formatIn ends the already opened element parent, with the lease inside.
func (l *NetworkDHCPLease) formatIn(e *enc, parent string) {
	if l == nil {
		e.EndEmpty()
		return
	}
	e.EndOpen()
	e.Open("lease")
	e.AttrUint("expiry", l.Expiry)
	if l.Expiry != 0 {
		unit := l.Unit
		if unit == "" {
			unit = "minutes"
		}
		e.Attr("unit", unit)
	}
	e.EndEmpty()
	e.Close(parent)
}

func (r *NetworkRoute) format(e *enc) {
	e.Open("route")
	if r.Family != "" {
		e.Attr("family", r.Family)
	}
	e.Attr("address", r.Address)
	if r.Netmask != "" {
		e.Attr("netmask", r.Netmask)
	}
	if r.Prefix != nil {
		e.Attr("prefix", strconv.FormatUint(uint64(*r.Prefix), 10))
	}
	e.Attr("gateway", r.Gateway)
	if r.Metric > 0 {
		e.AttrUint("metric", uint64(r.Metric))
	}
	e.EndEmpty()
}
