package test

import (
	"context"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// network is a virtual network of the node.
type network struct {
	object
	def *virtxml.Network
	// newDef is a persistent definition given while the network ran.
	// libvirt's test driver keeps it but never puts it in force.
	newDef *virtxml.Network
}

func (n *network) ref() virt.NetworkRef { return virt.NetworkRef{Name: n.name, UUID: n.uuid} }

// netByName returns the network named name, locked, or libvirt's error.
func (c *conn) netByName(name string) (*network, error) {
	n, ok := c.node.nets.lookupName(name)
	if !ok {
		return nil, virt.Errorf(virt.ErrNoNetwork, virt.FromTest, "no network with matching name '%s'", name)
	}
	return n, nil
}

// netByUUID returns the network with uuid, locked, or libvirt's error.
func (c *conn) netByUUID(u virt.UUID) (*network, error) {
	n, ok := c.node.nets.lookupUUID(u)
	if !ok {
		return nil, virt.Errorf(virt.ErrNoNetwork, virt.FromTest, "no network with matching uuid '%s'", u)
	}
	return n, nil
}

func (c *conn) emitNet(n *network, typ virt.ObjectEventType) {
	c.node.netEvents.Publish(virt.NetworkEvent{Network: n.ref(), Type: typ})
}

func parseNetwork(xml string) (*virtxml.Network, error) {
	def, err := virtxml.ParseNetwork([]byte(xml))
	if err != nil {
		return nil, virt.FromXMLError(err, virt.FromNetwork)
	}
	return def, nil
}

// assignNet adds a network for def or finds the one it redefines, as
// libvirt's virNetworkObjAssignDef does; the result is locked. live means
// def is to run (create), which an active network refuses.
func (nd *node) assignNet(def *virtxml.Network, live bool) (*network, bool, error) {
	return nd.nets.add(def.Name, def.UUID, live, "network", virt.FromNetwork, nil, func() *network {
		return &network{object: object{name: def.Name, uuid: def.UUID, persistent: !live}, def: def}
	})
}

// LookupNetworkByName implements virt.NetworkDriver.
func (c *conn) LookupNetworkByName(ctx context.Context, name string) (virt.NetworkRef, error) {
	n, err := c.netByName(name)
	if err != nil {
		return virt.NetworkRef{}, err
	}
	defer n.mu.Unlock()
	return n.ref(), nil
}

// LookupNetworkByUUID implements virt.NetworkDriver.
func (c *conn) LookupNetworkByUUID(ctx context.Context, uuid virt.UUID) (virt.NetworkRef, error) {
	n, err := c.netByUUID(uuid)
	if err != nil {
		return virt.NetworkRef{}, err
	}
	defer n.mu.Unlock()
	return n.ref(), nil
}

// ListNetworks implements virt.NetworkDriver: the networks that pass the
// filter, sorted by name.
func (c *conn) ListNetworks(ctx context.Context, flags virt.ListNetworksFlags) ([]virt.NetworkRef, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), 1<<6-1, "testConnectListAllNetworks"); err != nil {
		return nil, err
	}
	all := c.node.nets.sorted()
	out := make([]virt.NetworkRef, 0, len(all))
	for _, n := range all {
		n.mu.Lock()
		ok := !n.removed &&
			pairFilter(uint32(flags), uint32(virt.ListNetworksActive), uint32(virt.ListNetworksInactive), n.active) &&
			pairFilter(uint32(flags), uint32(virt.ListNetworksPersistent), uint32(virt.ListNetworksTransient), n.persistent) &&
			pairFilter(uint32(flags), uint32(virt.ListNetworksAutostart), uint32(virt.ListNetworksNoAutostart), n.autostart)
		if ok {
			out = append(out, n.ref())
		}
		n.mu.Unlock()
	}
	return out, nil
}

// pairFilter applies a pair of opposite list filters: none or both set
// accept everything, one set accepts what it names.
func pairFilter(flags, yes, no uint32, is bool) bool {
	switch flags & (yes | no) {
	case yes:
		return is
	case no:
		return !is
	}
	return true
}

// DefineNetwork implements virt.NetworkDriver.
func (c *conn) DefineNetwork(ctx context.Context, xml string) (virt.NetworkRef, error) {
	def, err := parseNetwork(xml)
	if err != nil {
		return virt.NetworkRef{}, err
	}
	n, fresh, err := c.node.assignNet(def, false)
	if err != nil {
		return virt.NetworkRef{}, err
	}
	defer n.mu.Unlock()
	if !fresh {
		if n.active {
			n.newDef = def
		} else {
			n.def = def
		}
		n.persistent = true
	}
	c.emitNet(n, virt.ObjectDefined)
	return n.ref(), nil
}

// CreateNetwork implements virt.NetworkDriver: a running network, transient
// unless it redefines an inactive persistent one.
func (c *conn) CreateNetwork(ctx context.Context, xml string) (virt.NetworkRef, error) {
	def, err := parseNetwork(xml)
	if err != nil {
		return virt.NetworkRef{}, err
	}
	n, fresh, err := c.node.assignNet(def, true)
	if err != nil {
		return virt.NetworkRef{}, err
	}
	defer n.mu.Unlock()
	if !fresh {
		if n.persistent {
			n.newDef = n.def
		}
		n.def = def
	}
	n.active = true
	c.emitNet(n, virt.ObjectStarted)
	return n.ref(), nil
}

// UndefineNetwork implements virt.NetworkDriver.
func (c *conn) UndefineNetwork(ctx context.Context, ref virt.NetworkRef) error {
	n, err := c.netByName(ref.Name)
	if err != nil {
		return err
	}
	defer n.mu.Unlock()
	if n.active {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "Network '%s' is still running", ref.Name)
	}
	c.emitNet(n, virt.ObjectUndefined)
	c.node.nets.remove(n)
	return nil
}

// StartNetwork implements virt.NetworkDriver.
func (c *conn) StartNetwork(ctx context.Context, ref virt.NetworkRef) error {
	n, err := c.netByName(ref.Name)
	if err != nil {
		return err
	}
	defer n.mu.Unlock()
	if n.active {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "Network '%s' is already running", ref.Name)
	}
	n.active = true
	c.emitNet(n, virt.ObjectStarted)
	return nil
}

// DestroyNetwork implements virt.NetworkDriver. Like libvirt's test driver
// it does not check that the network runs.
func (c *conn) DestroyNetwork(ctx context.Context, ref virt.NetworkRef) error {
	n, err := c.netByName(ref.Name)
	if err != nil {
		return err
	}
	defer n.mu.Unlock()
	n.active = false
	c.emitNet(n, virt.ObjectStopped)
	if !n.persistent {
		c.node.nets.remove(n)
	}
	return nil
}

// NetworkXML implements virt.NetworkDriver. Like libvirt's test driver it
// refuses every flag, VIR_NETWORK_XML_INACTIVE included.
func (c *conn) NetworkXML(ctx context.Context, ref virt.NetworkRef, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testNetworkGetXMLDesc"); err != nil {
		return "", err
	}
	n, err := c.netByName(ref.Name)
	if err != nil {
		return "", err
	}
	defer n.mu.Unlock()
	out, err := n.def.Format(virtxml.NetworkFormatFlags(flags))
	if err != nil {
		return "", virt.Errorf(virt.ErrInternal, virt.FromNetwork, "format network '%s': %v", n.name, err)
	}
	return string(out), nil
}

// NetworkInfo implements virt.NetworkDriver. Bridge is empty for a network
// without one (libvirt's virNetworkGetBridgeName fails there).
func (c *conn) NetworkInfo(ctx context.Context, ref virt.NetworkRef) (virt.NetworkInfo, error) {
	n, err := c.netByUUID(ref.UUID)
	if err != nil {
		return virt.NetworkInfo{}, err
	}
	defer n.mu.Unlock()
	info := virt.NetworkInfo{Active: n.active, Persistent: n.persistent, Autostart: n.autostart}
	if n.def.Bridge != nil {
		info.Bridge = n.def.Bridge.Name
	}
	return info, nil
}

// SetNetworkAutostart implements virt.NetworkDriver.
func (c *conn) SetNetworkAutostart(ctx context.Context, ref virt.NetworkRef, on bool) error {
	n, err := c.netByName(ref.Name)
	if err != nil {
		return err
	}
	defer n.mu.Unlock()
	n.autostart = on
	return nil
}
