package cli

import (
	"sort"
	"strings"

	"github.com/govirt/govirt/virt"
)

// hostIfaceJSON is the stable JSON shape of a host interface in
// "iface-list -o json".
type hostIfaceJSON struct {
	Name   string `json:"name"`
	Active bool   `json:"active"`
	MAC    string `json:"mac"`
}

func cmdIfaceList(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	flags := virt.ListInterfacesActive
	if c.has("inactive") {
		flags = virt.ListInterfacesInactive
	}
	if c.has("all") {
		flags = virt.ListInterfacesActive | virt.ListInterfacesInactive
	}
	ifaces, err := s.conn.ListAllInterfaces(s.ctx, flags)
	if err != nil {
		return fail(err, "Failed to list interfaces")
	}
	sort.SliceStable(ifaces, func(i, j int) bool {
		return strings.ToLower(ifaces[i].Name()) < strings.ToLower(ifaces[j].Name())
	})
	out := []hostIfaceJSON{}
	t := newTable("Name", "State", "MAC Address")
	for _, i := range ifaces {
		active, err := i.IsActive(s.ctx)
		if err != nil {
			return err
		}
		state := "inactive"
		if active {
			state = "active"
		}
		out = append(out, hostIfaceJSON{i.Name(), active, i.MAC()})
		t.add(i.Name(), state, i.MAC())
	}
	if asJSON {
		return s.printJSON(out)
	}
	s.printTable(t)
	return nil
}

// Interface lookup methods (virsh's VIRSH_BYNAME and VIRSH_BYMAC).
const (
	ifaceByName = 1 << iota
	ifaceByMAC
)

// interfaceArg returns the host interface named by the "interface" option:
// by name, then by MAC address when the text is one.
func (s *session) interfaceArg(c *call, by int) (*virt.Interface, string, error) {
	return s.interfaceOpt(c, "interface", by)
}

// interfaceOpt is interfaceArg for option opt.
func (s *session) interfaceOpt(c *call, opt string, by int) (*virt.Interface, string, error) {
	name, _, err := c.str(opt)
	if err != nil {
		return nil, "", err
	}
	var (
		i    *virt.Interface
		lerr error = errNoCause
	)
	if isMAC := isMACAddr(name); !isMAC && by&ifaceByName != 0 {
		i, lerr = s.conn.LookupInterfaceByName(s.ctx, name)
	} else if isMAC && by&ifaceByMAC != 0 {
		i, lerr = s.conn.LookupInterfaceByMAC(s.ctx, name)
	}
	if lerr == nil {
		return i, name, nil
	}
	return nil, name, fail(lerr, "failed to get interface '%s'", name)
}

func cmdIfaceDumpxml(s *session, c *call) error {
	i, _, err := s.interfaceArg(c, ifaceByName|ifaceByMAC)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("inactive") {
		flags = 1 // VIR_INTERFACE_XML_INACTIVE
	}
	x, err := i.XML(s.ctx, flags)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdIfaceName(s *session, c *call) error {
	i, _, err := s.interfaceArg(c, ifaceByMAC)
	if err != nil {
		return err
	}
	s.printf("%s\n", i.Name())
	return nil
}

func cmdIfaceMAC(s *session, c *call) error {
	i, _, err := s.interfaceArg(c, ifaceByName)
	if err != nil {
		return err
	}
	s.printf("%s\n", i.MAC())
	return nil
}

// isMACAddr reports whether s parses as libvirt's virMacAddrParse accepts:
// six hex numbers of one or two digits, separated by ':' or '-'.
func isMACAddr(s string) bool {
	for i := 0; i < 6; i++ {
		n := 0
		for n < len(s) && n < 3 && isHex(s[n]) {
			n++
		}
		if n == 0 || n > 2 {
			return false
		}
		s = s[n:]
		if i == 5 {
			return s == ""
		}
		if s == "" || (s[0] != ':' && s[0] != '-') {
			return false
		}
		s = s[1:]
	}
	return false
}
