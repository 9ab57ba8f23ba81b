package virtxml

// SecLabel is a security label (domain-wide or per device source).
type SecLabel struct {
	Type       string  `xml:"type,attr,omitempty"`
	Model      string  `xml:"model,attr,omitempty"`
	Relabel    string  `xml:"relabel,attr,omitempty"`
	LabelSkip  string  `xml:"labelskip,attr,omitempty"`
	Label      string  `xml:"label,omitempty"`
	ImageLabel string  `xml:"imagelabel,omitempty"`
	BaseLabel  string  `xml:"baselabel,omitempty"`
	Extra      []*Node `xml:",any"`
}

// LaunchSecurity configures confidential guests (AMD SEV, s390 PV).
type LaunchSecurity struct {
	Type            string  `xml:"type,attr"`
	KernelHashes    string  `xml:"kernelHashes,attr,omitempty"`
	CBitPos         *uint   `xml:"cbitpos"`
	ReducedPhysBits *uint   `xml:"reducedPhysBits"`
	Policy          string  `xml:"policy,omitempty"`
	DHCert          string  `xml:"dhCert,omitempty"`
	Session         string  `xml:"session,omitempty"`
	Extra           []*Node `xml:",any"`
}

// SysInfo is SMBIOS or fw_cfg data given to the guest.
type SysInfo struct {
	Type       string         `xml:"type,attr"`
	BIOS       *SysInfoBlock  `xml:"bios"`
	System     *SysInfoBlock  `xml:"system"`
	BaseBoards []SysInfoBlock `xml:"baseBoard"`
	Chassis    *SysInfoBlock  `xml:"chassis"`
	OEMStrings *SysInfoBlock  `xml:"oemStrings"`
	Entries    []SysInfoEntry `xml:"entry"`
	Extra      []*Node        `xml:",any"`
}

// SysInfoBlock is one SMBIOS table: a list of named entries.
type SysInfoBlock struct {
	Entries []SysInfoEntry `xml:"entry"`
}

// SysInfoEntry is one named value (or, for fw_cfg, a file).
type SysInfoEntry struct {
	Name  string `xml:"name,attr,omitempty"`
	File  string `xml:"file,attr,omitempty"`
	Value string `xml:",chardata"`
}

// sysinfoOrder is libvirt's fixed order of the entries of each table.
var sysinfoOrder = map[string][]string{
	"bios":      {"vendor", "version", "date", "release"},
	"system":    {"manufacturer", "product", "version", "serial", "uuid", "sku", "family"},
	"baseBoard": {"manufacturer", "product", "version", "serial", "asset", "location"},
	"chassis":   {"manufacturer", "version", "serial", "asset", "sku"},
}
