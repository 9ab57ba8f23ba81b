package native

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virtxml"
)

// Host facts the Xen conversions assume, as libvirt's libxl driver reports
// them on an x86_64 host.
const (
	// XenArch is the guest architecture of converted Xen domains.
	XenArch = "x86_64"
	// XenHVMLoader is the default HVM firmware (hvmloader).
	XenHVMLoader = "/usr/lib/xen/boot/hvmloader"
	// XenFirmwareDir holds ovmf.bin, the UEFI firmware bios="ovmf" selects.
	XenFirmwareDir = "/usr/lib/xen/boot"
	// minXenGuestMiB is half the memory a config without "memory" gets.
	minXenGuestMiB = 64
	// defaultVifScript is the script written for bridged interfaces.
	defaultVifScript = "vif-bridge"
)

// The guest kinds of a Xen domain.
const (
	osPV  = "linux" // libvirt writes PV guests' os type as "linux"
	osPVH = "xenpvh"
	osHVM = "hvm"
)

// xenParser builds a domain from an xm or xl config.
type xenParser struct {
	*xenReader
	flavor xenFlavor
	d      *virtxml.Domain
	dev    *virtxml.Devices
}

func (p *xenParser) hvm() bool { return p.d.OS.Type.Type == osHVM }

// parseCommon reads what xm and xl configs share.
func (p *xenParser) parseCommon() error {
	for _, step := range []func() error{
		p.parseMeta, p.parseMemory, p.parseLifecycle, p.parseCPUs,
		p.parseFeatures, p.parseClock, p.parseEmulator, p.parseVifs,
		p.parsePCI, p.parseSound, p.parseVfb, p.parseCharDevs,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (p *xenParser) parseMeta() error {
	name, ok, err := p.str("name")
	if err != nil {
		return err
	}
	if !ok {
		return errAt(codeInternal, 0, "name", "missing (every domain needs a name)")
	}
	p.d.Name = name
	s, ok, err := p.str("uuid")
	switch {
	case err != nil:
		return err
	case !ok:
		p.d.UUID = virtxml.NewUUID()
	case s == "":
		return p.fail("uuid", "can't be empty")
	default:
		u, err := virtxml.ParseUUID(s)
		if err != nil {
			return p.fail("uuid", "%s not parseable", s)
		}
		p.d.UUID = u
	}
	ostype, machine := osPV, "xenpv"
	t, ok, err := p.str("type")
	if err != nil {
		return err
	}
	if ok {
		switch t {
		case "pv":
			p.note("type = \"pv\"")
		case "pvh":
			ostype, machine = osPVH, "xenpvh"
		case "hvm":
			p.note("type = \"hvm\" (written as builder = \"hvm\")")
			ostype, machine = osHVM, "xenfv"
		default:
			return p.unsupported("type", "type %s is not supported", t)
		}
	} else {
		b, err := p.strDef("builder", "linux")
		if err != nil {
			return err
		}
		if b == "hvm" {
			ostype, machine = osHVM, "xenfv"
		}
	}
	p.d.OS = &virtxml.OS{Type: virtxml.OSType{Arch: XenArch, Machine: machine, Type: ostype}}
	return nil
}

func (p *xenParser) parseMemory() error {
	cur, err := p.ulong("memory", 2*minXenGuestMiB)
	if err != nil {
		return err
	}
	max, err := p.ulong("maxmem", cur)
	if err != nil {
		return err
	}
	const limit = 1 << 43 // MiB; anything larger overflows KiB arithmetic
	if cur > limit || max > limit {
		return p.fail("memory", "too large")
	}
	p.d.Memory = &virtxml.Memory{Unit: "KiB", Value: max * 1024}
	p.d.CurrentMemory = &virtxml.Memory{Unit: "KiB", Value: cur * 1024}
	return nil
}

// lifecycleActions lists libvirt's lifecycle action names.
var lifecycleActions = map[string]bool{
	"destroy": true, "restart": true, "rename-restart": true, "preserve": true,
	"coredump-destroy": true, "coredump-restart": true,
}

func (p *xenParser) parseLifecycle() error {
	for _, a := range []struct {
		key, def string
		dst      *string
	}{
		{"on_poweroff", "destroy", &p.d.OnPoweroff},
		{"on_reboot", "restart", &p.d.OnReboot},
		{"on_crash", "restart", &p.d.OnCrash},
	} {
		v, err := p.strDef(a.key, a.def)
		if err != nil {
			return err
		}
		if !lifecycleActions[v] {
			return p.fail(a.key, "unexpected value %s", v)
		}
		*a.dst = v
	}
	return nil
}

// maxVCPUs bounds vcpus and maxvcpus (libvirt's Xen limit).
const maxVCPUs = 4096

func (p *xenParser) parseCPUs() error {
	n, err := p.ulong("vcpus", 1)
	if err != nil {
		return err
	}
	max := n
	if _, _, ok := p.lookup("maxvcpus"); ok {
		if max, err = p.ulong("maxvcpus", 0); err != nil {
			return err
		}
	}
	if max == 0 || n == 0 {
		return p.fail("vcpus", "a domain needs at least one vCPU")
	}
	if max > maxVCPUs || n > maxVCPUs {
		return p.fail("vcpus", "more than %d vCPUs", maxVCPUs)
	}
	if n > max {
		n = max
	}
	p.d.VCPU = &virtxml.VCPU{Placement: "static", Value: uint(max)}
	if n < max {
		p.d.VCPU.Current = uint(n)
	}
	cpus, ok, err := p.str("cpus")
	if err != nil {
		return err
	}
	if ok {
		bits, good := virtxml.ParseBitmap(cpus)
		if !good {
			return p.fail("cpus", "malformed CPU set '%s'", cpus)
		}
		p.d.VCPU.CPUSet = virtxml.FormatBitmap(bits)
	}
	return nil
}

func (p *xenParser) features() *virtxml.Features {
	if p.d.Features == nil {
		p.d.Features = &virtxml.Features{}
	}
	return p.d.Features
}

func (p *xenParser) xenFeature() *virtxml.FeatureXen {
	f := p.features()
	if f.Xen == nil {
		f.Xen = &virtxml.FeatureXen{}
	}
	return f.Xen
}

func (p *xenParser) clock() *virtxml.Clock {
	if p.d.Clock == nil {
		p.d.Clock = &virtxml.Clock{}
	}
	return p.d.Clock
}

func (p *xenParser) parseFeatures() error {
	tsc, ok, err := p.str("tsc_mode")
	if err != nil {
		return err
	}
	if ok {
		mode := "auto"
		switch tsc {
		case "always_emulate":
			mode = "emulate"
		case "native":
			mode = "native"
		case "native_paravirt":
			mode = "paravirt"
		}
		c := p.clock()
		c.Timers = append(c.Timers, virtxml.Timer{Name: "tsc", Present: "yes", Mode: mode})
	}
	pt, ok, err := p.str("passthrough")
	if err != nil {
		return err
	}
	if ok {
		x := &virtxml.FeatureXenPassthrough{State: "on"}
		switch pt {
		case "disabled":
			x.State = "off"
		case "enabled":
		case "sync_pt", "share_pt":
			x.Mode = pt
		default:
			return p.fail("passthrough", "invalid passthrough mode %s", pt)
		}
		p.xenFeature().Passthrough = x
	}
	if !p.hvm() {
		v, err := p.boolean("e820_host", 0)
		if err != nil {
			return err
		}
		if v == 1 {
			p.xenFeature().E820Host = &virtxml.FeatureState{State: "on"}
		}
		return nil
	}
	f := p.features()
	for _, b := range []struct {
		key string
		def int
		set func(int)
	}{
		{"pae", 1, func(v int) { f.PAE = v == 1 }},
		{"acpi", 1, func(v int) { f.ACPI = v == 1 }},
		{"apic", 1, func(v int) {
			if v == 1 {
				f.APIC = &virtxml.FeatureAPIC{}
			}
		}},
		{"hap", 1, func(v int) {
			if v == 0 {
				f.HAP = &virtxml.FeatureState{State: "off"}
			}
		}},
		{"viridian", 0, func(v int) { f.Viridian = v == 1 }},
	} {
		if _, ok := p.index[b.key]; !ok && (b.key == "pae" || b.key == "acpi" || b.key == "apic") {
			p.note(b.key + " left to its default")
		}
		v, err := p.boolean(b.key, b.def)
		if err != nil {
			return err
		}
		b.set(v)
	}
	hpet, err := p.boolean("hpet", -1)
	if err != nil {
		return err
	}
	if hpet != -1 {
		present := "no"
		if hpet == 1 {
			present = "yes"
		}
		c := p.clock()
		c.Timers = append(c.Timers, virtxml.Timer{Name: "hpet", Present: present})
	}
	return nil
}

func (p *xenParser) parseClock() error {
	local, err := p.boolean("localtime", 0)
	if err != nil {
		return err
	}
	c := p.clock()
	if p.hvm() {
		off, err := p.ulong("rtc_timeoffset", 0)
		if err != nil {
			return err
		}
		c.Offset, c.Adjustment, c.Basis = "variable", strconv.Itoa(int(int32(off))), "utc"
		if local == 1 {
			c.Basis = "localtime"
		}
		return nil
	}
	c.Offset, c.Adjustment = "utc", "reset"
	if local == 1 {
		c.Offset = "localtime"
	}
	return nil
}

func (p *xenParser) parseEmulator() error {
	s, ok, err := p.str("device_model_override")
	if ok {
		p.dev.Emulator = s
	}
	return err
}

func (p *xenParser) parseVifs() error {
	v, _, ok := p.lookup("vif")
	if !ok || v.Kind != List {
		return nil
	}
	typename := "vif"
	if p.flavor == flavorXM {
		typename = "netfront"
	}
	for i, e := range v.List {
		if e.Kind != String {
			continue
		}
		net, err := parseVif(e.Str, typename)
		if err != nil {
			return p.fail("vif", "item %d: %v", i+1, err)
		}
		p.dev.Interfaces = append(p.dev.Interfaces, *net)
	}
	return nil
}

// parseVif reads one vif specification ("mac=...,bridge=...,...").
func parseVif(spec, typename string) (*virtxml.Interface, error) {
	var mac, bridge, script, model, typ, ip, vifname, rate string
	var haveBridge, haveScript, haveModel, haveType, haveIP, haveVifname, haveRate bool
	for _, kv := range strings.Split(spec, ",") {
		kv = strings.TrimLeft(kv, " \t\n\v\f\r")
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("'%s' is not key=value", kv)
		}
		switch k {
		case "mac":
			mac = v
		case "bridge":
			bridge, haveBridge = v, true
		case "script":
			script, haveScript = v, true
		case "model":
			model, haveModel = v, true
		case "type":
			typ, haveType = v, true
		case "vifname":
			vifname, haveVifname = v, true
		case "ip":
			ip, haveIP = v, true
		case "rate":
			rate, haveRate = v, true
		}
	}
	n := &virtxml.Interface{Type: "ethernet"}
	if mac != "" {
		m, err := normMAC(mac)
		if err != nil {
			return nil, err
		}
		n.MAC = &virtxml.InterfaceMAC{Address: m}
	}
	if haveBridge || (haveScript && (script == "vif-bridge" || script == "vif-vnic")) {
		n.Type = "bridge"
	}
	if n.Type == "bridge" && haveBridge {
		if err := parseVifBridge(n, bridge); err != nil {
			return nil, err
		}
	}
	if haveIP {
		for _, a := range strings.Split(ip, " ") {
			addr, err := netip.ParseAddr(a)
			if err != nil {
				return nil, fmt.Errorf("invalid IP address '%s'", a)
			}
			fam := "ipv4"
			if addr.Is6() {
				fam = "ipv6"
			}
			n.IPs = append(n.IPs, virtxml.InterfaceIP{Address: a, Family: fam})
		}
	}
	if script != "" {
		n.Script = &virtxml.InterfacePath{Path: script}
	}
	if haveModel {
		if model == "" {
			return nil, fmt.Errorf("empty model")
		}
		n.Model = &virtxml.InterfaceModel{Type: model}
	} else if haveType && typ == typename {
		n.Model = &virtxml.InterfaceModel{Type: "netfront"}
	}
	if haveVifname && vifname != "" {
		n.Target = &virtxml.InterfaceTarget{Dev: vifname}
	}
	if haveRate {
		kb, err := parseVifRate(rate)
		if err != nil {
			return nil, err
		}
		n.Bandwidth = outboundBandwidth(kb)
	}
	return n, nil
}

// normMAC parses a MAC address and writes it as libvirt does (lower case,
// two digits per byte).
func normMAC(s string) (string, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return "", fmt.Errorf("malformed mac address '%s'", s)
	}
	var b strings.Builder
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil || p == "" || len(p) > 2 {
			return "", fmt.Errorf("malformed mac address '%s'", s)
		}
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02x", v)
	}
	return b.String(), nil
}

// parseVifBridge reads "BRIDGE[.VLAN]" or "BRIDGE:TAG:TAG..." (Open vSwitch).
func parseVifBridge(n *virtxml.Interface, bridge string) error {
	tag := func(s string) (virtxml.VLANTag, error) {
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return virtxml.VLANTag{}, fmt.Errorf("malformed VLAN tag '%s'", s)
		}
		return virtxml.VLANTag{ID: uint(v)}, nil
	}
	if name, vlan, ok := strings.Cut(bridge, "."); ok {
		t, err := tag(vlan)
		if err != nil {
			return err
		}
		n.Source = &virtxml.InterfaceSource{Bridge: name}
		n.VLAN = &virtxml.VLAN{Tags: []virtxml.VLANTag{t}}
		n.VirtualPort = &virtxml.VirtualPort{Type: "openvswitch"}
		return nil
	}
	if strings.IndexByte(bridge, ':') >= 0 {
		parts := strings.Split(bridge, ":")
		n.Source = &virtxml.InterfaceSource{Bridge: parts[0]}
		n.VLAN = &virtxml.VLAN{Trunk: true}
		for _, s := range parts[1:] {
			t, err := tag(s)
			if err != nil {
				return err
			}
			n.VLAN.Tags = append(n.VLAN.Tags, t)
		}
		n.VirtualPort = &virtxml.VirtualPort{Type: "openvswitch"}
		return nil
	}
	n.Source = &virtxml.InterfaceSource{Bridge: bridge}
	return nil
}

// parseVifRate reads "N[GMK]{B,b}/s[@interval]" as kilobytes per second.
func parseVifRate(rate string) (uint64, error) {
	r, _, _ := strings.Cut(rate, "@")
	bad := fmt.Errorf("invalid rate '%s'", rate)
	i := 0
	for i < len(r) && isDigit(r[i]) {
		i++
	}
	if i == 0 {
		return 0, bad
	}
	n, err := strconv.ParseUint(r[:i], 10, 64)
	if err != nil {
		return 0, bad
	}
	suffix := r[i:]
	mult := uint64(1)
	if suffix != "" && (suffix[0] == 'G' || suffix[0] == 'M' || suffix[0] == 'K') {
		switch suffix[0] {
		case 'G':
			mult = 1024 * 1024
		case 'M':
			mult = 1024
		}
		suffix = suffix[1:]
	}
	if suffix != "B/s" && suffix != "b/s" {
		return 0, bad
	}
	if n > (1<<63)/mult {
		return 0, bad
	}
	n *= mult
	if suffix[0] == 'b' {
		n /= 8
	}
	return n, nil
}

func (p *xenParser) parsePCI() error {
	v, _, ok := p.lookup("pci")
	if !ok || v.Kind != List {
		return nil
	}
	list, _, err := p.strList("pci", false)
	if err != nil {
		return err
	}
	for i, s := range list {
		h, short, err := parsePCISpec(s)
		if err != nil {
			return p.fail("pci", "item %d: %v", i+1, err)
		}
		if short {
			p.note("PCI address '" + s + "' without a domain")
		}
		p.dev.Hostdevs = append(p.dev.Hostdevs, *h)
	}
	return nil
}

// parsePCISpec reads "[DDDD:]BB:SS.F[,opt=val...]"; short reports a
// missing domain.
func parsePCISpec(s string) (*virtxml.Hostdev, bool, error) {
	addr, opts, _ := strings.Cut(s, ",")
	parts := strings.SplitN(addr, ":", 3)
	hex := func(x string, max uint64) (uint64, error) {
		v, err := strconv.ParseUint(x, 16, 64)
		if err != nil || v > max {
			return 0, fmt.Errorf("malformed PCI address %s", s)
		}
		return v, nil
	}
	var dom uint64
	var err error
	short := len(parts) < 3
	if !short {
		if dom, err = hex(parts[0], 0xffff); err != nil {
			return nil, false, err
		}
		parts = parts[1:]
	}
	if len(parts) != 2 {
		return nil, false, fmt.Errorf("malformed PCI address %s", s)
	}
	bus, err := hex(parts[0], 0xff)
	if err != nil {
		return nil, false, err
	}
	slotS, fnS, ok := strings.Cut(parts[1], ".")
	if !ok {
		return nil, false, fmt.Errorf("malformed PCI address %s", s)
	}
	slot, err := hex(slotS, 0x1f)
	if err != nil {
		return nil, false, err
	}
	fn, err := hex(fnS, 7)
	if err != nil {
		return nil, false, err
	}
	h := &virtxml.Hostdev{Mode: "subsystem", Type: "pci", Managed: "no",
		Driver: &virtxml.HostdevDriver{Name: "xen"},
		Source: &virtxml.HostdevSource{Address: &virtxml.HostdevAddress{
			Domain:   fmt.Sprintf("0x%04x", dom),
			Bus:      fmt.Sprintf("0x%02x", bus),
			Slot:     fmt.Sprintf("0x%02x", slot),
			Function: fmt.Sprintf("0x%x", fn),
		}}}
	if opts != "" {
		for _, o := range strings.Split(opts, ",") {
			k, v, ok := strings.Cut(o, "=")
			if !ok {
				return nil, false, fmt.Errorf("malformed PCI options %s", opts)
			}
			if k == "permissive" {
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, false, fmt.Errorf("malformed PCI option %s", o)
				}
				wf := "yes"
				if n != 0 {
					wf = "no"
				}
				h.Source.Attrs = append(h.Source.Attrs, virtxml.Attr{Name: "writeFiltering", Value: wf})
			}
		}
	}
	return h, short, nil
}

// soundModels lists libvirt's sound models.
var soundModels = map[string]bool{
	"sb16": true, "es1370": true, "pcspk": true, "ac97": true, "ich6": true,
	"ich9": true, "usb": true, "ich7": true, "virtio": true,
}

func (p *xenParser) parseSound() error {
	if !p.hvm() {
		return nil
	}
	s, ok, err := p.str("soundhw")
	if err != nil || !ok {
		return err
	}
	if s == "all" {
		p.dev.Sounds = append(p.dev.Sounds, virtxml.Sound{Model: "sb16"}, virtxml.Sound{Model: "es1370"})
		return nil
	}
	for _, m := range strings.Split(s, ",") {
		if !soundModels[m] {
			return p.fail("soundhw", "unknown sound model '%s'", m)
		}
		p.dev.Sounds = append(p.dev.Sounds, virtxml.Sound{Model: m})
	}
	return nil
}

// vncGraphics returns VNC graphics listening on addr ("" for any).
func vncGraphics(autoport bool, port int, addr string) virtxml.Graphics {
	g := virtxml.Graphics{Type: "vnc", AutoPort: "no"}
	if autoport {
		g.AutoPort = "yes"
		g.Port = intp(-1)
	} else if port != 0 {
		g.Port = intp(port)
	}
	g.Listen = addr
	g.Listens = []virtxml.GraphicsListen{{Type: "address", Address: addr}}
	return g
}

func intp(v int) *int { return &v }

// outboundBandwidth limits outgoing traffic to kb kilobytes per second.
func outboundBandwidth(kb uint64) *virtxml.Bandwidth {
	return &virtxml.Bandwidth{Outbound: &virtxml.BandwidthRate{Average: kb}}
}
func uintp(v uint) *uint { return &v }

func (p *xenParser) parseVfb() error {
	if p.hvm() {
		p.lookup("sdl") // read below unless VNC wins
		vnc, err := p.boolean("vnc", 0)
		if err != nil {
			return err
		}
		if vnc == 1 {
			unused, err := p.boolean("vncunused", 1)
			if err != nil {
				return err
			}
			port := 0
			if unused == 0 {
				disp, err := p.ulong("vncdisplay", 0)
				if err != nil {
					return err
				}
				if disp > 65535-5900 {
					return p.fail("vncdisplay", "out of range")
				}
				port = int(disp) + 5900
			}
			listen, _, err := p.str("vnclisten")
			if err != nil {
				return err
			}
			g := vncGraphics(unused == 1, port, listen)
			if g.Passwd, _, err = p.str("vncpasswd"); err != nil {
				return err
			}
			if g.Keymap, _, err = p.str("keymap"); err != nil {
				return err
			}
			p.dev.Graphics = append(p.dev.Graphics, g)
			return nil
		}
		sdl, err := p.boolean("sdl", 0)
		if err != nil {
			return err
		}
		if sdl == 1 {
			g := virtxml.Graphics{Type: "sdl"}
			if g.Display, _, err = p.str("display"); err != nil {
				return err
			}
			if g.XAuth, _, err = p.str("xauthority"); err != nil {
				return err
			}
			p.dev.Graphics = append(p.dev.Graphics, g)
		}
		return nil
	}
	v, _, ok := p.lookup("vfb")
	if !ok || v.Kind != List || len(v.List) == 0 {
		return nil
	}
	vfbs, _, err := p.strList("vfb", false)
	if err != nil {
		return err
	}
	g, err := parseVfbSpec(vfbs[0])
	if err != nil {
		return p.fail("vfb", "%v", err)
	}
	p.dev.Graphics = append(p.dev.Graphics, g)
	return nil
}

// parseVfbSpec reads a PV framebuffer ("type=vnc,vncunused=1,...").
func parseVfbSpec(spec string) (virtxml.Graphics, error) {
	if len(spec) >= 1024 {
		return virtxml.Graphics{}, fmt.Errorf("VFB %s too big", spec)
	}
	sdl := strings.Contains(spec, "type=sdl")
	var autoport bool
	var port int
	var listen, passwd, keymap, display, xauth string
	for _, kv := range strings.Split(spec, ",") {
		kv = strings.TrimLeft(kv, " \t")
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			break
		}
		if sdl {
			switch k {
			case "display":
				display = v
			case "xauthority":
				xauth = v
			}
			continue
		}
		switch k {
		case "vncunused":
			autoport = v == "1"
		case "vnclisten":
			listen = v
		case "vncpasswd":
			passwd = v
		case "keymap":
			keymap = v
		case "vncdisplay":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 65535-5900 {
				return virtxml.Graphics{}, fmt.Errorf("invalid vncdisplay value '%s'", v)
			}
			port = n + 5900
		}
	}
	if sdl {
		return virtxml.Graphics{Type: "sdl", Display: display, XAuth: xauth}, nil
	}
	g := vncGraphics(autoport, port, listen)
	g.Passwd, g.Keymap = passwd, keymap
	return g, nil
}

func (p *xenParser) parseCharDevs() error {
	if !p.hvm() {
		p.dev.Consoles = append(p.dev.Consoles, virtxml.Chardev{Type: "pty",
			Target: &virtxml.CharTarget{Type: "xen", Port: strp("0")}})
		return nil
	}
	par, err := p.strDef("parallel", "")
	if err != nil {
		return err
	}
	if par != "" && par != "none" {
		c, err := parseSxprChar(par)
		if err != nil {
			return p.fail("parallel", "%v", err)
		}
		c.Target = &virtxml.CharTarget{Port: strp("0")}
		p.dev.Parallels = append(p.dev.Parallels, c)
	}
	v, _, ok := p.lookup("serial")
	if !ok {
		return nil
	}
	switch v.Kind {
	case List:
		if p.flavor == flavorXM {
			return p.unsupported("serial", "multiple serial devices are not supported by xen-xm")
		}
		list, _, err := p.strList("serial", false)
		if err != nil {
			return err
		}
		for port, s := range list {
			if s == "none" {
				continue
			}
			c, err := parseSxprChar(s)
			if err != nil {
				return p.fail("serial", "item %d: %v", port+1, err)
			}
			c.Target = &virtxml.CharTarget{Port: strp(strconv.Itoa(port))}
			p.dev.Serials = append(p.dev.Serials, c)
		}
	case String:
		if v.Str == "none" {
			return nil
		}
		c, err := parseSxprChar(v.Str)
		if err != nil {
			return p.fail("serial", "%v", err)
		}
		c.Target = &virtxml.CharTarget{Port: strp("0")}
		p.dev.Serials = append(p.dev.Serials, c)
	default:
		return p.fail("serial", "expected a string or a list of strings")
	}
	return nil
}

func strp(s string) *string { return &s }
