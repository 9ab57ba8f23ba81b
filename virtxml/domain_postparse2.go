package virtxml

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// scaleToKiB converts v in unit (default KiB) to KiB, rounding up.
func scaleToKiB(v uint64, unit string) (uint64, error) {
	scale, err := ScaleUnit(unit, 1024)
	if err != nil {
		return 0, err
	}
	if scale != 0 && v > maxMemoryBytes/scale {
		return 0, errorf(CodeOverflow, "value too large: %d%s", v, unit)
	}
	return DivUp(v*scale, 1024), nil
}

func (d *Domain) postParseCPU() error {
	c := d.CPU
	if c == nil {
		return nil
	}
	if c.NUMA != nil {
		for i := range c.NUMA.Cells {
			cell := &c.NUMA.Cells[i]
			if cell.ID == nil {
				cell.ID = uintp(uint(i))
			}
			kib, err := scaleToKiB(cell.Memory, cell.Unit)
			if err != nil {
				return err
			}
			cell.Memory, cell.Unit = kib, "KiB"
			if cell.MemAccess != "" && cell.MemAccess != "shared" && cell.MemAccess != "private" {
				return xmlErrorf("Invalid value for attribute 'memAccess' in element 'cell': '%s'.", cell.MemAccess)
			}
			if cell.CPUs != "" {
				if s, ok := normBitmap(cell.CPUs); ok {
					cell.CPUs = s
				}
			}
		}
		sort.SliceStable(c.NUMA.Cells, func(i, j int) bool { return *c.NUMA.Cells[i].ID < *c.NUMA.Cells[j].ID })
		for i := range c.NUMA.Cells {
			if *c.NUMA.Cells[i].ID != uint(i) {
				return xmlErrorf("Exactly one 'cell' element per guest NUMA cell allowed, non-contiguous ranges or ranges not starting from 0 are not allowed")
			}
		}
		if len(c.NUMA.Cells) == 0 && c.NUMA.Interconnects == nil {
			c.NUMA = nil
		}
	}
	hasModel := c.Model != nil && c.Model.Name != ""
	if c.Cache != nil && c.Cache.Mode == "" {
		return xmlErrorf("Missing required attribute 'mode' in element 'cache'")
	}
	if len(c.Features) > 0 && !hasModel && (c.Mode == "" || c.Mode == "custom") {
		return xmlErrorf("Non-empty feature list specified without CPU model")
	}
	if c.Mode == "" && (hasModel || c.Match != "" || len(c.Features) > 0 || c.Vendor != "") {
		c.Mode = "custom"
	}
	switch c.Mode {
	case "custom":
		if c.Match == "" {
			c.Match = "exact"
		}
		if hasModel && c.Model.Fallback == "" {
			c.Model.Fallback = "allow"
		}
	case "host-model", "host-passthrough", "maximum":
		if c.Model != nil && !hasModel {
			c.Model = nil
		}
		if hasModel && c.Model.Fallback == "" {
			c.Model.Fallback = "allow"
		}
	}
	if c.Model != nil && c.Model.Name == "" && c.Model.Fallback == "" && c.Model.VendorID == "" {
		c.Model = nil
	}
	if c.Mode == "" && c.Match == "" && c.Check == "" && c.Model == nil && c.Vendor == "" &&
		c.Topology == nil && c.Cache == nil && c.MaxPhysAddr == nil && len(c.Features) == 0 &&
		c.NUMA == nil && len(c.Extra) == 0 && len(c.Attrs) == 0 {
		d.CPU = nil
	}
	return nil
}

// onState defaults a presence-only feature to state='on'.
func onState(f *FeatureState) {
	if f != nil && f.State == "" {
		f.State = "on"
	}
}

func (d *Domain) postParseFeatures() error {
	f := d.Features
	if f == nil {
		return nil
	}
	for _, p := range []*FeatureState{f.HAP, f.PVSpinlock, f.PMU, f.VMPort, f.VMCoreInfo, f.HTM, f.NestedHV, f.CCFAssist} {
		onState(p)
	}
	if f.SMM != nil && f.SMM.State == "" {
		f.SMM.State = "on"
	}
	if f.HyperV != nil && f.HyperV.Mode == "" {
		f.HyperV.Mode = "custom"
	}
	if f.GIC != nil {
		switch f.GIC.Version {
		case "", "2", "3", "host":
		default:
			return xmlErrorf("Invalid value for attribute 'version' in element 'gic': '%s'.", f.GIC.Version)
		}
	}
	if f.HPT != nil && f.HPT.Resizing == "" && f.HPT.MaxPageSize == nil {
		f.HPT = nil
	}
	if f.HPT != nil && f.HPT.MaxPageSize != nil {
		kib, err := scaleToKiB(f.HPT.MaxPageSize.Value, f.HPT.MaxPageSize.Unit)
		if err != nil {
			return err
		}
		f.HPT.MaxPageSize = &ScaledValue{Unit: "KiB", Value: kib}
	}
	if f.TCG != nil && f.TCG.TBCache != nil {
		kib, err := scaleToKiB(f.TCG.TBCache.Value, f.TCG.TBCache.Unit)
		if err != nil {
			return err
		}
		f.TCG.TBCache = &ScaledValue{Unit: "KiB", Value: kib}
	}
	if f.SMM != nil && f.SMM.TSeg != nil {
		scale, err := ScaleUnit(f.SMM.TSeg.Unit, 1024*1024)
		if err != nil {
			return err
		}
		f.SMM.TSeg = prettySize(f.SMM.TSeg.Value * scale)
	}
	if len(f.Extra) > 0 {
		return unsupportedf("unexpected feature '%s'", f.Extra[0].Name)
	}
	return nil
}

// prettySize writes a byte count in the largest unit that divides it, as
// libvirt's virFormatIntPretty does.
func prettySize(bytes uint64) *ScaledValue {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	u := 0
	for bytes != 0 && bytes%1024 == 0 && u < len(units)-1 {
		bytes /= 1024
		u++
	}
	return &ScaledValue{Unit: units[u], Value: bytes}
}

// FeatureCapability is one container capability switch.
type FeatureCapability struct {
	Name  string
	State string
}

// UnmarshalNode implements xmldoc.NodeUnmarshaler.
func (fc *FeatureCapabilities) UnmarshalNode(n *xmldoc.Node) error {
	fc.Policy, _ = n.Attr("policy")
	for _, c := range n.Children {
		if c.Name == xmldoc.TextNodeName {
			continue
		}
		st, _ := c.Attr("state")
		fc.Caps = append(fc.Caps, FeatureCapability{Name: c.Name, State: st})
	}
	return nil
}

// MarshalNode implements xmldoc.NodeMarshaler.
func (fc *FeatureCapabilities) MarshalNode(e *xmldoc.Encoder, name string) error {
	e.Open(name)
	if fc.Policy != "" {
		e.Attr("policy", fc.Policy)
	}
	if len(fc.Caps) == 0 {
		e.EndEmpty()
		return nil
	}
	e.EndOpen()
	for _, c := range fc.Caps {
		e.Open(c.Name)
		if c.State != "" {
			e.Attr("state", c.State)
		}
		e.EndEmpty()
	}
	e.Close(name)
	return nil
}

// featureHyperVFields is FeatureHyperV without its marshaler.
type featureHyperVFields FeatureHyperV

// MarshalNode implements xmldoc.NodeMarshaler: libvirt always writes
// <hyperv> with an end tag.
func (h *FeatureHyperV) MarshalNode(e *xmldoc.Encoder, name string) error {
	e.Open(name)
	if h.Mode != "" {
		e.Attr("mode", h.Mode)
	}
	e.EndOpen()
	if err := xmldoc.MarshalChildren(e, (*featureHyperVFields)(h)); err != nil {
		return err
	}
	e.Close(name)
	return nil
}

// postParseTuning normalises cputune, numatune, iothreads and memtune.
func (d *Domain) postParseTuning() error {
	if d.IOThreads != nil || d.IOThreadIDs != nil {
		n := uint(0)
		if d.IOThreads != nil {
			n = *d.IOThreads
		}
		if d.IOThreadIDs != nil {
			ids := d.IOThreadIDs.IOThreads
			if uint(len(ids)) > n {
				n = uint(len(ids))
			}
			used := map[uint]bool{}
			for _, t := range ids {
				used[t.ID] = true
			}
			if n-uint(len(ids)) > maxAutoIOThreads {
				return xmlErrorf("too many iothreads: %d", n)
			}
			next := uint(1)
			for uint(len(ids)) < n {
				for used[next] {
					next++
				}
				used[next] = true
				ids = append(ids, IOThread{ID: next})
			}
			d.IOThreadIDs.IOThreads = ids
		}
		if n > 0 {
			d.IOThreads = &n
		}
	}
	if t := d.CPUTune; t != nil {
		sort.SliceStable(t.VCPUPins, func(i, j int) bool { return derefU(t.VCPUPins[i].VCPU) < derefU(t.VCPUPins[j].VCPU) })
		sort.SliceStable(t.IOThreadPins, func(i, j int) bool {
			return derefU(t.IOThreadPins[i].IOThread) < derefU(t.IOThreadPins[j].IOThread)
		})
		var err error
		if t.VCPUScheds, err = splitScheds(t.VCPUScheds, "vcpusched", "vcpus", func(s *CPUTuneSched) *string { return &s.VCPUs }); err != nil {
			return err
		}
		if t.IOThreadScheds, err = splitScheds(t.IOThreadScheds, "iothreadsched", "iothreads", func(s *CPUTuneSched) *string { return &s.IOThreads }); err != nil {
			return err
		}
		maxv := uint(0)
		if d.VCPU != nil {
			maxv = d.VCPU.Value
		}
		cts := t.CacheTunes[:0]
		for _, ct := range t.CacheTunes {
			ct.ID = ""
			if bits, ok := ParseBitmap(ct.VCPUs); ok {
				var in []uint
				for _, b := range bits {
					if b < maxv {
						in = append(in, b)
					}
				}
				if len(in) == 0 {
					continue
				}
				ct.VCPUs = FormatBitmap(in)
			}
			cts = append(cts, ct)
		}
		t.CacheTunes = cts
		for i := range t.MemoryTunes {
			t.MemoryTunes[i].ID = ""
		}
	}
	if nt := d.NUMATune; nt != nil && nt.Memory != nil {
		m := nt.Memory
		if m.Mode == "" {
			m.Mode = "strict"
		}
		if m.Placement == "" && m.NodeSet == "" && d.VCPU != nil && d.VCPU.Placement == "auto" {
			m.Placement = "auto"
		}
		if m.Placement == "auto" {
			m.NodeSet = ""
			if d.VCPU != nil && d.VCPU.CPUSet == "" {
				d.VCPU.Placement = "auto"
			}
		}
		if m.NodeSet != "" {
			s, ok := normBitmap(m.NodeSet)
			if !ok {
				return unsupportedf("Invalid value of 'nodeset': %s", m.NodeSet)
			}
			m.NodeSet = s
		}
	}
	if mb := d.MemoryBacking; mb != nil {
		if mb.Access != nil && mb.Access.Mode == "" {
			mb.Access = nil
		}
		if mb.Allocation != nil && mb.Allocation.Mode == "" && mb.Allocation.Threads == nil {
			mb.Allocation = nil
		}
	}
	if nt := d.NUMATune; nt != nil {
		for i := range nt.MemNodes {
			if nt.MemNodes[i].Mode == "" {
				nt.MemNodes[i].Mode = "strict"
			}
			if s, ok := normBitmap(nt.MemNodes[i].NodeSet); ok {
				nt.MemNodes[i].NodeSet = s
			}
		}
	}
	return nil
}

func derefU(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}

// splitScheds expands scheduler entries to one per id, sorted, refusing
// overlaps, as libvirt stores them per vCPU or I/O thread.
func splitScheds(in []CPUTuneSched, elem, attr string, ids func(*CPUTuneSched) *string) ([]CPUTuneSched, error) {
	if len(in) == 0 {
		return in, nil
	}
	seen := map[uint]bool{}
	var out []CPUTuneSched
	for i := range in {
		bits, ok := ParseBitmap(*ids(&in[i]))
		if !ok {
			return nil, xmlErrorf("Invalid value of '%s': %s", attr, *ids(&in[i]))
		}
		for _, b := range bits {
			if seen[b] {
				return nil, errorf(CodeXMLDetail, "'%s' attributes '%s' must not overlap", elem, attr)
			}
			seen[b] = true
			s := in[i]
			*ids(&s) = strconv.FormatUint(uint64(b), 10)
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, _ := strconv.Atoi(*ids(&out[i]))
		b, _ := strconv.Atoi(*ids(&out[j]))
		return a < b
	})
	return out, nil
}

// loadparmValid checks a boot loadparm as libvirt does.
func loadparmValid(s string) error {
	if len(s) < 1 || len(s) > 8 {
		return errorf(CodeInternal, "loadparm value '%s' must be between 1 and 8 characters", s)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == ' ') {
			return errorf(CodeInternal, "invalid loadparm value '%s', expecting chars in set of [a-zA-Z0-9.] and blank spaces", s)
		}
	}
	return nil
}

// normBoot checks and upper-cases a device boot loadparm.
func normBoot(b *DeviceBoot) error {
	if b == nil || b.LoadParm == "" {
		return nil
	}
	b.LoadParm = strings.ToUpper(b.LoadParm)
	if err := loadparmValid(b.LoadParm); err != nil {
		return err
	}
	return nil
}

// memUnlimited is libvirt's "unlimited" memory tuning value, in KiB.
const memUnlimited = 9007199254740991

// postParseMore applies the remaining defaults: memtune limits, NUMA
// distances, seclabels, disks' drivers and sources, filesystems, panics,
// interfaces.
func (d *Domain) postParseMore() error {
	if mt := d.MemTune; mt != nil {
		for _, p := range []**Memory{&mt.HardLimit, &mt.SoftLimit, &mt.MinGuarantee, &mt.SwapHardLimit} {
			if *p != nil && (*p).Value >= memUnlimited {
				*p = nil
			}
		}
		if mt.HardLimit == nil && mt.SoftLimit == nil && mt.MinGuarantee == nil && mt.SwapHardLimit == nil {
			d.MemTune = nil
		}
	}
	if d.CPU != nil && d.CPU.NUMA != nil {
		fillDistances(d.CPU.NUMA.Cells)
	}
	for i := range d.SecLabels {
		sl := &d.SecLabels[i]
		sl.ImageLabel = ""
		sl.LabelSkip = ""
		if sl.Type == "" {
			sl.Type = "dynamic"
		}
		switch sl.Type {
		case "dynamic":
			if sl.Relabel == "" {
				sl.Relabel = "yes"
			} else if sl.Relabel == "no" {
				return unsupportedf("dynamic label type must use resource relabeling")
			}
		case "static":
			if sl.Relabel == "" {
				sl.Relabel = "no"
			}
		case "none":
			sl.Relabel = ""
		}
	}
	if d.VCPU != nil && d.VCPU.CPUSet != "" {
		if s, ok := normBitmap(d.VCPU.CPUSet); ok {
			d.VCPU.CPUSet = s
		}
	}
	if t := d.CPUTune; t != nil {
		for i := range t.VCPUPins {
			t.VCPUPins[i].CPUSet = normSet(t.VCPUPins[i].CPUSet)
		}
		for i := range t.IOThreadPins {
			t.IOThreadPins[i].CPUSet = normSet(t.IOThreadPins[i].CPUSet)
		}
		if t.EmulatorPin != nil {
			t.EmulatorPin.CPUSet = normSet(t.EmulatorPin.CPUSet)
		}
	}
	if mb := d.MemoryBacking; mb != nil && mb.HugePages != nil {
		for i := range mb.HugePages.Pages {
			p := &mb.HugePages.Pages[i]
			kib, err := scaleToKiB(p.Size, p.Unit)
			if err != nil {
				return err
			}
			p.Size, p.Unit = kib, "KiB"
			if p.NodeSet != "" {
				p.NodeSet = normSet(p.NodeSet)
			}
		}
	}
	dv := d.Devices
	for i := range dv.Disks {
		if err := dv.Disks[i].postParse(); err != nil {
			return err
		}
	}
	for i := range dv.Filesystems {
		f := &dv.Filesystems[i]
		for _, m := range []*string{&f.FMode, &f.DMode} {
			if *m == "" {
				continue
			}
			v, err := strconv.ParseUint(*m, 8, 32)
			if err != nil || v > 0777 {
				return xmlErrorf("invalid mode '%s'", *m)
			}
			*m = "0" + strconv.FormatUint(v, 8)
			for len(*m) < 4 {
				*m = "0" + *m
			}
		}
	}
	panics := dv.Panics[:0]
	for _, p := range dv.Panics {
		if p.Model == "" && p.Address == nil {
			continue
		}
		panics = append(panics, p)
	}
	dv.Panics = panics
	for i := range dv.Interfaces {
		n := &dv.Interfaces[i]
		switch n.Type {
		case "network", "bridge", "ethernet":
		default:
			n.FilterRef = nil
		}
		if n.Source != nil {
			n.Source.PortID = ""
		}
		virtio := n.Model != nil && strings.HasPrefix(n.Model.Type, "virtio")
		if n.Type != "hostdev" && !virtio {
			// libvirt reads the driver and vhost backend of virtio
			// NICs only.
			n.Driver = nil
			if n.Backend != nil {
				n.Backend.VHost = ""
				if *n.Backend == (InterfaceBackend{}) {
					n.Backend = nil
				}
			}
		}
		if n.Driver != nil && n.Driver.Queues != nil && *n.Driver.Queues <= 1 {
			n.Driver.Queues = nil
		}
		if vp := n.VirtualPort; vp != nil && (vp.Type == "openvswitch" || vp.Type == "midonet") && vp.InterfaceID == nil {
			u := NewUUID()
			vp.InterfaceID = &u
		}
		if vp := n.VirtualPort; vp != nil && vp.Type == "802.1Qbg" && vp.InstanceID == nil {
			u := NewUUID()
			vp.InstanceID = &u
		}
		if n.Target != nil && n.Target.Managed == "" {
			for _, p := range []string{"vnet", "macvtap", "macvlan"} {
				if strings.HasPrefix(n.Target.Dev, p) {
					n.Target = nil
					break
				}
			}
		}
		if n.Model != nil {
			if m := strings.ToLower(n.Model.Type); netModels[m] {
				n.Model.Type = m
			}
		}
		if err := normBoot(n.Boot); err != nil {
			return err
		}
	}
	for i := range dv.RedirDevs {
		r := &dv.RedirDevs[i]
		if r.Bus == "" {
			r.Bus = "usb"
		}
		if err := r.CharSourceFields.postParse(r.Type); err != nil {
			return err
		}
	}
	for i := range dv.Hostdevs {
		h := &dv.Hostdevs[i]
		if err := normBoot(h.Boot); err != nil {
			return err
		}
		if h.Source != nil {
			if h.Type == "pci" {
				if err := normPCIHostAddress(h.Source.Address); err != nil {
					return err
				}
			}
			if h.Source.Protocol == "iscsi" && h.Source.Name != "" && !strings.Contains(h.Source.Name, "/") {
				h.Source.Name += "/0"
			}
		}
	}
	for i := range dv.Disks {
		if s := dv.Disks[i].Source; s != nil && dv.Disks[i].Type == "nvme" {
			if err := normPCIHostAddress(s.Address); err != nil {
				return err
			}
		}
	}
	for i := range dv.RedirFilters {
		for j := range dv.RedirFilters[i].USBDevs {
			u := &dv.RedirFilters[i].USBDevs[j]
			for _, p := range []*string{&u.Class, &u.Vendor, &u.Product, &u.Version} {
				if *p == "-1" {
					*p = ""
				}
			}
			hexf := func(p *string, width int, upper bool) {
				if *p == "" {
					return
				}
				if v, ok := parseUintBase(*p, 0); ok {
					h := strconv.FormatUint(v, 16)
					if upper {
						h = strings.ToUpper(h)
					}
					for len(h) < width {
						h = "0" + h
					}
					*p = "0x" + h
				}
			}
			hexf(&u.Class, 2, false)
			hexf(&u.Vendor, 4, true)
			hexf(&u.Product, 4, true)
			if maj, min, ok := strings.Cut(u.Version, "."); ok {
				a, e1 := strconv.ParseUint(maj, 16, 8)
				b, e2 := strconv.ParseUint(min, 16, 8)
				if e1 == nil && e2 == nil {
					u.Version = fmt.Sprintf("%x.%02x", a, b)
				}
			}
		}
	}
	for i := range dv.Smartcards {
		sc := &dv.Smartcards[i]
		if sc.Mode == "passthrough" {
			if err := sc.CharSourceFields.postParse(sc.Type); err != nil {
				return err
			}
		}
	}
	for i := range dv.Controllers {
		if p := dv.Controllers[i].PCIHole64; p != nil {
			kib, err := scaleToKiB(p.Value, p.Unit)
			if err != nil {
				return err
			}
			dv.Controllers[i].PCIHole64 = &ScaledValue{Unit: "KiB", Value: kib}
		}
	}
	for i := range dv.Shmems {
		if sz := dv.Shmems[i].Size; sz != nil {
			scale, err := ScaleUnit(sz.Unit, 1)
			if err != nil {
				return err
			}
			dv.Shmems[i].Size = &ScaledValue{Unit: "M", Value: sz.Value * scale / (1 << 20)}
		}
	}
	return nil
}

// fillDistances completes the NUMA distance matrix as libvirt does:
// symmetric, with 10 on the diagonal, once any distance is given.
func fillDistances(cells []NUMACell) {
	n := len(cells)
	any := false
	for i := range cells {
		if cells[i].Distances != nil {
			any = true
		}
	}
	if !any {
		return
	}
	m := make([][]uint, n)
	for i := range m {
		m[i] = make([]uint, n)
	}
	for i := range cells {
		if cells[i].Distances == nil {
			continue
		}
		for _, s := range cells[i].Distances.Siblings {
			if int(s.ID) < n {
				m[i][s.ID] = s.Value
				if m[s.ID][i] == 0 {
					m[s.ID][i] = s.Value
				}
			}
		}
	}
	for i := 0; i < n; i++ {
		if m[i][i] == 0 {
			m[i][i] = 10
		}
		var sib []NUMASibling
		for j := 0; j < n; j++ {
			if m[i][j] != 0 {
				sib = append(sib, NUMASibling{ID: uint(j), Value: m[i][j]})
			}
		}
		cells[i].Distances = &NUMADistances{Siblings: sib}
	}
}

// netDefaultPorts are the default ports of network disk protocols.
var netDefaultPorts = map[string]string{
	"nbd": "10809", "http": "80", "https": "443", "ftp": "21", "ftps": "990",
	"tftp": "69", "gluster": "24007", "iscsi": "3260", "sheepdog": "7000",
	"ssh": "22", "vxhs": "9999",
}

var diskDriverDefaults = map[string]bool{"default": true}

// postParse normalises a disk after its defaults are in.
func (disk *Disk) postParse() error {
	if dr := disk.Driver; dr != nil {
		for _, p := range []*string{&dr.Cache, &dr.ErrorPolicy, &dr.RErrorPolicy, &dr.IO, &dr.IOEventFD, &dr.EventIdx, &dr.CopyOnRead, &dr.Discard, &dr.DetectZeroes} {
			if *p == "default" {
				*p = ""
			}
		}
	}
	disk.Mirror = nil
	if disk.Snapshot == "no" && disk.ReadOnly {
		disk.Snapshot = ""
	}
	if disk.Type == "vhostuser" && disk.Snapshot == "" {
		disk.Snapshot = "no"
	}
	if err := normBoot(disk.Boot); err != nil {
		return err
	}
	normDiskSource(disk.Source, disk.Type)
	for b := disk.BackingStore; b != nil; b = b.BackingStore {
		b.Index = ""
		normDiskSource(b.Source, b.Type)
	}
	if disk.Mirror != nil {
		normDiskSource(disk.Mirror.Source, disk.Mirror.Type)
	}
	return nil
}

func normDiskSource(s *DiskSource, typ string) {
	if s == nil {
		return
	}
	s.Index = ""
	if len(s.SecLabels) > 0 {
		// labelskip is live state: such labels are not in the
		// persistent definition.
		kept := s.SecLabels[:0]
		for _, l := range s.SecLabels {
			if l.LabelSkip == "yes" {
				continue
			}
			l.LabelSkip = ""
			kept = append(kept, l)
		}
		s.SecLabels = kept
	}
	if typ == "network" {
		for i := range s.Hosts {
			h := &s.Hosts[i]
			if h.Port == "" && h.Name != "" && (h.Transport == "" || h.Transport == "tcp") {
				h.Port = netDefaultPorts[s.Protocol]
			}
		}
		if s.Protocol == "iscsi" && s.Name != "" && !strings.Contains(s.Name, "/") {
			s.Name += "/0"
		}
	}
}

// netModels are the NIC models libvirt knows by name (matched without
// regard to case).
var netModels = map[string]bool{"virtio": true, "virtio-transitional": true, "virtio-non-transitional": true,
	"e1000": true, "e1000e": true, "igb": true, "rtl8139": true, "netfront": true, "usb-net": true,
	"spapr-vlan": true, "lan9118": true, "scm91c111": true, "vlance": true, "vmxnet": true,
	"vmxnet2": true, "vmxnet3": true, "am79c970a": true, "am79c973": true, "82540em": true,
	"82545em": true, "82543gc": true}

// maxAutoIOThreads bounds the I/O thread IDs filled in automatically.
const maxAutoIOThreads = 1 << 16

// HexUint is an unsigned number written in hexadecimal ("0x8"), read in
// any C base.
type HexUint uint64

// MarshalText implements encoding.TextMarshaler.
func (h HexUint) MarshalText() ([]byte, error) {
	return []byte("0x" + strconv.FormatUint(uint64(h), 16)), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *HexUint) UnmarshalText(b []byte) error {
	v, ok := parseUintBase(string(b), 0)
	if !ok || v > 0xffffffff {
		return errorf(CodeXML, ". Expected non-negative integer value")
	}
	*h = HexUint(v)
	return nil
}

// normPCIHostAddress writes a host PCI address the way libvirt does.
func normPCIHostAddress(a *HostdevAddress) error {
	if a == nil || a.UUID != "" || a.Type != "" && a.Type != "pci" {
		return nil
	}
	if a.Domain == "" && a.Bus == "" && a.Slot == "" && a.Function == "" {
		return nil
	}
	f := func(s string, width int) (string, error) {
		v, ok := parseUintBase(s, 0)
		if s == "" {
			v, ok = 0, true
		}
		if !ok {
			return "", xmlErrorf("Invalid value for attribute in element 'address': '%s'. Expected non-negative integer value", s)
		}
		h := strconv.FormatUint(v, 16)
		for len(h) < width {
			h = "0" + h
		}
		return "0x" + h, nil
	}
	var err error
	if a.Domain, err = f(a.Domain, 4); err != nil {
		return err
	}
	if a.Bus, err = f(a.Bus, 2); err != nil {
		return err
	}
	if a.Slot, err = f(a.Slot, 2); err != nil {
		return err
	}
	a.Function, err = f(a.Function, 1)
	return err
}

// redirDevFields is RedirDev without its marshaler.
type redirDevFields RedirDev

// MarshalNode implements xmldoc.NodeMarshaler: libvirt writes <redirdev>
// with an end tag even when it has no children.
func (r *RedirDev) MarshalNode(e *xmldoc.Encoder, name string) error {
	e.Open(name)
	if r.Bus != "" {
		e.Attr("bus", r.Bus)
	}
	e.Attr("type", r.Type)
	for _, a := range r.Attrs {
		e.Attr(a.Name, a.Value)
	}
	e.EndOpen()
	if err := xmldoc.MarshalChildren(e, (*redirDevFields)(r)); err != nil {
		return err
	}
	e.Close(name)
	return nil
}

// normSet reformats a CPU or node set canonically when it parses.
func normSet(s string) string {
	if n, ok := normBitmap(s); ok {
		return n
	}
	return s
}

// sanitize keeps what libvirt keeps of <metadata>: elements with a
// namespace, only the first per namespace URI.
func (m *Metadata) sanitize() {
	seen := map[string]bool{}
	kept := m.Elements[:0]
	for _, n := range m.Elements {
		if n.Name == xmldoc.TextNodeName {
			continue
		}
		uri := ""
		prefix := n.Prefix()
		for _, a := range n.Attrs {
			if prefix == "" && a.Name == "xmlns" || prefix != "" && a.Name == "xmlns:"+prefix {
				uri = a.Value
			}
		}
		if uri == "" || seen[uri] {
			continue
		}
		seen[uri] = true
		kept = append(kept, n)
	}
	m.Elements = kept
}
