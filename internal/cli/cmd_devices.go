package cli

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// firstAttr returns the value of the first attribute of the first child
// named child of n whose name is in names, in document order, as libvirt's
// XPath unions ("string(./source/@file|./source/@dev|...)") pick it.
func firstAttr(n *xmldoc.Node, child string, names ...string) (string, bool) {
	for _, c := range n.Children {
		if c.Name != child {
			continue
		}
		for _, a := range c.Attrs {
			for _, want := range names {
				if a.Name == want {
					return a.Value, true
				}
			}
		}
	}
	return "", false
}

// childAttr returns attribute attr of the first child named child.
func childAttr(n *xmldoc.Node, child, attr string) (string, bool) {
	if c := n.Child(child); c != nil {
		return c.Attr(attr)
	}
	return "", false
}

// devices returns the children of <devices> named name.
func devices(root *xmldoc.Node, name string) []*xmldoc.Node {
	var out []*xmldoc.Node
	if d := root.Child("devices"); d != nil {
		for _, c := range d.Children {
			if c.Name == name {
				out = append(out, c)
			}
		}
	}
	return out
}

// orMinus is virsh's NULLSTR_MINUS: "-" for a missing or empty value (an
// XPath string that is empty counts as missing).
func orMinus(s string, ok bool) string {
	if !ok || s == "" {
		return "-"
	}
	return s
}

// blockJSON is the stable JSON shape of a disk in "domblklist -o json".
type blockJSON struct {
	Type   string `json:"type"`
	Device string `json:"device"`
	Target string `json:"target"`
	Source string `json:"source"`
}

func cmdDomblklist(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	var flags virt.DomainXMLFlags
	if c.has("inactive") {
		flags |= virt.XMLInactive
	}
	details := c.has("details")
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	root, err := s.domainXMLTree(d, flags)
	if err != nil {
		return err
	}
	var t *textTable
	if details {
		t = newTable("Type", "Device", "Target", "Source")
	} else {
		t = newTable("Target", "Source")
	}
	var out []blockJSON
	for _, disk := range devices(root, "disk") {
		typ, _ := disk.Attr("type")
		device, _ := disk.Attr("device")
		if details && (typ == "" || device == "") {
			return fail(errNoCause, "unable to query block list details")
		}
		target, ok := childAttr(disk, "target", "dev")
		if !ok || target == "" {
			return fail(errNoCause, "unable to query block list")
		}
		var source string
		var hasSource bool
		if typ == "nvme" {
			source, err = nvmeSource(disk)
			if err != nil {
				return err
			}
			hasSource = true
		} else {
			source, hasSource = firstAttr(disk, "source", "file", "dev", "dir", "name", "volume", "path")
		}
		out = append(out, blockJSON{Type: typ, Device: device, Target: target, Source: source})
		if details {
			t.add(typ, device, target, orMinus(source, hasSource))
		} else {
			t.add(target, orMinus(source, hasSource))
		}
	}
	if asJSON {
		if out == nil {
			out = []blockJSON{}
		}
		return s.printJSON(out)
	}
	s.printTable(t)
	return nil
}

// nvmeSource formats an NVMe disk's source as virsh does:
// nvme://DOMAIN:BUS:SLOT.FUNCTION/NAMESPACE.
func nvmeSource(disk *xmldoc.Node) (string, error) {
	bad := fail(errNoCause, "Unable to query NVMe disk address")
	src := disk.Child("source")
	if src == nil {
		return "", bad
	}
	ns, ok := src.Attr("namespace")
	addr := src.Child("address")
	if !ok || addr == nil {
		return "", bad
	}
	var v [4]uint64
	for i, name := range []string{"domain", "bus", "slot", "function"} {
		text, ok := addr.Attr(name)
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(text, 0, 32)
		if err != nil {
			return "", bad
		}
		v[i] = n
	}
	return fmt.Sprintf("nvme://%04x:%02x:%02x.%d/%s", v[0], v[1], v[2], v[3], ns), nil
}

// ifaceJSON is the stable JSON shape of an interface in "domiflist -o json".
type ifaceJSON struct {
	Interface string `json:"interface"`
	Type      string `json:"type"`
	Source    string `json:"source"`
	Model     string `json:"model"`
	MAC       string `json:"mac"`
}

func cmdDomiflist(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	var flags virt.DomainXMLFlags
	if c.has("inactive") {
		flags |= virt.XMLInactive
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	root, err := s.domainXMLTree(d, flags)
	if err != nil {
		return err
	}
	t := newTable("Interface", "Type", "Source", "Model", "MAC")
	out := []ifaceJSON{}
	for _, nic := range devices(root, "interface") {
		typ, _ := nic.Attr("type")
		source, hasSource := firstAttr(nic, "source", "bridge", "dev", "network", "name", "path")
		target, hasTarget := childAttr(nic, "target", "dev")
		model, hasModel := childAttr(nic, "model", "type")
		mac, hasMAC := childAttr(nic, "mac", "address")
		out = append(out, ifaceJSON{target, typ, source, model, mac})
		t.add(orMinus(target, hasTarget), typ, orMinus(source, hasSource), orMinus(model, hasModel), orMinus(mac, hasMAC))
	}
	if asJSON {
		return s.printJSON(out)
	}
	s.printTable(t)
	return nil
}

func cmdDomifGetlink(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	iface, _, err := c.str("interface")
	if err != nil {
		return err
	}
	var flags virt.DomainXMLFlags
	if c.has("config") {
		flags = virt.XMLInactive
	}
	root, err := s.domainXMLTree(d, flags)
	if err != nil {
		return err
	}
	mac := ""
	if hw, err := net.ParseMAC(iface); err == nil && len(hw) == 6 {
		mac = hw.String()
	}
	var found []*xmldoc.Node
	for _, nic := range devices(root, "interface") {
		a, _ := childAttr(nic, "mac", "address")
		t, _ := childAttr(nic, "target", "dev")
		if (mac != "" && strings.EqualFold(a, mac)) || t == iface {
			found = append(found, nic)
		}
	}
	switch {
	case len(found) == 0 && mac != "":
		return fail(errNoCause, "Interface (mac: %s) not found.", mac)
	case len(found) == 0:
		return fail(errNoCause, "Interface (dev: %s) not found.", iface)
	case len(found) > 1:
		return fail(errNoCause, "multiple matching interfaces found")
	}
	state, ok := childAttr(found[0], "link", "state")
	if !ok || state == "" {
		state = "up"
	}
	s.printf("%s %s", iface, state)
	return nil
}
