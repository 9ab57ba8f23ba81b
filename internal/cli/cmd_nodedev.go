package cli

import (
	"errors"
	"sort"
	"strings"

	"github.com/govirt/govirt/virt"
)

// validWWN reports whether s is a WWN as virValidateWWN accepts it: 16 hex
// digits after an optional "0x".
func validWWN(s string) error {
	p := strings.TrimPrefix(s, "0x")
	if len(p) != 16 {
		return fail(errNoCause, "internal error: Malformed wwn: %s", s)
	}
	for i := 0; i < len(p); i++ {
		if !isHex(p[i]) {
			return fail(errNoCause, "internal error: Malformed wwn: %s", s)
		}
	}
	return nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// findNodeDevice looks a device up as virsh's vshFindNodeDevice: by name,
// or by "wwnn,wwpn" for a SCSI host.
func (s *session) findNodeDevice(value string) (*virt.NodeDevice, error) {
	var (
		dev *virt.NodeDevice
		err error
	)
	if strings.Contains(value, ",") {
		parts := splitComma(value)
		if len(parts) != 2 {
			return nil, fail(errNoCause, "Malformed device value '%s'", value)
		}
		for _, p := range parts {
			if err := validWWN(p); err != nil {
				return nil, err
			}
		}
		dev, err = s.conn.LookupSCSIHostByWWN(s.ctx, parts[0], parts[1], 0)
	} else {
		dev, err = s.conn.LookupNodeDeviceByName(s.ctx, value)
	}
	if err != nil {
		return nil, fail(err, "Could not find matching device '%s'", value)
	}
	return dev, nil
}

// nodeDeviceArg returns the device named by option "device".
func (s *session) nodeDeviceArg(c *call, byWWN bool) (*virt.NodeDevice, string, error) {
	name, _, err := c.str("device")
	if err != nil {
		return nil, "", err
	}
	if byWWN {
		d, err := s.findNodeDevice(name)
		return d, name, err
	}
	d, err := s.conn.LookupNodeDeviceByName(s.ctx, name)
	if err != nil {
		return nil, name, fail(err, "Could not find matching device '%s'", name)
	}
	return d, name, nil
}

// nodeDeviceAction runs act on the device of option "device" (by WWN too
// when byWWN).
func nodeDeviceAction(s *session, c *call, byWWN bool, act func(*virt.NodeDevice) error, done, failed string) error {
	return objectAction(s, func() (*virt.NodeDevice, string, error) { return s.nodeDeviceArg(c, byWWN) }, act, done, failed)
}

func cmdNodedevList(s *session, c *call) error {
	tree, inactive, all := c.has("tree"), c.has("inactive"), c.has("all")
	capStr, haveCap, err := c.str("cap")
	if err != nil {
		return err
	}
	var caps []string
	if haveCap {
		caps = splitComma(capStr)
	}
	if all && inactive {
		return fail(errNoCause, "Option --all is incompatible with --inactive")
	}
	if tree && (haveCap || inactive) {
		return fail(errNoCause, "Option --tree is incompatible with --cap and --inactive")
	}
	var flags virt.ListNodeDevicesFlags
	for _, name := range caps {
		i := indexOf(virt.NodeDeviceCapNames, name)
		if i < 0 {
			return fail(errNoCause, "Invalid capability type")
		}
		flags |= 1 << i
	}
	if inactive || all {
		flags |= virt.ListNodeDevicesInactive
	}
	if !inactive {
		flags |= virt.ListNodeDevicesActive
	}
	devs, err := s.conn.ListAllNodeDevices(s.ctx, flags)
	if err != nil {
		if errors.Is(err, virt.ErrNoSupport) {
			return fail(err, "Failed to count node devices")
		}
		return fail(err, "Failed to list node devices")
	}
	sort.SliceStable(devs, func(i, j int) bool {
		return strings.ToLower(devs[i].Name()) < strings.ToLower(devs[j].Name())
	})
	if !tree {
		for _, d := range devs {
			s.printf("%s\n", d.Name())
		}
		return nil
	}
	rows := make([]snapRow, len(devs))
	for i, d := range devs {
		rows[i].name = d.Name()
		if d.Name() != "computer" {
			rows[i].parent = d.Ref().Parent
		}
	}
	s.printTree(rows, func(i int) string { return rows[i].parent })
	return nil
}

func cmdNodedevDumpxml(s *session, c *call) error {
	d, _, err := s.nodeDeviceArg(c, true)
	if err != nil {
		return err
	}
	x, err := d.XML(s.ctx, 0)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdNodedevInfo(s *session, c *call) error {
	d, _, err := s.nodeDeviceArg(c, true)
	if err != nil {
		return err
	}
	s.printf("%-15s %s\n", "Name:", d.Name())
	s.printf("%-15s %s\n", "Parent:", d.Ref().Parent)
	active, persistent, autostart, err := d.State(s.ctx)
	if err != nil {
		// virsh prints the -1 of an unsupported call as true.
		s.printf("%-15s %s\n", "Active:", "yes")
		s.printf("%-15s %s\n", "Persistent:", "yes")
		s.printf("%-15s %s\n", "Autostart:", "no autostart")
		return nil
	}
	s.printf("%-15s %s\n", "Active:", yesNo(active))
	s.printf("%-15s %s\n", "Persistent:", yesNo(persistent))
	s.printf("%-15s %s\n", "Autostart:", yesNo(autostart))
	return nil
}

func cmdNodedevCreate(s *session, c *call) error {
	from, doc, err := s.fileArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("validate") {
		flags |= 1 // VIR_NODE_DEVICE_CREATE_XML_VALIDATE
	}
	d, err := s.conn.CreateNodeDevice(s.ctx, doc, flags)
	if err != nil {
		return fail(err, "Failed to create node device from %s", from)
	}
	s.extraf("Node device %s created from %s\n", d.Name(), from)
	return nil
}

func cmdNodedevDefine(s *session, c *call) error {
	from, doc, err := s.fileArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("validate") {
		flags |= 1 // VIR_NODE_DEVICE_DEFINE_XML_VALIDATE
	}
	d, err := s.conn.DefineNodeDevice(s.ctx, doc, flags)
	if err != nil {
		return fail(err, "Failed to define node device from '%s'", from)
	}
	s.extraf("Node device '%s' defined from '%s'\n", d.Name(), from)
	return nil
}

func cmdNodedevDestroy(s *session, c *call) error {
	return nodeDeviceAction(s, c, true, func(d *virt.NodeDevice) error { return d.Destroy(s.ctx) },
		"Destroyed node device '%s'\n", "Failed to destroy node device '%s'")
}

func cmdNodedevUndefine(s *session, c *call) error {
	return nodeDeviceAction(s, c, true, func(d *virt.NodeDevice) error { return d.Undefine(s.ctx, 0) },
		"Undefined node device '%s'\n", "Failed to undefine node device '%s'")
}

func cmdNodedevStart(s *session, c *call) error {
	return nodeDeviceAction(s, c, false, func(d *virt.NodeDevice) error { return d.Start(s.ctx, 0) },
		"Device %s started\n", "Failed to start device %s")
}

func cmdNodedevAutostart(s *session, c *call) error {
	if c.has("disable") {
		return nodeDeviceAction(s, c, true, func(d *virt.NodeDevice) error { return d.SetAutostart(s.ctx, false) },
			"Device %s unmarked as autostarted\n", "failed to unmark device %s as autostarted")
	}
	return nodeDeviceAction(s, c, true, func(d *virt.NodeDevice) error { return d.SetAutostart(s.ctx, true) },
		"Device %s marked as autostarted\n", "failed to mark device %s as autostarted")
}

func cmdNodedevDetach(s *session, c *call) error {
	d, name, err := s.nodeDeviceArg(c, false)
	if err != nil {
		return err
	}
	drv, _, err := c.str("driver")
	if err != nil {
		return err
	}
	if err := d.Detach(s.ctx, drv, 0); err != nil {
		return fail(err, "Failed to detach device %s", name)
	}
	s.extraf("Device %s detached\n", name)
	return nil
}

func cmdNodedevReattach(s *session, c *call) error {
	return nodeDeviceAction(s, c, false, func(d *virt.NodeDevice) error { return d.Reattach(s.ctx) },
		"Device %s re-attached\n", "Failed to re-attach device %s")
}

func cmdNodedevReset(s *session, c *call) error {
	return nodeDeviceAction(s, c, false, func(d *virt.NodeDevice) error { return d.Reset(s.ctx) },
		"Device %s reset\n", "Failed to reset device %s")
}
