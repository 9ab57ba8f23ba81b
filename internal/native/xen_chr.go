package native

import (
	"fmt"
	"strings"

	"github.com/govirt/govirt/virtxml"
)

// chrTypes lists libvirt's character device types.
var chrTypes = map[string]bool{
	"null": true, "vc": true, "pty": true, "dev": true, "file": true, "pipe": true,
	"stdio": true, "udp": true, "tcp": true, "unix": true, "spicevmc": true,
	"spiceport": true, "nmdm": true, "qemu-vdagent": true, "dbus": true,
}

// parseSxprChar reads a character device as Xen configs write it: "pty",
// "/dev/ttyS0", "file:PATH", "pipe:PATH", "tcp:HOST:PORT[,server,nowait]",
// "telnet:HOST:PORT", "udp:HOST:PORT@HOST:PORT", "unix:PATH[,server]".
func parseSxprChar(value string) (virtxml.Chardev, error) {
	var c virtxml.Chardev
	if strings.HasPrefix(value, "/") {
		c.Type = "dev"
		c.Sources = []virtxml.CharSource{{Path: value}}
		return c, nil
	}
	prefix, rest, hasRest := strings.Cut(value, ":")
	if !hasRest {
		rest = value
	}
	telnet := strings.HasPrefix(prefix, "telnet")
	if telnet {
		c.Type = "tcp"
	} else {
		if !chrTypes[prefix] {
			return c, fmt.Errorf("unknown chr device type '%s'", prefix)
		}
		c.Type = prefix
	}
	switch c.Type {
	case "file", "pipe":
		c.Sources = []virtxml.CharSource{{Path: rest}}
	case "tcp":
		host, svc, ok := strings.Cut(rest, ":")
		if !ok {
			return c, fmt.Errorf("malformed char device string '%s'", value)
		}
		svc, opts, _ := strings.Cut(svc, ",")
		src := virtxml.CharSource{Mode: "connect", Host: host, Service: svc}
		if strings.Contains(","+opts, ",server") {
			src.Mode = "bind"
		}
		c.Sources = []virtxml.CharSource{src}
		proto := "raw"
		if telnet {
			proto = "telnet"
		}
		c.Protocol = &virtxml.CharProtocol{Type: proto}
	case "udp":
		host, svc, ok := strings.Cut(rest, ":")
		if !ok {
			return c, fmt.Errorf("malformed char device string '%s'", value)
		}
		connect := virtxml.CharSource{Mode: "connect", Host: host}
		if csvc, bind, ok := strings.Cut(svc, "@"); ok {
			connect.Service = csvc
			bhost, bsvc, ok := strings.Cut(bind, ":")
			if !ok {
				return c, fmt.Errorf("malformed char device string '%s'", value)
			}
			c.Sources = append(c.Sources, virtxml.CharSource{Mode: "bind", Host: bhost, Service: bsvc})
		} else {
			connect.Service = svc
		}
		if connect.Host != "" || connect.Service != "" {
			c.Sources = append(c.Sources, connect)
		}
	case "unix":
		path, opts, _ := strings.Cut(rest, ",")
		src := virtxml.CharSource{Mode: "connect", Path: path}
		if strings.Contains(","+opts, ",server") {
			src.Mode = "bind"
		}
		c.Sources = []virtxml.CharSource{src}
	}
	return c, nil
}

// sourceMode returns the first source of c with the given mode ("" for
// any).
func sourceMode(c *virtxml.Chardev, mode string) *virtxml.CharSource {
	for i := range c.Sources {
		if mode == "" || c.Sources[i].Mode == mode || (mode == "connect" && c.Sources[i].Mode == "") {
			return &c.Sources[i]
		}
	}
	return nil
}

// formatSxprChar writes a character device as Xen configs spell it.
func formatSxprChar(c *virtxml.Chardev) (string, error) {
	src := sourceMode(c, "")
	path := ""
	if src != nil {
		path = src.Path
	}
	switch c.Type {
	case "null", "stdio", "vc", "pty":
		return c.Type, nil
	case "file", "pipe":
		return c.Type + ":" + escapeSexpr(path), nil
	case "dev":
		return escapeSexpr(path), nil
	case "tcp":
		proto := "tcp"
		if c.Protocol != nil && c.Protocol.Type != "" && c.Protocol.Type != "raw" {
			proto = "telnet"
		}
		var host, svc, opts string
		if src != nil {
			host, svc = src.Host, src.Service
			if src.Mode == "bind" {
				opts = ",server,nowait"
			}
		}
		return proto + ":" + host + ":" + svc + opts, nil
	case "udp":
		var ch, cs, bh, bs string
		if s := sourceMode(c, "connect"); s != nil {
			ch, cs = s.Host, s.Service
		}
		if s := sourceMode(c, "bind"); s != nil {
			bh, bs = s.Host, s.Service
		}
		return "udp:" + ch + ":" + cs + "@" + bh + ":" + bs, nil
	case "unix":
		s := "unix:" + escapeSexpr(path)
		if src != nil && src.Mode == "bind" {
			s += ",server,nowait"
		}
		return s, nil
	}
	return "", errAt(codeUnsupported, 0, "", "unsupported chr device type '%s'", c.Type)
}

// escapeSexpr escapes what xend's S-expressions need escaped.
func escapeSexpr(s string) string {
	if !strings.ContainsAny(s, `\)`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == ')' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
