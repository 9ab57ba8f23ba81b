package virtxml

import (
	"math"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// Error codes beyond the XML classes that domain parsing reports.
const (
	CodeNoTarget ErrorCode = 20 // VIR_ERR_NO_TARGET
	CodeNoSource ErrorCode = 19 // VIR_ERR_NO_SOURCE
)

// maxMemoryKiB is libvirt's ceiling for memory sizes (LLONG_MAX bytes
// would overflow the kernel's interfaces; libvirt caps at ULLONG_MAX/1024
// scaled to KiB and refuses beyond).
const maxMemoryBytes = math.MaxInt64

// UnmarshalNode implements xmldoc.NodeUnmarshaler: it scales the value by
// its unit and stores it in KiB.
func (m *Memory) UnmarshalNode(n *xmldoc.Node) error {
	unit, _ := n.Attr("unit")
	dc, _ := n.Attr("dumpCore")
	kib, err := parseMemoryNode(n, unit)
	if err != nil {
		return err
	}
	*m = Memory{DumpCore: dc, Unit: "KiB", Value: kib}
	return nil
}

// parseMemoryNode scales the text of n to KiB, rounding up.
func parseMemoryNode(n *xmldoc.Node, unit string) (uint64, error) {
	text := strings.TrimSpace(n.Text)
	v, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return 0, xmlErrorf("Invalid value '%s' for element or attribute './%s[1]'", n.Text, n.Name)
	}
	scale, serr := ScaleUnit(unit, 1024)
	if serr != nil {
		return 0, serr
	}
	if scale != 0 && v > maxMemoryBytes/scale {
		return 0, errorf(CodeOverflow, "value too large: %s", n.Text)
	}
	return DivUp(v*scale, 1024), nil
}

// UnmarshalNode implements xmldoc.NodeUnmarshaler.
func (m *MaxMemory) UnmarshalNode(n *xmldoc.Node) error {
	unit, _ := n.Attr("unit")
	kib, err := parseMemoryNode(n, unit)
	if err != nil {
		return err
	}
	*m = MaxMemory{Unit: "KiB", Value: kib}
	if s, ok := n.Attr("slots"); ok {
		x, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return xmlErrorf("Invalid value for attribute 'slots' in element 'maxMemory': '%s'. Expected non-negative value", s)
		}
		m.Slots, m.HasSlots = uint(x), true
	}
	return nil
}

// postParse checks the definition and fills in libvirt's defaults.
func (d *Domain) postParse() error {
	if d.Type == "" {
		return errorf(CodeInternal, "missing domain type attribute")
	}
	if !domainTypes[d.Type] {
		return unsupportedf("invalid domain type %s", d.Type)
	}
	if d.Name == "" {
		return errorf(CodeNoName, "missing name information")
	}
	if strings.IndexByte(d.Name, '/') >= 0 {
		return xmlErrorf("name %s cannot contain '/'", d.Name)
	}
	if d.UUID.IsZero() && !d.hasUUID {
		d.UUID = NewUUID()
	}
	if d.Metadata != nil {
		d.Metadata.sanitize()
	}
	if err := d.postParseCPU(); err != nil {
		return err
	}
	if err := d.postParseMemory(); err != nil {
		return err
	}
	if err := d.postParseVCPU(); err != nil {
		return err
	}
	if err := d.postParseOS(); err != nil {
		return err
	}
	if err := d.postParseLifecycle(); err != nil {
		return err
	}
	if d.Clock == nil {
		d.Clock = &Clock{Offset: "utc"}
	}
	if err := d.postParseClock(); err != nil {
		return err
	}
	if d.Devices == nil {
		d.Devices = &Devices{}
	}
	if err := d.postParseFeatures(); err != nil {
		return err
	}
	if err := d.postParseTuning(); err != nil {
		return err
	}
	if err := d.postParseDevices(); err != nil {
		return err
	}
	return nil
}

var domainTypes = map[string]bool{
	"none": true, "qemu": true, "kqemu": true, "kvm": true, "xen": true, "lxc": true,
	"uml": true, "openvz": true, "test": true, "vmware": true, "hyperv": true,
	"vbox": true, "phyp": true, "parallels": true, "bhyve": true, "vz": true,
	"ch": true, "hvf": true,
}

func (d *Domain) postParseMemory() error {
	var numaMem, hotplug uint64
	if d.CPU != nil && d.CPU.NUMA != nil {
		for _, c := range d.CPU.NUMA.Cells {
			numaMem += c.Memory
		}
	}
	if d.Devices != nil {
		for i := range d.Devices.Memories {
			if t := d.Devices.Memories[i].Target; t != nil && t.Size != nil {
				hotplug += t.Size.Value
			}
		}
	}
	if d.Memory == nil {
		d.Memory = &Memory{Unit: "KiB"}
	}
	if d.Memory.Value == 0 {
		if numaMem == 0 {
			return xmlErrorf("Memory size must be specified via <memory> or in the <numa> configuration")
		}
		d.Memory.Value = numaMem + hotplug
	} else if numaMem == 0 && hotplug > d.Memory.Value {
		return xmlErrorf("Total size of memory devices exceeds the total memory size")
	}
	if d.MaxMemory != nil {
		if !d.MaxMemory.HasSlots || d.MaxMemory.Value == 0 {
			return xmlErrorf("both maximum memory size and memory slot count must be specified")
		}
		if d.MaxMemory.Value < d.Memory.Value {
			return xmlErrorf("maximum memory size must be equal or greater than the actual memory size")
		}
	}
	if d.CurrentMemory == nil || d.CurrentMemory.Value == 0 || d.CurrentMemory.Value > d.Memory.Value {
		d.CurrentMemory = &Memory{Unit: "KiB", Value: d.Memory.Value}
	}
	d.CurrentMemory.DumpCore = ""
	return nil
}

func (d *Domain) postParseVCPU() error {
	if d.VCPU == nil {
		d.VCPU = &VCPU{Value: 1}
	}
	v := d.VCPU
	switch v.Placement {
	case "":
		if d.NUMATune != nil && d.NUMATune.Memory != nil && d.NUMATune.Memory.Placement == "auto" && v.CPUSet == "" {
			v.Placement = "auto"
		} else {
			v.Placement = "static"
		}
	case "static", "auto":
	default:
		return xmlErrorf("Invalid value for attribute 'placement' in element 'vcpu': '%s'.", v.Placement)
	}
	if v.Value == 0 {
		return errorf(CodeInternal, "CPU IDs in <numa> exceed the <vcpu> count")
	}
	if v.Current > v.Value {
		return unsupportedf("maximum vCPU count must not be less than current vCPU count")
	}
	if v.Current == v.Value {
		v.Current = 0
	}
	if v.Placement == "auto" {
		v.CPUSet = ""
		if d.NUMATune == nil {
			d.NUMATune = &NUMATune{}
		}
		if d.NUMATune.Memory == nil {
			d.NUMATune.Memory = &NUMATuneMemory{Mode: "strict", Placement: "auto"}
		}
	}
	return nil
}

var osTypes = map[string]bool{"hvm": true, "xen": true, "linux": true, "exe": true, "uml": true, "xenpvh": true}

var lifecycleActions = map[string]bool{"destroy": true, "restart": true, "rename-restart": true, "preserve": true}

func (d *Domain) postParseOS() error {
	if d.OS == nil || d.OS.Type.Type == "" {
		return xmlErrorf("an os <type> must be specified")
	}
	os := d.OS
	if !osTypes[os.Type.Type] {
		return unsupportedf("unknown OS type '%s'", os.Type.Type)
	}
	if os.Type.Type == "linux" && d.Type == "xen" {
		os.Type.Type = "xen"
	}
	if os.Type.Arch == "" {
		os.Type.Arch = "i686"
	} else if !knownArch[os.Type.Arch] {
		return unsupportedf("Unknown architecture %s", os.Type.Arch)
	}
	for _, b := range os.Boots {
		switch b.Dev {
		case "fd", "cdrom", "hd", "network":
		default:
			return xmlErrorf("Invalid value for attribute 'dev' in element 'boot': '%s'.", b.Dev)
		}
	}
	if os.Type.Type == "exe" && os.Init == "" {
		return xmlErrorf("init binary must be specified")
	}
	if os.Loader != nil && os.Loader.Type == "" && os.Loader.Path != "" && os.Firmware == "" {
		os.Loader.Type = "rom"
	}
	if os.BootMenu != nil && os.BootMenu.Enable == "no" {
		os.BootMenu.Timeout = nil
	}
	if os.Type.Type == "hvm" && len(os.Boots) == 0 && d.Bootloader == nil && !d.hasDeviceBoot() {
		os.Boots = []Boot{{Dev: "hd"}}
	}
	return nil
}

// hasDeviceBoot reports whether any device carries a <boot order>.
func (d *Domain) hasDeviceBoot() bool {
	if d.Devices == nil {
		return false
	}
	dv := d.Devices
	for i := range dv.Disks {
		if dv.Disks[i].Boot != nil {
			return true
		}
	}
	for i := range dv.Interfaces {
		if dv.Interfaces[i].Boot != nil {
			return true
		}
	}
	for i := range dv.Hostdevs {
		if dv.Hostdevs[i].Boot != nil {
			return true
		}
	}
	for i := range dv.RedirDevs {
		if dv.RedirDevs[i].Boot != nil {
			return true
		}
	}
	for i := range dv.Filesystems {
		if dv.Filesystems[i].Boot != nil {
			return true
		}
	}
	return false
}

var knownArch = map[string]bool{
	"none": true, "alpha": true, "armv6l": true, "armv7l": true, "armv7b": true, "aarch64": true,
	"cris": true, "i686": true, "ia64": true, "lm32": true, "loongarch64": true, "m68k": true,
	"microblaze": true, "microblazeel": true, "mips": true, "mipsel": true, "mips64": true,
	"mips64el": true, "openrisc": true, "parisc": true, "parisc64": true, "ppc": true,
	"ppcle": true, "ppc64": true, "ppc64le": true, "ppcemb": true, "riscv32": true,
	"riscv64": true, "s390": true, "s390x": true, "sh4": true, "sh4eb": true, "sparc": true,
	"sparc64": true, "unicore32": true, "x86_64": true, "xtensa": true, "xtensaeb": true,
}

func (d *Domain) postParseLifecycle() error {
	check := func(event, v string, crash bool) error {
		if lifecycleActions[v] || crash && (v == "coredump-destroy" || v == "coredump-restart") {
			return nil
		}
		if v == "coredump-destroy" || v == "coredump-restart" {
			return unsupportedf("Lifecycle event '%s' doesn't support '%s' action", event, v)
		}
		return unsupportedf("unknown on_%s action: %s", event, v)
	}
	if d.OnPoweroff == "" {
		d.OnPoweroff = "destroy"
	} else if err := check("poweroff", d.OnPoweroff, false); err != nil {
		return err
	}
	if d.OnReboot == "" {
		d.OnReboot = "restart"
	} else if err := check("reboot", d.OnReboot, false); err != nil {
		return err
	}
	if d.OnCrash == "" {
		d.OnCrash = "destroy"
	} else if err := check("crash", d.OnCrash, true); err != nil {
		return err
	}
	return nil
}

var clockOffsets = map[string]bool{"utc": true, "localtime": true, "variable": true, "timezone": true, "absolute": true}

func (d *Domain) postParseClock() error {
	c := d.Clock
	if c.Offset == "" {
		c.Offset = "utc"
	}
	if !clockOffsets[c.Offset] {
		return unsupportedf("unknown clock offset '%s'", c.Offset)
	}
	if c.Offset == "variable" {
		if c.Basis == "" {
			c.Basis = "utc"
		}
		if _, err := strconv.ParseInt(c.Adjustment, 10, 64); err != nil {
			c.Adjustment = "0"
		}
	}
	return nil
}
