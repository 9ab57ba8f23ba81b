package cli

import (
	"strconv"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

func cmdIfaceDefine(s *session, c *call) error {
	from, doc, err := s.fileArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("validate") {
		flags |= 1 // VIR_INTERFACE_DEFINE_VALIDATE
	}
	i, err := s.conn.DefineInterface(s.ctx, doc, flags)
	if err != nil {
		return fail(err, "Failed to define interface from %s", from)
	}
	s.extraf("Interface %s defined from %s\n", i.Name(), from)
	return nil
}

// ifaceAction runs act on the interface of option "interface" (by name or
// MAC); done gets its newline here.
func ifaceAction(s *session, c *call, act func(*virt.Interface) error, done, failed string) error {
	return objectAction(s, func() (*virt.Interface, string, error) { return s.interfaceArg(c, ifaceByName|ifaceByMAC) },
		act, done+"\n", failed)
}

func cmdIfaceUndefine(s *session, c *call) error {
	return ifaceAction(s, c, func(i *virt.Interface) error { return i.Undefine(s.ctx) },
		"Interface %s undefined", "Failed to undefine interface %s")
}

func cmdIfaceStart(s *session, c *call) error {
	return ifaceAction(s, c, func(i *virt.Interface) error { return i.Start(s.ctx, 0) },
		"Interface %s started", "Failed to start interface %s")
}

func cmdIfaceDestroy(s *session, c *call) error {
	return ifaceAction(s, c, func(i *virt.Interface) error { return i.Stop(s.ctx, 0) },
		"Interface %s destroyed", "Failed to destroy interface %s")
}

func cmdIfaceBegin(s *session, c *call) error {
	if err := s.conn.InterfaceChangeBegin(s.ctx, 0); err != nil {
		return fail(err, "Failed to begin network config change transaction")
	}
	s.extraf("Network config change transaction started\n")
	return nil
}

func cmdIfaceCommit(s *session, c *call) error {
	if err := s.conn.InterfaceChangeCommit(s.ctx, 0); err != nil {
		return fail(err, "Failed to commit network config change transaction")
	}
	s.extraf("Network config change transaction committed\n")
	return nil
}

func cmdIfaceRollback(s *session, c *call) error {
	if err := s.conn.InterfaceChangeRollback(s.ctx, 0); err != nil {
		return fail(err, "Failed to rollback network config change transaction")
	}
	s.extraf("Network config change transaction rolled back\n")
	return nil
}

func cmdIfaceEdit(s *session, c *call) error {
	i, name, err := s.interfaceArg(c, ifaceByName|ifaceByMAC)
	if err != nil {
		return err
	}
	orig, err := i.XML(s.ctx, 1) // VIR_INTERFACE_XML_INACTIVE
	if err != nil {
		return err
	}
	define := func(doc string) (*virt.Interface, error) { return s.conn.DefineInterface(s.ctx, doc, 0) }
	return editDefinition(s, orig, define, (*virt.Interface).Name, "Interface %s", name)
}

// setAttr sets (or adds) an attribute of n.
func setAttr(n *xmldoc.Node, name, value string) {
	for k := range n.Attrs {
		if n.Attrs[k].Name == name {
			n.Attrs[k].Value = value
			return
		}
	}
	n.Attrs = append(n.Attrs, xmldoc.Attr{Name: name, Value: value})
}

// moveDevNodes moves the <mac>, <bond> and <vlan> children of from to to,
// as virsh's iface-bridge and iface-unbridge do.
func moveDevNodes(from, to *xmldoc.Node) {
	kept := from.Children[:0:0]
	for _, c := range from.Children {
		if c.Name == "mac" || c.Name == "bond" || c.Name == "vlan" {
			to.Children = append(to.Children, c)
			continue
		}
		kept = append(kept, c)
	}
	from.Children = kept
}

func cmdIfaceBridge(s *session, c *call) error {
	iface, ifName, err := s.interfaceArg(c, ifaceByName)
	if err != nil {
		return err
	}
	brName, _, err := c.str("bridge")
	if err != nil {
		return err
	}
	_, lerr := s.conn.LookupInterfaceByName(s.ctx, brName)
	if lerr == nil {
		return fail(errNoCause, "Network device %s already exists", brName)
	}
	stp := !c.has("no-stp")
	var delay uint64
	if v, ok := c.find("delay"); ok {
		if delay, err = parseCUint(v.data, 32); err != nil {
			s.report(malformed(v.data, "delay"))
			return lerr
		}
	}
	noStart := c.has("no-start")
	doc, err := iface.XML(s.ctx, 1) // VIR_INTERFACE_XML_INACTIVE
	if err != nil {
		return err
	}
	top, err := xmldoc.Parse([]byte(doc))
	if err != nil {
		return fail(errNoCause, "Failed to parse configuration of %s", ifName)
	}
	ifType, ok := top.Attr("type")
	if !ok {
		return fail(errNoCause, "Existing device %s has no type", ifName)
	}
	if ifType == "bridge" {
		return fail(errNoCause, "Existing device %s is already a bridge", ifName)
	}
	if n, _ := top.Attr("name"); n != ifName {
		return fail(errNoCause, "Interface name from config %s doesn't match given supplied name %s", n, ifName)
	}
	br := &xmldoc.Node{Name: "bridge", Attrs: []xmldoc.Attr{{Name: "stp", Value: map[bool]string{true: "on", false: "off"}[stp]}}}
	if delay != 0 {
		br.Attrs = append(br.Attrs, xmldoc.Attr{Name: "delay", Value: strconv.FormatUint(delay, 10)})
	}
	setAttr(top, "type", "bridge")
	setAttr(top, "name", brName)
	slave := &xmldoc.Node{Name: "interface", Attrs: []xmldoc.Attr{{Name: "type", Value: ifType}, {Name: "name", Value: ifName}}}
	moveDevNodes(top, slave)
	br.Children = append(br.Children, slave)
	top.Children = append(top.Children, br)
	bridge, err := s.conn.DefineInterface(s.ctx, nodeXML(top), 0)
	if err != nil {
		return fail(err, "Failed to define new bridge interface %s", brName)
	}
	s.extraf("Created bridge %s with attached device %s\n", brName, ifName)
	if !noStart {
		if err := bridge.Start(s.ctx, 0); err != nil {
			return fail(err, "Failed to start bridge interface %s", brName)
		}
		s.extraf("Bridge interface %s started\n", brName)
	}
	return nil
}

func cmdIfaceUnbridge(s *session, c *call) error {
	br, brName, err := s.interfaceOpt(c, "bridge", ifaceByName)
	if err != nil {
		return err
	}
	noStart := c.has("no-start")
	doc, err := br.XML(s.ctx, 1) // VIR_INTERFACE_XML_INACTIVE
	if err != nil {
		return err
	}
	top, err := xmldoc.Parse([]byte(doc))
	if err != nil {
		return fail(errNoCause, "Failed to parse configuration of %s", brName)
	}
	if t, ok := top.Attr("type"); !ok || t != "bridge" {
		return fail(errNoCause, "Device %s is not a bridge", brName)
	}
	if n, _ := top.Attr("name"); n != brName {
		return fail(errNoCause, "Interface name from config %s doesn't match given supplied name %s", n, brName)
	}
	bridge := top.Child("bridge")
	if bridge == nil {
		return fail(errNoCause, "No bridge node in xml document")
	}
	var slaves []*xmldoc.Node
	for _, ch := range bridge.Children {
		if ch.Name == "interface" {
			slaves = append(slaves, ch)
		}
	}
	switch {
	case len(slaves) == 0:
		return fail(errNoCause, "No interface attached to bridge %s", brName)
	case len(slaves) > 1:
		return fail(errNoCause, "Multiple interfaces attached to bridge %s", brName)
	}
	slave := slaves[0]
	ifName, ok := slave.Attr("name")
	if !ok {
		return fail(errNoCause, "Device attached to bridge %s has no name", brName)
	}
	ifType, ok := slave.Attr("type")
	if !ok {
		return fail(errNoCause, "Attached device %s has no type", ifName)
	}
	setAttr(top, "type", ifType)
	setAttr(top, "name", ifName)
	kept := top.Children[:0:0]
	for _, ch := range top.Children {
		if ch != bridge {
			kept = append(kept, ch)
		}
	}
	top.Children = kept
	moveDevNodes(slave, top)
	if err := br.Stop(s.ctx, 0); err != nil {
		return fail(err, "Failed to destroy bridge interface %s", brName)
	}
	if err := br.Undefine(s.ctx); err != nil {
		return fail(err, "Failed to undefine bridge interface %s", brName)
	}
	iface, err := s.conn.DefineInterface(s.ctx, nodeXML(top), 0)
	if err != nil {
		return fail(err, "Failed to define new interface %s", ifName)
	}
	s.extraf("Device %s un-attached from bridge %s\n", ifName, brName)
	if !noStart {
		if err := iface.Start(s.ctx, 0); err != nil {
			return fail(err, "Failed to start interface %s", ifName)
		}
		s.extraf("Interface %s started\n", ifName)
	}
	return nil
}
