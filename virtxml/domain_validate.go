package virtxml

import (
	"fmt"
	"strings"
)

// validate applies libvirt's validation rules that run after defaults.
func (d *Domain) validate() error {
	for _, f := range []func() error{
		d.validateOS, d.validateSysinfo, d.validateSecLabels, d.validateMemoryBacking,
		d.validateNUMATune, d.validateResctrl, d.validateControllers, d.validateDisks,
		d.validateHostdevs, d.validateDevicesMisc,
	} {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

func detailf(format string, args ...any) *Error { return errorf(CodeXMLDetail, format, args...) }

func (d *Domain) validateOS() error {
	os := d.OS
	l := os.Loader
	if os.Firmware != "" {
		if os.Firmware != "efi" && os.Firmware != "bios" {
			return xmlErrorf("Invalid value for attribute 'firmware' in element 'os': '%s'.", os.Firmware)
		}
		if l != nil {
			if l.Readonly != "" {
				return detailf("loader attribute 'readonly' cannot be specified when firmware autoselection is enabled")
			}
			if l.Type != "" || l.Path != "" {
				return detailf("loader attribute 'type' cannot be specified when firmware autoselection is enabled")
			}
		}
		if os.Firmware == "bios" && os.NVRAM != nil {
			return detailf("firmware type 'bios' does not support nvram")
		}
		return nil
	}
	if l == nil {
		return nil
	}
	if l.Path == "" {
		return detailf("no loader path specified and firmware auto selection disabled")
	}
	if l.Stateless == "yes" {
		if os.NVRAM != nil && os.NVRAM.Template != "" {
			return detailf("NVRAM template is not permitted when loader is stateless")
		}
		if os.NVRAM != nil {
			return detailf("NVRAM is not permitted when loader is stateless")
		}
	} else if l.Type != "pflash" && (l.Stateless == "no" || os.NVRAM != nil) {
		return detailf("Only pflash loader type permits NVRAM")
	}
	return nil
}

func (d *Domain) validateSysinfo() error {
	for _, si := range d.SysInfo {
		if si.BIOS != nil {
			for _, e := range si.BIOS.Entries {
				if e.Name == "date" && !validBIOSDate(e.Value) {
					return detailf("Invalid BIOS 'date' format")
				}
			}
		}
		if si.System != nil {
			for _, e := range si.System.Entries {
				if e.Name != "uuid" {
					continue
				}
				u, err := ParseUUID(e.Value)
				if err != nil {
					return detailf("malformed <sysinfo> uuid element")
				}
				if u != d.UUID {
					return detailf("UUID mismatch between <uuid> and <sysinfo>")
				}
			}
		}
	}
	return nil
}

// validBIOSDate accepts mm/dd/yy and mm/dd/yyyy.
func validBIOSDate(s string) bool {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || len(parts[0]) != 2 || len(parts[1]) != 2 || len(parts[2]) != 2 && len(parts[2]) != 4 {
		return false
	}
	for _, p := range parts {
		for _, c := range p {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

func (d *Domain) validateSecLabels() error {
	seen := map[string]bool{}
	for _, s := range d.SecLabels {
		if s.Model != "" && seen[s.Model] {
			return detailf("seclabel for model %s is already provided", s.Model)
		}
		seen[s.Model] = true
	}
	for _, s := range d.SecLabels {
		if s.Model == "" && len(d.SecLabels) > 1 {
			return xmlErrorf("missing security model when using multiple labels")
		}
	}
	check := func(labels []SecLabel) error {
		seen := map[string]bool{}
		for _, s := range labels {
			if s.Model == "" && len(labels) > 1 {
				return xmlErrorf("missing security model when using multiple labels")
			}
			if s.Model != "" && seen[s.Model] {
				return detailf("seclabel for model %s is already provided", s.Model)
			}
			seen[s.Model] = true
		}
		return nil
	}
	for i := range d.Devices.Disks {
		if s := d.Devices.Disks[i].Source; s != nil {
			if err := check(s.SecLabels); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *Domain) numaNodes() int {
	if d.CPU != nil && d.CPU.NUMA != nil && len(d.CPU.NUMA.Cells) > 0 {
		return len(d.CPU.NUMA.Cells)
	}
	return 0
}

func (d *Domain) validateMemoryBacking() error {
	mb := d.MemoryBacking
	if mb == nil || mb.HugePages == nil {
		return nil
	}
	nodes := d.numaNodes()
	if nodes == 0 {
		nodes = 1
	}
	master := -1
	for i := range mb.HugePages.Pages {
		p := &mb.HugePages.Pages[i]
		if p.NodeSet != "" {
			bits, ok := ParseBitmap(p.NodeSet)
			if !ok {
				return unsupportedf("Invalid value of 'nodeset': %s", p.NodeSet)
			}
			for _, b := range bits {
				if int(b) >= nodes {
					return detailf("hugepages: node %d not found", b)
				}
			}
			if d.numaNodes() == 0 && len(bits) == nodes {
				p.NodeSet = ""
			}
		}
		if p.NodeSet == "" {
			if master >= 0 {
				return detailf("two master hugepages detected: %d and %d", p.Size, mb.HugePages.Pages[master].Size)
			}
			master = i
		}
	}
	return nil
}

func (d *Domain) validateNUMATune() error {
	nt := d.NUMATune
	if nt == nil {
		return nil
	}
	if m := nt.Memory; m != nil {
		if m.Placement == "static" && m.NodeSet == "" {
			return unsupportedf("nodeset for NUMA memory tuning must be set if 'placement' is 'static'")
		}
	}
	if len(nt.MemNodes) > 0 {
		if d.numaNodes() == 0 {
			return xmlErrorf("Element 'memnode' is invalid without any guest NUMA cells")
		}
		if nt.Memory != nil && nt.Memory.Placement == "auto" {
			return unsupportedf("Per-node binding is not compatible with automatic NUMA placement.")
		}
		restrictive := nt.Memory != nil && nt.Memory.Mode == "restrictive"
		for _, mn := range nt.MemNodes {
			if int(mn.CellID) >= d.numaNodes() {
				return xmlErrorf("Argument 'cellid' in memnode element must correspond to existing guest's NUMA cell")
			}
			if restrictive && mn.Mode != "restrictive" {
				return xmlErrorf("'restrictive' mode is required in memnode element when mode is 'restrictive' in memory element")
			}
		}
	}
	return nil
}

func (d *Domain) validateResctrl() error {
	t := d.CPUTune
	if t == nil {
		return nil
	}
	type group struct {
		bits string
		set  map[uint]bool
	}
	var groups []group
	overlap := func(set map[uint]bool) (identical int, any bool) {
		for gi, g := range groups {
			same := len(g.set) == len(set)
			hit := false
			for b := range set {
				if g.set[b] {
					hit = true
				} else {
					same = false
				}
			}
			if same {
				return gi, true
			}
			if hit {
				return -1, true
			}
		}
		return -1, false
	}
	toSet := func(s string) map[uint]bool {
		bits, _ := ParseBitmap(s)
		m := map[uint]bool{}
		for _, b := range bits {
			m[b] = true
		}
		return m
	}
	for _, ct := range t.CacheTunes {
		set := toSet(ct.VCPUs)
		if gi, hit := overlap(set); hit {
			if gi >= 0 {
				return xmlErrorf("Identical vcpus in cachetunes found")
			}
			return xmlErrorf("Overlapping vcpus in resctrls")
		}
		groups = append(groups, group{ct.VCPUs, set})
		type key struct {
			level, id uint
			typ       string
		}
		seen := map[key]bool{}
		for _, c := range ct.Caches {
			k := key{c.Level, c.ID, c.Type}
			if seen[k] {
				return xmlErrorf("Colliding cache allocations for cache level '%d' id '%d', type '%s'", c.Level, c.ID, c.Type)
			}
			seen[k] = true
		}
		for _, m := range ct.Monitors {
			for b := range toSet(m.VCPUs) {
				if !set[b] {
					return errorf(CodeInvalidArg, "Monitor vcpus conflicts with allocation")
				}
			}
		}
	}
	for _, mt := range t.MemoryTunes {
		set := toSet(mt.VCPUs)
		if gi, hit := overlap(set); hit && gi < 0 {
			return xmlErrorf("Overlapping vcpus in resctrls")
		}
		seen := map[uint]bool{}
		for _, n := range mt.Nodes {
			if seen[n.ID] {
				return xmlErrorf("Memory Bandwidth already defined for node %d", n.ID)
			}
			seen[n.ID] = true
		}
	}
	return nil
}

func (d *Domain) validateControllers() error {
	dv := d.Devices
	for i := range dv.Controllers {
		c := &dv.Controllers[i]
		if c.Type == "pci" && (c.Model == "pci-root" || c.Model == "pcie-root") {
			if c.Address != nil {
				return unsupportedf("pci-root and pcie-root controllers should not have an address")
			}
			if c.Target != nil && c.Target.Node != nil {
				return unsupportedf("The PCI controller with index=%d can't be associated with a NUMA node", derefU(c.Index))
			}
		}
		if c.Type == "usb" && strings.HasPrefix(c.Model, "ich9-uhci") && c.Master != nil && !c.autoIndex {
			hasMaster := false
			for j := range dv.Controllers {
				o := &dv.Controllers[j]
				if o.Type == "usb" && o.Master == nil && derefU(o.Index) == derefU(c.Index) {
					hasMaster = true
				}
			}
			if !hasMaster {
				return detailf("No master USB controller specified")
			}
		}
	}
	return nil
}

func (d *Domain) validateDisks() error {
	dv := d.Devices
	type drive struct {
		bus                       string
		controller, b, target, un uint64
	}
	seen := map[drive]string{}
	for i := range dv.Disks {
		disk := &dv.Disks[i]
		if disk.Device == "lun" && disk.Type != "block" && disk.Type != "network" {
			return unsupportedf("disk device='lun' is only valid for block type disk source")
		}
		if a := disk.Address; a != nil {
			switch disk.Target.Bus {
			case "ide", "fdc", "scsi", "sata":
				if a.Type != "drive" {
					return unsupportedf("Invalid address type '%s' for the disk '%s' with the bus type '%s'", a.Type, disk.Target.Dev, disk.Target.Bus)
				}
				k := drive{disk.Target.Bus, a.Controller, a.Bus, a.Target, a.Unit}
				if first, dup := seen[k]; dup {
					return unsupportedf("Found duplicate drive address for disk with target name '%s' controller='%d' bus='%d' target='%d' unit='%d'",
						first, a.Controller, a.Bus, a.Target, a.Unit)
				}
				seen[k] = disk.Target.Dev
			}
		}
		if s := disk.Source; s != nil {
			if disk.Auth != nil && s.Auth != nil {
				return unsupportedf("an <auth> definition already found for disk source")
			}
			if disk.Encryption != nil && s.Encryption != nil {
				return unsupportedf("an <encryption> definition already found for disk source")
			}
			auth := disk.Auth
			if auth == nil {
				auth = s.Auth
			}
			if auth != nil && auth.Secret != nil && disk.Type == "network" {
				want := ""
				switch s.Protocol {
				case "iscsi":
					want = "iscsi"
				case "rbd":
					want = "ceph"
				}
				if want != "" && auth.Secret.Type != want {
					return unsupportedf("invalid secret type '%s'", auth.Secret.Type)
				}
			}
			for _, a := range s.Attrs {
				if a.Name == "fdgroup" {
					return unsupportedf("driver does not support FD passing for disk '%s'", disk.Target.Dev)
				}
			}
		}
		for _, enc := range []*Encryption{disk.Encryption, sourceEncryption(disk.Source)} {
			if enc != nil && enc.Format == "luks" && (enc.Cipher != nil || enc.IVGen != nil) {
				what := "cipher"
				if enc.Cipher == nil {
					what = "ivgen"
				}
				return unsupportedf("supplying <%s> for domain disk definition is unnecessary", what)
			}
		}
	}
	// SCSI disks whose address was assigned must not collide with SCSI
	// host devices.
	for i := range dv.Disks {
		disk := &dv.Disks[i]
		if disk.Target.Bus != "scsi" || disk.Address == nil || !disk.autoAddress {
			continue
		}
		a := disk.Address
		for j := range dv.Hostdevs {
			h := &dv.Hostdevs[j]
			if h.Type != "scsi" || h.Address == nil || h.Address.Type != "drive" {
				continue
			}
			ha := h.Address
			if ha.Controller == a.Controller && ha.Bus == a.Bus && ha.Target == a.Target && ha.Unit == a.Unit {
				return unsupportedf("using disk target name '%s' conflicts with SCSI host device address controller='%d' bus='%d' target='%d' unit='%d",
					disk.Target.Dev, a.Controller, a.Bus, a.Target, a.Unit)
			}
		}
	}
	return nil
}

func sourceEncryption(s *DiskSource) *Encryption {
	if s == nil {
		return nil
	}
	return s.Encryption
}

// hostdevKey identifies the host device behind a hostdev.
func hostdevKey(h *Hostdev) string {
	s := h.Source
	if s == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(h.Type)
	if s.Address != nil {
		a := s.Address
		fmt.Fprintf(&b, "|%s|%s|%s|%s|%s|%s|%s|%s|%s", a.Domain, a.Bus, a.Device, a.Slot, a.Function, a.Target, a.Unit, a.UUID, a.Type)
	}
	if s.Vendor != nil {
		b.WriteString("|v" + s.Vendor.ID)
	}
	if s.Product != nil {
		b.WriteString("|p" + s.Product.ID)
	}
	if s.Adapter != nil {
		b.WriteString("|a" + s.Adapter.Name)
	}
	b.WriteString("|" + s.Protocol + "|" + s.Name + "|" + s.WWPN + "|" + s.Block + "|" + s.Char + "|" + s.Interface)
	return b.String()
}

func (d *Domain) validateHostdevs() error {
	dv := d.Devices
	seen := map[string]bool{}
	ramfb := 0
	for i := range dv.Hostdevs {
		h := &dv.Hostdevs[i]
		if h.Type == "mdev" {
			if h.Source == nil || h.Source.Address == nil || h.Source.Address.UUID == "" {
				return unsupportedf("Missing 'uuid' attribute for element <address>")
			}
			if a := h.Address; a != nil {
				want := ""
				switch h.Model {
				case "vfio-pci":
					want = "pci"
				case "vfio-ccw":
					want = "ccw"
				case "vfio-ap":
					want = "none"
				}
				if want != "" && a.Type != want && a.Type != "none" {
					return xmlErrorf("Unsupported address type '%s' with mediated device model '%s'", a.Type, h.Model)
				}
			}
			if h.RamFB == "on" {
				ramfb++
				if ramfb > 1 {
					return unsupportedf("Only one vgpu device can have 'ramfb' enabled")
				}
			}
		}
		if h.Mode == "subsystem" {
			k := hostdevKey(h)
			if seen[k] {
				return xmlErrorf("Hostdev already exists in the domain configuration")
			}
			seen[k] = true
		}
	}
	return nil
}

func (d *Domain) validateDevicesMisc() error {
	dv := d.Devices
	if io := dv.IOMMU; io != nil && io.Driver != nil && io.Model == "intel" {
		if io.Driver.IntRemap == "on" {
			ioapic := ""
			if d.Features != nil && d.Features.IOAPIC != nil {
				ioapic = d.Features.IOAPIC.Driver
			}
			if ioapic != "qemu" {
				return unsupportedf("IOMMU interrupt remapping requires split I/O APIC (ioapic driver='qemu')")
			}
		}
		if io.Driver.EIM == "on" && io.Driver.IntRemap != "on" {
			return unsupportedf("iommu eim requires interrupt remapping to be enabled")
		}
	}
	for i := range dv.Smartcards {
		if dv.Smartcards[i].Mode == "" {
			return xmlErrorf("Missing required attribute 'mode' in element 'smartcard'")
		}
	}
	for i := range dv.Interfaces {
		n := &dv.Interfaces[i]
		switch n.Type {
		case "udp", "mcast", "server", "client":
			if n.Source == nil || n.Source.Port == "" {
				return xmlErrorf("Missing required attribute 'port' in element 'source'")
			}
		}
	}
	for _, cs := range [][]Chardev{dv.Serials, dv.Parallels, dv.Consoles, dv.Channels} {
		for i := range cs {
			for _, s := range cs[i].Sources {
				if s.Mouse != nil && s.Mouse.Mode == "" {
					return xmlErrorf("Missing required attribute 'mode' in element 'mouse'")
				}
				if s.Clipboard != nil && s.Clipboard.CopyPaste == "" {
					return xmlErrorf("Missing required attribute 'copypaste' in element 'clipboard'")
				}
			}
		}
	}
	for i := range dv.TPMs {
		if dv.TPMs[i].Backend == nil {
			return xmlErrorf("missing TPM device backend")
		}
	}
	none := false
	for i := range dv.Videos {
		v := &dv.Videos[i]
		if v.Model.Type == "none" {
			none = true
		}
		if v.Model.Type == "ramfb" && v.Address != nil {
			return unsupportedf("address not supported for video type ramfb")
		}
	}
	if none && len(dv.Videos) > 1 {
		return unsupportedf("a 'none' video type must be the only video device defined for the domain")
	}
	usbOff := dv.usbNone()
	for i := range dv.Inputs {
		if dv.Inputs[i].Bus == "xen" && d.Type != "xen" {
			return errorf(CodeInternal, "unsupported input bus xen")
		}
		if dv.Inputs[i].Bus == "usb" && usbOff {
			return unsupportedf("Can't add USB input device. USB bus is disabled")
		}
	}
	for i := range dv.Hubs {
		if dv.Hubs[i].Type == "usb" && usbOff {
			return unsupportedf("Can't add USB hub: USB is disabled for this domain")
		}
	}
	for i := range dv.RedirDevs {
		if dv.RedirDevs[i].Bus == "usb" && !dv.hasUSB() {
			return unsupportedf("cannot add redirected USB device: USB is disabled for this domain")
		}
	}
	for i := range dv.Memories {
		m := &dv.Memories[i]
		if m.Target != nil && m.Target.Node != nil {
			n := d.numaNodes()
			if n == 0 {
				return detailf("can't add memory backend as guest has no NUMA nodes configured")
			}
			if int(*m.Target.Node) >= n {
				return detailf("can't add memory backend for guest node '%d' as the guest has only '%d' NUMA nodes configured", *m.Target.Node, n)
			}
		}
	}
	for i := range dv.Interfaces {
		n := &dv.Interfaces[i]
		if n.Type == "hostdev" && (n.Source == nil || n.Source.PCIAddr == nil) {
			return xmlErrorf("missing source address type")
		}
		if n.Backend != nil && n.Backend.Type != "" && n.Backend.Type != "default" {
			return xmlErrorf("Invalid value for attribute 'type' in element 'backend': '%s'.", n.Backend.Type)
		}
	}
	return nil
}
