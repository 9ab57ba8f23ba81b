package test

import (
	_ "embed"
	"fmt"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// defaultNodeXML is the node test:///default holds: libvirt's built-in
// test node.
//
//go:embed default.xml
var defaultNodeXML []byte

// newDefaultNode builds the node of test:///default.
func newDefaultNode() *node {
	tn, err := virtxml.ParseTestNode(defaultNodeXML, "(test driver)")
	if err != nil {
		panic(fmt.Sprintf("test driver: built-in node: %v", err))
	}
	n := newNode()
	// Two NUMA cells of 8 CPUs, with 2 and 4 GiB.
	for i := 0; i < 2; i++ {
		n.cells = append(n.cells, cell{memKiB: uint64(i+1) * 2048 * 1024, freeMemKiB: uint64(i+1) * 1024 * 1024, cpus: 8})
	}
	if err := n.load(tn); err != nil {
		panic(fmt.Sprintf("test driver: built-in node: %v", err))
	}
	return n
}

// loadNodeFile builds a private node from the description at path.
func loadNodeFile(path string) (*node, error) {
	tn, err := virtxml.ReadTestNode(path)
	if err != nil {
		return nil, virt.FromXMLError(err, virt.FromTest)
	}
	n := newNode()
	if err := n.load(tn); err != nil {
		return nil, err
	}
	return n, nil
}

// load fills n from a node description, as libvirt's test driver does when
// it opens one: every domain runs unless it says otherwise, every network,
// host interface and pool is active.
func (n *node) load(tn *virtxml.TestNode) error {
	n.applyCPU(tn)
	c := &conn{node: n}
	for _, td := range tn.Domains {
		if err := c.loadDomain(td); err != nil {
			return err
		}
	}
	for _, o := range tn.Networks {
		def, err := parseNetwork(string(o.Doc))
		if err != nil {
			return err
		}
		net, _, err := n.assignNet(def, false)
		if err != nil {
			return err
		}
		net.def, net.persistent, net.active = def, true, true
		net.mu.Unlock()
	}
	for _, o := range tn.Interfaces {
		if err := n.loadInterface(o.Doc); err != nil {
			return err
		}
	}
	for _, p := range tn.Pools {
		if err := c.loadPool(p); err != nil {
			return err
		}
	}
	for _, o := range tn.Devices {
		if err := n.loadDevice(o.Doc); err != nil {
			return err
		}
	}
	return nil
}

// applyCPU applies the <cpu> and <memory> a node description gives.
func (n *node) applyCPU(tn *virtxml.TestNode) {
	cpu := tn.CPU
	set := func(dst *uint32, v *uint32) {
		if v != nil {
			*dst = *v
		}
	}
	set(&n.info.Nodes, cpu.Nodes)
	set(&n.info.Sockets, cpu.Sockets)
	set(&n.info.Cores, cpu.Cores)
	set(&n.info.Threads, cpu.Threads)
	n.info.CPUs = n.info.Cores * n.info.Threads * n.info.Sockets * n.info.Nodes
	if cpu.Active != nil && *cpu.Active < n.info.CPUs {
		n.info.CPUs = *cpu.Active
	}
	set(&n.info.MHz, cpu.MHz)
	if cpu.Model != "" {
		n.info.Model = cpu.Model
	}
	if tn.Memory != nil {
		n.info.Memory = *tn.Memory
	}
}

// loadDomain adds a domain of a node description.
func (c *conn) loadDomain(td virtxml.TestNodeDomain) error {
	def, err := parseDomain(string(td.Doc))
	if err != nil {
		return err
	}
	generateIfnames(def)
	d, fresh, err := c.node.addOrFind(def)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if !fresh {
		d.def = def
	}
	d.persistent = !td.Transient
	d.managedSave = td.HasManagedSave
	if td.RunState != int(virt.DomainShutoff) {
		c.startState(d, virt.RunningBooted)
	} else {
		c.shutoffState(d, 0)
	}
	// The state is the one given, with no reason.
	d.state, d.reason = virt.DomainState(td.RunState), 0
	d.managedSave = td.HasManagedSave
	return nil
}
