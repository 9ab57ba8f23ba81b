package virtxml

import "strconv"

var serialTargets = map[string]bool{"isa-serial": true, "usb-serial": true, "pci-serial": true, "spapr-vio-serial": true, "system-serial": true, "sclp-serial": true, "isa-debug": true}

func postParseChardev(c *Chardev, kind string) error {
	if c.Type == "" {
		c.Type = "pty"
	}
	if !chardevTypes[c.Type] {
		return unsupportedf("unknown type presented to host for character device: %s", c.Type)
	}
	c.noPathOK = kind == "channel" && c.Target != nil && c.Target.Type == "virtio"
	if err := c.CharSourceFields.postParse(c.Type); err != nil {
		return err
	}
	if c.Target == nil {
		c.Target = &CharTarget{}
	}
	t := c.Target
	switch kind {
	case "serial":
		if t.Type != "" && !serialTargets[t.Type] {
			return unsupportedf("unknown target type '%s' specified for character device", t.Type)
		}
	case "console":
		if t.Type != "" && !consoleTargets[t.Type] {
			return unsupportedf("unknown target type '%s' specified for character device", t.Type)
		}
	case "channel":
		if t.Type == "" {
			return xmlErrorf("target type must be specified for channel device")
		}
		if !channelTargets[t.Type] {
			return unsupportedf("unknown target type '%s' specified for character device", t.Type)
		}
		t.State = ""
	case "parallel":
		t.Type = ""
	}
	if t.Port != nil && kind != "channel" {
		if _, err := strconv.ParseInt(*t.Port, 10, 32); err != nil {
			return xmlErrorf("Invalid port number: %s", *t.Port)
		}
	}
	return nil
}

func (f *CharSourceFields) postParse(typ string) error {
	for i := range f.Sources {
		if r := f.Sources[i].Reconnect; r != nil {
			if r.Enabled != "yes" && r.Enabled != "no" {
				return xmlErrorf("Invalid value for attribute 'enabled' in element 'reconnect': '%s'.", r.Enabled)
			}
			if r.Enabled == "yes" && r.Timeout == nil {
				return xmlErrorf("Missing required attribute 'timeout' in element 'reconnect'")
			}
			if r.Enabled == "no" {
				r.Timeout = nil
			}
		}
	}
	switch typ {
	case "null", "vc", "stdio", "spicevmc", "dbus":
		if typ != "dbus" {
			f.Sources = nil
		}
		f.Protocol = nil
	case "pty", "dev", "file", "pipe":
		f.Protocol = nil
		if len(f.Sources) > 1 {
			f.Sources = f.Sources[:1]
		}
		if len(f.Sources) == 1 {
			s := &f.Sources[0]
			*s = CharSource{Path: s.Path, Append: appendFor(typ, s.Append), SecLabels: s.SecLabels}
			if typ == "pty" {
				// A pty's path is live state; the inactive XML drops it.
				f.Sources = nil
			}
		}
		if typ != "pty" && (len(f.Sources) == 0 || f.Sources[0].Path == "") {
			return errorf(CodeInternal, "Missing source path attribute for char device")
		}
	case "unix":
		f.Protocol = nil
		if len(f.Sources) == 0 || f.Sources[0].Path == "" {
			if f.noPathOK {
				f.Sources = nil
				return nil
			}
			return errorf(CodeInternal, "Missing source path attribute for char device")
		}
		s := &f.Sources[0]
		mode := s.Mode
		if mode == "" {
			mode = "connect"
		}
		*s = CharSource{Mode: mode, Path: s.Path, SecLabels: s.SecLabels, Reconnect: s.Reconnect}
		f.Sources = f.Sources[:1]
	case "tcp":
		if len(f.Sources) > 1 {
			return xmlErrorf("only one source element is allowed for character device")
		}
		if len(f.Sources) == 0 {
			return errorf(CodeInternal, "Missing source host attribute for char device")
		}
		s := &f.Sources[0]
		mode := s.Mode
		if mode == "" {
			mode = "connect"
		}
		if s.Service == "" {
			return errorf(CodeInternal, "Missing source service attribute for char device")
		}
		if s.Host == "" {
			return errorf(CodeInternal, "Missing source host attribute for char device")
		}
		*s = CharSource{Mode: mode, Host: s.Host, Service: s.Service, TLS: s.TLS, Reconnect: s.Reconnect}
		f.Sources = f.Sources[:1]
		if f.Protocol == nil || f.Protocol.Type == "" {
			f.Protocol = &CharProtocol{Type: "raw"}
		}
	case "udp":
		f.Protocol = nil
		var bind, conn *CharSource
		for i := range f.Sources {
			s := f.Sources[i]
			if s.Mode == "bind" {
				if bind == nil {
					bind = &CharSource{Mode: "bind", Host: s.Host, Service: s.Service}
				}
			} else if conn == nil {
				conn = &CharSource{Mode: "connect", Host: s.Host, Service: s.Service}
			}
		}
		if conn == nil || conn.Service == "" {
			return errorf(CodeInternal, "Missing source service attribute for char device")
		}
		f.Sources = nil
		if bind != nil && (bind.Host != "" || bind.Service != "") {
			f.Sources = append(f.Sources, *bind)
		}
		f.Sources = append(f.Sources, *conn)
	case "spiceport":
		f.Protocol = nil
		if len(f.Sources) > 0 {
			f.Sources = []CharSource{{Channel: f.Sources[0].Channel}}
		}
	case "nmdm":
		f.Protocol = nil
		if len(f.Sources) > 0 {
			f.Sources = []CharSource{{Master: f.Sources[0].Master, Slave: f.Sources[0].Slave}}
		}
	case "qemu-vdagent":
		f.Protocol = nil
		if len(f.Sources) > 0 {
			s := f.Sources[0]
			f.Sources = []CharSource{{Clipboard: s.Clipboard, Mouse: s.Mouse}}
		}
	}
	return nil
}

func appendFor(typ, v string) string {
	if typ == "file" {
		return v
	}
	return ""
}

func (d *Domain) postParseChardevs() error {
	dv := d.Devices
	for i := range dv.Serials {
		if err := postParseChardev(&dv.Serials[i], "serial"); err != nil {
			return err
		}
	}
	for i := range dv.Parallels {
		if err := postParseChardev(&dv.Parallels[i], "parallel"); err != nil {
			return err
		}
	}
	for i := range dv.Consoles {
		if err := postParseChardev(&dv.Consoles[i], "console"); err != nil {
			return err
		}
	}
	for i := range dv.Channels {
		if err := postParseChardev(&dv.Channels[i], "channel"); err != nil {
			return err
		}
	}
	assignPorts(dv.Serials)
	assignPorts(dv.Parallels)
	// A console's port is its place in the list as written.
	for i := range dv.Consoles {
		dv.Consoles[i].Target.Port = strp(strconv.Itoa(i))
	}
	d.consoleCompat()
	for i := range dv.Consoles {
		c := &dv.Consoles[i]
		if c.Target.Type == "" {
			c.Target.Type = "serial"
		}
		if c.Target.Port == nil {
			p := "0"
			c.Target.Port = &p
		}
	}
	for i := range dv.Channels {
		c := &dv.Channels[i]
		if c.Target.Type == "virtio" || c.Target.Type == "xen" {
			c.Target.Port = nil
		}
	}
	return nil
}

func assignPorts(cs []Chardev) {
	max := -1
	for i := range cs {
		if cs[i].Target.Port != nil {
			if p, err := strconv.Atoi(*cs[i].Target.Port); err == nil && p > max {
				max = p
			}
		}
	}
	for i := range cs {
		if cs[i].Target.Port == nil {
			p := strconv.Itoa(max + 1)
			cs[i].Target.Port = &p
		}
		if p, err := strconv.Atoi(*cs[i].Target.Port); err == nil && p > max {
			max = p
		}
	}
}

func (d *Domain) consoleCompat() {
	dv := d.Devices
	if d.OS == nil || d.OS.Type.Type != "hvm" {
		return
	}
	hadSerialConsole := false
	if len(dv.Consoles) > 0 && (dv.Consoles[0].Target.Type == "" || dv.Consoles[0].Target.Type == "serial") {
		hadSerialConsole = true
		if len(dv.Serials) == 0 {
			s := dv.Consoles[0]
			s.Target = &CharTarget{Port: strp("0")}
			dv.Serials = append(dv.Serials, s)
		}
		dv.Consoles = dv.Consoles[1:]
	}
	if len(dv.Serials) == 0 {
		return
	}
	s0 := &dv.Serials[0]
	switch s0.Target.Type {
	case "usb-serial", "pci-serial", "isa-debug":
		if !hadSerialConsole {
			return
		}
	}
	c := Chardev{Type: s0.Type, TTY: s0.TTY, CharSourceFields: s0.CharSourceFields.clone(), Log: s0.Log, Address: s0.Address}
	port := "0"
	if s0.Target.Port != nil {
		port = *s0.Target.Port
	}
	c.Target = &CharTarget{Type: "serial", Port: &port}
	dv.Consoles = append([]Chardev{c}, dv.Consoles...)
}

func strp(s string) *string { return &s }

func (f CharSourceFields) clone() CharSourceFields {
	c := CharSourceFields{Protocol: f.Protocol}
	if f.Sources != nil {
		c.Sources = append([]CharSource(nil), f.Sources...)
	}
	return c
}
