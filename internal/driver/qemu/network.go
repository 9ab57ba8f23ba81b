package qemu

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/network"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// vnet is a virtual network of the node. name and uuid never change.
type vnet struct {
	name string
	uuid virt.UUID

	mu sync.Mutex
	// def is the persistent definition, or the running one of a transient
	// network.
	def *virtxml.Network
	// live is the running definition; nil while inactive.
	live *virtxml.Network
	// newDef is a persistent definition given while the network runs: it
	// takes effect at the next start.
	newDef     *virtxml.Network
	persistent bool
	autostart  bool
	removed    bool
	dnsmasq    network.Proc
	// stopWatch ends the supervision of the network's dnsmasq.
	stopWatch chan struct{}
}

func (v *vnet) ref() virt.NetworkRef { return virt.NetworkRef{Name: v.name, UUID: v.uuid} }

// netRegistry holds the node's networks.
type netRegistry struct {
	mu     sync.Mutex
	byName map[string]*vnet
	byUUID map[virt.UUID]*vnet
	// bridges maps the bridge names networks claim to their networks.
	bridges map[string]string
	events  driver.Broadcaster[virt.NetworkEvent]
}

func newNetRegistry() *netRegistry {
	return &netRegistry{byName: map[string]*vnet{}, byUUID: map[virt.UUID]*vnet{}, bridges: map[string]string{}}
}

// claimBridges records the bridges v's definitions name. The caller holds
// v.mu.
func (n *node) claimBridges(v *vnet) {
	r := n.nets
	r.mu.Lock()
	defer r.mu.Unlock()
	for br, owner := range r.bridges {
		if owner == v.name {
			delete(r.bridges, br)
		}
	}
	if v.removed {
		return
	}
	for _, d := range []*virtxml.Network{v.def, v.live, v.newDef} {
		if d != nil && d.Bridge != nil && d.Bridge.Name != "" && network.OwnBridge(d) {
			r.bridges[d.Bridge.Name] = v.name
		}
	}
}

// Network state lives beside the domains': definitions in
// CONFIG/networks (autostart links in CONFIG/networks/autostart), running
// status in RUN/networks, dnsmasq's files in STATE/dnsmasq.
func (p paths) netDefFile(name string) string {
	return filepath.Join(p.config, "networks", name+".xml")
}
func (p paths) netAutostartLink(name string) string {
	return filepath.Join(p.config, "networks", "autostart", name+".xml")
}
func (p paths) netStatusFile(name string) string {
	return filepath.Join(p.run, "networks", name+".json")
}
func (p paths) dnsmasqFiles(name string) network.Files {
	return network.Files{
		Conf:      filepath.Join(p.state, "dnsmasq", name+".conf"),
		PidFile:   filepath.Join(p.run, "networks", name+".pid"),
		LeaseFile: filepath.Join(p.state, "dnsmasq", name+".leases"),
	}
}

func errNoNetwork(by, what string) error {
	return virt.Errorf(virt.ErrNoNetwork, virt.FromNetwork, "no network with matching %s '%s'", by, what)
}

func netErr(code *virt.Error, format string, args ...any) error {
	return virt.Errorf(code, virt.FromNetwork, format, args...)
}

// network returns the network behind ref, locked.
func (n *node) network(ref virt.NetworkRef) (*vnet, error) {
	r := n.nets
	r.mu.Lock()
	v := r.byUUID[ref.UUID]
	if v == nil && ref.UUID == (virt.UUID{}) {
		v = r.byName[ref.Name]
	}
	r.mu.Unlock()
	if v == nil {
		return nil, errNoNetwork("name", ref.Name)
	}
	v.mu.Lock()
	if v.removed {
		v.mu.Unlock()
		return nil, errNoNetwork("name", ref.Name)
	}
	return v, nil
}

func (n *node) allNetworks() []*vnet {
	r := n.nets
	r.mu.Lock()
	out := make([]*vnet, 0, len(r.byName))
	for _, v := range r.byName {
		out = append(out, v)
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (n *node) removeNetwork(v *vnet) {
	v.removed = true
	n.claimBridges(v)
	r := n.nets
	r.mu.Lock()
	if r.byName[v.name] == v {
		delete(r.byName, v.name)
	}
	if r.byUUID[v.uuid] == v {
		delete(r.byUUID, v.uuid)
	}
	r.mu.Unlock()
}

func (n *node) emitNet(v *vnet, typ virt.ObjectEventType) {
	n.nets.events.Publish(virt.NetworkEvent{Network: v.ref(), Type: typ})
}

// assignNetwork adds a network for def or finds the one it redefines
// (libvirt's virNetworkObjAssignDef); the result is locked. live refuses
// an active network.
func (n *node) assignNetwork(def *virtxml.Network, live bool) (*vnet, bool, error) {
	r := n.nets
	for {
		r.mu.Lock()
		if v := r.byUUID[def.UUID]; v != nil {
			r.mu.Unlock()
			if v.name != def.Name {
				return nil, false, netErr(virt.ErrOperationFailed, "network '%s' is already defined with uuid %s", v.name, v.uuid)
			}
			v.mu.Lock()
			if v.removed {
				v.mu.Unlock()
				continue
			}
			if live && v.live != nil {
				v.mu.Unlock()
				return nil, false, netErr(virt.ErrOperationInvalid, "network is already active as '%s'", v.name)
			}
			return v, false, nil
		}
		if v := r.byName[def.Name]; v != nil {
			r.mu.Unlock()
			return nil, false, netErr(virt.ErrOperationFailed, "network '%s' already exists with uuid %s", v.name, v.uuid)
		}
		v := &vnet{name: def.Name, uuid: def.UUID, def: def}
		v.mu.Lock()
		r.byName[v.name] = v
		r.byUUID[v.uuid] = v
		r.mu.Unlock()
		return v, true, nil
	}
}

// bridgesInUse returns the bridge names other networks claim.
func (n *node) bridgesInUse(except *vnet) map[string]string {
	used := map[string]string{}
	r := n.nets
	r.mu.Lock()
	for br, owner := range r.bridges {
		if owner != except.name {
			used[br] = owner
		}
	}
	r.mu.Unlock()
	return used
}

// fillNetworkDefaults gives a network that creates its own bridge a bridge
// name (the first free virbrN), STP settings and a MAC address, as
// libvirt's network driver does when a network is defined.
func (n *node) fillNetworkDefaults(def *virtxml.Network, self *vnet) error {
	if !network.OwnBridge(def) {
		return nil
	}
	used := n.bridgesInUse(self)
	if def.Bridge == nil {
		def.Bridge = &virtxml.NetworkBridge{}
	}
	if def.Bridge.Name == "" || strings.Contains(def.Bridge.Name, "%d") {
		tmpl := def.Bridge.Name
		if tmpl == "" {
			tmpl = "virbr%d"
		}
		for i := 0; ; i++ {
			name := strings.Replace(tmpl, "%d", fmt.Sprint(i), 1)
			if used[name] == "" && !network.LinkExists(name) {
				def.Bridge.Name = name
				break
			}
			if i > 4096 {
				return netErr(virt.ErrInternal, "Bridge generation exceeded max id 4096")
			}
		}
	} else if other := used[def.Bridge.Name]; other != "" {
		return netErr(virt.ErrInternal, "bridge name '%s' already in use.", def.Bridge.Name)
	}
	if def.Bridge.STP == "" {
		def.Bridge.STP = "on"
	}
	if def.MAC == "" {
		var b [3]byte
		rand.Read(b[:])
		def.MAC = fmt.Sprintf("52:54:00:%02x:%02x:%02x", b[0], b[1], b[2])
	}
	return nil
}

func parseNetwork(xml string) (*virtxml.Network, error) {
	def, err := virtxml.ParseNetwork([]byte(xml))
	if err != nil {
		return nil, virt.FromXMLError(err, virt.FromNetwork)
	}
	return def, nil
}

// writeNetworkDef stores a persistent network definition.
func (n *node) writeNetworkDef(def *virtxml.Network) error {
	b, err := def.Format(virtxml.NetworkFormatInactive)
	if err != nil {
		return netErr(virt.ErrInternal, "format network '%s': %v", def.Name, err)
	}
	path := n.paths.netDefFile(def.Name)
	if err := mkdirFor(path); err != nil {
		return sysErr("cannot create folder for %s: %v", path, err)
	}
	if err := writeFileAtomic(path, b, 0o600); err != nil {
		return sysErr("cannot save network '%s': %v", def.Name, err)
	}
	return nil
}

// LookupNetworkByName implements virt.NetworkDriver.
func (c *conn) LookupNetworkByName(ctx context.Context, name string) (virt.NetworkRef, error) {
	r := c.node.nets
	r.mu.Lock()
	v := r.byName[name]
	r.mu.Unlock()
	if v == nil {
		return virt.NetworkRef{}, errNoNetwork("name", name)
	}
	return v.ref(), nil
}

// LookupNetworkByUUID implements virt.NetworkDriver.
func (c *conn) LookupNetworkByUUID(ctx context.Context, uuid virt.UUID) (virt.NetworkRef, error) {
	r := c.node.nets
	r.mu.Lock()
	v := r.byUUID[uuid]
	r.mu.Unlock()
	if v == nil {
		return virt.NetworkRef{}, errNoNetwork("uuid", uuid.String())
	}
	return v.ref(), nil
}

// ListNetworks implements virt.NetworkDriver.
func (c *conn) ListNetworks(ctx context.Context, flags virt.ListNetworksFlags) ([]virt.NetworkRef, error) {
	if err := driver.CheckFlags(virt.FromNetwork, uint32(flags), 1<<6-1, "networkConnectListAllNetworks"); err != nil {
		return nil, err
	}
	var out []virt.NetworkRef
	for _, v := range c.node.allNetworks() {
		v.mu.Lock()
		f := uint32(flags)
		ok := !v.removed &&
			pairFilter(f, uint32(virt.ListNetworksActive), uint32(virt.ListNetworksInactive), v.live != nil) &&
			pairFilter(f, uint32(virt.ListNetworksPersistent), uint32(virt.ListNetworksTransient), v.persistent) &&
			pairFilter(f, uint32(virt.ListNetworksAutostart), uint32(virt.ListNetworksNoAutostart), v.autostart)
		if ok {
			out = append(out, v.ref())
		}
		v.mu.Unlock()
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
	v, fresh, err := c.node.assignNetwork(def, false)
	if err != nil {
		return virt.NetworkRef{}, err
	}
	defer v.mu.Unlock()
	if err := c.node.fillNetworkDefaults(def, v); err != nil {
		if fresh {
			c.node.removeNetwork(v)
		}
		return virt.NetworkRef{}, err
	}
	if err := c.node.writeNetworkDef(def); err != nil {
		if fresh {
			c.node.removeNetwork(v)
		}
		return virt.NetworkRef{}, err
	}
	if v.live != nil {
		v.newDef = def
	} else {
		v.def = def
	}
	v.persistent = true
	c.node.claimBridges(v)
	c.node.emitNet(v, virt.ObjectDefined)
	return v.ref(), nil
}

// CreateNetwork implements virt.NetworkDriver: a running transient
// network (or an inactive persistent one started with this definition).
func (c *conn) CreateNetwork(ctx context.Context, xml string) (virt.NetworkRef, error) {
	def, err := parseNetwork(xml)
	if err != nil {
		return virt.NetworkRef{}, err
	}
	v, fresh, err := c.node.assignNetwork(def, true)
	if err != nil {
		return virt.NetworkRef{}, err
	}
	defer v.mu.Unlock()
	if err := c.node.fillNetworkDefaults(def, v); err != nil {
		if fresh {
			c.node.removeNetwork(v)
		}
		return virt.NetworkRef{}, err
	}
	if err := c.node.startNetwork(ctx, v, def); err != nil {
		if fresh {
			c.node.removeNetwork(v)
		}
		return virt.NetworkRef{}, err
	}
	if fresh {
		v.def = def
	}
	c.node.claimBridges(v)
	c.node.emitNet(v, virt.ObjectStarted)
	return v.ref(), nil
}

// UndefineNetwork implements virt.NetworkDriver: an active network goes
// on running, transient.
func (c *conn) UndefineNetwork(ctx context.Context, ref virt.NetworkRef) error {
	v, err := c.node.network(ref)
	if err != nil {
		return err
	}
	defer v.mu.Unlock()
	if !v.persistent {
		return netErr(virt.ErrOperationInvalid, "can't undefine transient network")
	}
	p := c.node.paths
	if err := removeIfExists(p.netAutostartLink(v.name)); err != nil {
		return sysErr("Failed to delete symlink '%s': %v", p.netAutostartLink(v.name), err)
	}
	if err := removeIfExists(p.netDefFile(v.name)); err != nil {
		return sysErr("cannot remove config file '%s': %v", p.netDefFile(v.name), err)
	}
	v.persistent, v.autostart, v.newDef = false, false, nil
	c.node.emitNet(v, virt.ObjectUndefined)
	if v.live == nil {
		c.node.removeNetwork(v)
	} else {
		c.node.writeNetStatus(v)
	}
	return nil
}

// StartNetwork implements virt.NetworkDriver.
func (c *conn) StartNetwork(ctx context.Context, ref virt.NetworkRef) error {
	v, err := c.node.network(ref)
	if err != nil {
		return err
	}
	defer v.mu.Unlock()
	if v.live != nil {
		return netErr(virt.ErrOperationInvalid, "network is already active")
	}
	if err := c.node.startNetwork(ctx, v, v.def); err != nil {
		return err
	}
	c.node.emitNet(v, virt.ObjectStarted)
	return nil
}

// DestroyNetwork implements virt.NetworkDriver: everything the network
// created on the host goes (bridge, dnsmasq, firewall chains); a
// transient network is forgotten.
func (c *conn) DestroyNetwork(ctx context.Context, ref virt.NetworkRef) error {
	v, err := c.node.network(ref)
	if err != nil {
		return err
	}
	defer v.mu.Unlock()
	if v.live == nil {
		return netErr(virt.ErrOperationInvalid, "network '%s' is not active", v.name)
	}
	err = c.node.stopNetwork(ctx, v)
	c.node.emitNet(v, virt.ObjectStopped)
	if !v.persistent {
		c.node.removeNetwork(v)
	}
	if err != nil {
		return netErr(virt.ErrInternal, "%v", err)
	}
	return nil
}

// NetworkXML implements virt.NetworkDriver (flag 1 is
// VIR_NETWORK_XML_INACTIVE).
func (c *conn) NetworkXML(ctx context.Context, ref virt.NetworkRef, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromNetwork, flags, 1, "networkGetXMLDesc"); err != nil {
		return "", err
	}
	v, err := c.node.network(ref)
	if err != nil {
		return "", err
	}
	def := v.def
	switch {
	case flags&1 != 0 && v.newDef != nil:
		def = v.newDef
	case flags&1 == 0 && v.live != nil:
		def = v.live.Clone()
		def.Connections = 0
	}
	v.mu.Unlock()
	if flags&1 == 0 && def != v.def && def != v.newDef {
		def.Connections = c.node.netConnections(ref.Name)
	}
	out, err := def.Format(virtxml.NetworkFormatFlags(flags))
	if err != nil {
		return "", netErr(virt.ErrInternal, "format network '%s': %v", ref.Name, err)
	}
	return string(out), nil
}

// netConnections counts the interfaces of running guests on a network.
func (n *node) netConnections(name string) int {
	count := 0
	for _, d := range n.all() {
		d.mu.Lock()
		if d.live != nil && d.proc != nil {
			for _, ifc := range d.live.Devices.Interfaces {
				if ifc.Type == "network" && ifc.Source != nil && ifc.Source.Network == name {
					count++
				}
			}
		}
		d.mu.Unlock()
	}
	return count
}

// NetworkInfo implements virt.NetworkDriver.
func (c *conn) NetworkInfo(ctx context.Context, ref virt.NetworkRef) (virt.NetworkInfo, error) {
	v, err := c.node.network(ref)
	if err != nil {
		return virt.NetworkInfo{}, err
	}
	defer v.mu.Unlock()
	info := virt.NetworkInfo{Active: v.live != nil, Persistent: v.persistent, Autostart: v.autostart}
	def := v.def
	if v.live != nil {
		def = v.live
	}
	if def.Bridge != nil {
		info.Bridge = def.Bridge.Name
	}
	return info, nil
}

// SetNetworkAutostart implements virt.NetworkDriver.
func (c *conn) SetNetworkAutostart(ctx context.Context, ref virt.NetworkRef, on bool) error {
	v, err := c.node.network(ref)
	if err != nil {
		return err
	}
	defer v.mu.Unlock()
	if !v.persistent {
		return netErr(virt.ErrOperationInvalid, "cannot set autostart for transient network")
	}
	p := c.node.paths
	link := p.netAutostartLink(v.name)
	if on {
		if err := mkdirFor(link); err != nil {
			return sysErr("cannot create autostart folder: %v", err)
		}
		if err := os.Symlink(p.netDefFile(v.name), link); err != nil && !errors.Is(err, os.ErrExist) {
			return sysErr("Failed to create symlink '%s' to '%s': %v", link, p.netDefFile(v.name), err)
		}
	} else if err := removeIfExists(link); err != nil {
		return sysErr("Failed to delete symlink '%s': %v", link, err)
	}
	v.autostart = on
	return nil
}

// NetworkEvents implements virt.NetworkEvents.
func (c *conn) NetworkEvents(ctx context.Context) (<-chan virt.NetworkEvent, error) {
	ch, cancel := c.node.nets.events.Subscribe(ctx, 0)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		cancel()
		return nil, virt.Errorf(virt.ErrInvalidConn, virt.FromNetwork, "")
	}
	c.cancels = append(c.cancels, cancel)
	return ch, nil
}

// AutostartNetworks starts every inactive network marked autostart.
func (n *node) autostartNetworks(ctx context.Context) error {
	var first error
	for _, v := range n.allNetworks() {
		v.mu.Lock()
		if v.autostart && v.live == nil && !v.removed {
			if err := n.startNetwork(ctx, v, v.def); err != nil {
				n.log.Warn("network autostart failed", "network", v.name, "err", err)
				if first == nil {
					first = err
				}
			} else {
				n.emitNet(v, virt.ObjectStarted)
			}
		}
		v.mu.Unlock()
	}
	return first
}
