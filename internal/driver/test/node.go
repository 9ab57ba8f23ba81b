package test

import (
	"sort"
	"sync"
	"sync/atomic"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// node is one in-memory hypervisor node: what a test:/// URI connects to.
type node struct {
	info     virt.NodeInfo
	cells    []cell
	hostname string

	// mu guards the indexes below; it is held only briefly and never while
	// waiting for an object's lock.
	mu     sync.RWMutex
	byName map[string]*domain
	byUUID map[virt.UUID]*domain
	byID   map[int32]*domain
	ifaces []*hostIface
	// ifaceTxn is set while an interface change transaction runs;
	// ifaceBackup is what a rollback restores.
	ifaceTxn    bool
	ifaceBackup []*hostIface
	devs        map[string]*nodeDev

	// Networks and pools have tables of their own, with their own locks.
	nets  table[*network]
	pools table[*pool]

	nextID atomic.Int32

	domEvents  driver.Broadcaster[virt.DomainEvent]
	netEvents  driver.Broadcaster[virt.NetworkEvent]
	poolEvents driver.Broadcaster[virt.StoragePoolEvent]
	devEvents  driver.Broadcaster[virt.NodeDeviceEvent]
}

// cell is a NUMA cell of the node.
type cell struct {
	memKiB     uint64
	freeMemKiB uint64
	cpus       int
}

// defaultNodeInfo is what libvirt's test node reports before a node file
// overrides any of it.
var defaultNodeInfo = virt.NodeInfo{
	Model:   "i686",
	Memory:  3 * 1024 * 1024,
	CPUs:    16,
	MHz:     1400,
	Nodes:   2,
	Sockets: 2,
	Cores:   2,
	Threads: 2,
}

func newNode() *node {
	n := &node{
		info:   defaultNodeInfo,
		byName: make(map[string]*domain),
		byUUID: make(map[virt.UUID]*domain),
		byID:   make(map[int32]*domain),
		devs:   make(map[string]*nodeDev),
	}
	n.nextID.Store(1)
	return n
}

// close ends every event subscription on the node.
func (n *node) close() {
	n.domEvents.CloseAll()
	n.netEvents.CloseAll()
	n.poolEvents.CloseAll()
	n.devEvents.CloseAll()
}

// hostCPUs is the number of host CPUs a vCPU may be pinned to
// (libvirt's VIR_NODEINFO_MAXCPUS).
func (n *node) hostCPUs() int {
	c := int(n.info.Nodes * n.info.Sockets * n.info.Cores * n.info.Threads)
	if c <= 0 {
		c = 1
	}
	return c
}

// domainByName returns the domain named name, locked, or nil.
func (n *node) domainByName(name string) *domain {
	n.mu.RLock()
	d := n.byName[name]
	n.mu.RUnlock()
	return lockLive(d)
}

// domainByUUID returns the domain with uuid, locked, or nil.
func (n *node) domainByUUID(u virt.UUID) *domain {
	n.mu.RLock()
	d := n.byUUID[u]
	n.mu.RUnlock()
	return lockLive(d)
}

// domainByID returns the running domain with id, locked, or nil.
func (n *node) domainByID(id int32) *domain {
	n.mu.RLock()
	d := n.byID[id]
	n.mu.RUnlock()
	d = lockLive(d)
	if d != nil && d.id != id {
		d.mu.Unlock()
		return nil
	}
	return d
}

// lockLive locks d and returns it unless it is nil or was removed.
func lockLive(d *domain) *domain {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	if d.removed {
		d.mu.Unlock()
		return nil
	}
	return d
}

// allDomains returns the domains sorted by name (unlocked).
func (n *node) allDomains() []*domain {
	n.mu.RLock()
	names := make([]string, 0, len(n.byName))
	for name := range n.byName {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]*domain, len(names))
	for i, name := range names {
		out[i] = n.byName[name]
	}
	n.mu.RUnlock()
	return out
}

// insertDomain adds d to the indexes. The caller holds n.mu.
func (n *node) insertDomainLocked(d *domain) {
	n.byName[d.name] = d
	n.byUUID[d.uuid] = d
	if d.id > 0 {
		n.byID[d.id] = d
	}
}

// removeDomain drops d from the node. The caller holds d.mu.
func (n *node) removeDomain(d *domain) {
	d.removed = true
	n.mu.Lock()
	if n.byName[d.name] == d {
		delete(n.byName, d.name)
	}
	if n.byUUID[d.uuid] == d {
		delete(n.byUUID, d.uuid)
	}
	if d.id > 0 && n.byID[d.id] == d {
		delete(n.byID, d.id)
	}
	n.mu.Unlock()
}

// setID records that d now runs as id (or stopped, for -1). The caller
// holds d.mu.
func (n *node) setID(d *domain, id int32) {
	n.mu.Lock()
	if d.id > 0 && n.byID[d.id] == d {
		delete(n.byID, d.id)
	}
	d.id = id
	if id > 0 {
		n.byID[id] = d
	}
	n.mu.Unlock()
}

// parseDomain parses a domain definition for this node.
func parseDomain(xml string) (*virtxml.Domain, error) {
	def, err := virtxml.ParseDomain([]byte(xml))
	if err != nil {
		return nil, virt.FromXMLError(err, virt.FromDomain)
	}
	return def, nil
}
