package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// devModifyFlags reads --current, --config, --live and (when the command has
// it) --persistent as virsh's device commands do. It returns the flags and
// whether --current was given.
func devModifyFlags(c *call, persistentOpt bool) (virt.ModifyFlags, bool, error) {
	current, config, live := c.has("current"), c.has("config"), c.has("live")
	persistent := persistentOpt && c.has("persistent")
	if err := exclusiveVars("persistent", persistent, "current", current); err != nil {
		return 0, false, err
	}
	if err := exclusiveVars("current", current, "live", live); err != nil {
		return 0, false, err
	}
	if err := exclusiveVars("current", current, "config", config); err != nil {
		return 0, false, err
	}
	var flags virt.ModifyFlags
	if config || persistent {
		flags |= virt.AffectConfig
	}
	if live {
		flags |= virt.AffectLive
	}
	return flags, current, nil
}

// persistentLive adds AFFECT_LIVE for --persistent on a running domain.
func (s *session) persistentLive(c *call, dom *virt.Domain, flags virt.ModifyFlags) virt.ModifyFlags {
	if c.has("persistent") {
		if on, err := dom.IsActive(s.ctx); err == nil && on {
			flags |= virt.AffectLive
		}
	}
	return flags
}

// attach calls the flags variant of the call when flags or --current were
// given and the old one otherwise, as virsh does.
func (s *session) attach(dom *virt.Domain, xml string, flags virt.ModifyFlags, current bool) error {
	if flags != 0 || current {
		return dom.AttachDevice(s.ctx, xml, flags)
	}
	return dom.AttachDeviceLegacy(s.ctx, xml)
}

func (s *session) detach(dom *virt.Domain, xml string, flags virt.ModifyFlags, current bool) error {
	if flags != 0 || current {
		return dom.DetachDevice(s.ctx, xml, flags)
	}
	return dom.DetachDeviceLegacy(s.ctx, xml)
}

// deviceFileCmd implements attach-device, detach-device and update-device.
func deviceFileCmd(s *session, c *call, op, what string) error {
	flags, current, err := devModifyFlags(c, true)
	if err != nil {
		return err
	}
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	from, doc, err := s.fileArg(c)
	if err != nil {
		return err
	}
	flags = s.persistentLive(c, dom, flags)
	switch op {
	case "attach":
		err = s.attach(dom, doc, flags, current)
	case "detach":
		err = s.detach(dom, doc, flags, current)
	default:
		if c.has("force") {
			flags |= 1 << 2 // VIR_DOMAIN_DEVICE_MODIFY_FORCE
		}
		err = dom.UpdateDevice(s.ctx, doc, flags)
	}
	if err != nil {
		return fail(err, "Failed to %s device from %s", op, from)
	}
	s.extraf("Device %s successfully\n", what)
	return nil
}

func cmdAttachDevice(s *session, c *call) error {
	return deviceFileCmd(s, c, "attach", "attached")
}

func cmdDetachDevice(s *session, c *call) error {
	return deviceFileCmd(s, c, "detach", "detached")
}

func cmdUpdateDevice(s *session, c *call) error {
	return deviceFileCmd(s, c, "update", "updated")
}

func cmdDetachDeviceAlias(s *session, c *call) error {
	flags, _, err := devModifyFlags(c, false)
	if err != nil {
		return err
	}
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	alias, _, err := c.str("alias")
	if err != nil {
		return err
	}
	if err := dom.DetachDeviceAlias(s.ctx, alias, flags); err != nil {
		return fail(err, "Failed to detach device with alias %s", alias)
	}
	s.extraf("Device detach request sent successfully\n")
	return nil
}

// optStrings reads string options into a map; absent ones are missing.
func optStrings(c *call, names ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		v, ok, err := c.str(n)
		if err != nil {
			return nil, err
		}
		if ok {
			out[n] = v
		}
	}
	return out, nil
}

// attrEsc escapes an attribute value as virBufferEscapeString does.
func attrEsc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", "\"", "&quot;").Replace(s)
}

func cmdAttachDisk(s *session, c *call) error {
	flags, current, err := devModifyFlags(c, true)
	if err != nil {
		return err
	}
	for _, p := range [][2]string{{"source-host-name", "source-protocol"}, {"source-host-transport", "source-protocol"},
		{"source-host-socket", "source-protocol"}, {"source-host-socket", "source-host-transport"}} {
		if c.has(p[0]) && !c.has(p[1]) {
			return fail(errNoCause, "Option --%s is required by option --%s", p[1], p[0])
		}
	}
	if err := c.exclusive("source-host-name", "source-host-socket"); err != nil {
		return err
	}
	o, err := optStrings(c, "source", "target", "driver", "subdriver", "type", "mode", "iothread", "cache", "io",
		"serial", "wwn", "address", "targetbus", "alias", "sourcetype", "source-protocol", "source-host-name",
		"source-host-transport", "source-host-socket")
	if err != nil {
		return err
	}
	typ := ""
	if st, ok := o["sourcetype"]; ok {
		switch st {
		case "", "file", "block", "network":
			typ = st
		default:
			return fail(errNoCause, "Unknown source type: '%s'", st)
		}
	}
	_, proto := o["source-protocol"]
	if typ == "" {
		if proto {
			typ = "network"
		} else if drv, ok := o["driver"]; (!ok || (drv != "file" && drv != "tap")) && isBlockDevice(o["source"]) {
			typ = "block"
		} else {
			typ = "file"
		}
	}
	if (typ == "network") != proto {
		return fail(errNoCause, "--source-protocol option requires --sourcetype network")
	}
	mode, haveMode := o["mode"]
	if haveMode && mode != "readonly" && mode != "shareable" {
		return fail(errNoCause, "No support for %s in command 'attach-disk'", mode)
	}
	if wwn, ok := o["wwn"]; ok {
		if err := validWWN(wwn); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString("<disk type='" + typ + "'")
	if v, ok := o["type"]; ok {
		b.WriteString(" device='" + attrEsc(v) + "'")
	}
	if c.has("rawio") {
		b.WriteString(" rawio='yes'")
	}
	b.WriteString(">\n")
	drv := ""
	for _, k := range [][2]string{{"driver", "name"}, {"subdriver", "type"}, {"iothread", "iothread"}, {"cache", "cache"}, {"io", "io"}} {
		if v, ok := o[k[0]]; ok {
			drv += " " + k[1] + "='" + attrEsc(v) + "'"
		}
	}
	if drv != "" {
		b.WriteString("  <driver" + drv + "/>\n")
	}
	src := o["source"]
	switch typ {
	case "file":
		b.WriteString("  <source file='" + attrEsc(src) + "'/>\n")
	case "block":
		b.WriteString("  <source dev='" + attrEsc(src) + "'/>\n")
	case "network":
		b.WriteString("  <source protocol='" + attrEsc(o["source-protocol"]) + "' name='" + attrEsc(src) + "'")
		host := ""
		if v, ok := o["source-host-transport"]; ok {
			host += " transport='" + attrEsc(v) + "'"
		}
		if v, ok := o["source-host-socket"]; ok {
			host += " socket='" + attrEsc(v) + "'"
		}
		if v, ok := o["source-host-name"]; ok {
			name, port, hasPort := strings.Cut(v, ":")
			host += " name='" + attrEsc(name) + "'"
			if hasPort {
				host += " port='" + attrEsc(port) + "'"
			}
		}
		if host != "" {
			b.WriteString(">\n    <host" + host + "/>\n  </source>\n")
		} else {
			b.WriteString("/>\n")
		}
	}
	b.WriteString("  <target dev='" + o["target"] + "'")
	if v, ok := o["targetbus"]; ok {
		b.WriteString(" bus='" + v + "'")
	}
	b.WriteString("/>\n")
	if haveMode {
		b.WriteString("  <" + mode + "/>\n")
	}
	if v, ok := o["serial"]; ok {
		b.WriteString("  <serial>" + v + "</serial>\n")
	}
	if v, ok := o["alias"]; ok {
		b.WriteString("  <alias name='" + v + "'/>\n")
	}
	if v, ok := o["wwn"]; ok {
		b.WriteString("  <wwn>" + v + "</wwn>\n")
	}
	if v, ok := o["address"]; ok {
		addr, err := diskAddress(v, o["target"], c.has("multifunction"))
		if err != nil {
			return err
		}
		b.WriteString("  " + addr + "\n")
	}
	b.WriteString("</disk>\n")
	xml := b.String()
	if c.has("print-xml") {
		s.print(xml)
		return nil
	}
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	flags = s.persistentLive(c, dom, flags)
	if err := s.attach(dom, xml, flags, current); err != nil {
		return fail(err, "Failed to attach disk")
	}
	s.extraf("Disk attached successfully\n")
	return nil
}

func isBlockDevice(path string) bool {
	if path == "" {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && st.Mode()&os.ModeDevice != 0 && st.Mode()&os.ModeCharDevice == 0
}

// diskAddress parses virsh's --address forms (pci:D.B.S.F, scsi:C.B.U,
// ide:C.B.U, sata:C.B.U, usb:B.P, ccw:C.S.D) and writes the <address>
// element, checking it suits the target as cmdAttachDiskFormatAddress does.
func diskAddress(s, target string, multifunction bool) (string, error) {
	kind, rest, ok := strings.Cut(s, ":")
	invalid := fail(errNoCause, "Invalid address.")
	if !ok {
		return "", invalid
	}
	parts := strings.Split(rest, ".")
	if kind == "pci" {
		parts = strings.FieldsFunc(rest, func(r rune) bool { return r == '.' || r == ':' })
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(p), "0x"), 16, 32)
		if kind != "pci" && kind != "ccw" {
			n, err = strconv.ParseUint(p, 10, 32)
		}
		if err != nil {
			return "", invalid
		}
		nums[i] = n
	}
	var addr string
	switch kind {
	case "pci":
		if len(nums) != 4 {
			return "", invalid
		}
		addr = fmt.Sprintf("<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'", nums[0], nums[1], nums[2], nums[3])
		if multifunction {
			addr += " multifunction='on'"
		}
		addr += "/>"
	case "ccw":
		if len(nums) != 3 {
			return "", invalid
		}
		addr = fmt.Sprintf("<address type='ccw' cssid='0x%02x' ssid='0x%x' devno='0x%04x'/>", nums[0], nums[1], nums[2])
	case "scsi", "ide", "sata":
		if len(nums) != 3 {
			return "", invalid
		}
		t := kind
		if kind != "ccw" {
			t = "drive"
		}
		addr = fmt.Sprintf("<address type='%s' controller='%d' bus='%d' unit='%d'/>", t, nums[0], nums[1], nums[2])
	case "usb":
		if len(nums) != 2 {
			return "", invalid
		}
		addr = fmt.Sprintf("<address type='usb' bus='%d' port='%d'/>", nums[0], nums[1])
	default:
		return "", invalid
	}
	switch {
	case strings.HasPrefix(target, "vd") && kind != "pci" && kind != "ccw":
		return "", fail(errNoCause, "expecting a pci:0000.00.00.00 or ccw:00.0.0000 address.")
	case strings.HasPrefix(target, "sd") && kind != "scsi" && kind != "usb" && kind != "sata":
		return "", fail(errNoCause, "expecting a scsi:00.00.00 or usb:00.00 or sata:00.00.00 address.")
	case strings.HasPrefix(target, "hd") && kind != "ide":
		return "", fail(errNoCause, "expecting an ide:00.00.00 address.")
	}
	return addr, nil
}

var domainNetTypes = []string{"user", "ethernet", "vhostuser", "server", "client", "mcast", "network",
	"bridge", "internal", "direct", "hostdev", "udp", "vdpa", "null", "vds"}

// parseRateStr parses virsh's 'average,peak,burst,floor' bandwidth string.
func parseRateStr(s string) ([4]uint64, error) {
	var r [4]uint64
	tok := strings.Split(s, ",")
	if len(tok) > 4 {
		return r, fail(errNoCause, "Rate string '%s' has too many fields", s)
	}
	for i, t := range tok {
		if t == "" {
			continue
		}
		n, err := parseCUint(t, 64)
		if err != nil {
			return r, fail(errNoCause, "field '%s' is malformed", []string{"average", "peak", "burst", "floor"}[i])
		}
		r[i] = n
	}
	return r, nil
}

func cmdAttachInterface(s *session, c *call) error {
	flags, current, err := devModifyFlags(c, true)
	if err != nil {
		return err
	}
	o, err := optStrings(c, "type", "source", "target", "mac", "script", "model", "alias", "inbound", "outbound", "source-mode")
	if err != nil {
		return err
	}
	typ := o["type"]
	if indexOf(domainNetTypes, typ) < 0 {
		return fail(errNoCause, "No support for %s in command 'attach-interface'", typ)
	}
	mode, haveMode := o["source-mode"]
	if haveMode && mode != "server" && mode != "client" {
		return fail(errNoCause, "Invalid source mode: %s", mode)
	}
	var in, out [4]uint64
	if v, ok := o["inbound"]; ok {
		if in, err = parseRateStr(v); err != nil {
			return err
		}
		if in[0] == 0 && in[3] == 0 {
			return fail(errNoCause, "either inbound average or floor is mandatory")
		}
	}
	if v, ok := o["outbound"]; ok {
		if out, err = parseRateStr(v); err != nil {
			return err
		}
		if out[0] == 0 {
			return fail(errNoCause, "outbound average is mandatory")
		}
		if out[3] != 0 {
			return fail(errNoCause, "outbound floor is unsupported yet")
		}
	}
	var b strings.Builder
	b.WriteString("<interface type='" + typ + "'")
	if c.has("managed") {
		b.WriteString(" managed='yes'")
	}
	b.WriteString(">\n")
	src := o["source"]
	switch typ {
	case "network", "bridge":
		b.WriteString("  <source " + typ + "='" + src + "'/>\n")
	case "direct":
		b.WriteString("  <source dev='" + src + "'/>\n")
	case "hostdev":
		addr, err := diskAddress("pci:"+src, "", false)
		if err != nil {
			return fail(errNoCause, "cannot parse pci address '%s' for network interface", src)
		}
		b.WriteString("  <source>\n    " + addr + "\n  </source>\n")
	case "vhostuser":
		if !haveMode {
			return fail(errNoCause, "source-mode is mandatory")
		}
		b.WriteString("  <source type='unix' path='" + src + "' mode='" + mode + "'/>\n")
	default:
		return fail(errNoCause, "No support for %s in command 'attach-interface'", typ)
	}
	for _, k := range [][3]string{{"target", "target", "dev"}, {"mac", "mac", "address"}, {"script", "script", "path"},
		{"model", "model", "type"}, {"alias", "alias", "name"}} {
		if v, ok := o[k[0]]; ok {
			b.WriteString("  <" + k[1] + " " + k[2] + "='" + v + "'/>\n")
		}
	}
	_, haveIn := o["inbound"]
	_, haveOut := o["outbound"]
	if haveIn || haveOut {
		b.WriteString("  <bandwidth>\n")
		if haveIn && (in[0] != 0 || in[3] != 0) {
			b.WriteString("    <inbound")
			for i, k := range []string{"average", "peak", "burst", "floor"} {
				if in[i] > 0 {
					b.WriteString(fmt.Sprintf(" %s='%d'", k, in[i]))
				}
			}
			b.WriteString("/>\n")
		}
		if haveOut && out[0] > 0 {
			b.WriteString(fmt.Sprintf("    <outbound average='%d'", out[0]))
			for i, k := range []string{"", "peak", "burst"} {
				if i > 0 && out[i] > 0 {
					b.WriteString(fmt.Sprintf(" %s='%d'", k, out[i]))
				}
			}
			b.WriteString("/>\n")
		}
		b.WriteString("  </bandwidth>\n")
	}
	b.WriteString("</interface>\n")
	xml := b.String()
	if c.has("print-xml") {
		s.print(xml)
		return nil
	}
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	flags = s.persistentLive(c, dom, flags)
	if err := s.attach(dom, xml, flags, current); err != nil {
		return fail(err, "Failed to attach interface")
	}
	s.extraf("Interface attached successfully\n")
	return nil
}

// libxmlDump writes n as libxml2's xmlNodeDump does for an element of a
// libvirt-formatted document at the given depth: double-quoted attributes
// and the document's own indentation, without a leading indent or a final
// newline. extra, when not "", is appended as a last child, as virsh adds
// nodes.
func libxmlDump(n *xmldoc.Node, depth int, extra string) string {
	var b strings.Builder
	var dump func(n *xmldoc.Node, depth int, extra string)
	dump = func(n *xmldoc.Node, depth int, extra string) {
		b.WriteString("<" + n.Name)
		for _, a := range n.Attrs {
			b.WriteString(" " + a.Name + "=\"" + strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;").Replace(a.Value) + "\"")
		}
		switch {
		case len(n.Children) > 0:
			b.WriteString(">")
			for _, c := range n.Children {
				b.WriteString("\n" + strings.Repeat("  ", depth+1))
				dump(c, depth+1, "")
			}
			b.WriteString("\n" + strings.Repeat("  ", depth) + extra + "</" + n.Name + ">")
		case n.Text != "":
			b.WriteString(">" + escapeText(n.Text) + extra + "</" + n.Name + ">")
		case extra != "":
			b.WriteString(">" + extra + "</" + n.Name + ">")
		default:
			b.WriteString("/>")
		}
	}
	dump(n, depth, extra)
	return b.String()
}

func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// domainDevices returns the parsed domain XML's <devices> children.
func (s *session) domainDevices(dom *virt.Domain, inactive bool) ([]*xmldoc.Node, error) {
	var flags virt.DomainXMLFlags
	if inactive {
		flags = virt.XMLInactive
	}
	doc, err := dom.XML(s.ctx, flags)
	if err != nil {
		return nil, err
	}
	root, err := xmldoc.Parse([]byte(doc))
	if err != nil {
		return nil, fail(errNoCause, "Failed to parse domain XML")
	}
	devs := root.Child("devices")
	if devs == nil {
		return nil, nil
	}
	return devs.Children, nil
}

// findDisk finds a disk by target or source as virshFindDisk does;
// changeable limits it to CD-ROMs and floppies.
func findDisk(devs []*xmldoc.Node, path string, changeable bool) *xmldoc.Node {
	for _, d := range devs {
		if d.Name != "disk" {
			continue
		}
		if changeable {
			if dev, _ := d.Attr("device"); dev != "cdrom" && dev != "floppy" {
				continue
			}
		}
		for _, ch := range d.Children {
			switch ch.Name {
			case "source":
				for _, a := range []string{"file", "dev", "dir", "name"} {
					if v, ok := ch.Attr(a); ok {
						if v == path {
							return d
						}
						break
					}
				}
			case "target":
				if v, _ := ch.Attr("dev"); v == path {
					return d
				}
			}
		}
	}
	return nil
}

func cmdDetachDisk(s *session, c *call) error {
	flags, current, err := devModifyFlags(c, true)
	if err != nil {
		return err
	}
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	target, _, err := c.str("target")
	if err != nil {
		return err
	}
	flags = s.persistentLive(c, dom, flags)
	devs, err := s.domainDevices(dom, flags == virt.AffectConfig)
	if err != nil {
		return err
	}
	disk := findDisk(devs, target, false)
	if disk == nil {
		return fail(errNoCause, "No disk found whose source path or target is %s", target)
	}
	xml := libxmlDump(disk, 2, "")
	if c.has("print-xml") {
		s.print(xml)
		return nil
	}
	if err := s.detach(dom, xml, flags, current); err != nil {
		return fail(err, "Failed to detach disk")
	}
	s.extraf("Disk detached successfully\n")
	return nil
}

func cmdDetachInterface(s *session, c *call) error {
	flags, current, err := devModifyFlags(c, true)
	if err != nil {
		return err
	}
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	o, err := optStrings(c, "type", "mac")
	if err != nil {
		return err
	}
	flags = s.persistentLive(c, dom, flags)
	devs, err := s.domainDevices(dom, flags&virt.AffectConfig != 0)
	if err != nil {
		return err
	}
	typ := o["type"]
	var found []*xmldoc.Node
	for _, d := range devs {
		if t, _ := d.Attr("type"); d.Name == "interface" && t == typ {
			found = append(found, d)
		}
	}
	failed := fail(errNoCause, "Failed to detach interface")
	var iface *xmldoc.Node
	if mac, ok := o["mac"]; !ok {
		switch {
		case len(found) == 0:
			s.errorf("No interface found whose type is %s", typ)
			return failed
		case len(found) > 1:
			s.errorf("Domain has %d interfaces. Please specify which one to detach using --mac", len(found))
			return failed
		}
		iface = found[0]
	} else {
		for _, d := range found {
			m := d.Child("mac")
			if m == nil {
				continue
			}
			if v, _ := m.Attr("address"); strings.EqualFold(v, mac) {
				if iface != nil {
					s.errorf("Domain has multiple interfaces matching MAC address %s. You must use detach-device and specify the device pci address to remove it.", mac)
					return failed
				}
				iface = d
			}
		}
		if iface == nil {
			s.errorf("No interface with MAC address %s was found", mac)
			return failed
		}
	}
	xml := libxmlDump(iface, 2, "")
	if c.has("print-xml") {
		s.print(xml)
		return nil
	}
	if err := s.detach(dom, xml, flags, current); err != nil {
		return fail(err, "Failed to detach interface")
	}
	s.extraf("Interface detached successfully\n")
	return nil
}

func cmdDomifSetlink(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	o, err := optStrings(c, "interface", "state")
	if err != nil {
		return err
	}
	name, state := o["interface"], o["state"]
	if state != "up" && state != "down" {
		return fail(errNoCause, "invalid link state '%s'", state)
	}
	config := c.has("config")
	flags := virt.AffectLive
	if config {
		flags = virt.AffectConfig
	} else if on, err := dom.IsActive(s.ctx); err == nil && !on {
		flags = virt.AffectConfig
	}
	devs, err := s.domainDevices(dom, config)
	if err != nil {
		return err
	}
	isMAC := isMACAddr(name)
	var iface *xmldoc.Node
	for _, d := range devs {
		if d.Name != "interface" {
			continue
		}
		if isMAC {
			if m := d.Child("mac"); m != nil {
				if v, _ := m.Attr("address"); strings.EqualFold(v, name) {
					iface = d
					break
				}
			}
		} else if t := d.Child("target"); t != nil {
			if v, _ := t.Attr("dev"); v == name {
				iface = d
				break
			}
		}
	}
	if iface == nil {
		return fail(errNoCause, "interface '%s' not found", name)
	}
	extra := ""
	if l := iface.Child("link"); l != nil {
		setAttr(l, "state", state)
	} else {
		extra = "<link state=\"" + state + "\"/>"
	}
	xml := libxmlDump(iface, 2, extra)
	if c.has("print-xml") {
		s.print(xml)
		return nil
	}
	if err := dom.UpdateDevice(s.ctx, xml, flags); err != nil {
		return fail(err, "Failed to update interface link state")
	}
	s.extraf("Device updated successfully\n")
	return nil
}

func cmdChangeMedia(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	path, _, err := c.str("path")
	if err != nil {
		return err
	}
	eject, insert, update := c.has("eject"), c.has("insert"), c.has("update")
	n := 0
	for _, b := range []bool{eject, insert, update} {
		if b {
			n++
		}
	}
	if n > 1 {
		return fail(errNoCause, "--eject, --insert, and --update are mutually exclusive")
	}
	action, done := "update", "Successfully updated media."
	switch {
	case eject:
		action, done = "eject", "Successfully ejected media."
	case insert:
		action, done = "insert", "Successfully inserted media."
	}
	src, haveSrc, err := c.str("source")
	if err != nil {
		return err
	}
	if eject && haveSrc {
		return fail(errNoCause, "--eject does not accept --source")
	}
	if (insert || (!eject && !update)) && !haveSrc && !update {
		return fail(errNoCause, "No source is specified for inserting media")
	}
	flags, _, err := devModifyFlags(c, false)
	if err != nil {
		return err
	}
	if c.has("force") {
		flags |= 1 << 2 // VIR_DOMAIN_DEVICE_MODIFY_FORCE
	}
	devs, err := s.domainDevices(dom, flags&virt.AffectConfig != 0 && flags&virt.AffectLive == 0)
	if err != nil {
		return err
	}
	disk := findDisk(devs, path, true)
	if disk == nil {
		return fail(errNoCause, "No disk found whose source path or target is %s", path)
	}
	kept := disk.Children[:0:0]
	var tgt *xmldoc.Node
	for _, ch := range disk.Children {
		if ch.Name == "source" {
			continue
		}
		if ch.Name == "target" {
			tgt = ch
		}
		kept = append(kept, ch)
	}
	if !eject && haveSrc {
		attr := "file"
		if c.has("block") {
			attr = "dev"
		}
		srcNode := &xmldoc.Node{Name: "source", Attrs: []xmldoc.Attr{{Name: attr, Value: src}}}
		out := kept[:0:0]
		for _, ch := range kept {
			if ch == tgt {
				out = append(out, srcNode)
			}
			out = append(out, ch)
		}
		kept = out
	}
	disk.Children = kept
	xml := libxmlDump(disk, 2, "")
	if c.has("print-xml") {
		s.print(xml)
		return nil
	}
	if err := dom.UpdateDevice(s.ctx, xml, flags); err != nil {
		return fail(err, "Failed to complete action %s on media", action)
	}
	s.extraf("%s\n", done)
	return nil
}
