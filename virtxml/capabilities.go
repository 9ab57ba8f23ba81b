package virtxml

import (
	"strconv"

	"github.com/govirt/govirt/internal/xmldoc"
)

// Capabilities is libvirt's <capabilities> document: what the host is and
// which guests a driver can run.
type Capabilities struct {
	Host   CapsHost
	Guests []CapsGuest
	// PoolTypes lists storage pool types (<pool><enum name='type'>), as
	// the storage driver's capabilities do; empty for hypervisors.
	PoolTypes []string
}

// CapsHost is <host>.
type CapsHost struct {
	UUID UUID // zero: not written
	CPU  CapsHostCPU
	// PowerManagement lists suspend_mem, suspend_disk, suspend_hybrid; an
	// empty list writes <power_management/>.
	PowerManagement []string
	IOMMU           bool
	// Migration is nil when the host cannot migrate at all.
	Migration *CapsMigration
	NetPrefix string
	Topology  *CapsTopology
	Cache     *CapsCache
	MemoryBW  *CapsMemoryBandwidth
	SecModels []CapsSecModel
	Extra     []*Node // unknown <host> children, kept
}

// CapsHostCPU is the host <cpu>.
type CapsHostCPU struct {
	Arch string
	// Features are <features> flags such as pae, nonpae, vmx, svm.
	Features    []string
	Model       *CapsCPUModel
	Vendor      string
	Microcode   string // version attribute
	Signature   *CapsCPUSignature
	Counters    []CapsCPUCounter
	Topology    *CapsCPUTopology
	MaxPhysAddr *CapsMaxPhysAddr
	CPUFeatures []CapsCPUFeature // <feature name=.../>
	// Pages are the page sizes in KiB.
	Pages []uint64
}

// CapsCPUModel is <model fallback= vendor_id=>NAME</model>.
type CapsCPUModel struct {
	Name     string
	Fallback string
	VendorID string
}

// CapsCPUSignature is <signature family= model= stepping=/>.
type CapsCPUSignature struct {
	Family, Model, Stepping uint
}

// CapsCPUCounter is <counter name= frequency= scaling=/>.
type CapsCPUCounter struct {
	Name      string
	Frequency uint64
	Scaling   string
}

// CapsCPUTopology is <topology sockets= dies= cores= threads=/>.
type CapsCPUTopology struct {
	Sockets, Dies, Cores, Threads uint
}

// CapsMaxPhysAddr is <maxphysaddr mode= bits=/>.
type CapsMaxPhysAddr struct {
	Mode string
	Bits uint
}

// CapsCPUFeature is a host CPU <feature name=.../>.
type CapsCPUFeature struct {
	Name string
}

// CapsMigration is <migration_features>.
type CapsMigration struct {
	Live          bool
	URITransports []string
}

// CapsTopology is the host NUMA <topology>.
type CapsTopology struct {
	Cells []CapsCell
	// Interconnects is the raw <interconnects> element, when present.
	Interconnects *Node
}

// CapsCell is a NUMA <cell>.
type CapsCell struct {
	ID        int
	MemoryKiB uint64 // 0: not written
	Pages     []CapsCellPages
	Distances []CapsDistance
	// Caches are raw memory-side <cache> elements of the cell.
	Caches []*Node
	CPUs   []CapsCellCPU
}

// CapsCellPages is <pages unit='KiB' size=>COUNT</pages>.
type CapsCellPages struct {
	SizeKiB uint64
	Count   uint64
}

// CapsDistance is a <sibling id= value=/> distance.
type CapsDistance struct {
	ID    int
	Value uint
}

// CapsCellCPU is a <cpu id=> of a cell; Siblings "" writes only the id.
type CapsCellCPU struct {
	ID       int
	SocketID int
	DieID    int
	CoreID   int
	Siblings string
}

// CapsCache is the host's resctrl <cache>.
type CapsCache struct {
	Banks   []CapsCacheBank
	Monitor *CapsMonitor
}

// CapsCacheBank is a cache <bank>.
type CapsCacheBank struct {
	ID       uint
	Level    uint
	Type     string
	Size     uint64
	Unit     string
	CPUs     string
	Controls []CapsCacheControl
}

// CapsCacheControl is a bank's <control>.
type CapsCacheControl struct {
	Granularity uint64
	Min         uint64
	Unit        string
	Type        string
	MaxAllocs   uint
}

// CapsMonitor is a resctrl <monitor>.
type CapsMonitor struct {
	Level          uint
	ReuseThreshold uint
	HasLevel       bool
	MaxMonitors    uint
	Features       []string
}

// CapsMemoryBandwidth is <memory_bandwidth>.
type CapsMemoryBandwidth struct {
	Nodes   []CapsMemBWNode
	Monitor *CapsMonitor
}

// CapsMemBWNode is a memory bandwidth <node>.
type CapsMemBWNode struct {
	ID          uint
	CPUs        string
	Granularity uint
	Min         uint
	MaxAllocs   uint
}

// CapsSecModel is a <secmodel>.
type CapsSecModel struct {
	Model      string
	DOI        string
	BaseLabels []CapsBaseLabel
}

// CapsBaseLabel is <baselabel type=>LABEL</baselabel>.
type CapsBaseLabel struct {
	Type  string
	Label string
}

// CapsGuest is a <guest>: an OS type on an architecture.
type CapsGuest struct {
	OSType   string
	Arch     CapsGuestArch
	Features []CapsGuestFeature
}

// CapsGuestArch is <arch name=>.
type CapsGuestArch struct {
	Name     string
	WordSize int
	Emulator string
	Loader   string
	Machines []CapsMachine
	Domains  []CapsGuestDomain
}

// CapsMachine is a <machine> type.
type CapsMachine struct {
	Name       string
	Canonical  string
	MaxCPUs    int
	Deprecated bool
}

// CapsGuestDomain is a <domain type=> with its own emulator and machines.
type CapsGuestDomain struct {
	Type     string
	Emulator string
	Loader   string
	Machines []CapsMachine
}

// CapsGuestFeature is a guest <features> flag with its optional default
// ("on"/"off") and toggle ("yes"/"no").
type CapsGuestFeature struct {
	Name    string
	Default string
	Toggle  string
}

// guestFeatureOrder is libvirt's order of guest features.
var guestFeatureOrder = []string{"pae", "nonpae", "ia64_be", "acpi", "apic", "cpuselection",
	"deviceboot", "disksnapshot", "hap", "externalSnapshot"}

// ParseCapabilities parses a capabilities document.
func ParseCapabilities(data []byte) (*Capabilities, error) {
	root, err := parseRoot(data, "capabilities", "capabilities")
	if err != nil {
		return nil, err
	}
	c := &Capabilities{}
	if h := child(root, "host"); h != nil {
		if err := c.Host.parse(h); err != nil {
			return nil, err
		}
	}
	for _, g := range childrenNamed(root, "guest") {
		guest, err := parseCapsGuest(g)
		if err != nil {
			return nil, err
		}
		c.Guests = append(c.Guests, guest)
	}
	for _, p := range childrenNamed(root, "pool") {
		for _, en := range childrenNamed(p, "enum") {
			for _, v := range childrenNamed(en, "value") {
				c.PoolTypes = append(c.PoolTypes, nodeText(v))
			}
		}
	}
	return c, nil
}

func attrUint(n *xmldoc.Node, name string) (uint64, error) {
	v, ok := propStr(n, name)
	if !ok {
		return 0, nil
	}
	x, err := cParseUint(v, 10)
	if err != nil {
		return 0, invalidAttr(n, name, v, ". Expected non-negative integer value")
	}
	return x, nil
}

func attrInt(n *xmldoc.Node, name string) (int, error) {
	v, ok := propStr(n, name)
	if !ok {
		return 0, nil
	}
	x, err := cParseInt(v, 10)
	if err != nil || x < -1<<31 || x > 1<<31-1 {
		return 0, invalidAttr(n, name, v, ". Expected integer value")
	}
	return int(x), nil
}

func textUint(n *xmldoc.Node) (uint64, error) {
	x, err := cParseUint(nodeText(n), 10)
	if err != nil {
		return 0, xmlErrorf("Invalid value for element '%s': '%s'", n.Name, nodeText(n))
	}
	return x, nil
}

// firstErr collects the first error of a run of attribute reads.
type firstErr struct{ err error }

func (f *firstErr) u(n *xmldoc.Node, name string) uint64 {
	v, err := attrUint(n, name)
	if err != nil && f.err == nil {
		f.err = err
	}
	return v
}

func (f *firstErr) i(n *xmldoc.Node, name string) int {
	v, err := attrInt(n, name)
	if err != nil && f.err == nil {
		f.err = err
	}
	return v
}

func (f *firstErr) t(n *xmldoc.Node) uint64 {
	v, err := textUint(n)
	if err != nil && f.err == nil {
		f.err = err
	}
	return v
}

func (h *CapsHost) parse(n *xmldoc.Node) error {
	var fe firstErr
	for _, c := range n.Children {
		switch c.Name {
		case "uuid":
			u, err := ParseUUID(nodeText(c))
			if err != nil {
				return xmlErrorf("malformed uuid element")
			}
			h.UUID = u
		case "cpu":
			h.CPU.parse(c, &fe)
		case "power_management":
			h.PowerManagement = []string{}
			for _, pm := range c.Children {
				if pm.Name != xmldoc.TextNodeName {
					h.PowerManagement = append(h.PowerManagement, pm.Name)
				}
			}
		case "iommu":
			v, _ := propStr(c, "support")
			h.IOMMU = v == "yes"
		case "migration_features":
			m := &CapsMigration{Live: child(c, "live") != nil}
			for _, t := range childrenNamed(child(c, "uri_transports"), "uri_transport") {
				m.URITransports = append(m.URITransports, nodeText(t))
			}
			h.Migration = m
		case "netprefix":
			h.NetPrefix = nodeText(c)
		case "topology":
			t := &CapsTopology{Interconnects: child(c, "interconnects")}
			for _, cell := range childrenNamed(child(c, "cells"), "cell") {
				t.Cells = append(t.Cells, parseCapsCell(cell, &fe))
			}
			h.Topology = t
		case "cache":
			cache := &CapsCache{}
			for _, b := range childrenNamed(c, "bank") {
				bank := CapsCacheBank{ID: uint(fe.u(b, "id")), Level: uint(fe.u(b, "level")), Size: fe.u(b, "size")}
				bank.Type, _ = propStr(b, "type")
				bank.Unit, _ = propStr(b, "unit")
				bank.CPUs, _ = propStr(b, "cpus")
				for _, ctl := range childrenNamed(b, "control") {
					cc := CapsCacheControl{Granularity: fe.u(ctl, "granularity"), Min: fe.u(ctl, "min"), MaxAllocs: uint(fe.u(ctl, "maxAllocs"))}
					cc.Unit, _ = propStr(ctl, "unit")
					cc.Type, _ = propStr(ctl, "type")
					bank.Controls = append(bank.Controls, cc)
				}
				cache.Banks = append(cache.Banks, bank)
			}
			cache.Monitor = parseMonitor(child(c, "monitor"), &fe)
			h.Cache = cache
		case "memory_bandwidth":
			bw := &CapsMemoryBandwidth{}
			for _, nd := range childrenNamed(c, "node") {
				node := CapsMemBWNode{ID: uint(fe.u(nd, "id"))}
				node.CPUs, _ = propStr(nd, "cpus")
				if ctl := child(nd, "control"); ctl != nil {
					node.Granularity, node.Min, node.MaxAllocs = uint(fe.u(ctl, "granularity")), uint(fe.u(ctl, "min")), uint(fe.u(ctl, "maxAllocs"))
				}
				bw.Nodes = append(bw.Nodes, node)
			}
			bw.Monitor = parseMonitor(child(c, "monitor"), &fe)
			h.MemoryBW = bw
		case "secmodel":
			sm := CapsSecModel{}
			sm.Model, _ = xpText(c, "model")
			if d := child(c, "doi"); d != nil {
				sm.DOI = nodeText(d)
			}
			for _, bl := range childrenNamed(c, "baselabel") {
				t, _ := propStr(bl, "type")
				sm.BaseLabels = append(sm.BaseLabels, CapsBaseLabel{Type: t, Label: nodeText(bl)})
			}
			h.SecModels = append(h.SecModels, sm)
		case xmldoc.TextNodeName:
		default:
			h.Extra = append(h.Extra, c)
		}
	}
	return fe.err
}

func parseMonitor(n *xmldoc.Node, fe *firstErr) *CapsMonitor {
	if n == nil {
		return nil
	}
	m := &CapsMonitor{MaxMonitors: uint(fe.u(n, "maxMonitors"))}
	if _, ok := propStr(n, "level"); ok {
		m.HasLevel = true
		m.Level, m.ReuseThreshold = uint(fe.u(n, "level")), uint(fe.u(n, "reuseThreshold"))
	}
	for _, f := range childrenNamed(n, "feature") {
		name, _ := propStr(f, "name")
		m.Features = append(m.Features, name)
	}
	return m
}

func (c *CapsHostCPU) parse(n *xmldoc.Node, fe *firstErr) {
	for _, x := range n.Children {
		switch x.Name {
		case "arch":
			c.Arch = nodeText(x)
		case "features":
			for _, f := range x.Children {
				if f.Name != xmldoc.TextNodeName {
					c.Features = append(c.Features, f.Name)
				}
			}
		case "model":
			m := &CapsCPUModel{Name: nodeText(x)}
			m.Fallback, _ = propStr(x, "fallback")
			m.VendorID, _ = propStr(x, "vendor_id")
			c.Model = m
		case "vendor":
			c.Vendor = nodeText(x)
		case "microcode":
			c.Microcode, _ = propStr(x, "version")
		case "signature":
			c.Signature = &CapsCPUSignature{Family: uint(fe.u(x, "family")), Model: uint(fe.u(x, "model")), Stepping: uint(fe.u(x, "stepping"))}
		case "counter":
			ct := CapsCPUCounter{Frequency: fe.u(x, "frequency")}
			ct.Name, _ = propStr(x, "name")
			ct.Scaling, _ = propStr(x, "scaling")
			c.Counters = append(c.Counters, ct)
		case "topology":
			c.Topology = &CapsCPUTopology{Sockets: uint(fe.u(x, "sockets")), Dies: uint(fe.u(x, "dies")), Cores: uint(fe.u(x, "cores")), Threads: uint(fe.u(x, "threads"))}
		case "maxphysaddr":
			m := &CapsMaxPhysAddr{Bits: uint(fe.u(x, "bits"))}
			m.Mode, _ = propStr(x, "mode")
			c.MaxPhysAddr = m
		case "feature":
			name, _ := propStr(x, "name")
			c.CPUFeatures = append(c.CPUFeatures, CapsCPUFeature{Name: name})
		case "pages":
			c.Pages = append(c.Pages, fe.u(x, "size"))
		}
	}
}

func parseCapsCell(n *xmldoc.Node, fe *firstErr) CapsCell {
	cell := CapsCell{ID: fe.i(n, "id")}
	if m := child(n, "memory"); m != nil {
		cell.MemoryKiB = fe.t(m)
	}
	for _, p := range childrenNamed(n, "pages") {
		cell.Pages = append(cell.Pages, CapsCellPages{SizeKiB: fe.u(p, "size"), Count: fe.t(p)})
	}
	for _, s := range childrenNamed(child(n, "distances"), "sibling") {
		cell.Distances = append(cell.Distances, CapsDistance{ID: fe.i(s, "id"), Value: uint(fe.u(s, "value"))})
	}
	cell.Caches = childrenNamed(n, "cache")
	for _, c := range childrenNamed(child(n, "cpus"), "cpu") {
		cpu := CapsCellCPU{ID: fe.i(c, "id")}
		if sib, ok := propStr(c, "siblings"); ok {
			cpu.Siblings = sib
			cpu.SocketID, cpu.DieID, cpu.CoreID = fe.i(c, "socket_id"), fe.i(c, "die_id"), fe.i(c, "core_id")
		}
		cell.CPUs = append(cell.CPUs, cpu)
	}
	return cell
}

func parseMachine(n *xmldoc.Node, fe *firstErr) CapsMachine {
	m := CapsMachine{Name: nodeText(n), MaxCPUs: fe.i(n, "maxCpus")}
	m.Canonical, _ = propStr(n, "canonical")
	if d, _ := propStr(n, "deprecated"); d == "yes" {
		m.Deprecated = true
	}
	return m
}

func parseCapsGuest(n *xmldoc.Node) (CapsGuest, error) {
	var fe firstErr
	g := CapsGuest{}
	g.OSType, _ = xpText(n, "os_type")
	if a := child(n, "arch"); a != nil {
		g.Arch.Name, _ = propStr(a, "name")
		if w := child(a, "wordsize"); w != nil {
			g.Arch.WordSize = int(fe.t(w))
		}
		g.Arch.Emulator, _ = xpText(a, "emulator")
		g.Arch.Loader, _ = xpText(a, "loader")
		for _, m := range childrenNamed(a, "machine") {
			g.Arch.Machines = append(g.Arch.Machines, parseMachine(m, &fe))
		}
		for _, d := range childrenNamed(a, "domain") {
			dom := CapsGuestDomain{}
			dom.Type, _ = propStr(d, "type")
			dom.Emulator, _ = xpText(d, "emulator")
			dom.Loader, _ = xpText(d, "loader")
			for _, m := range childrenNamed(d, "machine") {
				dom.Machines = append(dom.Machines, parseMachine(m, &fe))
			}
			g.Arch.Domains = append(g.Arch.Domains, dom)
		}
	}
	if f := child(n, "features"); f != nil {
		for _, x := range f.Children {
			if x.Name == xmldoc.TextNodeName {
				continue
			}
			feat := CapsGuestFeature{Name: x.Name}
			feat.Default, _ = propStr(x, "default")
			feat.Toggle, _ = propStr(x, "toggle")
			g.Features = append(g.Features, feat)
		}
	}
	return g, fe.err
}

// Format writes the document exactly as libvirt lays it out, blank lines
// between the sections included.
func (c *Capabilities) Format() ([]byte, error) {
	var e enc
	e.Open("capabilities")
	e.EndOpen()
	e.BlankLine()
	c.Host.format(&e)
	for i := range c.Guests {
		c.Guests[i].format(&e)
	}
	if len(c.PoolTypes) > 0 {
		e.Open("pool")
		e.EndOpen()
		e.Open("enum")
		e.Attr("name", "type")
		e.EndOpen()
		for _, t := range c.PoolTypes {
			e.TextElement("value", t)
		}
		e.Close("enum")
		e.Close("pool")
		e.BlankLine()
	}
	e.Close("capabilities")
	return e.Bytes(), nil
}

func (h *CapsHost) format(e *enc) {
	if h.UUID.IsZero() && h.CPU.Arch == "" && len(h.PowerManagement) == 0 && !h.IOMMU {
		return
	}
	e.Open("host")
	e.EndOpen()
	if !h.UUID.IsZero() {
		e.TextElement("uuid", h.UUID.String())
	}
	h.CPU.format(e)
	if len(h.PowerManagement) == 0 {
		e.Open("power_management")
		e.EndEmpty()
	} else {
		e.Open("power_management")
		e.EndOpen()
		for _, pm := range h.PowerManagement {
			e.Open(pm)
			e.EndEmpty()
		}
		e.Close("power_management")
	}
	if h.IOMMU {
		e.empty("iommu", "support", "yes")
	} else {
		e.empty("iommu", "support", "no")
	}
	if m := h.Migration; m != nil {
		e.Open("migration_features")
		e.EndOpen()
		if m.Live {
			e.Open("live")
			e.EndEmpty()
		}
		if len(m.URITransports) > 0 {
			e.Open("uri_transports")
			e.EndOpen()
			for _, t := range m.URITransports {
				e.TextElement("uri_transport", t)
			}
			e.Close("uri_transports")
		}
		e.Close("migration_features")
	}
	e.text("netprefix", h.NetPrefix)
	if t := h.Topology; t != nil {
		t.format(e)
	}
	if c := h.Cache; c != nil && (len(c.Banks) > 0 || c.Monitor != nil) {
		e.Open("cache")
		e.EndOpen()
		for _, b := range c.Banks {
			e.Open("bank")
			e.AttrUint("id", uint64(b.ID))
			e.AttrUint("level", uint64(b.Level))
			e.Attr("type", b.Type)
			e.AttrUint("size", b.Size)
			e.Attr("unit", b.Unit)
			e.Attr("cpus", b.CPUs)
			if len(b.Controls) == 0 {
				e.EndEmpty()
				continue
			}
			e.EndOpen()
			for _, ctl := range b.Controls {
				e.Open("control")
				e.AttrUint("granularity", ctl.Granularity)
				if ctl.Min != 0 {
					e.AttrUint("min", ctl.Min)
				}
				e.Attr("unit", ctl.Unit)
				e.Attr("type", ctl.Type)
				e.AttrUint("maxAllocs", uint64(ctl.MaxAllocs))
				e.EndEmpty()
			}
			e.Close("bank")
		}
		c.Monitor.format(e)
		e.Close("cache")
	}
	if bw := h.MemoryBW; bw != nil && (len(bw.Nodes) > 0 || bw.Monitor != nil) {
		e.Open("memory_bandwidth")
		e.EndOpen()
		for _, n := range bw.Nodes {
			e.Open("node")
			e.AttrUint("id", uint64(n.ID))
			e.Attr("cpus", n.CPUs)
			e.EndOpen()
			e.Open("control")
			e.AttrUint("granularity", uint64(n.Granularity))
			e.AttrUint("min", uint64(n.Min))
			e.AttrUint("maxAllocs", uint64(n.MaxAllocs))
			e.EndEmpty()
			e.Close("node")
		}
		bw.Monitor.format(e)
		e.Close("memory_bandwidth")
	}
	for _, sm := range h.SecModels {
		e.Open("secmodel")
		e.EndOpen()
		e.TextElement("model", sm.Model)
		e.TextElement("doi", sm.DOI)
		for _, bl := range sm.BaseLabels {
			e.Open("baselabel")
			e.Attr("type", bl.Type)
			e.EndText("baselabel", bl.Label)
		}
		e.Close("secmodel")
	}
	for _, x := range h.Extra {
		e.Raw(x)
	}
	e.Close("host")
	e.BlankLine()
}

func (m *CapsMonitor) format(e *enc) {
	if m == nil || len(m.Features) == 0 {
		return
	}
	e.Open("monitor")
	if m.HasLevel {
		e.AttrUint("level", uint64(m.Level))
		e.AttrUint("reuseThreshold", uint64(m.ReuseThreshold))
	}
	e.AttrUint("maxMonitors", uint64(m.MaxMonitors))
	e.EndOpen()
	for _, f := range m.Features {
		e.empty("feature", "name", f)
	}
	e.Close("monitor")
}

func (c *CapsHostCPU) format(e *enc) {
	e.Open("cpu")
	e.EndOpen()
	e.text("arch", c.Arch)
	if len(c.Features) > 0 {
		e.Open("features")
		e.EndOpen()
		for _, f := range c.Features {
			e.Open(f)
			e.EndEmpty()
		}
		e.Close("features")
	}
	if m := c.Model; m != nil {
		e.Open("model")
		if m.Fallback != "" {
			e.Attr("fallback", m.Fallback)
		}
		if m.VendorID != "" {
			e.Attr("vendor_id", m.VendorID)
		}
		e.EndText("model", m.Name)
	}
	e.text("vendor", c.Vendor)
	if c.Microcode != "" {
		e.empty("microcode", "version", c.Microcode)
	}
	if s := c.Signature; s != nil {
		e.Open("signature")
		e.AttrUint("family", uint64(s.Family))
		e.AttrUint("model", uint64(s.Model))
		e.AttrUint("stepping", uint64(s.Stepping))
		e.EndEmpty()
	}
	for _, ct := range c.Counters {
		e.Open("counter")
		e.Attr("name", ct.Name)
		e.AttrUint("frequency", ct.Frequency)
		if ct.Scaling != "" {
			e.Attr("scaling", ct.Scaling)
		}
		e.EndEmpty()
	}
	if t := c.Topology; t != nil {
		e.Open("topology")
		e.AttrUint("sockets", uint64(t.Sockets))
		e.AttrUint("dies", uint64(t.Dies))
		e.AttrUint("cores", uint64(t.Cores))
		e.AttrUint("threads", uint64(t.Threads))
		e.EndEmpty()
	}
	if m := c.MaxPhysAddr; m != nil {
		e.Open("maxphysaddr")
		e.Attr("mode", m.Mode)
		if m.Bits != 0 {
			e.AttrUint("bits", uint64(m.Bits))
		}
		e.EndEmpty()
	}
	for _, f := range c.CPUFeatures {
		e.empty("feature", "name", f.Name)
	}
	for _, p := range c.Pages {
		e.Open("pages")
		e.Attr("unit", "KiB")
		e.AttrUint("size", p)
		e.EndEmpty()
	}
	e.Close("cpu")
}

func (t *CapsTopology) format(e *enc) {
	e.Open("topology")
	e.EndOpen()
	e.Open("cells")
	e.AttrUint("num", uint64(len(t.Cells)))
	e.EndOpen()
	for _, c := range t.Cells {
		e.Open("cell")
		e.Attr("id", strconv.Itoa(c.ID))
		e.EndOpen()
		if c.MemoryKiB != 0 {
			e.Open("memory")
			e.Attr("unit", "KiB")
			e.EndText("memory", uitoa(c.MemoryKiB))
		}
		for _, p := range c.Pages {
			e.Open("pages")
			e.Attr("unit", "KiB")
			e.AttrUint("size", p.SizeKiB)
			e.EndText("pages", uitoa(p.Count))
		}
		if len(c.Distances) > 0 {
			e.Open("distances")
			e.EndOpen()
			for _, d := range c.Distances {
				e.Open("sibling")
				e.Attr("id", strconv.Itoa(d.ID))
				e.AttrUint("value", uint64(d.Value))
				e.EndEmpty()
			}
			e.Close("distances")
		}
		for _, x := range c.Caches {
			e.Raw(x)
		}
		e.Open("cpus")
		e.AttrUint("num", uint64(len(c.CPUs)))
		if len(c.CPUs) == 0 {
			e.EndEmpty()
		} else {
			e.EndOpen()
			for _, cpu := range c.CPUs {
				e.Open("cpu")
				e.Attr("id", strconv.Itoa(cpu.ID))
				if cpu.Siblings != "" {
					e.Attr("socket_id", strconv.Itoa(cpu.SocketID))
					e.Attr("die_id", strconv.Itoa(cpu.DieID))
					e.Attr("core_id", strconv.Itoa(cpu.CoreID))
					e.Attr("siblings", cpu.Siblings)
				}
				e.EndEmpty()
			}
			e.Close("cpus")
		}
		e.Close("cell")
	}
	e.Close("cells")
	if t.Interconnects != nil {
		e.Raw(t.Interconnects)
	}
	e.Close("topology")
}

func formatMachine(e *enc, m CapsMachine, withDeprecated bool) {
	e.Open("machine")
	if m.Canonical != "" {
		e.Attr("canonical", m.Canonical)
	}
	if m.MaxCPUs > 0 {
		e.Attr("maxCpus", strconv.Itoa(m.MaxCPUs))
	}
	if withDeprecated && m.Deprecated {
		e.Attr("deprecated", "yes")
	}
	e.EndText("machine", m.Name)
}

func (g *CapsGuest) format(e *enc) {
	e.Open("guest")
	e.EndOpen()
	e.TextElement("os_type", g.OSType)
	e.Open("arch")
	e.Attr("name", g.Arch.Name)
	e.EndOpen()
	e.TextElement("wordsize", strconv.Itoa(g.Arch.WordSize))
	e.text("emulator", g.Arch.Emulator)
	e.text("loader", g.Arch.Loader)
	for _, m := range g.Arch.Machines {
		formatMachine(e, m, true)
	}
	for _, d := range g.Arch.Domains {
		e.Open("domain")
		e.Attr("type", d.Type)
		if d.Emulator == "" && d.Loader == "" && len(d.Machines) == 0 {
			e.EndEmpty()
			continue
		}
		e.EndOpen()
		e.text("emulator", d.Emulator)
		e.text("loader", d.Loader)
		for _, m := range d.Machines {
			formatMachine(e, m, false)
		}
		e.Close("domain")
	}
	e.Close("arch")
	if len(g.Features) > 0 {
		e.Open("features")
		e.EndOpen()
		for _, f := range sortedGuestFeatures(g.Features) {
			e.Open(f.Name)
			if f.Default != "" {
				e.Attr("default", f.Default)
			}
			if f.Toggle != "" {
				e.Attr("toggle", f.Toggle)
			}
			e.EndEmpty()
		}
		e.Close("features")
	}
	e.Close("guest")
	e.BlankLine()
}

// sortedGuestFeatures puts known features in libvirt's order, unknown ones
// after them in their own order.
func sortedGuestFeatures(fs []CapsGuestFeature) []CapsGuestFeature {
	out := make([]CapsGuestFeature, 0, len(fs))
	for _, name := range guestFeatureOrder {
		for _, f := range fs {
			if f.Name == name {
				out = append(out, f)
				break
			}
		}
	}
	for _, f := range fs {
		if !contains(guestFeatureOrder, f.Name) {
			out = append(out, f)
		}
	}
	return out
}

// Clone returns a deep copy of c (through its own XML form, which keeps
// every field).
func (c *Capabilities) Clone() *Capabilities {
	b, _ := c.Format()
	out, err := ParseCapabilities(b)
	if err != nil {
		panic("virtxml: capabilities do not round-trip: " + err.Error())
	}
	return out
}
