package test

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// nodeDev is a host device of the node, as libvirt's virNodeDeviceDef
// keeps the parts the test driver uses: the system and SCSI host
// capabilities are modelled, others are kept as given.
type nodeDev struct {
	name   string
	parent string
	// parentWWNN, parentWWPN and parentFabric are the <parent> attributes
	// that name a vHBA's parent by its FC names.
	parentWWNN, parentWWPN, parentFabric string
	caps                                 []*devCap
}

// devCap is one <capability> of a device.
type devCap struct {
	typ string
	// system
	product  string
	hardware [4]string // vendor, version, serial, uuid
	firmware [3]string // vendor, version, release_date
	// scsi_host
	host, uniqueID        int
	fc, vports            bool
	wwnn, wwpn, fabricWWN string
	// raw keeps a capability of another type as given.
	raw *xmldoc.Node
}

// nodeDevCapTypes are libvirt's virNodeDevCapType names.
var nodeDevCapTypes = virt.NodeDeviceCapNames

const (
	existingDevice = false
	createDevice   = true
)

func nodeDevErr(code *virt.Error, format string, args ...any) error {
	return virt.Errorf(code, virt.FromNodeDev, format, args...)
}

// parseNodeDev parses a device description as virNodeDeviceDefParseString
// does; create selects CREATE_DEVICE, where the name is "new device" and
// FC names may be left out (and then fail to be generated).
func parseNodeDev(doc string, create bool) (*nodeDev, error) {
	root, err := xmldoc.Parse([]byte(doc))
	if err != nil {
		var se *xmldoc.SyntaxError
		if errors.As(err, &se) {
			return nil, virt.Errorf(virt.ErrXMLDetail, virt.FromNodeDev, "(node_device_definition):%d: %s", se.Line, se.Msg)
		}
		return nil, virt.Errorf(virt.ErrXMLDetail, virt.FromNodeDev, "(node_device_definition): %v", err)
	}
	if root.Name != "device" {
		return nil, nodeDevErr(virt.ErrXML, "expecting root element of 'device', not '%s'", root.Name)
	}
	d := &nodeDev{}
	if create {
		d.name = "new device"
	} else {
		n := root.Child("name")
		if n == nil || n.Text == "" {
			return nil, nodeDevErr(virt.ErrInternal, "no device name")
		}
		d.name = n.Text
	}
	if p := root.Child("parent"); p != nil {
		d.parent = p.Text
		d.parentWWNN, _ = p.Attr("wwnn")
		d.parentWWPN, _ = p.Attr("wwpn")
		d.parentFabric, _ = p.Attr("fabric_wwn")
		if (d.parentWWNN == "") != (d.parentWWPN == "") {
			return nil, nodeDevErr(virt.ErrXML, "must supply both wwnn and wwpn for parent")
		}
	}
	for _, c := range root.Children {
		if c.Name != "capability" {
			continue
		}
		typ, ok := c.Attr("type")
		if !ok {
			return nil, nodeDevErr(virt.ErrXML, "Missing required attribute 'type' in element 'capability'")
		}
		known := false
		for _, t := range nodeDevCapTypes {
			known = known || t == typ
		}
		if !known {
			return nil, nodeDevErr(virt.ErrXML, "Invalid value for attribute 'type' in element 'capability': '%s'.", typ)
		}
		cp, err := parseDevCap(d.name, typ, c, create)
		if err != nil {
			return nil, err
		}
		d.caps = append(d.caps, cp)
	}
	if len(d.caps) == 0 {
		return nil, nodeDevErr(virt.ErrInternal, "no device capabilities for '%s'", d.name)
	}
	return d, nil
}

func childText(n *xmldoc.Node, name string) string {
	if c := n.Child(name); c != nil {
		return strings.TrimSpace(c.Text)
	}
	return ""
}

func parseDevCap(dev, typ string, n *xmldoc.Node, create bool) (*devCap, error) {
	cp := &devCap{typ: typ}
	switch typ {
	case "system":
		cp.product = childText(n, "product")
		if hw := n.Child("hardware"); hw != nil {
			for i, k := range []string{"vendor", "version", "serial", "uuid"} {
				cp.hardware[i] = childText(hw, k)
			}
		}
		if cp.hardware[3] == "" {
			return nil, nodeDevErr(virt.ErrInternal, "no system UUID supplied for '%s'", dev)
		}
		u, err := virtxml.ParseUUID(cp.hardware[3])
		if err != nil {
			return nil, nodeDevErr(virt.ErrInternal, "malformed uuid element for '%s'", dev)
		}
		cp.hardware[3] = u.String()
		if fw := n.Child("firmware"); fw != nil {
			for i, k := range []string{"vendor", "version", "release_date"} {
				cp.firmware[i] = childText(fw, k)
			}
		}
	case "scsi_host":
		cp.uniqueID = -1
		if !create {
			h := childText(n, "host")
			if h == "" {
				return nil, nodeDevErr(virt.ErrInternal, "no SCSI host ID supplied for '%s'", dev)
			}
			v, err := strconv.Atoi(h)
			if err != nil {
				return nil, nodeDevErr(virt.ErrInternal, "invalid SCSI host ID supplied for '%s'", dev)
			}
			cp.host = v
			if u := childText(n, "unique_id"); u != "" {
				v, err := strconv.Atoi(u)
				if err != nil {
					return nil, nodeDevErr(virt.ErrInternal, "invalid unique_id supplied for '%s'", dev)
				}
				cp.uniqueID = v
			}
		}
		for _, c := range n.Children {
			if c.Name != "capability" {
				continue
			}
			t, ok := c.Attr("type")
			if !ok {
				return nil, nodeDevErr(virt.ErrXML, "missing SCSI host capability type for '%s'", dev)
			}
			switch t {
			case "vport_ops":
				cp.vports = true
			case "fc_host":
				cp.fc = true
				cp.wwnn, cp.wwpn = childText(c, "wwnn"), childText(c, "wwpn")
				if cp.wwnn == "" && create {
					return nil, nodeDevErr(virt.ErrInternal, "no WWNN supplied for '%s', and auto-generation failed", dev)
				}
				if cp.wwpn == "" && create {
					return nil, nodeDevErr(virt.ErrInternal, "no WWPN supplied for '%s', and auto-generation failed", dev)
				}
				if !create {
					cp.fabricWWN = childText(c, "fabric_wwn")
				}
			default:
				return nil, nodeDevErr(virt.ErrInternal, "unknown SCSI host capability type '%s' for '%s'", t, dev)
			}
		}
	case "pci":
		if create && n.Child("domain") == nil {
			return nil, nodeDevErr(virt.ErrInternal, "no PCI domain ID supplied for '%s'", dev)
		}
		cp.raw = n
	default:
		cp.raw = n
	}
	return cp, nil
}

// format writes the device as virNodeDeviceDefFormat does.
func (d *nodeDev) format() string {
	var b strings.Builder
	b.WriteString("<device>\n")
	b.WriteString("  <name>" + xmlEscape(d.name) + "</name>\n")
	if d.parent != "" {
		b.WriteString("  <parent>" + xmlEscape(d.parent) + "</parent>\n")
	}
	for _, c := range d.caps {
		b.WriteString("  <capability type='" + c.typ + "'>\n")
		switch {
		case c.typ == "system":
			if c.product != "" {
				b.WriteString("    <product>" + xmlEscape(c.product) + "</product>\n")
			}
			b.WriteString("    <hardware>\n")
			for i, k := range []string{"vendor", "version", "serial", "uuid"} {
				if c.hardware[i] != "" {
					b.WriteString("      <" + k + ">" + xmlEscape(c.hardware[i]) + "</" + k + ">\n")
				}
			}
			b.WriteString("    </hardware>\n")
			b.WriteString("    <firmware>\n")
			for i, k := range []string{"vendor", "version", "release_date"} {
				if c.firmware[i] != "" {
					b.WriteString("      <" + k + ">" + xmlEscape(c.firmware[i]) + "</" + k + ">\n")
				}
			}
			b.WriteString("    </firmware>\n")
		case c.typ == "scsi_host":
			b.WriteString("    <host>" + strconv.Itoa(c.host) + "</host>\n")
			if c.uniqueID != -1 {
				b.WriteString("    <unique_id>" + strconv.Itoa(c.uniqueID) + "</unique_id>\n")
			}
			if c.fc {
				b.WriteString("    <capability type='fc_host'>\n")
				b.WriteString("      <wwnn>" + xmlEscape(c.wwnn) + "</wwnn>\n")
				b.WriteString("      <wwpn>" + xmlEscape(c.wwpn) + "</wwpn>\n")
				if c.fabricWWN != "" {
					b.WriteString("      <fabric_wwn>" + xmlEscape(c.fabricWWN) + "</fabric_wwn>\n")
				}
				b.WriteString("    </capability>\n")
			}
			if c.vports {
				// The counts are read from the host at run time; the test
				// driver has none to read.
				b.WriteString("    <capability type='vport_ops'>\n")
				b.WriteString("      <max_vports>0</max_vports>\n")
				b.WriteString("      <vports>0</vports>\n")
				b.WriteString("    </capability>\n")
			}
		case c.raw != nil:
			for _, ch := range c.raw.Children {
				writeRawNode(&b, ch, 4)
			}
		}
		b.WriteString("  </capability>\n")
	}
	b.WriteString("</device>\n")
	return b.String()
}

// writeRawNode writes n indented by ind spaces, attributes in single
// quotes, as libvirt's formatters do.
func writeRawNode(b *strings.Builder, n *xmldoc.Node, ind int) {
	pad := strings.Repeat(" ", ind)
	b.WriteString(pad + "<" + n.Name)
	for _, a := range n.Attrs {
		b.WriteString(" " + a.Name + "='" + xmlEscapeAttr(a.Value) + "'")
	}
	switch {
	case len(n.Children) > 0:
		b.WriteString(">\n")
		for _, c := range n.Children {
			writeRawNode(b, c, ind+2)
		}
		b.WriteString(pad + "</" + n.Name + ">\n")
	case n.Text != "":
		b.WriteString(">" + xmlEscape(n.Text) + "</" + n.Name + ">\n")
	default:
		b.WriteString("/>\n")
	}
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func xmlEscapeAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", "\"", "&quot;").Replace(s)
}

// scsiHost returns the device's scsi_host capability, or nil.
func (d *nodeDev) scsiHost() *devCap {
	for _, c := range d.caps {
		if c.typ == "scsi_host" {
			return c
		}
	}
	return nil
}

// wwns returns the FC names of a vHBA, as virNodeDeviceGetWWNs does.
func (d *nodeDev) wwns() (string, string, error) {
	for _, c := range d.caps {
		if c.typ == "scsi_host" && c.fc {
			return c.wwnn, c.wwpn, nil
		}
	}
	return "", "", nodeDevErr(virt.ErrInternal, "Device is not a fibre channel HBA")
}

// hasCap reports whether d passes the capability filter bit i, as
// virNodeDeviceObjHasCap does (fc_host and vports are flags of scsi_host).
func (d *nodeDev) hasCap(typ string) bool {
	for _, c := range d.caps {
		if c.typ == typ || (c.typ == "scsi_host" && ((typ == "fc_host" && c.fc) || (typ == "vports" && c.vports))) {
			return true
		}
	}
	return false
}

func (d *nodeDev) ref() virt.NodeDeviceRef { return virt.NodeDeviceRef{Name: d.name, Parent: d.parent} }

// loadDevice adds a device of a node description.
func (n *node) loadDevice(doc []byte) error {
	d, err := parseNodeDev(string(doc), existingDevice)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.devs == nil {
		n.devs = make(map[string]*nodeDev)
	}
	n.devs[d.name] = d
	return nil
}

func (c *conn) device(name string) (*nodeDev, error) {
	c.node.mu.RLock()
	defer c.node.mu.RUnlock()
	d := c.node.devs[name]
	if d == nil {
		return nil, nodeDevErr(virt.ErrNoNodeDevice, "no node device with matching name '%s'", name)
	}
	return d, nil
}

// ListNodeDevices implements virt.NodeDeviceDriver. Like libvirt 9.0's
// test driver it takes only capability filters, so virsh's default
// active filter fails.
func (c *conn) ListNodeDevices(ctx context.Context, flags virt.ListNodeDevicesFlags) ([]virt.NodeDeviceRef, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), 1<<22-1, "testConnectListAllNodeDevices"); err != nil {
		return nil, err
	}
	c.node.mu.RLock()
	defer c.node.mu.RUnlock()
	var out []virt.NodeDeviceRef
	for _, d := range c.node.devs {
		if flags != 0 {
			match := false
			for i, typ := range virt.NodeDeviceCapNames {
				if flags&(1<<i) != 0 && d.hasCap(typ) {
					match = true
				}
			}
			if !match {
				continue
			}
		}
		out = append(out, d.ref())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// LookupNodeDevice implements virt.NodeDeviceDriver.
func (c *conn) LookupNodeDevice(ctx context.Context, name string) (virt.NodeDeviceRef, error) {
	d, err := c.device(name)
	if err != nil {
		return virt.NodeDeviceRef{}, err
	}
	return d.ref(), nil
}

// NodeDeviceXML implements virt.NodeDeviceDriver.
func (c *conn) NodeDeviceXML(ctx context.Context, name string, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testNodeDeviceGetXMLDesc"); err != nil {
		return "", err
	}
	c.node.mu.RLock()
	defer c.node.mu.RUnlock()
	d := c.node.devs[name]
	if d == nil {
		return "", nodeDevErr(virt.ErrNoNodeDevice, "no node device with matching name '%s'", name)
	}
	return d.format(), nil
}

// NodeDeviceCaps implements virt.NodeDeviceDriver.
func (c *conn) NodeDeviceCaps(ctx context.Context, name string) ([]string, error) {
	d, err := c.device(name)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, cp := range d.caps {
		out = append(out, cp.typ)
	}
	return out, nil
}

// parentHost checks that a new vHBA's parent can make vports, as
// virNodeDeviceObjListGetParentHost does. The node lock is held.
func (n *node) parentHost(d *nodeDev) error {
	vportHost := func(p *nodeDev) error {
		if c := p.scsiHost(); c != nil && c.vports {
			return nil
		}
		return nodeDevErr(virt.ErrInternal, "Parent device %s is not capable of vport operations", p.name)
	}
	names := make([]string, 0, len(n.devs))
	for k := range n.devs {
		names = append(names, k)
	}
	sort.Strings(names)
	switch {
	case d.parent != "":
		p := n.devs[d.parent]
		if p == nil {
			return nodeDevErr(virt.ErrInternal, "Could not find parent device for '%s'", d.name)
		}
		return vportHost(p)
	case d.parentWWNN != "":
		for _, k := range names {
			if c := n.devs[k].scsiHost(); c != nil && c.fc && strings.EqualFold(c.wwnn, d.parentWWNN) && strings.EqualFold(c.wwpn, d.parentWWPN) {
				return vportHost(n.devs[k])
			}
		}
		return nodeDevErr(virt.ErrInternal, "Could not find parent device for '%s'", d.name)
	case d.parentFabric != "":
		for _, k := range names {
			if c := n.devs[k].scsiHost(); c != nil && c.fc && strings.EqualFold(c.fabricWWN, d.parentFabric) {
				return vportHost(n.devs[k])
			}
		}
		return nodeDevErr(virt.ErrInternal, "Could not find parent device for '%s'", d.name)
	}
	for _, k := range names {
		if c := n.devs[k].scsiHost(); c != nil && c.vports {
			return nil
		}
	}
	return nodeDevErr(virt.ErrInternal, "Could not find any vport enabled device")
}

// CreateNodeDevice implements virt.NodeDeviceDriver: as libvirt's test
// driver, it mocks a new vHBA by copying scsi_host11 as scsi_host12 with
// the given FC names.
func (c *conn) CreateNodeDevice(ctx context.Context, xml string, flags uint32) (virt.NodeDeviceRef, error) {
	const validate = 1
	if err := driver.CheckFlags(virt.FromTest, flags, validate, "testNodeDeviceCreateXML"); err != nil {
		return virt.NodeDeviceRef{}, err
	}
	if flags&validate != 0 {
		if err := validateNodeDevSchema(xml); err != nil {
			return virt.NodeDeviceRef{}, err
		}
	}
	def, err := parseNodeDev(xml, createDevice)
	if err != nil {
		return virt.NodeDeviceRef{}, err
	}
	wwnn, wwpn, err := def.wwns()
	if err != nil {
		return virt.NodeDeviceRef{}, err
	}
	n := c.node
	n.mu.Lock()
	if err := n.parentHost(def); err != nil {
		n.mu.Unlock()
		return virt.NodeDeviceRef{}, err
	}
	src := n.devs["scsi_host11"]
	if src == nil {
		n.mu.Unlock()
		return virt.NodeDeviceRef{}, nodeDevErr(virt.ErrInternal, "An error occurred, but the cause is unknown")
	}
	cp := *src
	cp.name = "scsi_host12"
	cp.caps = nil
	for _, sc := range src.caps {
		nc := *sc
		if nc.typ == "scsi_host" {
			if nc.fc {
				nc.wwnn, nc.wwpn = wwnn, wwpn
			} else {
				nc.host++
				nc.uniqueID++
			}
		}
		cp.caps = append(cp.caps, &nc)
	}
	n.devs[cp.name] = &cp
	n.mu.Unlock()
	n.devEvents.Publish(virt.NodeDeviceEvent{Device: cp.ref(), Type: 0})
	return virt.NodeDeviceRef{Name: cp.name, Parent: def.parent}, nil
}

// DestroyNodeDevice implements virt.NodeDeviceDriver. As libvirt 9.0's
// test driver, it succeeds without doing anything for a device that is
// not a vHBA or whose parent is gone.
func (c *conn) DestroyNodeDevice(ctx context.Context, name string) error {
	n := c.node
	n.mu.Lock()
	d := n.devs[name]
	if d == nil {
		n.mu.Unlock()
		return nodeDevErr(virt.ErrNoNodeDevice, "no node device with matching name '%s'", name)
	}
	if _, _, err := d.wwns(); err != nil || n.devs[d.parent] == nil {
		n.mu.Unlock()
		return nil
	}
	delete(n.devs, name)
	n.mu.Unlock()
	n.devEvents.Publish(virt.NodeDeviceEvent{Device: d.ref(), Type: 1})
	return nil
}

// NodeDeviceEvents implements virt.NodeDeviceEvents.
func (c *conn) NodeDeviceEvents(ctx context.Context) (<-chan virt.NodeDeviceEvent, error) {
	ch, cancel := c.node.devEvents.Subscribe(ctx, 0)
	if err := c.track(cancel); err != nil {
		return nil, err
	}
	return ch, nil
}

// validateNodeDevSchema applies the part of libvirt's nodedev schema that
// trips up vHBA descriptions: <name> comes first.
func validateNodeDevSchema(xml string) error {
	root, err := xmldoc.Parse([]byte(xml))
	if err != nil || root.Name != "device" {
		return nil // the parser reports it
	}
	if len(root.Children) == 0 {
		return schemaError("nodedev", "Expecting an element name, got nothing")
	}
	if first := root.Children[0]; first.Name != "name" {
		return schemaError("nodedev", "Did not expect element "+first.Name+" there")
	}
	return nil
}

// schemaError is libvirt's report of a document its RelaxNG schema
// rejects.
func schemaError(schema, detail string) error {
	return virt.Errorf(virt.ErrXMLInvalidSchema, virt.FromNodeDev,
		"Unable to validate doc against /usr/share/libvirt/schemas/%s.rng\n%s\n", schema, detail)
}
