package test

import (
	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// hostIface is a host network interface of the node (iface-list).
type hostIface struct {
	name   string
	mac    string
	active bool
	doc    []byte
}

// loadInterface adds a host interface of a node description; like every
// interface of a node description, it is active.
func (n *node) loadInterface(doc []byte) error {
	root, err := xmldoc.Parse(doc)
	if err != nil {
		return virt.Errorf(virt.ErrXMLDetail, virt.FromInterface, "%v", err)
	}
	name, _ := root.Attr("name")
	if name == "" {
		return virt.Errorf(virt.ErrXML, virt.FromInterface, "interface has no name")
	}
	mac := ""
	if m := root.Child("mac"); m != nil {
		mac, _ = m.Attr("address")
	}
	n.mu.Lock()
	n.ifaces = append(n.ifaces, &hostIface{name: name, mac: mac, active: true, doc: doc})
	n.mu.Unlock()
	return nil
}
