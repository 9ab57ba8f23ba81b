package virtxml

import (
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// Domain is a domain (virtual machine) definition: libvirt's <domain>.
//
// Field order is libvirt's output order. Elements the model does not know
// are kept in Extra (and attributes in Attrs) and written back at the end
// of their parent, so a round trip never silently loses them.
type Domain struct {
	Type string `xml:"type,attr,omitempty"`
	ID   *int   `xml:"id,attr"`
	// Attrs holds unknown attributes of <domain>.
	Attrs []Attr `xml:",any,attr"`

	Name            string           `xml:"name"`
	UUID            UUID             `xml:"uuid"`
	GenID           *GenID           `xml:"genid"`
	Title           string           `xml:"title,omitempty"`
	Description     string           `xml:"description,omitempty"`
	Metadata        *Metadata        `xml:"metadata"`
	MaxMemory       *MaxMemory       `xml:"maxMemory"`
	Memory          *Memory          `xml:"memory"`
	CurrentMemory   *Memory          `xml:"currentMemory"`
	BlkioTune       *BlkioTune       `xml:"blkiotune"`
	MemTune         *MemTune         `xml:"memtune"`
	MemoryBacking   *MemoryBacking   `xml:"memoryBacking"`
	VCPU            *VCPU            `xml:"vcpu"`
	VCPUs           *VCPUs           `xml:"vcpus"`
	IOThreads       *uint            `xml:"iothreads"`
	IOThreadIDs     *IOThreadIDs     `xml:"iothreadids"`
	DefaultIOThread *DefaultIOThread `xml:"defaultiothread"`
	CPUTune         *CPUTune         `xml:"cputune"`
	NUMATune        *NUMATune        `xml:"numatune"`
	Resource        *Resource        `xml:"resource"`
	SysInfo         []SysInfo        `xml:"sysinfo"`
	Bootloader      *string          `xml:"bootloader"`
	BootloaderArgs  string           `xml:"bootloader_args,omitempty"`
	OS              *OS              `xml:"os"`
	IDMap           *IDMap           `xml:"idmap"`
	Features        *Features        `xml:"features"`
	CPU             *CPU             `xml:"cpu"`
	Clock           *Clock           `xml:"clock"`
	OnPoweroff      string           `xml:"on_poweroff,omitempty"`
	OnReboot        string           `xml:"on_reboot,omitempty"`
	OnCrash         string           `xml:"on_crash,omitempty"`
	OnLockFailure   string           `xml:"on_lockfailure,omitempty"`
	PM              *PM              `xml:"pm"`
	Perf            *Perf            `xml:"perf"`
	Devices         *Devices         `xml:"devices"`
	SecLabels       []SecLabel       `xml:"seclabel"`
	KeyWrap         *KeyWrap         `xml:"keywrap"`
	LaunchSecurity  *LaunchSecurity  `xml:"launchSecurity"`

	// Extra holds unknown child elements of <domain>.
	Extra []*Node `xml:",any"`

	// NSAttrs and NSElements hold hypervisor namespace data
	// (xmlns:qemu='...' and <qemu:commandline> and the like). Drivers
	// without a namespace of their own, such as the test driver, do not
	// write them back; Format writes them with FormatNamespaces.
	NSAttrs    []Attr  `xml:"-"`
	NSElements []*Node `xml:"-"`

	// hasUUID records that the document gave a <uuid> (even all zero).
	hasUUID bool
}

// GenID is the VM generation ID. An empty <genid/> asks for a generated one.
type GenID UUID

// MarshalText implements encoding.TextMarshaler.
func (g GenID) MarshalText() ([]byte, error) { return UUID(g).MarshalText() }

// UnmarshalText implements encoding.TextUnmarshaler; empty text generates
// a new ID.
func (g *GenID) UnmarshalText(b []byte) error {
	if len(strings.TrimSpace(string(b))) == 0 {
		*g = GenID(NewUUID())
		return nil
	}
	u, err := ParseUUID(string(b))
	if err != nil {
		return errorf(CodeXML, "malformed genid element")
	}
	*g = GenID(u)
	return nil
}

// Metadata holds applications' own elements, each in its own namespace.
type Metadata struct {
	Elements []*Node `xml:",any"`
}

// Memory is an amount of memory. After parsing, Value is in KiB and Unit
// is "KiB".
type Memory struct {
	DumpCore string `xml:"dumpCore,attr,omitempty"`
	Unit     string `xml:"unit,attr,omitempty"`
	Value    uint64 `xml:",chardata"`
}

// MaxMemory is the hotplug memory ceiling.
type MaxMemory struct {
	Slots uint   `xml:"slots,attr,omitempty"`
	Unit  string `xml:"unit,attr,omitempty"`
	Value uint64 `xml:",chardata"`
	// HasSlots records whether the slots attribute was given.
	HasSlots bool `xml:"-"`
}

// VCPU is the maximum vCPU count with its placement.
type VCPU struct {
	Placement string `xml:"placement,attr,omitempty"`
	CPUSet    string `xml:"cpuset,attr,omitempty"`
	Current   uint   `xml:"current,attr,omitempty"`
	Value     uint   `xml:",chardata"`
}

// VCPUs lists the individual vCPUs' hotplug state.
type VCPUs struct {
	VCPUs []VCPUEntry `xml:"vcpu"`
}

// VCPUEntry is one <vcpus><vcpu/>.
type VCPUEntry struct {
	ID           uint   `xml:"id,attr"`
	Enabled      string `xml:"enabled,attr,omitempty"`
	Hotpluggable string `xml:"hotpluggable,attr,omitempty"`
	Order        *uint  `xml:"order,attr"`
}

// IOThreadIDs lists the domain's I/O threads.
type IOThreadIDs struct {
	IOThreads []IOThread `xml:"iothread"`
}

// IOThread is one <iothreadids><iothread/>.
type IOThread struct {
	ID            uint    `xml:"id,attr"`
	ThreadPoolMin *int    `xml:"thread_pool_min,attr"`
	ThreadPoolMax *int    `xml:"thread_pool_max,attr"`
	Extra         []*Node `xml:",any"`
}

// DefaultIOThread tunes the default event loop thread pool.
type DefaultIOThread struct {
	ThreadPoolMin *int `xml:"thread_pool_min,attr"`
	ThreadPoolMax *int `xml:"thread_pool_max,attr"`
}

// Resource is the domain's resource partition.
type Resource struct {
	FibreChannel *ResourceFibreChannel `xml:"fibrechannel"`
	Partition    string                `xml:"partition,omitempty"`
}

// ResourceFibreChannel is the fibre channel application ID.
type ResourceFibreChannel struct {
	AppID string `xml:"appid,attr"`
}

// IDMap maps container user and group IDs.
type IDMap struct {
	UIDs []IDMapRange `xml:"uid"`
	GIDs []IDMapRange `xml:"gid"`
}

// IDMapRange is one uid or gid mapping.
type IDMapRange struct {
	Start  uint `xml:"start,attr"`
	Target uint `xml:"target,attr"`
	Count  uint `xml:"count,attr"`
}

// PM is the guest power management setting.
type PM struct {
	SuspendToMem  *PMState `xml:"suspend-to-mem"`
	SuspendToDisk *PMState `xml:"suspend-to-disk"`
}

// PMState enables or disables one suspend method.
type PMState struct {
	Enabled string `xml:"enabled,attr,omitempty"`
}

// Perf lists the perf events monitored.
type Perf struct {
	Events []PerfEvent `xml:"event"`
}

// PerfEvent is one perf event.
type PerfEvent struct {
	Name    string `xml:"name,attr"`
	Enabled string `xml:"enabled,attr"`
}

// KeyWrap configures the s390 key wrapping ciphers.
type KeyWrap struct {
	Ciphers []KeyWrapCipher `xml:"cipher"`
}

// KeyWrapCipher is one key wrapping cipher.
type KeyWrapCipher struct {
	Name  string `xml:"name,attr"`
	State string `xml:"state,attr"`
}

// ParseDomain parses a domain XML document, checks it with libvirt's rules
// and applies libvirt's defaults (as libvirt's generic code and its test
// driver do). Errors are *Error values.
func ParseDomain(data []byte) (*Domain, error) {
	root, err := parseRoot(data, "domain", "domain_definition")
	if err != nil {
		return nil, err
	}
	d := &Domain{}
	if err := d.unmarshal(root); err != nil {
		return nil, err
	}
	if err := d.postParse(); err != nil {
		return nil, err
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// unmarshal binds root into d, splitting off namespace data first.
func (d *Domain) unmarshal(root *xmldoc.Node) error {
	var attrs []xmldoc.Attr
	for _, a := range root.Attrs {
		if strings.HasPrefix(a.Name, "xmlns:") {
			d.NSAttrs = append(d.NSAttrs, a)
			continue
		}
		attrs = append(attrs, a)
	}
	var kids []*xmldoc.Node
	for _, c := range root.Children {
		if _, ns := c.Attr("xmlns"); ns || strings.IndexByte(c.Name, ':') >= 0 {
			d.NSElements = append(d.NSElements, c)
			continue
		}
		kids = append(kids, c)
	}
	if len(attrs) != len(root.Attrs) || len(kids) != len(root.Children) {
		r := *root
		r.Attrs, r.Children = attrs, kids
		root = &r
	}
	if err := xmldoc.Unmarshal(root, d); err != nil {
		return bindError(err)
	}
	d.hasUUID = root.Child("uuid") != nil
	return nil
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
	// FormatNamespaces writes hypervisor namespace data (NSAttrs and
	// NSElements), which only drivers with a namespace keep.
	FormatNamespaces FormatFlags = 1 << 2
)

// Format writes the domain in libvirt's canonical form.
func (d *Domain) Format(flags FormatFlags) ([]byte, error) {
	c := *d
	if flags&FormatInactive != 0 {
		c.ID = nil
	}
	if flags&FormatSecure == 0 && c.Devices != nil {
		c.Devices = c.Devices.withoutSecrets()
	}
	if flags&FormatNamespaces != 0 && (len(d.NSAttrs) > 0 || len(d.NSElements) > 0) {
		c.Attrs = append(append([]Attr(nil), d.NSAttrs...), d.Attrs...)
		c.Extra = append(append([]*Node(nil), d.Extra...), d.NSElements...)
	}
	var e xmldoc.Encoder
	if err := xmldoc.Marshal(&e, "domain", &c); err != nil {
		return nil, err
	}
	return e.Bytes(), nil
}
