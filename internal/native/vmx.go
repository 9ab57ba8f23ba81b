package native

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virtxml"
)

// VMwareNamespace is the namespace of libvirt's VMware-specific domain
// elements (<vmware:datacenterpath>).
const VMwareNamespace = "http://libvirt.org/schemas/domain/vmware/1.0"

// VMXOptions tunes the conversion of a .vmx file.
type VMXOptions struct {
	// DatacenterPath is the vCenter datacenter path the file comes from;
	// when set it is kept as <vmware:datacenterpath>.
	DatacenterPath string
	// FileName maps a file name of the .vmx (a disk image, an ISO, a
	// serial port's file) to the source path the domain shows; ok false
	// with allowMissing means "no such file" (the device is kept without
	// a source). Nil keeps names as written, as libvirt's VMware
	// Workstation driver does; an ESX host maps them to datastore paths.
	FileName func(name string, allowMissing bool) (path string, ok bool, err error)
}

// vmxReader reads typed values out of a .vmx config, ignoring key case;
// a key set twice keeps its first value.
type vmxReader struct {
	c     *Config
	index map[string]int // lower-cased key -> entry
	used  map[string]bool
}

// lookup returns the first entry of key, matched without regard to case.
func (r *vmxReader) lookup(key string) (*Entry, bool) {
	i, ok := r.index[strings.ToLower(key)]
	if !ok {
		return nil, false
	}
	return &r.c.Entries[i], true
}

func (r *vmxReader) fail(key, format string, args ...any) *virtxml.Error {
	line := 0
	if e, ok := r.lookup(key); ok {
		line = e.Line
	}
	return errAt(codeInternal, line, key, format, args...)
}

// str returns key's value; ok is false when it is unset.
func (r *vmxReader) str(key string) (string, bool) {
	e, ok := r.lookup(key)
	if !ok {
		return "", false
	}
	r.used[strings.ToLower(key)] = true
	return e.Value.Str, true
}

// required returns key's value or an error naming it.
func (r *vmxReader) required(key string) (string, error) {
	s, ok := r.str(key)
	if !ok {
		return "", errAt(codeInternal, 0, key, "missing essential config entry")
	}
	return s, nil
}

// long returns key as an integer ("unlimited" is -1), or def when unset.
func (r *vmxReader) long(key string, def int64) (int64, error) {
	s, ok := r.str(key)
	if !ok {
		return def, nil
	}
	if strings.EqualFold(s, "unlimited") {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, r.fail(key, "must represent an integer value, not '%s'", s)
	}
	return n, nil
}

// boolean returns key as true or false (either case), or def when unset.
func (r *vmxReader) boolean(key string, def bool) (bool, error) {
	s, ok := r.str(key)
	if !ok {
		return def, nil
	}
	switch {
	case strings.EqualFold(s, "true"):
		return true, nil
	case strings.EqualFold(s, "false"):
		return false, nil
	}
	return false, r.fail(key, "must represent a boolean value (true|false), not '%s'", s)
}

// parseVMXUUID reads a UUID as VMware writes it ("42 35 94 20 ...
// 99 dc-42 61 ..."): hex pairs, spaces and dashes between them ignored.
func parseVMXUUID(s string) (virtxml.UUID, bool) {
	var u virtxml.UUID
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	i := 0
	for n := 0; n < 16; {
		if i >= len(s) {
			return u, false
		}
		if s[i] == '-' || s[i] == ' ' {
			i++
			continue
		}
		if i+1 >= len(s) {
			return u, false
		}
		v, err := strconv.ParseUint(s[i:i+2], 16, 8)
		if err != nil {
			return u, false
		}
		u[n] = byte(v)
		n++
		i += 2
	}
	return u, strings.TrimSpace(s[i:]) == ""
}

// unescapeHex undoes VMware's "cXX" escapes (c being '|' or '%').
func unescapeHex(s string, escape byte) (string, bool) {
	if strings.IndexByte(s, escape) < 0 {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != escape {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), true
}

// vmxParser builds a domain from a .vmx config.
type vmxParser struct {
	vmxReader
	opts     VMXOptions
	d        *virtxml.Domain
	dev      *virtxml.Devices
	scsiUnit int // units per SCSI bus: 16, or 64 from virtual hardware 13
}

// ParseVMX converts a VMware .vmx file to a domain, as libvirt's
// vmware-vmx native format does.
func ParseVMX(data []byte, opts VMXOptions) (*Result, error) {
	c, err := ParseVMXConfig(data)
	if err != nil {
		return nil, err
	}
	enc, ok := (&vmxReader{c: c, index: c.foldIndex(), used: map[string]bool{}}).str(".encoding")
	if ok && !strings.EqualFold(enc, "UTF-8") {
		if data, err = toUTF8(data, enc); err != nil {
			return nil, err
		}
		if c, err = ParseVMXConfig(data); err != nil {
			return nil, err
		}
	}
	if err := checkText(data); err != nil {
		return nil, err
	}
	return VMXToDomain(c, opts)
}

// VMXToDomain converts a parsed .vmx config to a domain.
func VMXToDomain(c *Config, opts VMXOptions) (*Result, error) {
	d := &virtxml.Domain{Type: "vmware", Devices: &virtxml.Devices{}}
	p := &vmxParser{vmxReader: vmxReader{c: c, index: c.foldIndex(), used: map[string]bool{}}, opts: opts, d: d, dev: d.Devices, scsiUnit: 16}
	p.str(".encoding")
	for _, step := range []func() error{
		p.parseGeneral, p.parseCPU, p.parseOS, p.parseVNC, p.parseDisks,
		p.parseSharedFolders, p.parseEthernets, p.parseVideo, p.parseSerials,
		p.parseParallels, p.parseFirmware,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if opts.DatacenterPath != "" {
		d.NSAttrs = append(d.NSAttrs, xmldoc.Attr{Name: "xmlns:vmware", Value: VMwareNamespace})
		d.NSElements = append(d.NSElements, &xmldoc.Node{Name: "vmware:datacenterpath", Text: opts.DatacenterPath})
	}
	addDiskControllers(d.Devices)
	addConsoleCompat(d.Devices)
	for i := range d.Devices.Videos {
		if i == 0 {
			d.Devices.Videos[i].Model.Primary = "yes"
		}
	}
	var unknown []string
	for _, e := range c.Entries {
		if e.Key != "" && !p.used[strings.ToLower(e.Key)] {
			unknown = append(unknown, e.Key)
		}
	}
	return &Result{Domain: d, Unknown: unknown}, nil
}

func (p *vmxParser) parseGeneral() error {
	cv, err := p.required("config.version")
	if err != nil {
		return err
	}
	if n, err := strconv.ParseInt(cv, 10, 64); err != nil || n != 8 {
		return p.fail("config.version", "expecting VMX entry 'config.version' to be 8 but found %s", cv)
	}
	hw, err := p.required("virtualHW.version")
	if err != nil {
		return err
	}
	hwv, err := strconv.ParseInt(hw, 10, 64)
	if err != nil {
		return p.fail("virtualHW.version", "must represent an integer value, not '%s'", hw)
	}
	if hwv < 4 {
		return p.fail("virtualHW.version", "expecting VMX entry 'virtualHW.version' to be 4 or higher but found %d", hwv)
	}
	if hwv >= 13 {
		p.scsiUnit = 64
	}
	if s, ok := p.str("uuid.bios"); ok {
		u, good := parseVMXUUID(s)
		if !good {
			return p.fail("uuid.bios", "could not parse UUID from string '%s'", s)
		}
		p.d.UUID = u
	}
	if name, ok := p.str("displayName"); ok {
		n, good := unescapeHex(name, '%')
		if good {
			n, good = unescapeHex(n, '|')
		}
		if !good || checkText([]byte(n)) != nil {
			return p.fail("displayName", "VMX entry 'name' contains invalid escape sequence")
		}
		p.d.Name = n
	}
	g0, err := p.long("vm.genid", 0)
	if err != nil {
		return err
	}
	g1, err := p.long("vm.genidX", 0)
	if err != nil {
		return err
	}
	if g0 != 0 || g1 != 0 {
		u, _ := virtxml.ParseUUID(fmt.Sprintf("%016x%016x", uint64(g0), uint64(g1)))
		g := virtxml.GenID(u)
		p.d.GenID = &g
	}
	if a, ok := p.str("annotation"); ok {
		desc, good := unescapeHex(a, '|')
		if !good || checkText([]byte(desc)) != nil {
			return p.fail("annotation", "VMX entry 'annotation' contains invalid escape sequence")
		}
		p.d.Description = desc
	}
	memsize, err := p.long("memsize", 32)
	if err != nil {
		return err
	}
	if memsize <= 0 || memsize%4 != 0 || memsize > 1<<42 {
		return p.fail("memsize", "expecting VMX entry 'memsize' to be an unsigned integer (multiple of 4) but found %d", memsize)
	}
	total := uint64(memsize) * 1024
	p.d.Memory = &virtxml.Memory{Unit: "KiB", Value: total}
	max, err := p.long("sched.mem.max", memsize)
	if err != nil {
		return err
	}
	if max < 0 || max > 1<<42 {
		max = memsize
	}
	cur := uint64(max) * 1024
	if cur > total {
		cur = total
	}
	p.d.CurrentMemory = &virtxml.Memory{Unit: "KiB", Value: cur}
	min, err := p.long("sched.mem.minsize", 0)
	if err != nil {
		return err
	}
	if min < 0 {
		min = 0
	}
	if min > 0 {
		g := uint64(min) * 1024
		if min > 1<<42 || g > total {
			g = total
		}
		p.d.MemTune = &virtxml.MemTune{MinGuarantee: &virtxml.Memory{Unit: "KiB", Value: g}}
	}
	p.d.OnPoweroff, p.d.OnReboot, p.d.OnCrash = "destroy", "restart", "destroy"
	p.d.Clock = &virtxml.Clock{Offset: "utc"}
	return nil
}

func (p *vmxParser) parseCPU() error {
	n, err := p.long("numvcpus", 1)
	if err != nil {
		return err
	}
	if n <= 0 || n > maxVCPUs {
		return p.fail("numvcpus", "expecting VMX entry 'numvcpus' to be an unsigned integer greater than 0 but found %d", n)
	}
	p.d.VCPU = &virtxml.VCPU{Placement: "static", Value: uint(n)}
	cores, err := p.long("cpuid.coresPerSocket", 1)
	if err != nil {
		return err
	}
	if cores > 1 {
		sockets := n / cores
		if sockets <= 0 {
			return p.fail("cpuid.coresPerSocket", "VMX entry 'cpuid.coresPerSocket' smaller than 'numvcpus'")
		}
		p.d.CPU = &virtxml.CPU{Topology: &virtxml.CPUTopology{Sockets: uint(sockets), Dies: 1, Cores: uint(cores), Threads: 1}}
	}
	if aff, ok := p.str("sched.cpu.affinity"); ok && !strings.EqualFold(aff, "all") {
		list := strings.Split(aff, ",")
		if int64(len(list)) < n {
			return p.fail("sched.cpu.affinity", "expecting VMX entry 'sched.cpu.affinity' to contain at least as many values as 'numvcpus' (%d) but found only %d value(s)", n, len(list))
		}
		var bits []uint
		for _, s := range list {
			v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 32)
			if err != nil {
				return p.fail("sched.cpu.affinity", "expecting VMX entry 'sched.cpu.affinity' to be a comma separated list of unsigned integers but found '%s'", aff)
			}
			if v >= 4096 {
				return p.fail("sched.cpu.affinity", "VMX entry 'sched.cpu.affinity' contains a %d, this value is too large", v)
			}
			bits = append(bits, uint(v))
		}
		p.d.VCPU.CPUSet = virtxml.FormatBitmap(bits)
	}
	if sh, ok := p.str("sched.cpu.shares"); ok {
		var v uint64
		switch {
		case strings.EqualFold(sh, "low"):
			v = uint64(n) * 500
		case strings.EqualFold(sh, "normal"):
			v = uint64(n) * 1000
		case strings.EqualFold(sh, "high"):
			v = uint64(n) * 2000
		default:
			x, err := strconv.ParseUint(sh, 10, 64)
			if err != nil {
				return p.fail("sched.cpu.shares", "expecting VMX entry 'sched.cpu.shares' to be an unsigned integer or 'low', 'normal' or 'high' but found '%s'", sh)
			}
			v = x
		}
		p.d.CPUTune = &virtxml.CPUTune{Shares: &v}
	}
	return nil
}

func (p *vmxParser) parseOS() error {
	arch := "i686"
	if g, ok := p.str("guestOS"); ok && strings.HasSuffix(g, "-64") {
		arch = "x86_64"
	}
	p.d.OS = &virtxml.OS{Type: virtxml.OSType{Arch: arch, Type: "hvm"}}
	host, err := p.boolean("smbios.reflecthost", false)
	if err != nil {
		return err
	}
	if host {
		p.d.OS.SMBIOS = &virtxml.OSSMBIOS{Mode: "host"}
	}
	return nil
}

func (p *vmxParser) parseVNC() error {
	on, err := p.boolean("RemoteDisplay.vnc.enabled", false)
	if err != nil || !on {
		return err
	}
	port, err := p.long("RemoteDisplay.vnc.port", -1)
	if err != nil {
		return err
	}
	if port > 65535 {
		return p.fail("RemoteDisplay.vnc.port", "out of range")
	}
	listen, _ := p.str("RemoteDisplay.vnc.ip")
	g := vncGraphics(port < 0, int(port), listen)
	g.Keymap, _ = p.str("RemoteDisplay.vnc.keymap")
	g.Passwd, _ = p.str("RemoteDisplay.vnc.password")
	p.dev.Graphics = append(p.dev.Graphics, g)
	return nil
}

func (p *vmxParser) parseVideo() error {
	size, err := p.long("svga.vramSize", 4*1024*1024)
	if err != nil {
		return err
	}
	if size < 0 || size > 1<<42 {
		return p.fail("svga.vramSize", "out of range")
	}
	vram := uint((size + 1023) / 1024)
	p.dev.Videos = append(p.dev.Videos, virtxml.Video{Model: &virtxml.VideoModel{Type: "vmvga", VRam: &vram}})
	return nil
}

func (p *vmxParser) parseFirmware() error {
	fw, ok := p.str("firmware")
	if ok {
		if fw != "efi" {
			return p.fail("firmware", "VMX entry 'firmware' has unknown value '%s'", fw)
		}
		p.d.OS.Firmware = "efi"
	}
	sb, err := p.boolean("uefi.secureBoot.enabled", false)
	if err != nil {
		return err
	}
	if sb && p.d.OS.Firmware == "efi" {
		p.d.OS.FirmwareInfo = &virtxml.OSFirmwareInfo{Features: []virtxml.OSFirmwareFeature{
			{Enabled: "yes", Name: "enrolled-keys"}, {Enabled: "yes", Name: "secure-boot"}}}
	}
	return nil
}

// fileName maps a file name of the .vmx with the configured mapping.
func (p *vmxParser) fileName(key, name string, allowMissing bool) (string, bool, error) {
	if p.opts.FileName == nil {
		return name, true, nil
	}
	path, ok, err := p.opts.FileName(name, allowMissing)
	if err != nil {
		return "", false, p.fail(key, "%v", err)
	}
	return path, ok, nil
}
