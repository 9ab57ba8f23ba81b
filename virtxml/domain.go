package virtxml

import (
	"github.com/govirt/govirt/internal/xmldoc"
)

// Domain is a domain (virtual machine) definition: libvirt's <domain>.
type Domain struct {
	Type          string     `xml:"type,attr,omitempty"`
	ID            *int       `xml:"id,attr"`
	Name          string     `xml:"name"`
	UUID          UUID       `xml:"uuid,omitempty"`
	Title         string     `xml:"title,omitempty"`
	Description   string     `xml:"description,omitempty"`
	Metadata      *Metadata  `xml:"metadata"`
	MaxMemory     *MaxMemory `xml:"maxMemory"`
	Memory        *Memory    `xml:"memory"`
	CurrentMemory *Memory    `xml:"currentMemory"`
	VCPU          *VCPU      `xml:"vcpu"`
	OS            *OS        `xml:"os"`
	Clock         *Clock     `xml:"clock"`
	OnPoweroff    string     `xml:"on_poweroff,omitempty"`
	OnReboot      string     `xml:"on_reboot,omitempty"`
	OnCrash       string     `xml:"on_crash,omitempty"`
	Devices       *Devices   `xml:"devices"`
	Attrs         []Attr     `xml:",any,attr"`
	Extra         []*Node    `xml:",any"`
}

// Metadata holds applications' own elements, each in its own namespace.
type Metadata struct {
	Elements []*Node `xml:",any"`
}

// Memory is an amount of memory, normalised to KiB.
type Memory struct {
	Value    uint64 `xml:",chardata"`
	Unit     string `xml:"unit,attr,omitempty"`
	DumpCore string `xml:"dumpCore,attr,omitempty"`
}

// MaxMemory is the hotplug memory ceiling.
type MaxMemory struct {
	Value uint64 `xml:",chardata"`
	Unit  string `xml:"unit,attr,omitempty"`
	Slots uint   `xml:"slots,attr,omitempty"`
}

// VCPU is the maximum vCPU count with its placement.
type VCPU struct {
	Placement string `xml:"placement,attr,omitempty"`
	CPUSet    string `xml:"cpuset,attr,omitempty"`
	Current   uint   `xml:"current,attr,omitempty"`
	Value     uint   `xml:",chardata"`
}

// OS is the <os> element: the guest type, boot order and firmware.
type OS struct {
	Type  OSType  `xml:"type"`
	Boots []Boot  `xml:"boot"`
	Attrs []Attr  `xml:",any,attr"`
	Extra []*Node `xml:",any"`
}

// OSType is <os><type arch= machine=>hvm</type>.
type OSType struct {
	Arch    string `xml:"arch,attr,omitempty"`
	Machine string `xml:"machine,attr,omitempty"`
	Type    string `xml:",chardata"`
}

// Boot is one <boot dev=.../> entry.
type Boot struct {
	Dev string `xml:"dev,attr"`
}

// Clock is the guest clock.
type Clock struct {
	Offset string  `xml:"offset,attr,omitempty"`
	Attrs  []Attr  `xml:",any,attr"`
	Extra  []*Node `xml:",any"`
}

// Devices lists the domain's devices.
type Devices struct {
	Emulator   string      `xml:"emulator,omitempty"`
	Disks      []Disk      `xml:"disk"`
	Interfaces []Interface `xml:"interface"`
	Extra      []*Node     `xml:",any"`
}

// Disk is a <disk> device.
type Disk struct {
	Type   string      `xml:"type,attr,omitempty"`
	Device string      `xml:"device,attr,omitempty"`
	Source *DiskSource `xml:"source"`
	Target *DiskTarget `xml:"target"`
	Attrs  []Attr      `xml:",any,attr"`
	Extra  []*Node     `xml:",any"`
}

// DiskSource is where a disk's data comes from.
type DiskSource struct {
	File  string  `xml:"file,attr,omitempty"`
	Dev   string  `xml:"dev,attr,omitempty"`
	Dir   string  `xml:"dir,attr,omitempty"`
	Attrs []Attr  `xml:",any,attr"`
	Extra []*Node `xml:",any"`
}

// DiskTarget is the disk's name and bus in the guest.
type DiskTarget struct {
	Dev   string `xml:"dev,attr"`
	Bus   string `xml:"bus,attr,omitempty"`
	Attrs []Attr `xml:",any,attr"`
}

// Interface is a network <interface> device.
type Interface struct {
	Type   string           `xml:"type,attr"`
	MAC    *InterfaceMAC    `xml:"mac"`
	Source *InterfaceSource `xml:"source"`
	Target *InterfaceTarget `xml:"target"`
	Model  *InterfaceModel  `xml:"model"`
	Attrs  []Attr           `xml:",any,attr"`
	Extra  []*Node          `xml:",any"`
}

// InterfaceMAC is the interface's MAC address.
type InterfaceMAC struct {
	Address string `xml:"address,attr"`
}

// InterfaceSource names what the interface connects to.
type InterfaceSource struct {
	Network string `xml:"network,attr,omitempty"`
	Bridge  string `xml:"bridge,attr,omitempty"`
	Dev     string `xml:"dev,attr,omitempty"`
	Mode    string `xml:"mode,attr,omitempty"`
	Attrs   []Attr `xml:",any,attr"`
}

// InterfaceTarget is the host-side device name.
type InterfaceTarget struct {
	Dev string `xml:"dev,attr"`
}

// InterfaceModel is the emulated NIC model.
type InterfaceModel struct {
	Type string `xml:"type,attr"`
}

// ParseDomain parses a domain XML document, checks it with libvirt's rules
// and applies libvirt's defaults. Errors are *Error values.
func ParseDomain(data []byte) (*Domain, error) {
	root, err := parseRoot(data, "domain", "domain_definition")
	if err != nil {
		return nil, err
	}
	d := &Domain{}
	if err := xmldoc.Unmarshal(root, d); err != nil {
		return nil, bindError(err)
	}
	if err := d.postParse(); err != nil {
		return nil, err
	}
	return d, nil
}

// FormatFlags select what Format writes.
type FormatFlags uint32

// Format flags.
const (
	// FormatInactive writes the persistent definition: no live-only data
	// such as the running ID.
	FormatInactive FormatFlags = 1 << 0
	// FormatSecure includes secrets (passwords) that are otherwise omitted.
	FormatSecure FormatFlags = 1 << 1
)

// Format writes the domain in libvirt's canonical form.
func (d *Domain) Format(flags FormatFlags) ([]byte, error) {
	c := *d
	if flags&FormatInactive != 0 {
		c.ID = nil
	}
	return xmldoc.MarshalBytes("domain", &c)
}

// postParse checks the definition and fills in libvirt's defaults.
func (d *Domain) postParse() error {
	if d.Name == "" {
		return xmlErrorf("missing name information in domain")
	}
	if d.UUID.IsZero() {
		d.UUID = NewUUID()
	}
	if d.Memory == nil {
		return xmlErrorf("Memory size must be specified via <memory> or in the <numa> configuration")
	}
	return nil
}
