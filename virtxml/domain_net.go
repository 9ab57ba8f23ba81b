package virtxml

import "github.com/govirt/govirt/internal/xmldoc"

// Interface is a network <interface> device.
type Interface struct {
	Type                string `xml:"type,attr"`
	Managed             string `xml:"managed,attr,omitempty"`
	TrustGuestRxFilters string `xml:"trustGuestRxFilters,attr,omitempty"`
	Attrs               []Attr `xml:",any,attr"`

	MAC *InterfaceMAC `xml:"mac"`
	// HostdevDriver is the <driver> of a type='hostdev' interface, which
	// libvirt writes before the source. The parser fills it first; for
	// other types postParse moves it to Driver.
	HostdevDriver *InterfaceHostdevDriver `xml:"hostdev-driver"`
	Source        *InterfaceSource        `xml:"source"`
	VLAN          *VLAN                   `xml:"vlan"`
	VirtualPort   *VirtualPort            `xml:"virtualport"`
	Bandwidth     *Bandwidth              `xml:"bandwidth"`
	Port          *InterfacePort          `xml:"port"`
	IPs           []InterfaceIP           `xml:"ip"`
	Routes        []InterfaceRoute        `xml:"route"`
	Script        *InterfacePath          `xml:"script"`
	DownScript    *InterfacePath          `xml:"downscript"`
	BackendDomain *BackendDomain          `xml:"backenddomain"`
	Target        *InterfaceTarget        `xml:"target"`
	Guest         *InterfaceGuest         `xml:"guest"`
	Model         *InterfaceModel         `xml:"model"`
	Driver        *InterfaceDriver        `xml:"driver"`
	Backend       *InterfaceBackend       `xml:"backend"`
	FilterRef     *InterfaceFilterRef     `xml:"filterref"`
	Tune          *InterfaceTune          `xml:"tune"`
	Teaming       *InterfaceTeaming       `xml:"teaming"`
	Link          *InterfaceLink          `xml:"link"`
	MTU           *InterfaceMTU           `xml:"mtu"`
	Coalesce      *InterfaceCoalesce      `xml:"coalesce"`
	Boot          *DeviceBoot             `xml:"boot"`
	Alias         *DeviceAlias            `xml:"alias"`
	ROM           *DeviceROM              `xml:"rom"`
	ACPI          *DeviceACPI             `xml:"acpi"`
	Address       *Address                `xml:"address"`
	Extra         []*Node                 `xml:",any"`
}

// InterfaceMAC is the interface's MAC address.
type InterfaceMAC struct {
	Address string `xml:"address,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Check   string `xml:"check,attr,omitempty"`
}

// InterfaceSource names what the interface connects to. Which fields
// apply depends on the interface type.
type InterfaceSource struct {
	Network   string                `xml:"network,attr,omitempty"`
	PortGroup string                `xml:"portgroup,attr,omitempty"`
	PortID    string                `xml:"portid,attr,omitempty"`
	Bridge    string                `xml:"bridge,attr,omitempty"`
	Dev       string                `xml:"dev,attr,omitempty"`
	Type      string                `xml:"type,attr,omitempty"`
	Path      string                `xml:"path,attr,omitempty"`
	Address   string                `xml:"address,attr,omitempty"`
	Port      string                `xml:"port,attr,omitempty"`
	Mode      string                `xml:"mode,attr,omitempty"`
	Attrs     []Attr                `xml:",any,attr"`
	PCIAddr   *Address              `xml:"address"`
	Local     *InterfaceSourceLocal `xml:"local"`
	Reconnect *Reconnect            `xml:"reconnect"`
	IPs       []InterfaceIP         `xml:"ip"`
	Routes    []InterfaceRoute      `xml:"route"`
	Extra     []*Node               `xml:",any"`
}

// InterfaceSourceLocal is the local end of a UDP tunnel.
type InterfaceSourceLocal struct {
	Address string `xml:"address,attr"`
	Port    string `xml:"port,attr"`
}

// InterfaceIP is an IP address of the interface.
type InterfaceIP struct {
	Address string `xml:"address,attr"`
	Family  string `xml:"family,attr,omitempty"`
	Prefix  *uint  `xml:"prefix,attr"`
	Peer    string `xml:"peer,attr,omitempty"`
}

// InterfaceRoute is a route through the interface.
type InterfaceRoute struct {
	Family  string `xml:"family,attr,omitempty"`
	Address string `xml:"address,attr"`
	Netmask string `xml:"netmask,attr,omitempty"`
	Prefix  *uint  `xml:"prefix,attr"`
	Gateway string `xml:"gateway,attr"`
	Metric  *uint  `xml:"metric,attr"`
}

// InterfacePath is a script path.
type InterfacePath struct {
	Path string `xml:"path,attr"`
}

// InterfaceTarget is the host-side device name.
type InterfaceTarget struct {
	Dev     string `xml:"dev,attr"`
	Managed string `xml:"managed,attr,omitempty"`
}

// InterfaceGuest is the device name in the guest (containers).
type InterfaceGuest struct {
	Dev    string `xml:"dev,attr,omitempty"`
	Actual string `xml:"actual,attr,omitempty"`
}

// InterfaceModel is the emulated NIC model.
type InterfaceModel struct {
	Type string `xml:"type,attr"`
}

// InterfaceDriver holds NIC driver options.
type InterfaceDriver struct {
	Name          string `xml:"name,attr,omitempty"`
	TxMode        string `xml:"txmode,attr,omitempty"`
	IOEventFD     string `xml:"ioeventfd,attr,omitempty"`
	EventIdx      string `xml:"event_idx,attr,omitempty"`
	Queues        *uint  `xml:"queues,attr"`
	RxQueueSize   *uint  `xml:"rx_queue_size,attr"`
	TxQueueSize   *uint  `xml:"tx_queue_size,attr"`
	RSS           string `xml:"rss,attr,omitempty"`
	RSSHashReport string `xml:"rss_hash_report,attr,omitempty"`
	VirtioOptions
	Attrs []Attr                `xml:",any,attr"`
	Host  *InterfaceDriverHost  `xml:"host"`
	Guest *InterfaceDriverGuest `xml:"guest"`
}

// InterfaceDriverHost holds host-side offload switches.
type InterfaceDriverHost struct {
	CSum     string `xml:"csum,attr,omitempty"`
	GSO      string `xml:"gso,attr,omitempty"`
	TSO4     string `xml:"tso4,attr,omitempty"`
	TSO6     string `xml:"tso6,attr,omitempty"`
	ECN      string `xml:"ecn,attr,omitempty"`
	UFO      string `xml:"ufo,attr,omitempty"`
	MrgRxBuf string `xml:"mrg_rxbuf,attr,omitempty"`
}

// InterfaceDriverGuest holds guest-side offload switches.
type InterfaceDriverGuest struct {
	CSum string `xml:"csum,attr,omitempty"`
	TSO4 string `xml:"tso4,attr,omitempty"`
	TSO6 string `xml:"tso6,attr,omitempty"`
	ECN  string `xml:"ecn,attr,omitempty"`
	UFO  string `xml:"ufo,attr,omitempty"`
}

// InterfaceBackend overrides the tap and vhost devices.
type InterfaceBackend struct {
	Type    string `xml:"type,attr,omitempty"`
	Tap     string `xml:"tap,attr,omitempty"`
	VHost   string `xml:"vhost,attr,omitempty"`
	LogFile string `xml:"logFile,attr,omitempty"`
}

// InterfaceFilterRef applies a network filter.
type InterfaceFilterRef struct {
	Filter     string                 `xml:"filter,attr"`
	Parameters []InterfaceFilterParam `xml:"parameter"`
}

// InterfaceFilterParam is a filter parameter.
type InterfaceFilterParam struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// InterfaceTune tunes the tap device.
type InterfaceTune struct {
	SndBuf *uint64 `xml:"sndbuf"`
}

// InterfaceTeaming ties a virtio NIC to a hostdev NIC for failover.
type InterfaceTeaming struct {
	Type       string `xml:"type,attr"`
	Persistent string `xml:"persistent,attr,omitempty"`
}

// InterfaceLink is the link state.
type InterfaceLink struct {
	State string `xml:"state,attr"`
}

// InterfaceMTU is the MTU.
type InterfaceMTU struct {
	Size uint `xml:"size,attr"`
}

// InterfaceCoalesce sets interrupt coalescing.
type InterfaceCoalesce struct {
	RX *InterfaceCoalesceRX `xml:"rx"`
}

// InterfaceCoalesceRX is receive coalescing.
type InterfaceCoalesceRX struct {
	Frames *InterfaceCoalesceFrames `xml:"frames"`
}

// InterfaceCoalesceFrames is the frame count limit.
type InterfaceCoalesceFrames struct {
	Max *uint `xml:"max,attr"`
}

// InterfacePort sets port isolation.
type InterfacePort struct {
	Isolated string `xml:"isolated,attr,omitempty"`
}

// DeviceROM is a PCI device's option ROM setting.
type DeviceROM struct {
	Enabled string  `xml:"enabled,attr,omitempty"`
	Bar     string  `xml:"bar,attr,omitempty"`
	File    *string `xml:"file,attr"`
}

// UnmarshalNode implements xmldoc.NodeUnmarshaler with the rules shared
// with network definitions.
func (b *Bandwidth) UnmarshalNode(n *xmldoc.Node) error {
	x, err := parseBandwidth(n, true)
	if err != nil {
		return err
	}
	*b = Bandwidth{}
	if x != nil {
		*b = *x
	}
	return nil
}

// MarshalNode implements xmldoc.NodeMarshaler.
func (b *Bandwidth) MarshalNode(e *xmldoc.Encoder, name string) error {
	if b.Inbound == nil && b.Outbound == nil {
		return nil
	}
	te := enc{Encoder: *e}
	b.format(&te)
	*e = te.Encoder
	return nil
}

// UnmarshalNode implements xmldoc.NodeUnmarshaler.
func (v *VLAN) UnmarshalNode(n *xmldoc.Node) error {
	x, err := parseVLAN(n)
	if err != nil {
		return err
	}
	*v = *x
	return nil
}

// MarshalNode implements xmldoc.NodeMarshaler.
func (v *VLAN) MarshalNode(e *xmldoc.Encoder, name string) error {
	te := enc{Encoder: *e}
	v.format(&te)
	*e = te.Encoder
	return nil
}

// UnmarshalNode implements xmldoc.NodeUnmarshaler.
func (vp *VirtualPort) UnmarshalNode(n *xmldoc.Node) error {
	x, err := parseVirtualPort(n, false)
	if err != nil {
		return err
	}
	*vp = *x
	return nil
}

// MarshalNode implements xmldoc.NodeMarshaler.
func (vp *VirtualPort) MarshalNode(e *xmldoc.Encoder, name string) error {
	te := enc{Encoder: *e}
	vp.format(&te)
	*e = te.Encoder
	return nil
}

// InterfaceHostdevDriver is the <driver> of a type='hostdev' interface,
// which libvirt writes before the source.
type InterfaceHostdevDriver InterfaceDriver

// MarshalNode implements xmldoc.NodeMarshaler: it writes a <driver>.
func (d *InterfaceHostdevDriver) MarshalNode(e *xmldoc.Encoder, name string) error {
	return xmldoc.Marshal(e, "driver", (*InterfaceDriver)(d))
}
