package virtxml

// Chardev is a character device: <serial>, <parallel>, <console> or
// <channel>. Type selects the host side (pty, file, tcp, unix, ...).
type Chardev struct {
	Type  string `xml:"type,attr,omitempty"`
	TTY   string `xml:"tty,attr,omitempty"`
	Attrs []Attr `xml:",any,attr"`
	CharSourceFields
	Log     *CharLog     `xml:"log"`
	Target  *CharTarget  `xml:"target"`
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
	Extra   []*Node      `xml:",any"`
}

// CharSourceFields is the host side of a character device: its sources
// (two for UDP: bind and connect) and the TCP protocol.
type CharSourceFields struct {
	Sources  []CharSource  `xml:"source"`
	Protocol *CharProtocol `xml:"protocol"`
	// noPathOK lets a unix socket go without a path (virtio channels,
	// whose path the hypervisor driver picks).
	noPathOK bool
}

// CharSource is one <source> of a character device.
type CharSource struct {
	Mode      string         `xml:"mode,attr,omitempty"`
	Master    string         `xml:"master,attr,omitempty"`
	Slave     string         `xml:"slave,attr,omitempty"`
	Host      string         `xml:"host,attr,omitempty"`
	Service   string         `xml:"service,attr,omitempty"`
	Path      string         `xml:"path,attr,omitempty"`
	Append    string         `xml:"append,attr,omitempty"`
	Channel   string         `xml:"channel,attr,omitempty"`
	TLS       string         `xml:"tls,attr,omitempty"`
	Type      string         `xml:"type,attr,omitempty"`
	Attrs     []Attr         `xml:",any,attr"`
	SecLabels []SecLabel     `xml:"seclabel"`
	Reconnect *Reconnect     `xml:"reconnect"`
	Clipboard *CharClipboard `xml:"clipboard"`
	Mouse     *CharMouse     `xml:"mouse"`
	Extra     []*Node        `xml:",any"`
}

// CharClipboard is the qemu-vdagent clipboard setting.
type CharClipboard struct {
	CopyPaste string `xml:"copypaste,attr"`
}

// CharMouse is the qemu-vdagent mouse mode.
type CharMouse struct {
	Mode string `xml:"mode,attr"`
}

// CharProtocol is the wire protocol of a TCP character device.
type CharProtocol struct {
	Type string `xml:"type,attr"`
}

// CharLog logs a character device's output.
type CharLog struct {
	File   string `xml:"file,attr"`
	Append string `xml:"append,attr,omitempty"`
}

// CharTarget is the guest side of a character device.
type CharTarget struct {
	Type    string           `xml:"type,attr,omitempty"`
	Address string           `xml:"address,attr,omitempty"`
	Port    *string          `xml:"port,attr"`
	Name    string           `xml:"name,attr,omitempty"`
	State   string           `xml:"state,attr,omitempty"`
	Model   *CharTargetModel `xml:"model"`
}

// CharTargetModel is the serial device model.
type CharTargetModel struct {
	Name string `xml:"name,attr"`
}

// RedirDev is a redirected (USB) device.
type RedirDev struct {
	Bus   string `xml:"bus,attr,omitempty"`
	Type  string `xml:"type,attr"`
	Attrs []Attr `xml:",any,attr"`
	CharSourceFields
	Boot    *DeviceBoot  `xml:"boot"`
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
	Extra   []*Node      `xml:",any"`
}
