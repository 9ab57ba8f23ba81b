package test

import (
	"errors"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// ifaceDef is a host interface definition as libvirt's virInterfaceDef
// holds it; it is written back in libvirt's order and quoting.
type ifaceDef struct {
	typ, name string
	startMode string
	mtu       uint64
	protos    []ifaceProto
	linkSpeed uint64
	linkState string
	mac       string
	stp       int // -1 unset, 0 off, 1 on
	delay     string
	bondMode  string
	monit     string // "", "mii", "arp"
	freq      int64
	downdelay int64
	updelay   int64
	carrier   string
	interval  int64
	target    string
	arpValid  string
	vlanTag   string
	vlanDev   string
	subs      []*ifaceDef
}

type ifaceProto struct {
	family   string
	autoconf bool
	dhcp     bool
	peerdns  int // -1 unset
	ips      []ifaceIP
	gateway  string
}

type ifaceIP struct {
	address string
	prefix  int64
}

var ifaceTypes = []string{"ethernet", "bridge", "bond", "vlan"}

var bondModes = []string{"balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"}

var linkStates = []string{"unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"}

func ifaceXMLErr(format string, args ...any) error {
	return virt.Errorf(virt.ErrXML, virt.FromInterface, format, args...)
}

// parseIfaceDef parses an interface definition as
// virInterfaceDefParseString does.
func parseIfaceDef(doc []byte) (*ifaceDef, error) {
	root, err := xmldoc.Parse(doc)
	if err != nil {
		var se *xmldoc.SyntaxError
		if errors.As(err, &se) {
			return nil, virt.Errorf(virt.ErrXMLDetail, virt.FromInterface, "(interface_definition):%d: %s", se.Line, se.Msg)
		}
		return nil, virt.Errorf(virt.ErrXMLDetail, virt.FromInterface, "(interface_definition): %v", err)
	}
	if root.Name != "interface" {
		return nil, ifaceXMLErr("expecting root element of 'interface', not '%s'", root.Name)
	}
	return parseIfaceNode(root, "")
}

// parseIfaceNode parses one <interface>; parent is the type of the
// interface it is a member of, "" at the top.
func parseIfaceNode(n *xmldoc.Node, parent string) (*ifaceDef, error) {
	typ, ok := n.Attr("type")
	if !ok {
		return nil, ifaceXMLErr("Missing required attribute 'type' in element 'interface'")
	}
	if indexOfStr(ifaceTypes, typ) < 0 {
		return nil, ifaceXMLErr("Invalid value for attribute 'type' in element 'interface': '%s'.", typ)
	}
	if (parent == "bond" && typ != "ethernet") || (parent == "bridge" && typ == "bridge") ||
		parent == "ethernet" || parent == "vlan" {
		return nil, ifaceXMLErr("interface has unsupported type '%s'", typ)
	}
	d := &ifaceDef{typ: typ, stp: -1}
	if d.name, ok = n.Attr("name"); !ok {
		return nil, ifaceXMLErr("interface has no name")
	}
	if parent == "" {
		if s := n.Child("start"); s != nil {
			mode, _ := s.Attr("mode")
			switch mode {
			case "onboot", "hotplug", "none":
				d.startMode = mode
			default:
				return nil, ifaceXMLErr("unknown interface startmode %s", mode)
			}
		}
		if m := n.Child("mtu"); m != nil {
			if v, ok := m.Attr("size"); ok {
				u, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
				if err != nil {
					return nil, ifaceXMLErr("value of the 'size' attribute of 'mtu' element must be at most 100000")
				}
				if u > 100000 {
					return nil, ifaceXMLErr("value of the 'size' attribute of 'mtu' element must be at most 100000")
				}
				d.mtu = u
			}
		}
		for _, p := range n.Children {
			if p.Name != "protocol" {
				continue
			}
			pr, err := parseIfaceProto(p)
			if err != nil {
				return nil, err
			}
			d.protos = append(d.protos, pr)
		}
	}
	if typ != "bridge" {
		if l := n.Child("link"); l != nil {
			if v, ok := l.Attr("speed"); ok {
				u, err := strconv.ParseUint(v, 10, 32)
				if err != nil {
					return nil, ifaceXMLErr("Unable to parse link speed: %s", v)
				}
				d.linkSpeed = u
			}
			if v, ok := l.Attr("state"); ok {
				if indexOfStr(linkStates, v) < 0 {
					return nil, ifaceXMLErr("unknown link state: %s", v)
				}
				d.linkState = v
			}
		}
	}
	switch typ {
	case "ethernet":
		if m := n.Child("mac"); m != nil {
			d.mac, _ = m.Attr("address")
		}
	case "bridge":
		b := n.Child("bridge")
		if b == nil {
			return nil, ifaceXMLErr("bridge interface misses the bridge element")
		}
		if v, ok := b.Attr("stp"); ok {
			switch v {
			case "on":
				d.stp = 1
			case "off":
				d.stp = 0
			}
		}
		d.delay, _ = b.Attr("delay")
		if err := d.parseMembers(b, typ); err != nil {
			return nil, err
		}
	case "bond":
		b := n.Child("bond")
		if b == nil {
			return nil, ifaceXMLErr("bond interface misses the bond element")
		}
		if v, ok := b.Attr("mode"); ok {
			if indexOfStr(bondModes, v) < 0 {
				return nil, ifaceXMLErr("unknown bonding mode %s", v)
			}
			d.bondMode = v
		}
		if err := d.parseMembers(b, typ); err != nil {
			return nil, err
		}
		if m := b.Child("miimon"); m != nil {
			d.monit = "mii"
			var err error
			if d.freq, err = intAttr(m, "freq", true); err != nil {
				return nil, ifaceXMLErr("bond interface miimon freq missing or invalid")
			}
			if d.downdelay, err = intAttr(m, "downdelay", false); err != nil {
				return nil, ifaceXMLErr("bond interface miimon downdelay invalid")
			}
			if d.updelay, err = intAttr(m, "updelay", false); err != nil {
				return nil, ifaceXMLErr("bond interface miimon updelay invalid")
			}
			if v, ok := m.Attr("carrier"); ok {
				if v != "ioctl" && v != "netif" {
					return nil, ifaceXMLErr("unknown mii bonding carrier %s", v)
				}
				d.carrier = v
			}
		} else if a := b.Child("arpmon"); a != nil {
			d.monit = "arp"
			var err error
			if d.interval, err = intAttr(a, "interval", true); err != nil {
				return nil, ifaceXMLErr("bond interface arpmon interval missing or invalid")
			}
			var ok bool
			if d.target, ok = a.Attr("target"); !ok || d.target == "" {
				return nil, ifaceXMLErr("bond interface arpmon target missing")
			}
			if v, ok := a.Attr("validate"); ok {
				if v != "active" && v != "backup" && v != "all" {
					return nil, ifaceXMLErr("unknown arp bonding validate %s", v)
				}
				d.arpValid = v
			}
		}
	case "vlan":
		v := n.Child("vlan")
		if v == nil {
			return nil, ifaceXMLErr("vlan interface misses the vlan element")
		}
		var ok bool
		if d.vlanTag, ok = v.Attr("tag"); !ok {
			return nil, ifaceXMLErr("vlan interface misses the tag attribute")
		}
		i := v.Child("interface")
		if i != nil {
			d.vlanDev, ok = i.Attr("name")
		}
		if i == nil || !ok {
			return nil, ifaceXMLErr("vlan interface misses name attribute")
		}
	}
	return d, nil
}

func (d *ifaceDef) parseMembers(n *xmldoc.Node, typ string) error {
	for _, c := range n.Children {
		if c.Name != "interface" {
			continue
		}
		sub, err := parseIfaceNode(c, typ)
		if err != nil {
			return err
		}
		d.subs = append(d.subs, sub)
	}
	return nil
}

// intAttr reads an integer attribute as virXPathInt: an error when it is
// malformed, or missing and required.
func intAttr(n *xmldoc.Node, name string, required bool) (int64, error) {
	v, ok := n.Attr(name)
	if !ok {
		if required {
			return 0, errors.New("missing")
		}
		return 0, nil
	}
	return strconv.ParseInt(v, 10, 32)
}

func parseIfaceProto(p *xmldoc.Node) (ifaceProto, error) {
	pr := ifaceProto{peerdns: -1}
	var ok bool
	if pr.family, ok = p.Attr("family"); !ok {
		return pr, ifaceXMLErr("protocol misses the family attribute")
	}
	if pr.family != "ipv4" && pr.family != "ipv6" {
		return pr, ifaceXMLErr("unsupported protocol family '%s'", pr.family)
	}
	for _, c := range p.Children {
		if c.Name == "route" {
			pr.gateway, _ = c.Attr("gateway")
			break
		}
	}
	if pr.family == "ipv6" && p.Child("autoconf") != nil {
		pr.autoconf = true
	}
	if dh := p.Child("dhcp"); dh != nil {
		pr.dhcp = true
		if v, ok := dh.Attr("peerdns"); ok {
			switch v {
			case "yes":
				pr.peerdns = 1
			case "no":
				pr.peerdns = 0
			default:
				return pr, ifaceXMLErr("Invalid value for attribute 'peerdns' in element 'dhcp': '%s'. Expected 'yes' or 'no'", v)
			}
		}
	}
	for _, c := range p.Children {
		if c.Name != "ip" {
			continue
		}
		ip := ifaceIP{}
		if ip.address, ok = c.Attr("address"); ok {
			if v, ok := c.Attr("prefix"); ok {
				n, err := strconv.ParseInt(v, 10, 32)
				if err != nil {
					return pr, ifaceXMLErr("Invalid value for attribute 'prefix' in element 'ip': '%s'. Expected integer value", v)
				}
				ip.prefix = n
			}
		}
		pr.ips = append(pr.ips, ip)
	}
	return pr, nil
}

// format writes the definition as virInterfaceDefFormat does.
func (d *ifaceDef) format() string {
	var b strings.Builder
	d.formatDev(&b, "", "")
	return b.String()
}

func (d *ifaceDef) formatDev(b *strings.Builder, ind, parent string) {
	b.WriteString(ind + "<interface type='" + d.typ + "' name='" + xmlEscapeAttr(d.name) + "'>\n")
	in := ind + "  "
	if parent == "" {
		if d.startMode != "" {
			b.WriteString(in + "<start mode='" + d.startMode + "'/>\n")
		}
		if d.mtu != 0 {
			b.WriteString(in + "<mtu size='" + strconv.FormatUint(d.mtu, 10) + "'/>\n")
		}
		for _, p := range d.protos {
			b.WriteString(in + "<protocol family='" + p.family + "'>\n")
			if p.autoconf {
				b.WriteString(in + "  <autoconf/>\n")
			}
			if p.dhcp {
				switch p.peerdns {
				case 0:
					b.WriteString(in + "  <dhcp peerdns='no'/>\n")
				case 1:
					b.WriteString(in + "  <dhcp peerdns='yes'/>\n")
				default:
					b.WriteString(in + "  <dhcp/>\n")
				}
			}
			for _, ip := range p.ips {
				if ip.address == "" {
					continue
				}
				b.WriteString(in + "  <ip address='" + xmlEscapeAttr(ip.address) + "'")
				if ip.prefix != 0 {
					b.WriteString(" prefix='" + strconv.FormatInt(ip.prefix, 10) + "'")
				}
				b.WriteString("/>\n")
			}
			if p.gateway != "" {
				b.WriteString(in + "  <route gateway='" + xmlEscapeAttr(p.gateway) + "'/>\n")
			}
			b.WriteString(in + "</protocol>\n")
		}
	}
	if d.typ != "bridge" && (d.linkSpeed != 0 || d.linkState != "") {
		b.WriteString(in + "<link")
		if d.linkSpeed != 0 {
			b.WriteString(" speed='" + strconv.FormatUint(d.linkSpeed, 10) + "'")
		}
		if d.linkState != "" {
			b.WriteString(" state='" + d.linkState + "'")
		}
		b.WriteString("/>\n")
	}
	switch d.typ {
	case "ethernet":
		if d.mac != "" {
			b.WriteString(in + "<mac address='" + xmlEscapeAttr(d.mac) + "'/>\n")
		}
	case "bridge":
		b.WriteString(in + "<bridge")
		switch d.stp {
		case 1:
			b.WriteString(" stp='on'")
		case 0:
			b.WriteString(" stp='off'")
		}
		if d.delay != "" {
			b.WriteString(" delay='" + xmlEscapeAttr(d.delay) + "'")
		}
		b.WriteString(">\n")
		for _, s := range d.subs {
			s.formatDev(b, in+"  ", "bridge")
		}
		b.WriteString(in + "</bridge>\n")
	case "bond":
		b.WriteString(in + "<bond")
		if d.bondMode != "" {
			b.WriteString(" mode='" + d.bondMode + "'")
		}
		b.WriteString(">\n")
		switch d.monit {
		case "mii":
			b.WriteString(in + "  <miimon freq='" + strconv.FormatInt(d.freq, 10) + "'")
			if d.downdelay > 0 {
				b.WriteString(" downdelay='" + strconv.FormatInt(d.downdelay, 10) + "'")
			}
			if d.updelay > 0 {
				b.WriteString(" updelay='" + strconv.FormatInt(d.updelay, 10) + "'")
			}
			if d.carrier != "" {
				b.WriteString(" carrier='" + d.carrier + "'")
			}
			b.WriteString("/>\n")
		case "arp":
			b.WriteString(in + "  <arpmon interval='" + strconv.FormatInt(d.interval, 10) + "' target='" + xmlEscapeAttr(d.target) + "'")
			if d.arpValid != "" {
				b.WriteString(" validate='" + d.arpValid + "'")
			}
			b.WriteString("/>\n")
		}
		for _, s := range d.subs {
			s.formatDev(b, in+"  ", "bond")
		}
		b.WriteString(in + "</bond>\n")
	case "vlan":
		b.WriteString(in + "<vlan tag='" + xmlEscapeAttr(d.vlanTag) + "'")
		if d.vlanDev != "" {
			b.WriteString(">\n" + in + "  <interface name='" + xmlEscapeAttr(d.vlanDev) + "'/>\n" + in + "</vlan>\n")
		} else {
			b.WriteString("/>\n")
		}
	}
	b.WriteString(ind + "</interface>\n")
}

func indexOfStr(list []string, v string) int {
	for i, s := range list {
		if s == v {
			return i
		}
	}
	return -1
}
