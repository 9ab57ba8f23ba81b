package test

import (
	"context"
	"strings"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
)

// hostIface is a host network interface of the node (iface-list).
type hostIface struct {
	name   string
	mac    string
	active bool
	def    *ifaceDef
}

// loadInterface adds a host interface of a node description; like every
// interface of a node description, it is active.
func (n *node) loadInterface(doc []byte) error {
	def, err := parseIfaceDef(doc)
	if err != nil {
		return err
	}
	n.mu.Lock()
	n.ifaces = append(n.ifaces, &hostIface{name: def.name, mac: def.mac, active: true, def: def})
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

// LookupInterfaceByMAC finds a host interface by MAC address; more than
// one match is an error.
func (c *conn) LookupInterfaceByMAC(ctx context.Context, mac string) (virt.InterfaceRef, error) {
	n := c.node
	n.mu.RLock()
	defer n.mu.RUnlock()
	var found []*hostIface
	for _, i := range n.ifaces {
		if i.mac != "" && strings.EqualFold(i.mac, mac) {
			found = append(found, i)
		}
	}
	switch len(found) {
	case 0:
		return virt.InterfaceRef{}, virt.Errorf(virt.ErrNoInterface, virt.FromTest, "no interface with matching mac '%s'", mac)
	case 1:
		return virt.InterfaceRef{Name: found[0].name, MAC: mac}, nil
	}
	return virt.InterfaceRef{}, virt.Errorf(virt.ErrMultipleInterfaces, virt.FromTest, "")
}

// InterfaceXML returns the interface's definition as libvirt formats it;
// like libvirt's test driver it takes no flags.
func (c *conn) InterfaceXML(ctx context.Context, ref virt.InterfaceRef, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testInterfaceGetXMLDesc"); err != nil {
		return "", err
	}
	n := c.node
	n.mu.RLock()
	defer n.mu.RUnlock()
	for _, i := range n.ifaces {
		if i.name == ref.Name {
			return i.def.format(), nil
		}
	}
	return "", virt.Errorf(virt.ErrNoInterface, virt.FromTest, "no interface with matching name '%s'", ref.Name)
}

// InterfaceIsActive reports whether the interface is up.
func (c *conn) InterfaceIsActive(ctx context.Context, ref virt.InterfaceRef) (bool, error) {
	i, err := c.iface(func(i *hostIface) bool { return i.name == ref.Name }, "name", ref.Name)
	if err != nil {
		return false, err
	}
	return i.active, nil
}

// DefineInterface implements virt.InterfaceManager: a new interface is
// inactive; redefining one keeps its state.
func (c *conn) DefineInterface(ctx context.Context, xml string, flags uint32) (virt.InterfaceRef, error) {
	const validate = 1 // VIR_INTERFACE_DEFINE_VALIDATE
	if err := driver.CheckFlags(virt.FromTest, flags, validate, "testInterfaceDefineXML"); err != nil {
		return virt.InterfaceRef{}, err
	}
	def, err := parseIfaceDef([]byte(xml))
	if err != nil {
		return virt.InterfaceRef{}, err
	}
	n := c.node
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, i := range n.ifaces {
		if i.name == def.name {
			i.def, i.mac = def, def.mac
			return i.ref(), nil
		}
	}
	i := &hostIface{name: def.name, mac: def.mac, def: def}
	n.ifaces = append(n.ifaces, i)
	return i.ref(), nil
}

// UndefineInterface implements virt.InterfaceManager; libvirt's test
// driver removes the interface whatever its state.
func (c *conn) UndefineInterface(ctx context.Context, ref virt.InterfaceRef) error {
	n := c.node
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, i := range n.ifaces {
		if i.name == ref.Name {
			n.ifaces = append(n.ifaces[:k:k], n.ifaces[k+1:]...)
			return nil
		}
	}
	return virt.Errorf(virt.ErrNoInterface, virt.FromTest, "no interface with matching name '%s'", ref.Name)
}

func (c *conn) setIfaceActive(ref virt.InterfaceRef, flags uint32, on bool, fn string) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, fn); err != nil {
		return err
	}
	n := c.node
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, i := range n.ifaces {
		if i.name == ref.Name {
			if i.active == on {
				return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "")
			}
			i.active = on
			return nil
		}
	}
	return virt.Errorf(virt.ErrNoInterface, virt.FromTest, "no interface with matching name '%s'", ref.Name)
}

// StartInterface implements virt.InterfaceManager.
func (c *conn) StartInterface(ctx context.Context, ref virt.InterfaceRef, flags uint32) error {
	return c.setIfaceActive(ref, flags, true, "testInterfaceCreate")
}

// StopInterface implements virt.InterfaceManager.
func (c *conn) StopInterface(ctx context.Context, ref virt.InterfaceRef, flags uint32) error {
	return c.setIfaceActive(ref, flags, false, "testInterfaceDestroy")
}

// InterfaceChangeBegin implements virt.InterfaceManager: it snapshots the
// interfaces for a later rollback.
func (c *conn) InterfaceChangeBegin(ctx context.Context, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testInterfaceChangeBegin"); err != nil {
		return err
	}
	n := c.node
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ifaceTxn {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "there is another transaction running.")
	}
	n.ifaceTxn = true
	n.ifaceBackup = make([]*hostIface, len(n.ifaces))
	for k, i := range n.ifaces {
		// libvirt's clone keeps the definitions, not the states.
		cp := *i
		cp.active = false
		n.ifaceBackup[k] = &cp
	}
	return nil
}

// InterfaceChangeCommit implements virt.InterfaceManager.
func (c *conn) InterfaceChangeCommit(ctx context.Context, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testInterfaceChangeCommit"); err != nil {
		return err
	}
	n := c.node
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.ifaceTxn {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "no transaction running, nothing to be committed.")
	}
	n.ifaceTxn, n.ifaceBackup = false, nil
	return nil
}

// InterfaceChangeRollback implements virt.InterfaceManager.
func (c *conn) InterfaceChangeRollback(ctx context.Context, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testInterfaceChangeRollback"); err != nil {
		return err
	}
	n := c.node
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.ifaceTxn {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "no transaction running, nothing to rollback.")
	}
	n.ifaces, n.ifaceBackup, n.ifaceTxn = n.ifaceBackup, nil, false
	return nil
}
