package test

import (
	"context"
	"strings"

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

func (c *conn) iface(match func(*hostIface) bool, what, key string) (*hostIface, error) {
	n := c.node
	n.mu.RLock()
	defer n.mu.RUnlock()
	for _, i := range n.ifaces {
		if match(i) {
			return i, nil
		}
	}
	return nil, virt.Errorf(virt.ErrNoInterface, virt.FromTest, "no interface with matching %s '%s'", what, key)
}

func (i *hostIface) ref() virt.InterfaceRef { return virt.InterfaceRef{Name: i.name, MAC: i.mac} }

// ListInterfaces lists the node's host interfaces, in definition order.
func (c *conn) ListInterfaces(ctx context.Context, flags virt.ListInterfacesFlags) ([]virt.InterfaceRef, error) {
	n := c.node
	n.mu.RLock()
	defer n.mu.RUnlock()
	var out []virt.InterfaceRef
	for _, i := range n.ifaces {
		if flags&(virt.ListInterfacesActive|virt.ListInterfacesInactive) != 0 {
			if i.active && flags&virt.ListInterfacesActive == 0 || !i.active && flags&virt.ListInterfacesInactive == 0 {
				continue
			}
		}
		out = append(out, i.ref())
	}
	return out, nil
}

// LookupInterfaceByName finds a host interface by name.
func (c *conn) LookupInterfaceByName(ctx context.Context, name string) (virt.InterfaceRef, error) {
	i, err := c.iface(func(i *hostIface) bool { return i.name == name }, "name", name)
	if err != nil {
		return virt.InterfaceRef{}, err
	}
	return i.ref(), nil
}

// LookupInterfaceByMAC finds a host interface by MAC address.
func (c *conn) LookupInterfaceByMAC(ctx context.Context, mac string) (virt.InterfaceRef, error) {
	i, err := c.iface(func(i *hostIface) bool { return strings.EqualFold(i.mac, mac) }, "mac", mac)
	if err != nil {
		return virt.InterfaceRef{}, err
	}
	return i.ref(), nil
}

// InterfaceXML returns the interface's definition as it was loaded.
func (c *conn) InterfaceXML(ctx context.Context, ref virt.InterfaceRef, flags uint32) (string, error) {
	i, err := c.iface(func(i *hostIface) bool { return i.name == ref.Name }, "name", ref.Name)
	if err != nil {
		return "", err
	}
	return string(i.doc), nil
}

// InterfaceIsActive reports whether the interface is up.
func (c *conn) InterfaceIsActive(ctx context.Context, ref virt.InterfaceRef) (bool, error) {
	i, err := c.iface(func(i *hostIface) bool { return i.name == ref.Name }, "name", ref.Name)
	if err != nil {
		return false, err
	}
	return i.active, nil
}
