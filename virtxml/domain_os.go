package virtxml

// OS is the <os> element: the guest type, firmware and boot order.
type OS struct {
	Firmware     string          `xml:"firmware,attr,omitempty"`
	Attrs        []Attr          `xml:",any,attr"`
	Type         OSType          `xml:"type"`
	FirmwareInfo *OSFirmwareInfo `xml:"firmware"`
	Init         string          `xml:"init,omitempty"`
	InitArgs     []string        `xml:"initarg"`
	InitEnv      []OSInitEnv     `xml:"initenv"`
	InitDir      string          `xml:"initdir,omitempty"`
	InitUser     string          `xml:"inituser,omitempty"`
	InitGroup    string          `xml:"initgroup,omitempty"`
	Loader       *OSLoader       `xml:"loader"`
	NVRAM        *OSNVRAM        `xml:"nvram"`
	Kernel       string          `xml:"kernel,omitempty"`
	Initrd       string          `xml:"initrd,omitempty"`
	Cmdline      string          `xml:"cmdline,omitempty"`
	DTB          string          `xml:"dtb,omitempty"`
	Root         string          `xml:"root,omitempty"`
	ACPI         *OSACPI         `xml:"acpi"`
	Boots        []Boot          `xml:"boot"`
	BootMenu     *BootMenu       `xml:"bootmenu"`
	BIOS         *OSBIOS         `xml:"bios"`
	SMBIOS       *OSSMBIOS       `xml:"smbios"`
	Extra        []*Node         `xml:",any"`
}

// OSType is <os><type arch= machine=>hvm</type>.
type OSType struct {
	Arch    string `xml:"arch,attr,omitempty"`
	Machine string `xml:"machine,attr,omitempty"`
	Type    string `xml:",chardata"`
}

// OSFirmwareInfo lists firmware features wanted from autoselection.
type OSFirmwareInfo struct {
	Features []OSFirmwareFeature `xml:"feature"`
}

// OSFirmwareFeature is one wanted (or unwanted) firmware feature.
type OSFirmwareFeature struct {
	Enabled string `xml:"enabled,attr"`
	Name    string `xml:"name,attr"`
}

// OSInitEnv is one environment variable of a container's init.
type OSInitEnv struct {
	Name  string `xml:"name,attr"`
	Value string `xml:",chardata"`
}

// OSLoader is the firmware image.
type OSLoader struct {
	Readonly  string `xml:"readonly,attr,omitempty"`
	Secure    string `xml:"secure,attr,omitempty"`
	Type      string `xml:"type,attr,omitempty"`
	Stateless string `xml:"stateless,attr,omitempty"`
	Format    string `xml:"format,attr,omitempty"`
	Path      string `xml:",chardata"`
}

// OSNVRAM is the firmware variable store.
type OSNVRAM struct {
	Template string      `xml:"template,attr,omitempty"`
	Type     string      `xml:"type,attr,omitempty"`
	Format   string      `xml:"format,attr,omitempty"`
	Source   *DiskSource `xml:"source"`
	Path     string      `xml:",chardata"`
}

// OSACPI lists ACPI tables given to the guest.
type OSACPI struct {
	Tables []OSACPITable `xml:"table"`
}

// OSACPITable is one ACPI table file.
type OSACPITable struct {
	Type string `xml:"type,attr"`
	Path string `xml:",chardata"`
}

// Boot is one <boot dev=.../> entry.
type Boot struct {
	Dev string `xml:"dev,attr"`
}

// BootMenu is the interactive boot menu setting.
type BootMenu struct {
	Enable  string `xml:"enable,attr,omitempty"`
	Timeout *uint  `xml:"timeout,attr"`
}

// OSBIOS holds BIOS options.
type OSBIOS struct {
	UseSerial     string `xml:"useserial,attr,omitempty"`
	RebootTimeout *int   `xml:"rebootTimeout,attr"`
}

// OSSMBIOS selects where the SMBIOS data comes from.
type OSSMBIOS struct {
	Mode string `xml:"mode,attr"`
}
