package native

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virtxml"
)

// xlDisk is an xl disk specification (xl-disk-configuration(5)) after
// parsing.
type xlDisk struct {
	target   string
	format   string // raw, qcow, qcow2, vhd, qed, empty; "" for the default
	vdev     string
	access   string
	devtype  string // "cdrom" or ""
	backend  string // phy, qdisk, tap, standalone; "" for the default
	cdrom    bool
	readonly bool
}

// parseXLDiskSpec reads "key=value" pairs, bare flags and positional
// parameters (target, format, vdev, access, in that order). target=
// swallows the rest of the specification, commas included.
func parseXLDiskSpec(spec string) (*xlDisk, error) {
	d := &xlDisk{}
	set := map[string]bool{}
	assign := func(key, val string) error {
		if set[key] {
			return fmt.Errorf("%s specified more than once", key)
		}
		set[key] = true
		switch key {
		case "target":
			d.target = val
		case "format":
			switch val {
			case "", "raw", "qcow", "qcow2", "vhd", "qed", "empty":
				d.format = val
			default:
				return fmt.Errorf("unknown value for format: %s", val)
			}
		case "vdev":
			d.vdev = val
		case "access":
			switch val {
			case "", "rw", "w":
			case "r", "ro":
				d.readonly = true
			default:
				return fmt.Errorf("unknown value for access: %s", val)
			}
			d.access = val
		case "devtype":
			switch val {
			case "", "disk":
			case "cdrom":
				d.cdrom = true
			default:
				return fmt.Errorf("unknown value for type: %s", val)
			}
			d.devtype = val
		case "backendtype":
			switch val {
			case "", "phy", "qdisk", "tap", "standalone":
				d.backend = val
			default:
				return fmt.Errorf("unknown value for backendtype: %s", val)
			}
		}
		return nil
	}
	positional := []string{"target", "format", "vdev", "access"}
	next := 0
	rest := spec
	for {
		var param string
		var more bool
		trimmed := strings.TrimLeft(rest, " \t\n")
		if strings.HasPrefix(trimmed, "target=") {
			param, more = trimmed, false
		} else {
			param, rest, more = strings.Cut(rest, ",")
			param = strings.TrimLeft(param, " \t\n")
		}
		if err := xlDiskParam(d, param, assign, positional, &next); err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
	if d.vdev == "" {
		return nil, fmt.Errorf("missing vdev specification")
	}
	if d.target == "" && !d.cdrom && d.format != "empty" {
		return nil, fmt.Errorf("no target specified")
	}
	if d.cdrom {
		d.readonly = true
	}
	return d, nil
}

// xlDiskParam reads one parameter of a disk specification.
func xlDiskParam(d *xlDisk, param string, assign func(k, v string) error, positional []string, next *int) error {
	if k, v, ok := strings.Cut(param, "="); ok {
		switch k {
		case "target", "format", "vdev", "access", "devtype", "backendtype":
			return assign(k, v)
		case "backend", "script", "specification", "colo-host", "colo-port",
			"colo-export", "active-disk", "hidden-disk", "trusted", "untrusted":
			return nil
		}
		return fmt.Errorf("unknown disk parameter '%s'", k)
	}
	switch param {
	case "cdrom":
		return assign("devtype", "cdrom")
	case "discard", "no-discard", "direct-io-safe":
		return nil
	}
	for *next < len(positional) {
		key := positional[*next]
		*next++
		if key == "target" && param != "" {
			param = stripDeprecatedPrefix(d, param)
		}
		return assign(key, param)
	}
	if param == "" {
		return nil
	}
	return fmt.Errorf("too many positional parameters at '%s'", param)
}

// stripDeprecatedPrefix removes the old "phy:", "file:", "tap:aio:"-style
// prefixes of a positional target, keeping what they imply.
func stripDeprecatedPrefix(d *xlDisk, target string) string {
	for {
		pre, rest, ok := strings.Cut(target, ":")
		if !ok {
			return target
		}
		switch pre {
		case "phy":
			d.backend = "phy"
		case "tap", "tap2", "tapdisk":
			d.backend = "tap"
		case "file", "ioemu":
		case "aio", "raw":
			d.format = "raw"
		case "qcow", "qcow2", "vhd", "qed":
			d.format = pre
		default:
			return target
		}
		target = rest
	}
}

// toDisk converts the specification to a domain disk, as libvirt's xl
// reader does.
func (x *xlDisk) toDisk(hvm bool) (*virtxml.Disk, error) {
	disk := &virtxml.Disk{Device: "disk", Driver: &virtxml.DiskDriver{}}
	if x.target != "" {
		if strings.HasPrefix(x.target, "rbd:") {
			src, err := parseRBD(strings.ReplaceAll(x.target, `\\`, `\`))
			if err != nil {
				return nil, err
			}
			disk.Type = "network"
			disk.Source = src
		} else {
			disk.Source = &virtxml.DiskSource{File: x.target}
		}
	}
	disk.ReadOnly = x.readonly
	if x.cdrom {
		disk.Driver.Name = "qemu"
		disk.Type = "file"
		disk.Device = "cdrom"
		if x.target != "" {
			disk.Driver.Type = "raw"
		}
	} else {
		switch x.format {
		case "qcow", "qcow2", "vhd", "qed":
			disk.Driver.Type = x.format
		case "", "raw":
			disk.Driver.Type = "raw"
		}
		switch x.backend {
		case "", "qdisk":
			disk.Driver.Name = "qemu"
			if disk.Type == "" {
				disk.Type = "file"
			}
		case "tap":
			disk.Driver.Name = "tap"
			disk.Type = "file"
		case "phy":
			disk.Driver.Name = "phy"
			disk.Type = "block"
		default:
			return nil, fmt.Errorf("disk backend not supported: %s", x.backend)
		}
	}
	if disk.Source != nil && disk.Type == "block" {
		disk.Source = &virtxml.DiskSource{Dev: disk.Source.File}
	}
	bus := "ide"
	switch {
	case strings.HasPrefix(x.vdev, "xvd") || !hvm:
		bus = "xen"
	case strings.HasPrefix(x.vdev, "sd"):
		bus = "scsi"
	}
	disk.Target = &virtxml.DiskTarget{Dev: x.vdev, Bus: bus}
	return disk, nil
}

// parseRBD reads a Ceph RBD source as QEMU spells it:
// "rbd:POOL/IMAGE[@SNAP][:opt=val...]", ':' and ';' escaped with '\'.
func parseRBD(s string) (*virtxml.DiskSource, error) {
	parts := splitEscaped(strings.TrimPrefix(s, "rbd:"), ':')
	if len(parts) == 0 || parts[0] == "" {
		return nil, fmt.Errorf("missing RBD image name in '%s'", s)
	}
	src := &virtxml.DiskSource{Protocol: "rbd", Name: unescape(parts[0])}
	if name, snap, ok := strings.Cut(src.Name, "@"); ok {
		src.Name = name
		src.Snapshot = &virtxml.DiskSourceName{Name: snap}
	}
	for _, opt := range parts[1:] {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "id":
			src.Auth = &virtxml.DiskAuth{Username: unescape(v)}
		case "mon_host":
			for _, h := range splitHosts(v) {
				host := virtxml.DiskSourceHost{Name: unescape(h)}
				if strings.HasPrefix(host.Name, "[") {
					if end := strings.IndexByte(host.Name, ']'); end > 0 {
						host.Port = strings.TrimPrefix(host.Name[end+1:], ":")
						host.Name = host.Name[1:end]
					}
				} else if i := strings.LastIndexByte(host.Name, ':'); i >= 0 {
					host.Name, host.Port = host.Name[:i], host.Name[i+1:]
				}
				if host.Port != "" {
					if _, err := strconv.ParseUint(host.Port, 10, 16); err != nil {
						return nil, fmt.Errorf("invalid port '%s' in '%s'", host.Port, s)
					}
				}
				src.Hosts = append(src.Hosts, host)
			}
		case "conf":
			src.Config = &virtxml.DiskSourceFile{File: unescape(v)}
		}
	}
	return src, nil
}

// splitEscaped splits s at sep where sep is not preceded by '\'.
func splitEscaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// splitHosts splits an RBD mon_host value at its escaped separators
// ("\;", "\," or "\ ").
func splitHosts(v string) []string {
	var out []string
	start := 0
	for i := 0; i+1 < len(v); i++ {
		if v[i] == '\\' && (v[i+1] == ';' || v[i+1] == ',' || v[i+1] == ' ') {
			out = append(out, v[start:i])
			start = i + 2
			i++
		}
	}
	if start < len(v) {
		out = append(out, v[start:])
	}
	return out
}

// unescape removes the '\' escapes of an RBD option value.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// formatXLDisk writes a disk as libvirt's xl writer does.
func formatXLDisk(disk *virtxml.Disk) (string, error) {
	var b strings.Builder
	format := ""
	if disk.Driver != nil {
		format = disk.Driver.Type
	}
	b.WriteString("format=")
	switch format {
	case "vhd":
		b.WriteString("xvhd")
	case "qcow", "qcow2", "qed":
		b.WriteString(format)
	default:
		b.WriteString("raw")
	}
	dst := ""
	if disk.Target != nil {
		dst = disk.Target.Dev
	}
	b.WriteString(",vdev=" + dst)
	b.WriteString(",access=")
	switch {
	case disk.ReadOnly:
		b.WriteString("ro")
	case disk.Shareable:
		b.WriteString("!")
	default:
		b.WriteString("rw")
	}
	if disk.Transient != nil {
		return "", errAt(codeUnsupported, 0, "", "transient disks not supported yet")
	}
	if disk.Driver != nil && disk.Driver.Name != "" {
		b.WriteString(",backendtype=")
		switch disk.Driver.Name {
		case "qemu", "file":
			b.WriteString("qdisk")
		case "tap", "phy":
			b.WriteString(disk.Driver.Name)
		}
	}
	if disk.Device == "cdrom" {
		b.WriteString(",devtype=cdrom")
	}
	target, err := xlDiskTarget(disk)
	if err != nil {
		return "", err
	}
	if target != "" {
		b.WriteString(",target=" + target)
	}
	return b.String(), nil
}

// xlDiskTarget returns the disk's source as xl names it.
func xlDiskTarget(disk *virtxml.Disk) (string, error) {
	s := disk.Source
	if s == nil {
		return "", nil
	}
	switch disk.Type {
	case "network":
		if s.Protocol != "rbd" {
			return "", errAt(codeUnsupported, 0, "", "unsupported network block protocol '%s'", s.Protocol)
		}
		name := s.Name
		if strings.IndexByte(name[strings.IndexByte(name, '/')+1:], ':') >= 0 {
			return "", errAt(codeUnsupported, 0, "", "':' not allowed in RBD source volume name '%s'", name)
		}
		var b strings.Builder
		b.WriteString("rbd:" + name + ":auth_supported=none")
		if len(s.Hosts) > 0 {
			b.WriteString(":mon_host=")
			for i, h := range s.Hosts {
				if i > 0 {
					b.WriteString(`\\;`)
				}
				if strings.IndexByte(h.Name, ':') >= 0 {
					b.WriteString("[" + strings.ReplaceAll(h.Name, ":", `\:`) + "]")
				} else {
					b.WriteString(h.Name)
				}
				if h.Port != "" && h.Port != "0" {
					b.WriteString(`\\:` + h.Port)
				}
			}
		}
		return b.String(), nil
	case "volume", "nvme":
		return "", nil
	}
	for _, p := range []string{s.File, s.Dev, s.Dir} {
		if p != "" {
			return p, nil
		}
	}
	return "", nil
}
