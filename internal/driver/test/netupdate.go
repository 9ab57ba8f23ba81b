package test

import (
	"context"
	"fmt"
	"strings"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

var netSectionNames = map[uint32]string{
	virt.NetSectionBridge: "bridge", virt.NetSectionDomain: "domain", virt.NetSectionIP: "ip",
	virt.NetSectionIPDHCPHost: "ip-dhcp-host", virt.NetSectionIPDHCPRange: "ip-dhcp-range",
	virt.NetSectionForward: "forward", virt.NetSectionForwardInterface: "forward-interface",
	virt.NetSectionForwardPF: "forward-pf", virt.NetSectionPortgroup: "portgroup",
	virt.NetSectionDNSHost: "dns-host", virt.NetSectionDNSTxt: "dns-txt", virt.NetSectionDNSSrv: "dns-srv",
}

func netUpdateErr(code *virt.Error, format string, args ...any) error {
	return virt.Errorf(code, virt.FromNetwork, format, args...)
}

// UpdateNetwork implements virt.NetworkUpdater as libvirt's
// virNetworkObjUpdate does for the sections govirt models: static DHCP
// hosts and ranges and DNS hosts and TXT records.
func (c *conn) UpdateNetwork(ctx context.Context, ref virt.NetworkRef, command, section uint32, parentIndex int, xml string, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, virt.NetUpdateAffectLive|virt.NetUpdateAffectConfig, "testNetworkUpdate"); err != nil {
		return err
	}
	n, err := c.netByName(ref.Name)
	if err != nil {
		return err
	}
	defer n.mu.Unlock()
	if flags&(virt.NetUpdateAffectLive|virt.NetUpdateAffectConfig) == 0 {
		if n.active {
			flags |= virt.NetUpdateAffectLive
		} else {
			flags |= virt.NetUpdateAffectConfig
		}
	}
	var targets []*virtxml.Network
	if flags&virt.NetUpdateAffectConfig != 0 {
		if !n.persistent {
			return netUpdateErr(virt.ErrOperationInvalid, "cannot change persistent config of a transient network")
		}
		if n.active {
			if n.newDef == nil {
				n.newDef = n.def.Clone()
			}
			targets = append(targets, n.newDef)
		} else {
			targets = append(targets, n.def)
		}
	}
	if flags&virt.NetUpdateAffectLive != 0 {
		if !n.active {
			return netUpdateErr(virt.ErrOperationInvalid, "network is not running")
		}
		targets = append(targets, n.def)
	}
	// Apply to copies first so that a failure changes nothing.
	copies := make([]*virtxml.Network, len(targets))
	for i, t := range targets {
		copies[i] = t.Clone()
		if err := updateNetDef(copies[i], command, section, parentIndex, xml); err != nil {
			return err
		}
	}
	for i, t := range targets {
		*t = *copies[i]
	}
	return nil
}

// updateNetDef applies one update to def.
func updateNetDef(def *virtxml.Network, command, section uint32, parentIndex int, xml string) error {
	name := netSectionNames[section]
	root, err := xmldoc.Parse([]byte(xml))
	if err != nil {
		return virt.Errorf(virt.ErrXMLDetail, virt.FromNetwork, "(network_update_xml):%v", err)
	}
	expect := func(want string) error {
		if root.Name != want {
			return netUpdateErr(virt.ErrXML, "unexpected element <%s>, expecting <%s>, while updating network '%s'", root.Name, want, def.Name)
		}
		return nil
	}
	switch section {
	case virt.NetSectionIPDHCPHost, virt.NetSectionIPDHCPRange:
		ip, err := netIPByIndex(def, parentIndex, strings.ReplaceAll(name[3:], "-", " "))
		if err != nil {
			return err
		}
		if section == virt.NetSectionIPDHCPHost {
			if err := expect("host"); err != nil {
				return err
			}
		} else if err := expect("range"); err != nil {
			return err
		}
		parsed, err := parseNetSnippet(def, ip, "<dhcp>"+xml+"</dhcp>")
		if err != nil {
			return err
		}
		if ip.DHCP == nil {
			ip.DHCP = &virtxml.NetworkDHCP{}
		}
		pd := parsed.IPs[0].DHCP
		if section == virt.NetSectionIPDHCPHost {
			return updateDHCPHost(def, ip.DHCP, pd.Hosts[0], command)
		}
		return updateDHCPRange(def, ip.DHCP, pd.Ranges[0], command)
	case virt.NetSectionDNSHost:
		if err := expect("host"); err != nil {
			return err
		}
		host := virtxml.NetworkDNSHost{}
		host.IP, _ = root.Attr("ip")
		if host.IP == "" {
			return netUpdateErr(virt.ErrXMLDetail, "Missing IP address in network '%s' DNS HOST record", def.Name)
		}
		for _, c := range root.Children {
			if c.Name == "hostname" && strings.TrimSpace(c.Text) != "" {
				host.Hostnames = append(host.Hostnames, strings.TrimSpace(c.Text))
			}
		}
		isAdd := command == virt.NetUpdateAddFirst || command == virt.NetUpdateAddLast
		if isAdd && len(host.Hostnames) == 0 {
			return netUpdateErr(virt.ErrXMLDetail, "Missing hostname in network '%s' DNS HOST record", def.Name)
		}
		if def.DNS == nil {
			def.DNS = &virtxml.NetworkDNS{}
		}
		return updateDNSHost(def, host, command)
	case virt.NetSectionDNSTxt:
		if err := expect("txt"); err != nil {
			return err
		}
		parsed, err := parseNetSnippet(def, nil, "<dns>"+xml+"</dns>")
		if err != nil {
			return err
		}
		if def.DNS == nil {
			def.DNS = &virtxml.NetworkDNS{}
		}
		return updateDNSTxt(def, parsed.DNS.TXTs[0], command)
	case virt.NetSectionPortgroup:
		if err := expect("portgroup"); err != nil {
			return err
		}
		parsed, err := parseNetSnippet(def, nil, xml)
		if err != nil {
			return err
		}
		return updatePortgroup(def, parsed.PortGroups[0], command)
	}
	return virt.Errorf(virt.ErrOperationUnsupported, virt.FromNetwork, "can't update '%s' section of network '%s'", name, def.Name)
}

// netIPByIndex finds the <ip> an IP section update applies to: the one at
// parentIndex, or the first IPv4 one.
func netIPByIndex(def *virtxml.Network, parentIndex int, what string) (*virtxml.NetworkIP, error) {
	if parentIndex >= 0 {
		if parentIndex < len(def.IPs) {
			return &def.IPs[parentIndex], nil
		}
		return nil, netUpdateErr(virt.ErrOperationInvalid, "couldn't update %s entry - no <ip> element found at index %d in network '%s'", what, parentIndex, def.Name)
	}
	for i := range def.IPs {
		if f := def.IPs[i].Family; f == "" || f == "ipv4" {
			return &def.IPs[i], nil
		}
	}
	return nil, netUpdateErr(virt.ErrOperationInvalid, "couldn't update %s entry - no <ip family='ipv4'> element found in network '%s'", what, def.Name)
}

// parseNetSnippet parses an update's XML with the network parser, inside
// a copy of the network's name and (for DHCP sections) its <ip>.
func parseNetSnippet(def *virtxml.Network, ip *virtxml.NetworkIP, inner string) (*virtxml.Network, error) {
	var b strings.Builder
	b.WriteString("<network><name>" + escapeXML(def.Name) + "</name>")
	if ip != nil {
		b.WriteString("<ip")
		for _, a := range [][2]string{{"family", ip.Family}, {"address", ip.Address}, {"netmask", ip.Netmask}} {
			if a[1] != "" {
				b.WriteString(" " + a[0] + "='" + escapeXML(a[1]) + "'")
			}
		}
		if ip.Prefix != 0 {
			b.WriteString(fmt.Sprintf(" prefix='%d'", ip.Prefix))
		}
		b.WriteString(">" + inner + "</ip>")
	} else {
		b.WriteString(inner)
	}
	b.WriteString("</network>")
	parsed, err := virtxml.ParseNetwork([]byte(b.String()))
	if err != nil {
		return nil, virt.FromXMLError(err, virt.FromNetwork)
	}
	return parsed, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func orNull(s string) string {
	if s == "" {
		return "(null)"
	}
	return s
}

func updateDHCPHost(def *virtxml.Network, dhcp *virtxml.NetworkDHCP, host virtxml.NetworkDHCPHost, command uint32) error {
	switch command {
	case virt.NetUpdateModify:
		for i, h := range dhcp.Hosts {
			if (host.MAC != "" && strings.EqualFold(h.MAC, host.MAC)) || (host.MAC == "" && host.Name != "" && h.Name == host.Name) {
				dhcp.Hosts[i] = host
				return nil
			}
		}
		return netUpdateErr(virt.ErrOperationInvalid, "couldn't locate an existing dhcp host entry with \"mac='%s'\" in network '%s'", orUnknown(host.MAC), def.Name)
	case virt.NetUpdateAddFirst, virt.NetUpdateAddLast:
		for _, h := range dhcp.Hosts {
			if (host.MAC != "" && strings.EqualFold(h.MAC, host.MAC)) || (host.Name != "" && h.Name == host.Name) || (host.IP != "" && h.IP == host.IP) {
				return netUpdateErr(virt.ErrOperationInvalid, "there is an existing dhcp host entry in network '%s' that matches \"<host mac='%s' name='%s' ip='%s'/>\"",
					def.Name, orUnknown(host.MAC), orNull(host.Name), orUnknown(host.IP))
			}
		}
		if command == virt.NetUpdateAddFirst {
			dhcp.Hosts = append([]virtxml.NetworkDHCPHost{host}, dhcp.Hosts...)
		} else {
			dhcp.Hosts = append(dhcp.Hosts, host)
		}
		return nil
	case virt.NetUpdateDelete:
		for i, h := range dhcp.Hosts {
			if strings.EqualFold(h.MAC, host.MAC) && h.Name == host.Name && h.IP == host.IP {
				dhcp.Hosts = append(dhcp.Hosts[:i:i], dhcp.Hosts[i+1:]...)
				return nil
			}
		}
		return netUpdateErr(virt.ErrOperationInvalid, "couldn't locate a matching dhcp host entry in network '%s'", def.Name)
	}
	return netUpdateErr(virt.ErrInvalidArg, "unrecognized network update command code %d", command)
}

func updateDHCPRange(def *virtxml.Network, dhcp *virtxml.NetworkDHCP, r virtxml.NetworkDHCPRange, command uint32) error {
	switch command {
	case virt.NetUpdateModify:
		return netUpdateErr(virt.ErrOperationUnsupported, "dhcp ranges cannot be modified, only added or deleted")
	case virt.NetUpdateAddFirst, virt.NetUpdateAddLast:
		for _, x := range dhcp.Ranges {
			if x.Start == r.Start && x.End == r.End {
				return netUpdateErr(virt.ErrOperationInvalid, "there is an existing dhcp range entry in network '%s' that matches \"<range start='%s' end='%s'/>\"", def.Name, r.Start, r.End)
			}
		}
		if command == virt.NetUpdateAddFirst {
			dhcp.Ranges = append([]virtxml.NetworkDHCPRange{r}, dhcp.Ranges...)
		} else {
			dhcp.Ranges = append(dhcp.Ranges, r)
		}
		return nil
	case virt.NetUpdateDelete:
		for i, x := range dhcp.Ranges {
			if x.Start == r.Start && x.End == r.End {
				dhcp.Ranges = append(dhcp.Ranges[:i:i], dhcp.Ranges[i+1:]...)
				return nil
			}
		}
		return netUpdateErr(virt.ErrOperationInvalid, "couldn't locate a matching dhcp range entry in network '%s'", def.Name)
	}
	return netUpdateErr(virt.ErrInvalidArg, "unrecognized network update command code %d", command)
}

func updateDNSHost(def *virtxml.Network, host virtxml.NetworkDNSHost, command uint32) error {
	dns := def.DNS
	matches := func(h virtxml.NetworkDNSHost) bool { return h.IP == host.IP }
	switch command {
	case virt.NetUpdateModify:
		return netUpdateErr(virt.ErrOperationUnsupported, "DNS HOST records cannot be modified, only added or deleted")
	case virt.NetUpdateAddFirst, virt.NetUpdateAddLast:
		for _, h := range dns.Hosts {
			if matches(h) {
				return netUpdateErr(virt.ErrOperationInvalid, "there is already at least one DNS HOST record with a matching field in network %s", def.Name)
			}
		}
		if command == virt.NetUpdateAddFirst {
			dns.Hosts = append([]virtxml.NetworkDNSHost{host}, dns.Hosts...)
		} else {
			dns.Hosts = append(dns.Hosts, host)
		}
		return nil
	case virt.NetUpdateDelete:
		found := -1
		for i, h := range dns.Hosts {
			if matches(h) {
				if found >= 0 {
					return netUpdateErr(virt.ErrOperationInvalid, "multiple matching DNS HOST records were found in network %s", def.Name)
				}
				found = i
			}
		}
		if found < 0 {
			return netUpdateErr(virt.ErrOperationInvalid, "couldn't locate a matching DNS HOST record in network %s", def.Name)
		}
		dns.Hosts = append(dns.Hosts[:found:found], dns.Hosts[found+1:]...)
		return nil
	}
	return netUpdateErr(virt.ErrInvalidArg, "unrecognized network update command code %d", command)
}

func updateDNSTxt(def *virtxml.Network, txt virtxml.NetworkDNSTXT, command uint32) error {
	dns := def.DNS
	switch command {
	case virt.NetUpdateModify:
		return netUpdateErr(virt.ErrOperationUnsupported, "DNS TXT records cannot be modified, only added or deleted")
	case virt.NetUpdateAddFirst, virt.NetUpdateAddLast:
		for _, t := range dns.TXTs {
			if t.Name == txt.Name {
				return netUpdateErr(virt.ErrOperationInvalid, "there is already a DNS TXT record with name '%s' in network %s", txt.Name, def.Name)
			}
		}
		if command == virt.NetUpdateAddFirst {
			dns.TXTs = append([]virtxml.NetworkDNSTXT{txt}, dns.TXTs...)
		} else {
			dns.TXTs = append(dns.TXTs, txt)
		}
		return nil
	case virt.NetUpdateDelete:
		for i, t := range dns.TXTs {
			if t.Name == txt.Name {
				dns.TXTs = append(dns.TXTs[:i:i], dns.TXTs[i+1:]...)
				return nil
			}
		}
		return netUpdateErr(virt.ErrOperationInvalid, "couldn't locate a matching DNS TXT record in network %s", def.Name)
	}
	return netUpdateErr(virt.ErrInvalidArg, "unrecognized network update command code %d", command)
}

func updatePortgroup(def *virtxml.Network, pg virtxml.NetworkPortGroup, command uint32) error {
	found := -1
	for i, p := range def.PortGroups {
		if p.Name == pg.Name {
			found = i
		}
	}
	if command != virt.NetUpdateDelete && pg.Default {
		for i, p := range def.PortGroups {
			if p.Default && i != found {
				return netUpdateErr(virt.ErrOperationInvalid, "a different portgroup entry in network '%s' is already set as the default. Only one default is allowed.", def.Name)
			}
		}
	}
	switch command {
	case virt.NetUpdateModify, virt.NetUpdateDelete:
		if found < 0 {
			return netUpdateErr(virt.ErrOperationInvalid, "couldn't find a portgroup entry in network '%s' matching <portgroup name='%s'>", def.Name, pg.Name)
		}
		if command == virt.NetUpdateModify {
			def.PortGroups[found] = pg
		} else {
			def.PortGroups = append(def.PortGroups[:found:found], def.PortGroups[found+1:]...)
		}
		return nil
	case virt.NetUpdateAddFirst, virt.NetUpdateAddLast:
		if found >= 0 {
			return netUpdateErr(virt.ErrOperationInvalid, "there is an existing portgroup entry in network '%s' that matches \"<portgroup name='%s'>\"", def.Name, pg.Name)
		}
		if command == virt.NetUpdateAddFirst {
			def.PortGroups = append([]virtxml.NetworkPortGroup{pg}, def.PortGroups...)
		} else {
			def.PortGroups = append(def.PortGroups, pg)
		}
		return nil
	}
	return netUpdateErr(virt.ErrInvalidArg, "unrecognized network update command code %d", command)
}
