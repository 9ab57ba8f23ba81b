package qemu

import (
	"strconv"

	"github.com/govirt/govirt/virtxml"
)

// chardevOpts returns the -chardev options of a character device's host
// side, with id.
func (b *argvBuilder) chardevOpts(id, typ string, f *virtxml.CharSourceFields, log *virtxml.CharLog) string {
	var o opts
	src := func() *virtxml.CharSource {
		if len(f.Sources) > 0 {
			return &f.Sources[0]
		}
		return &virtxml.CharSource{}
	}
	switch typ {
	case "null":
		o.raw("null")
		o.raw("id=" + id)
	case "pty":
		o.raw("pty")
		o.raw("id=" + id)
	case "file":
		s := src()
		o.raw("file")
		o.raw("id=" + id)
		o.add("path", s.Path)
		if s.Append == "on" {
			o.raw("append=on")
		}
	case "dev":
		o.raw("serial")
		o.raw("id=" + id)
		o.add("path", src().Path)
	case "pipe":
		o.raw("pipe")
		o.raw("id=" + id)
		o.add("path", src().Path)
	case "unix":
		s := src()
		o.raw("socket")
		o.raw("id=" + id)
		o.add("path", s.Path)
		if s.Mode == "bind" {
			o.raw("server=on")
			o.raw("wait=off")
		} else if r := s.Reconnect; r != nil && r.Enabled == "yes" && r.Timeout != nil {
			o.raw("reconnect=" + strconv.FormatUint(uint64(*r.Timeout), 10))
		}
	case "tcp":
		s := src()
		o.raw("socket")
		o.raw("id=" + id)
		o.add("host", s.Host)
		o.add("port", s.Service)
		if f.Protocol != nil && f.Protocol.Type == "telnet" {
			o.raw("telnet=on")
		} else if f.Protocol != nil && f.Protocol.Type != "raw" {
			b.failf("character device protocol '%s' is not supported", f.Protocol.Type)
		}
		if s.Mode == "bind" {
			o.raw("server=on")
			o.raw("wait=off")
		} else if r := s.Reconnect; r != nil && r.Enabled == "yes" && r.Timeout != nil {
			o.raw("reconnect=" + strconv.FormatUint(uint64(*r.Timeout), 10))
		}
		if s.TLS == "yes" {
			b.failf("TLS character devices are not supported")
		}
	case "udp":
		var conn, bind virtxml.CharSource
		for _, s := range f.Sources {
			if s.Mode == "bind" {
				bind = s
			} else {
				conn = s
			}
		}
		o.raw("udp")
		o.raw("id=" + id)
		host := conn.Host
		if host == "" {
			host = "localhost"
		}
		o.add("host", host)
		o.add("port", conn.Service)
		if bind.Host != "" {
			o.add("localaddr", bind.Host)
		}
		if bind.Service != "" {
			o.add("localport", bind.Service)
		}
	case "stdio":
		b.failf("character device type 'stdio' is not supported: QEMU runs detached")
	default:
		b.failf("character device type '%s' is not supported", typ)
	}
	if log != nil && log.File != "" {
		o.add("logfile", log.File)
		o.raw("logappend=" + onOff(boolStr(log.Append == "on")))
	}
	return o.String()
}

// isSerialConsole reports whether a console only stands for serial0.
func isSerialConsole(i int, c *virtxml.Chardev) bool {
	return i == 0 && (c.Target == nil || c.Target.Type == "" || c.Target.Type == "serial")
}

func (b *argvBuilder) chardevs() {
	dv := b.def.Devices
	if len(dv.Parallels) > 0 {
		b.failf("parallel ports are not supported")
	}
	for i := range dv.Serials {
		s := &dv.Serials[i]
		alias := s.Alias.Name
		b.add("-chardev", b.chardevOpts("char"+alias, s.Type, &s.CharSourceFields, s.Log))
		tt, model := "isa-serial", ""
		port := i
		if t := s.Target; t != nil {
			if t.Type != "" {
				tt = t.Type
			}
			if t.Model != nil {
				model = t.Model.Name
			}
			if t.Port != nil {
				if p, err := strconv.Atoi(*t.Port); err == nil {
					port = p
				}
			}
		}
		if model == "" {
			model = map[string]string{"isa-serial": "isa-serial", "pci-serial": "pci-serial"}[tt]
		}
		var o opts
		o.raw("chardev=char" + alias)
		o.raw("id=" + alias)
		switch model {
		case "isa-serial":
			o.raw("index=" + strconv.Itoa(port))
		case "pci-serial":
			b.pciAddr(&o, s.Address)
		default:
			b.failf("serial target type '%s' is not supported", tt)
			continue
		}
		b.device(model, o)
	}
	for i := range dv.Consoles {
		c := &dv.Consoles[i]
		if isSerialConsole(i, c) {
			if len(dv.Serials) == 0 {
				b.failf("a serial console needs a <serial> device")
			}
			continue
		}
		if c.Target == nil || c.Target.Type != "virtio" {
			b.failf("console target type '%s' is not supported", c.Target.Type)
			continue
		}
		alias := c.Alias.Name
		b.add("-chardev", b.chardevOpts("char"+alias, c.Type, &c.CharSourceFields, c.Log))
		var o opts
		o.raw("chardev=char" + alias)
		o.raw("id=" + alias)
		b.virtioSerialAddr(&o, c.Address)
		b.device("virtconsole", o)
	}
	for i := range dv.Channels {
		c := &dv.Channels[i]
		if c.Target == nil || c.Target.Type != "virtio" {
			b.failf("channel target type is not supported (use virtio)")
			continue
		}
		alias := c.Alias.Name
		b.add("-chardev", b.chardevOpts("char"+alias, c.Type, &c.CharSourceFields, c.Log))
		var o opts
		b.virtioSerialAddr(&o, c.Address)
		o.raw("chardev=char" + alias)
		o.raw("id=" + alias)
		if c.Target.Name != "" {
			o.add("name", c.Target.Name)
		}
		b.device("virtserialport", o)
	}
}

// virtioSerialAddr adds the bus and port of a virtio-serial port.
func (b *argvBuilder) virtioSerialAddr(o *opts, a *virtxml.Address) {
	ctrl, bus, port := uint64(0), uint64(0), uint64(0)
	if a != nil && a.Type == "virtio-serial" {
		ctrl, bus, port = a.Controller, a.Bus, a.Port
	}
	alias := b.controllerAliasOf("virtio-serial", ctrl)
	o.raw("bus=" + alias + "." + strconv.FormatUint(bus, 10))
	if port > 0 {
		o.raw("nr=" + strconv.FormatUint(port, 10))
	}
}
