package native

import (
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virtxml"
)

// XenNamespace is the namespace of libvirt's Xen-specific domain elements
// (<xen:commandline>).
const XenNamespace = "http://libvirt.org/schemas/domain/xen/1.0"

// ParseXL converts a Xen xl config (xl.cfg(5)) to a domain, as libvirt's
// xen-xl native format does.
func ParseXL(data []byte) (*Result, error) {
	c, err := ParseConfig(data)
	if err != nil {
		return nil, err
	}
	return XLToDomain(c)
}

// XLToDomain converts a parsed xl config to a domain.
func XLToDomain(c *Config) (*Result, error) {
	p := newXenParser(c, flavorXL)
	if err := p.parseCommon(); err != nil {
		return nil, err
	}
	for _, step := range []func() error{
		p.parseXLOS, p.parseVNUMA, p.parseXenbusLimits, p.parseCPUID, p.parseXLDisks,
		p.parseSpice, p.parseUSBDevice, p.parseUSBDev, p.parseUSBCtrl, p.parseChannels,
		p.parseDeviceModelArgs,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return p.finish(), nil
}

func (p *xenParser) parseXLOS() error {
	if !p.hvm() {
		return p.parsePVBoot("cmdline")
	}
	bios, _, err := p.str("bios")
	if err != nil {
		return err
	}
	if bios == "ovmf" {
		p.d.OS.Loader = &virtxml.OSLoader{Readonly: "yes", Type: "pflash", Path: XenFirmwareDir + "/ovmf.bin"}
	} else {
		p.d.OS.Loader = &virtxml.OSLoader{Type: "rom", Path: XenHVMLoader}
	}
	slic, ok, err := p.str("acpi_firmware")
	if err != nil {
		return err
	}
	if ok {
		p.d.OS.ACPI = &virtxml.OSACPI{Tables: []virtxml.OSACPITable{{Type: "slic", Path: slic}}}
	}
	if err := p.parseKernel("cmdline"); err != nil {
		return err
	}
	if err := p.parseBoot(); err != nil {
		return err
	}
	nested, err := p.boolean("nestedhvm", -1)
	if err != nil {
		return err
	}
	if nested != -1 {
		if p.d.CPU == nil {
			p.d.CPU = &virtxml.CPU{Mode: "host-passthrough"}
		}
		if nested == 0 {
			p.d.CPU.Features = append(p.d.CPU.Features, virtxml.CPUFeature{Policy: "disable", Name: "vmx"})
		}
	}
	return nil
}

// maxVNUMANodes bounds the vnuma node count.
const maxVNUMANodes = 128

func (p *xenParser) parseVNUMA() error {
	v, _, ok := p.lookup("vnuma")
	if !ok || v.Kind != List {
		return nil
	}
	n := 0
	for n < len(v.List) && v.List[n].Kind == List {
		n++
	}
	if n > maxVNUMANodes {
		return p.fail("vnuma", "more than %d nodes", maxVNUMANodes)
	}
	numa := &virtxml.NUMA{}
	vcpus := 0
	for idx, node := range v.List {
		pnode, size := -1, uint64(0)
		var cpus string
		var dists []virtxml.NUMASibling
		if node.Kind == List {
			for _, item := range node.List {
				if item.Kind != String {
					break
				}
				str := item.Str
				eq := strings.LastIndexByte(str, '=')
				if eq < 0 {
					return p.fail("vnuma", "vnode %d: invalid format '%s'", idx, str)
				}
				data := str[eq+1:]
				if data == "" {
					continue
				}
				if len(data) >= 64 {
					return p.fail("vnuma", "vnode %d: '%s' too long", idx, data)
				}
				switch {
				case strings.HasPrefix(str, "pnode"):
					c, err := strconv.ParseUint(data, 10, 32)
					if err != nil || int(c) >= n {
						return p.unsupported("vnuma", "vnode %d contains invalid pnode value '%s'", idx, data)
					}
					pnode = int(c)
				case strings.HasPrefix(str, "size"):
					s, err := strconv.ParseUint(data, 10, 64)
					if err != nil || s > 1<<43 {
						return p.fail("vnuma", "vnode %d: invalid size '%s'", idx, data)
					}
					size = s
				case strings.HasPrefix(str, "vcpus"):
					bits, good := virtxml.ParseBitmap(data)
					if !good {
						return p.fail("vnuma", "vnode %d: invalid vcpus '%s'", idx, data)
					}
					cpus = virtxml.FormatBitmap(bits)
					vcpus += len(bits)
				case strings.HasPrefix(str, "vdistances"):
					toks := strings.Split(data, ",")
					if len(toks) != n {
						return p.unsupported("vnuma", "vnuma pnode %d configured '%s' (count %d) doesn't fit the number of specified vnodes %d", pnode, str, len(toks), n)
					}
					dists = dists[:0]
					for i, t := range toks {
						d, err := strconv.ParseUint(t, 10, 32)
						if err != nil || d < 10 || d > 255 {
							return p.fail("vnuma", "vnode %d: invalid distance '%s'", idx, t)
						}
						dists = append(dists, virtxml.NUMASibling{ID: uint(i), Value: uint(d)})
					}
				default:
					return p.fail("vnuma", "invalid vnuma configuration for vnode %d", idx)
				}
			}
		}
		if pnode < 0 || cpus == "" || size == 0 {
			return p.fail("vnuma", "incomplete vnuma configuration for vnode %d", idx)
		}
		cell := virtxml.NUMACell{ID: uintp(uint(idx)), CPUs: cpus, Memory: size * 1024, Unit: "KiB"}
		if len(dists) > 0 {
			cell.Distances = &virtxml.NUMADistances{Siblings: dists}
		}
		numa.Cells = append(numa.Cells, cell)
	}
	if p.d.VCPU != nil && int(p.d.VCPU.Value) < vcpus {
		return p.unsupported("vnuma", "vnuma configuration contains %d vcpus, which is greater than %d maxvcpus", vcpus, p.d.VCPU.Value)
	}
	var total uint64
	for _, c := range numa.Cells {
		total += c.Memory
	}
	p.d.Memory = &virtxml.Memory{Unit: "KiB", Value: total}
	if p.d.CPU == nil {
		p.d.CPU = &virtxml.CPU{}
	}
	p.d.CPU.NUMA = numa
	return nil
}

func (p *xenParser) parseXenbusLimits() error {
	ctl := virtxml.Controller{Type: "xenbus", Index: uintp(0)}
	for _, l := range []struct {
		key string
		dst **uint
	}{{"max_event_channels", &ctl.MaxEventChannels}, {"max_grant_frames", &ctl.MaxGrantFrames}} {
		v, err := p.ulong(l.key, 0)
		if err != nil {
			return err
		}
		if v > 1<<32-1 {
			return p.fail(l.key, "out of range")
		}
		if v > 0 {
			*l.dst = uintp(uint(v))
		}
	}
	addController(p.dev, ctl)
	return nil
}

// xlCPUFeatures maps libxl's cpuid feature names to libvirt's.
var xlCPUFeatures = map[string]string{
	"cmpxchg16": "cx16", "cntxid": "cid", "dscpl": "ds_cpl", "pclmulqdq": "pclmuldq",
	"sse3": "pni", "htt": "ht", "psn": "pn", "clfsh": "clflush", "sysenter": "sep",
	"cmpxchg8": "cx8", "nodeid": "nodeid_msr", "altmovcr8": "cr8legacy",
	"lahfsahf": "lahf_lm", "cmplegacy": "cmp_legacy", "ffxsr": "fxsr_opt",
	"page1gb": "pdpe1gb", "ibrsb": "spec-ctrl",
}

// libvirtToXLFeature is the reverse of xlCPUFeatures.
var libvirtToXLFeature = func() map[string]string {
	m := map[string]string{}
	for k, v := range xlCPUFeatures {
		m[v] = k
	}
	return m
}()

func (p *xenParser) parseCPUID() error {
	s, ok, err := p.str("cpuid")
	if err != nil || !ok {
		return err
	}
	if p.d.CPU == nil {
		p.d.CPU = &virtxml.CPU{Mode: "host-passthrough"}
	}
	if s == "" {
		return nil
	}
	pairs := strings.Split(s, ",")
	if pairs[0] != "host" {
		return p.fail("cpuid", "cpuid starting with %s is not supported, only libxl format is", pairs[0])
	}
	for _, kv := range pairs[1:] {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return p.fail("cpuid", "invalid libxl cpuid key=value element: %s", kv)
		}
		policy := ""
		switch val {
		case "1":
			policy = "force"
		case "0":
			policy = "disable"
		case "x", "k", "s":
			policy = "optional"
		default:
			return p.fail("cpuid", "invalid libxl cpuid value: %s", kv)
		}
		if n, ok := xlCPUFeatures[name]; ok {
			name = n
		}
		p.d.CPU.Features = append(p.d.CPU.Features, virtxml.CPUFeature{Policy: policy, Name: name})
	}
	return nil
}

func (p *xenParser) parseXLDisks() error {
	v, _, ok := p.lookup("disk")
	if !ok || v.Kind != List {
		return nil
	}
	for i, e := range v.List {
		if e.Kind != String {
			continue
		}
		spec, err := parseXLDiskSpec(e.Str)
		if err != nil {
			return p.fail("disk", "item %d: %v", i+1, err)
		}
		disk, err := spec.toDisk(p.hvm())
		if err != nil {
			return p.fail("disk", "item %d: %v", i+1, err)
		}
		if !xlDiskCanonical(e.Str) {
			p.note("disk specification '" + e.Str + "'")
		}
		p.dev.Disks = append(p.dev.Disks, *disk)
	}
	return nil
}

// xlDiskCanonical reports whether a disk specification has the shape
// libvirt writes: "format=F,vdev=V,access=A[,backendtype=B]
// [,devtype=cdrom][,target=T]", named parameters in that order.
func xlDiskCanonical(spec string) bool {
	rest := spec
	for _, k := range []string{"format=", "vdev=", "access="} {
		var item string
		item, rest, _ = strings.Cut(rest, ",")
		if !strings.HasPrefix(item, k) {
			return false
		}
	}
	for _, k := range []string{"backendtype=", "devtype=cdrom"} {
		if strings.HasPrefix(rest, k) {
			item, after, _ := strings.Cut(rest, ",")
			if strings.HasPrefix(item, "target=") || (k == "devtype=cdrom" && item != k) {
				return false
			}
			rest = after
		}
	}
	return rest == "" || strings.HasPrefix(rest, "target=")
}

func (p *xenParser) parseSpice() error {
	if !p.hvm() {
		return nil
	}
	on, err := p.boolean("spice", 0)
	if err != nil || on == 0 {
		return err
	}
	g := virtxml.Graphics{Type: "spice", AutoPort: "no"}
	host, _, err := p.str("spicehost")
	if err != nil {
		return err
	}
	g.Listen = host
	g.Listens = []virtxml.GraphicsListen{{Type: "address", Address: host}}
	tls, err := p.ulong("spicetls_port", 0)
	if err != nil {
		return err
	}
	port, err := p.ulong("spiceport", 0)
	if err != nil {
		return err
	}
	if tls > 65535 || port > 65535 {
		return p.fail("spiceport", "out of range")
	}
	if port != 0 {
		g.Port = intp(int(port))
	}
	if tls != 0 {
		g.TLSPort = intp(int(tls))
	}
	if port == 0 && tls == 0 {
		g.AutoPort = "yes"
		g.Port = intp(-1)
	}
	noTicket, err := p.boolean("spicedisable_ticketing", 0)
	if err != nil {
		return err
	}
	if noTicket == 0 {
		pw, ok, err := p.str("spicepasswd")
		if err != nil {
			return err
		}
		if !ok {
			return errAt(codeInternal, 0, "spicepasswd", "missing (ticketing is enabled)")
		}
		g.Passwd = pw
	}
	mouse, err := p.boolean("spiceagent_mouse", 0)
	if err != nil {
		return err
	}
	g.Mouse = &virtxml.GraphicsMode{Mode: "server"}
	if mouse == 1 {
		g.Mouse.Mode = "client"
	}
	clip, err := p.boolean("spice_clipboard_sharing", 0)
	if err != nil {
		return err
	}
	g.Clipboard = &virtxml.GraphicsClipboard{CopyPaste: "no"}
	if clip == 1 {
		g.Clipboard.CopyPaste = "yes"
	}
	p.lookup("spicevdagent")
	p.dev.Graphics = []virtxml.Graphics{g}
	return nil
}

// keyValues splits "k=v,k=v" as libvirt's xl reader does; ok is false when
// an item lacks '='.
func keyValues(s string) (map[string]string, bool) {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimLeft(kv, " \t")
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return m, false
		}
		if _, dup := m[k]; !dup {
			m[k] = v
		}
	}
	return m, true
}

func (p *xenParser) parseUSBDev() error {
	v, _, ok := p.lookup("usbdev")
	if !ok || v.Kind != List {
		return nil
	}
	for _, e := range v.List {
		if e.Kind != String {
			continue
		}
		kv, ok := keyValues(e.Str)
		if !ok {
			continue
		}
		bus, err1 := strconv.ParseUint(kv["hostbus"], 16, 16)
		dev, err2 := strconv.ParseUint(kv["hostaddr"], 16, 16)
		if err1 != nil || err2 != nil || len(kv["hostbus"]) > 2 || len(kv["hostaddr"]) > 2 {
			continue
		}
		p.dev.Hostdevs = append(p.dev.Hostdevs, virtxml.Hostdev{Mode: "subsystem", Type: "usb", Managed: "no",
			Source: &virtxml.HostdevSource{Address: &virtxml.HostdevAddress{
				Bus: strconv.FormatUint(bus, 10), Device: strconv.FormatUint(dev, 10)}}})
	}
	return nil
}

// maxUSBControllers bounds the usbctrl list.
const maxUSBControllers = 64

func (p *xenParser) parseUSBCtrl() error {
	v, _, ok := p.lookup("usbctrl")
	if !ok || v.Kind != List {
		return nil
	}
	if len(v.List) > maxUSBControllers {
		return p.fail("usbctrl", "more than %d USB controllers", maxUSBControllers)
	}
	for _, e := range v.List {
		if e.Kind != String {
			continue
		}
		kv, ok := keyValues(e.Str)
		if !ok {
			continue
		}
		version, ports := uint64(2), uint64(8)
		if s, ok := kv["version"]; ok {
			n, err := strconv.ParseUint(s, 16, 8)
			if err != nil || len(s) > 3 {
				continue
			}
			version = n
		}
		if s, ok := kv["ports"]; ok {
			n, err := strconv.ParseUint(s, 16, 8)
			if err != nil || len(s) > 3 {
				continue
			}
			ports = n
		}
		if t, ok := kv["type"]; ok && !strings.HasPrefix(t, "qusb") {
			continue
		}
		model := "qusb2"
		if version == 1 {
			model = "qusb1"
		}
		addController(p.dev, virtxml.Controller{Type: "usb", Model: model, Ports: uintp(uint(ports))})
	}
	return nil
}

func (p *xenParser) parseChannels() error {
	v, _, ok := p.lookup("channel")
	if !ok || v.Kind != List {
		return nil
	}
	for i, e := range v.List {
		if e.Kind != String {
			continue
		}
		kv, ok := keyValues(e.Str)
		if !ok {
			continue
		}
		c := virtxml.Chardev{}
		switch conn := kv["connection"]; {
		case strings.HasPrefix(conn, "socket"):
			c.Type = "unix"
			c.Sources = []virtxml.CharSource{{Mode: "bind", Path: kv["path"]}}
		case strings.HasPrefix(conn, "pty"):
			c.Type = "pty"
		default:
			return p.fail("channel", "item %d: unsupported connection '%s'", i+1, conn)
		}
		c.Target = &virtxml.CharTarget{Type: "xen", Name: kv["name"]}
		p.dev.Channels = append(p.dev.Channels, c)
	}
	return nil
}

func (p *xenParser) parseDeviceModelArgs() error {
	v, _, ok := p.lookup("device_model_args")
	if !ok || v.Kind != List {
		return nil
	}
	cmd := &xmldoc.Node{Name: "xen:commandline"}
	for _, e := range v.List {
		if e.Kind != String {
			continue
		}
		cmd.Children = append(cmd.Children, &xmldoc.Node{Name: "xen:arg", Attrs: []xmldoc.Attr{{Name: "value", Value: e.Str}}})
	}
	if len(cmd.Children) == 0 {
		return nil
	}
	p.d.NSAttrs = append(p.d.NSAttrs, xmldoc.Attr{Name: "xmlns:xen", Value: XenNamespace})
	p.d.NSElements = append(p.d.NSElements, cmd)
	return nil
}

// FormatXL converts a domain to an xl config, as libvirt's xen-xl native
// format does.
func FormatXL(d *virtxml.Domain, opts FormatOptions) (*Config, error) {
	w, err := newXenWriter(d, flavorXL, opts)
	if err != nil {
		return nil, err
	}
	if err := w.formatCommon(); err != nil {
		return nil, err
	}
	w.formatXLOS()
	w.formatCPUID()
	w.formatVNUMA()
	w.formatXenbusLimits()
	var disks []string
	for i := range w.dev.Disks {
		disk := &w.dev.Disks[i]
		if disk.Device == "floppy" {
			continue
		}
		s, err := formatXLDisk(disk)
		if err != nil {
			return nil, err
		}
		disks = append(disks, s)
	}
	if len(disks) > 0 {
		w.c.Set("disk", Strings(disks...))
	}
	w.formatSpice()
	w.formatUSBInputs()
	w.formatUSBDevs()
	if err := w.formatUSBCtrls(); err != nil {
		return nil, err
	}
	if err := w.formatChannels(); err != nil {
		return nil, err
	}
	w.formatDeviceModelArgs()
	return w.c, nil
}

func (w *xenWriter) formatXLOS() {
	os := w.d.OS
	if !w.hvm() {
		if os.Type.Type == osPVH {
			w.setStr("type", "pvh")
		}
		w.formatPVBoot("cmdline")
		return
	}
	w.setStr("builder", "hvm")
	if os.Loader != nil && os.Loader.Type == "pflash" {
		w.setStr("bios", "ovmf")
	}
	if os.ACPI != nil {
		for _, t := range os.ACPI.Tables {
			if t.Type == "slic" {
				w.setStr("acpi_firmware", t.Path)
			}
		}
	}
	w.formatKernel("cmdline")
	w.formatBoot()
	if cpu := w.d.CPU; cpu != nil && cpu.Mode == "host-passthrough" {
		hwvirt := true
		for _, f := range cpu.Features {
			if (f.Policy == "disable" || f.Policy == "forbid") && (f.Name == "vmx" || f.Name == "svm") {
				hwvirt = false
			}
		}
		w.setInt("nestedhvm", boolInt(hwvirt))
	}
}

func (w *xenWriter) formatCPUID() {
	cpu := w.d.CPU
	if cpu == nil || cpu.Mode != "host-passthrough" {
		return
	}
	pairs := []string{"host"}
	for _, f := range cpu.Features {
		name := f.Name
		if n, ok := libvirtToXLFeature[name]; ok {
			name = n
		}
		if name == "vmx" || name == "svm" {
			continue
		}
		policy := "1"
		switch f.Policy {
		case "optional":
			policy = "x"
		case "disable", "forbid":
			policy = "0"
		}
		pairs = append(pairs, name+"="+policy)
	}
	if len(pairs) > 1 {
		w.setStr("cpuid", strings.Join(pairs, ","))
	}
}

// numaDistances returns the distance matrix of cells, filled in as libvirt
// does: symmetric, 10 to itself and 20 to the others when unset.
func numaDistances(cells []virtxml.NUMACell) [][]uint {
	n := len(cells)
	m := make([][]uint, n)
	for i := range m {
		m[i] = make([]uint, n)
	}
	for i, c := range cells {
		if c.Distances == nil {
			continue
		}
		for _, s := range c.Distances.Siblings {
			if int(s.ID) < n {
				m[i][s.ID] = s.Value
			}
		}
	}
	for i := range m {
		for j := range m[i] {
			if m[i][j] == 0 && m[j][i] != 0 {
				m[i][j] = m[j][i]
			}
		}
	}
	for i := range m {
		for j := range m[i] {
			if m[i][j] == 0 {
				m[i][j] = 20
				if i == j {
					m[i][j] = 10
				}
			}
		}
	}
	return m
}

func (w *xenWriter) formatVNUMA() {
	cpu := w.d.CPU
	if cpu == nil || cpu.NUMA == nil || len(cpu.NUMA.Cells) == 0 {
		return
	}
	cells := cpu.NUMA.Cells
	dist := numaDistances(cells)
	v := Value{Kind: List}
	for i, c := range cells {
		d := make([]string, len(cells))
		for j := range cells {
			d[j] = strconv.FormatUint(uint64(dist[i][j]), 10)
		}
		v.List = append(v.List, Strings(
			"pnode="+strconv.Itoa(i),
			"size="+strconv.FormatUint(c.Memory/1024, 10),
			"vcpus="+c.CPUs,
			"vdistances="+strings.Join(d, ","),
		))
	}
	w.c.Set("vnuma", v)
}

func (w *xenWriter) formatXenbusLimits() {
	for _, c := range w.dev.Controllers {
		if c.Type != "xenbus" {
			continue
		}
		if c.MaxEventChannels != nil && *c.MaxEventChannels > 0 {
			w.setInt("max_event_channels", int64(*c.MaxEventChannels))
		}
		if c.MaxGrantFrames != nil && *c.MaxGrantFrames > 0 {
			w.setInt("max_grant_frames", int64(*c.MaxGrantFrames))
		}
	}
}

func (w *xenWriter) formatSpice() {
	if !w.hvm() || len(w.dev.Graphics) == 0 || w.dev.Graphics[0].Type != "spice" {
		return
	}
	g := &w.dev.Graphics[0]
	w.setInt("sdl", 0)
	w.setInt("vnc", 0)
	w.setInt("spice", 1)
	if a := firstListen(g); a != "" {
		w.setStr("spicehost", a)
	}
	port, tls := 0, 0
	if g.Port != nil && *g.Port > 0 {
		port = *g.Port
	}
	if g.TLSPort != nil && *g.TLSPort > 0 {
		tls = *g.TLSPort
	}
	w.setInt("spiceport", int64(port))
	w.setInt("spicetls_port", int64(tls))
	if g.Passwd != "" {
		w.setInt("spicedisable_ticketing", 0)
		w.setStr("spicepasswd", g.Passwd)
	} else {
		w.setInt("spicedisable_ticketing", 1)
	}
	if g.Mouse != nil {
		switch g.Mouse.Mode {
		case "server":
			w.setInt("spiceagent_mouse", 0)
		case "client":
			w.setInt("spiceagent_mouse", 1)
			w.setInt("spicevdagent", 1)
		}
	}
	if g.Clipboard != nil && g.Clipboard.CopyPaste == "yes" {
		w.setInt("spice_clipboard_sharing", 1)
		w.setInt("spicevdagent", 1)
	}
}

func (w *xenWriter) formatUSBDevs() {
	var items []string
	for _, h := range w.dev.Hostdevs {
		if h.Mode != "subsystem" || h.Type != "usb" || h.Source == nil || h.Source.Address == nil {
			continue
		}
		bus, _ := strconv.ParseUint(h.Source.Address.Bus, 0, 32)
		dev, _ := strconv.ParseUint(h.Source.Address.Device, 0, 32)
		items = append(items, "hostbus="+strconv.FormatUint(bus, 16)+",hostaddr="+strconv.FormatUint(dev, 16))
	}
	if len(items) > 0 {
		w.c.Set("usbdev", Strings(items...))
	}
}

func (w *xenWriter) formatUSBCtrls() error {
	var items []string
	for _, c := range w.dev.Controllers {
		if c.Type != "usb" {
			continue
		}
		var b strings.Builder
		switch c.Model {
		case "":
		case "qusb1":
			b.WriteString("type=qusb,version=1,")
		case "qusb2":
			b.WriteString("type=qusb,version=2,")
		default:
			return errAt(codeUnsupported, 0, "", "unsupported USB controller model '%s'", c.Model)
		}
		if c.Ports != nil {
			b.WriteString("ports=" + strconv.FormatUint(uint64(*c.Ports), 16))
		}
		items = append(items, b.String())
	}
	if len(items) > 0 {
		w.c.Set("usbctrl", Strings(items...))
	}
	return nil
}

func (w *xenWriter) formatChannels() error {
	var items []string
	for i := range w.dev.Channels {
		c := &w.dev.Channels[i]
		if c.Target == nil || c.Target.Type != "xen" {
			continue
		}
		var b strings.Builder
		b.WriteString("connection=")
		switch c.Type {
		case "pty":
			b.WriteString("pty,")
		case "unix":
			b.WriteString("socket,")
			if s := sourceMode(c, ""); s != nil && s.Path != "" {
				b.WriteString("path=" + s.Path + ",")
			}
		default:
			return errAt(codeUnsupported, 0, "", "unsupported channel type '%s'", c.Type)
		}
		b.WriteString("name=" + c.Target.Name)
		items = append(items, b.String())
	}
	if len(items) > 0 {
		w.c.Set("channel", Strings(items...))
	}
	return nil
}

func (w *xenWriter) formatDeviceModelArgs() {
	var args []string
	prefix := nsPrefix(w.d, XenNamespace)
	for _, n := range w.d.NSElements {
		if prefix == "" || n.Prefix() != prefix || n.Local() != "commandline" {
			continue
		}
		for _, a := range n.Children {
			if a.Local() != "arg" {
				continue
			}
			if v, ok := a.Attr("value"); ok {
				args = append(args, v)
			}
		}
	}
	if len(args) > 0 {
		w.c.Set("device_model_args", Strings(args...))
	}
}
