package native

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virtxml"
)

// FormatOptions tunes the conversion of a domain to a native config.
type FormatOptions struct {
	// NetworkBridge returns the bridge of a libvirt network, for
	// <interface type='network'>; without it such interfaces are refused.
	NetworkBridge func(network string) (string, error)
}

// xenWriter builds an xm or xl config from a domain.
type xenWriter struct {
	c      *Config
	d      *virtxml.Domain
	dev    *virtxml.Devices
	flavor xenFlavor
	opts   FormatOptions
}

func newXenWriter(d *virtxml.Domain, f xenFlavor, opts FormatOptions) (*xenWriter, error) {
	if d.OS == nil {
		return nil, errAt(codeUnsupported, 0, "", "the domain has no <os> element")
	}
	dev := d.Devices
	if dev == nil {
		dev = &virtxml.Devices{}
	}
	return &xenWriter{c: &Config{}, d: d, dev: dev, flavor: f, opts: opts}, nil
}

func (w *xenWriter) hvm() bool { return w.d.OS.Type.Type == osHVM }

func (w *xenWriter) setStr(key, v string)       { w.c.Set(key, Str(v)) }
func (w *xenWriter) setInt(key string, v int64) { w.c.Set(key, Int(v)) }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// formatCommon writes what xm and xl configs share.
func (w *xenWriter) formatCommon() error {
	d := w.d
	w.setStr("name", d.Name)
	w.setStr("uuid", d.UUID.String())
	var total, cur uint64
	if d.Memory != nil {
		total = d.Memory.Value
	}
	if d.CurrentMemory != nil {
		cur = d.CurrentMemory.Value
	} else {
		cur = total
	}
	w.setInt("maxmem", int64(virtxml.DivUp(total, 1024)))
	w.setInt("memory", int64(virtxml.DivUp(cur, 1024)))
	if d.VCPU != nil {
		max, cur := d.VCPU.Value, d.VCPU.Value
		if d.VCPU.Current != 0 && d.VCPU.Current < max {
			cur = d.VCPU.Current
			w.setInt("maxvcpus", int64(max))
		}
		w.setInt("vcpus", int64(cur))
		if d.VCPU.CPUSet != "" {
			w.setStr("cpus", d.VCPU.CPUSet)
		}
	} else {
		w.setInt("vcpus", 1)
	}
	if err := w.formatFeatures(); err != nil {
		return err
	}
	if err := w.formatClock(); err != nil {
		return err
	}
	w.setStr("on_poweroff", orDefault(d.OnPoweroff, "destroy"))
	w.setStr("on_reboot", orDefault(d.OnReboot, "restart"))
	w.setStr("on_crash", orDefault(d.OnCrash, "destroy"))
	if w.dev.Emulator != "" {
		w.setStr("device_model_override", w.dev.Emulator)
	}
	w.formatVfb()
	if err := w.formatVifs(); err != nil {
		return err
	}
	w.formatPCI()
	if err := w.formatCharDevs(); err != nil {
		return err
	}
	w.formatSound()
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (w *xenWriter) formatFeatures() error {
	f := w.d.Features
	if f == nil {
		f = &virtxml.Features{}
	}
	if w.hvm() {
		w.setInt("pae", boolInt(f.PAE))
		w.setInt("acpi", boolInt(f.ACPI))
		w.setInt("apic", boolInt(f.APIC != nil && f.APIC.EOI != "off"))
		if f.HAP != nil && f.HAP.State == "off" {
			w.setInt("hap", 0)
		}
		w.setInt("viridian", boolInt(f.Viridian))
	} else if f.Xen != nil && f.Xen.E820Host != nil && f.Xen.E820Host.State == "on" {
		w.setInt("e820_host", 1)
	}
	if f.Xen != nil && f.Xen.Passthrough != nil && f.Xen.Passthrough.State == "on" {
		switch f.Xen.Passthrough.Mode {
		case "sync_pt", "share_pt":
			w.setStr("passthrough", f.Xen.Passthrough.Mode)
		default:
			w.setStr("passthrough", "enabled")
		}
	}
	if w.d.Clock == nil {
		return nil
	}
	for _, t := range w.d.Clock.Timers {
		switch t.Name {
		case "tsc":
			switch t.Mode {
			case "native":
				w.setStr("tsc_mode", "native")
			case "paravirt":
				w.setStr("tsc_mode", "native_paravirt")
			case "emulate":
				w.setStr("tsc_mode", "always_emulate")
			default:
				w.setStr("tsc_mode", "default")
			}
		case "hpet":
			if !w.hvm() {
				return errAt(codeUnsupported, 0, "", "unsupported timer type (name) 'hpet'")
			}
			w.setInt("hpet", boolInt(t.Present != "no"))
		default:
			return errAt(codeUnsupported, 0, "", "unsupported timer type (name) '%s'", t.Name)
		}
	}
	return nil
}

func (w *xenWriter) formatClock() error {
	c := w.d.Clock
	if c == nil {
		c = &virtxml.Clock{Offset: "utc"}
	}
	local := int64(0)
	if w.hvm() {
		off := int64(0)
		switch c.Offset {
		case "variable":
			if c.Basis == "localtime" {
				local = 1
			}
			if c.Adjustment != "" {
				n, err := strconv.ParseInt(c.Adjustment, 10, 64)
				if err != nil {
					return errAt(codeUnsupported, 0, "", "unsupported clock adjustment='%s'", c.Adjustment)
				}
				off = n
			}
		case "utc", "localtime":
			if c.Adjustment == "reset" {
				return errAt(codeUnsupported, 0, "", "unsupported clock adjustment='reset'")
			}
			local = boolInt(c.Offset == "localtime")
		default:
			return errAt(codeUnsupported, 0, "", "unsupported clock offset='%s'", c.Offset)
		}
		w.setInt("rtc_timeoffset", off)
	} else {
		switch c.Offset {
		case "utc", "":
		case "localtime":
			local = 1
		default:
			return errAt(codeUnsupported, 0, "", "unsupported clock offset='%s'", c.Offset)
		}
	}
	w.setInt("localtime", local)
	return nil
}

// firstListen returns the address of the first listen of g ("" if none).
func firstListen(g *virtxml.Graphics) string {
	if len(g.Listens) > 0 {
		return g.Listens[0].Address
	}
	return g.Listen
}

func (w *xenWriter) formatVfb() {
	if len(w.dev.Graphics) != 1 || w.dev.Graphics[0].Type == "spice" {
		return
	}
	g := &w.dev.Graphics[0]
	autoport := g.AutoPort == "yes"
	port := 0
	if g.Port != nil {
		port = *g.Port
	}
	if w.hvm() {
		if g.Type == "sdl" {
			w.setInt("sdl", 1)
			w.setInt("vnc", 0)
			if g.Display != "" {
				w.setStr("display", g.Display)
			}
			if g.XAuth != "" {
				w.setStr("xauthority", g.XAuth)
			}
			return
		}
		w.setInt("sdl", 0)
		w.setInt("vnc", 1)
		w.setInt("vncunused", boolInt(autoport))
		if !autoport {
			w.setInt("vncdisplay", int64(port-5900))
		}
		if a := firstListen(g); a != "" {
			w.setStr("vnclisten", a)
		}
		if g.Passwd != "" {
			w.setStr("vncpasswd", g.Passwd)
		}
		if g.Keymap != "" {
			w.setStr("keymap", g.Keymap)
		}
		return
	}
	var b strings.Builder
	if g.Type == "sdl" {
		b.WriteString("type=sdl")
		if g.Display != "" {
			b.WriteString(",display=" + g.Display)
		}
		if g.XAuth != "" {
			b.WriteString(",xauthority=" + g.XAuth)
		}
	} else {
		fmt.Fprintf(&b, "type=vnc,vncunused=%d", boolInt(autoport))
		if !autoport {
			fmt.Fprintf(&b, ",vncdisplay=%d", port-5900)
		}
		if a := firstListen(g); a != "" {
			b.WriteString(",vnclisten=" + a)
		}
		if g.Passwd != "" {
			b.WriteString(",vncpasswd=" + g.Passwd)
		}
		if g.Keymap != "" {
			b.WriteString(",keymap=" + g.Keymap)
		}
	}
	w.c.Set("vfb", Strings(b.String()))
}

func (w *xenWriter) formatVifs() error {
	var items []string
	typename := "vif"
	if w.flavor == flavorXM {
		typename = "netfront"
	}
	for i := range w.dev.Interfaces {
		s, err := w.formatVif(&w.dev.Interfaces[i], typename)
		if err != nil {
			return err
		}
		items = append(items, s)
	}
	if len(items) > 0 {
		w.c.Set("vif", Strings(items...))
	}
	return nil
}

func (w *xenWriter) formatVif(n *virtxml.Interface, typename string) (string, error) {
	var b strings.Builder
	mac := "00:00:00:00:00:00"
	if n.MAC != nil {
		mac = n.MAC.Address
	}
	b.WriteString("mac=" + mac)
	ips := func() {
		if len(n.IPs) > 0 {
			addrs := make([]string, len(n.IPs))
			for i, ip := range n.IPs {
				addrs[i] = ip.Address
			}
			b.WriteString(",ip=" + strings.Join(addrs, " "))
		}
	}
	script := ""
	if n.Script != nil {
		script = n.Script.Path
	}
	switch n.Type {
	case "bridge":
		br := ""
		if n.Source != nil {
			br = n.Source.Bridge
		}
		b.WriteString(",bridge=" + br)
		if n.VirtualPort != nil && n.VirtualPort.Type == "openvswitch" {
			if script == "" {
				script = "vif-openvswitch"
			}
			if n.VLAN != nil && len(n.VLAN.Tags) > 0 {
				if n.VLAN.Trunk {
					for _, t := range n.VLAN.Tags {
						fmt.Fprintf(&b, ":%d", t.ID)
					}
				} else {
					fmt.Fprintf(&b, ".%d", n.VLAN.Tags[0].ID)
				}
			}
		}
		ips()
		b.WriteString(",script=" + orDefault(script, defaultVifScript))
	case "ethernet":
		if script != "" {
			b.WriteString(",script=" + script)
		}
		ips()
	case "network":
		name := ""
		if n.Source != nil {
			name = n.Source.Network
		}
		if w.opts.NetworkBridge == nil {
			return "", errAt(codeUnsupported, 0, "", "network %s: no connection to look its bridge up", name)
		}
		br, err := w.opts.NetworkBridge(name)
		if err != nil {
			return "", err
		}
		b.WriteString(",bridge=" + br + ",script=" + defaultVifScript)
	default:
		return "", errAt(codeUnsupported, 0, "", "unsupported net type '%s'", n.Type)
	}
	if n.Model != nil && n.Model.Type != "" {
		if w.hvm() && n.Model.Type == "netfront" {
			b.WriteString(",type=" + typename)
		} else {
			b.WriteString(",model=" + n.Model.Type)
		}
	}
	if n.Target != nil && n.Target.Dev != "" {
		b.WriteString(",vifname=" + n.Target.Dev)
	}
	if n.Bandwidth != nil && n.Bandwidth.Outbound != nil && n.Bandwidth.Outbound.Average != 0 {
		fmt.Fprintf(&b, ",rate=%dKB/s", n.Bandwidth.Outbound.Average)
	}
	return b.String(), nil
}

// hexAttr reads a hexadecimal (or decimal) address attribute.
func hexAttr(s string) uint64 {
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"), 16, 64)
	if err != nil {
		return 0
	}
	return v
}

func (w *xenWriter) formatPCI() {
	var items []string
	for _, h := range w.dev.Hostdevs {
		if h.Mode != "subsystem" || h.Type != "pci" || h.Source == nil || h.Source.Address == nil {
			continue
		}
		a := h.Source.Address
		s := fmt.Sprintf("%04x:%02x:%02x.%x", hexAttr(a.Domain), hexAttr(a.Bus), hexAttr(a.Slot), hexAttr(a.Function))
		for _, at := range h.Source.Attrs {
			if at.Name == "writeFiltering" {
				switch at.Value {
				case "yes":
					s += ",permissive=0"
				case "no":
					s += ",permissive=1"
				}
			}
		}
		items = append(items, s)
	}
	if len(items) > 0 {
		w.c.Set("pci", Strings(items...))
	}
}

// targetPort returns a chardev's target port (0 when unset).
func targetPort(c *virtxml.Chardev) int {
	if c.Target != nil && c.Target.Port != nil {
		if n, err := strconv.Atoi(*c.Target.Port); err == nil {
			return n
		}
	}
	return 0
}

func (w *xenWriter) formatCharDevs() error {
	if !w.hvm() {
		return nil
	}
	if len(w.dev.Parallels) > 0 {
		s, err := formatSxprChar(&w.dev.Parallels[0])
		if err != nil {
			return err
		}
		w.setStr("parallel", s)
	} else {
		w.setStr("parallel", "none")
	}
	serials := w.dev.Serials
	switch {
	case len(serials) == 0:
		w.setStr("serial", "none")
	case len(serials) == 1 && targetPort(&serials[0]) == 0:
		s, err := formatSxprChar(&serials[0])
		if err != nil {
			return err
		}
		w.setStr("serial", s)
	default:
		if w.flavor == flavorXM {
			return errAt(codeUnsupported, 0, "", "multiple serial devices are not supported by xen-xm")
		}
		max := -1
		for i := range serials {
			if p := targetPort(&serials[i]); p > max {
				max = p
			}
		}
		if max > 1024 {
			return errAt(codeUnsupported, 0, "", "serial port %d out of range", max)
		}
		var items []string
		for port := 0; port <= max; port++ {
			s := "none"
			for i := range serials {
				if targetPort(&serials[i]) == port {
					var err error
					if s, err = formatSxprChar(&serials[i]); err != nil {
						return err
					}
					break
				}
			}
			items = append(items, s)
		}
		w.c.Set("serial", Strings(items...))
	}
	return nil
}

func (w *xenWriter) formatSound() {
	if !w.hvm() || len(w.dev.Sounds) == 0 {
		return
	}
	models := make([]string, len(w.dev.Sounds))
	for i, s := range w.dev.Sounds {
		models[i] = escapeSexpr(s.Model)
	}
	w.setStr("soundhw", strings.Join(models, ","))
}

// formatBoot writes the HVM boot order ("c" when none).
func (w *xenWriter) formatBoot() {
	var b strings.Builder
	for i, bt := range w.d.OS.Boots {
		if i >= 4 {
			break
		}
		switch bt.Dev {
		case "fd":
			b.WriteByte('a')
		case "cdrom":
			b.WriteByte('d')
		case "network":
			b.WriteByte('n')
		default:
			b.WriteByte('c')
		}
	}
	if b.Len() == 0 {
		b.WriteByte('c')
	}
	w.setStr("boot", b.String())
}

// formatPVBoot writes a PV guest's boot settings; cmdlineKey is "cmdline"
// (xl) or "extra" (xm).
func (w *xenWriter) formatPVBoot(cmdlineKey string) {
	if w.d.Bootloader != nil && *w.d.Bootloader != "" {
		w.setStr("bootloader", *w.d.Bootloader)
	}
	if w.d.BootloaderArgs != "" {
		w.setStr("bootargs", w.d.BootloaderArgs)
	}
	w.formatKernel(cmdlineKey)
}

func (w *xenWriter) formatKernel(cmdlineKey string) {
	os := w.d.OS
	if os.Kernel != "" {
		w.setStr("kernel", os.Kernel)
	}
	if os.Initrd != "" {
		w.setStr("ramdisk", os.Initrd)
	}
	if os.Cmdline != "" {
		w.setStr(cmdlineKey, os.Cmdline)
	}
}

// formatUSBInputs writes the USB input devices: usb = 1 and usbdevice,
// a string for one device, a list for several (xl only).
func (w *xenWriter) formatUSBInputs() {
	if !w.hvm() {
		return
	}
	var names []string
	for _, in := range w.dev.Inputs {
		if in.Bus != "usb" {
			continue
		}
		w.setInt("usb", 1)
		switch in.Type {
		case "mouse", "tablet", "keyboard":
			names = append(names, in.Type)
		}
		if w.flavor == flavorXM && len(names) > 0 {
			break
		}
	}
	switch {
	case len(names) == 1:
		w.setStr("usbdevice", names[0])
	case len(names) > 1:
		w.c.Set("usbdevice", Strings(names...))
	}
}
