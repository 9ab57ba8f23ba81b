package qemu

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virtxml"
)

// DefaultTBSizeMiB is the TCG translation cache given to guests that do not
// set <features><tcg><tb-cache>: small, so that many guests fit in memory
// (QEMU's own default reserves a gigabyte per guest).
const DefaultTBSizeMiB = 64

// ArgvConfig holds what BuildArgv needs besides the definition: the choices
// the driver makes when it starts a guest. It is plain data, so that
// BuildArgv stays a pure function.
type ArgvConfig struct {
	// Emulator is argv[0]; empty means the definition's <emulator>.
	Emulator string
	// MonitorFD is the descriptor number, in QEMU, of the listening QMP
	// socket the driver hands over.
	MonitorFD int
	// PidFile is where QEMU writes its pid; empty for none.
	PidFile string
	// TBSizeMiB is the TCG translation cache size for definitions that set
	// none; 0 means DefaultTBSizeMiB.
	TBSizeMiB uint64
	// Incoming is the -incoming argument of a restore ("defer"), or "".
	Incoming string
	// RestrictUserNet isolates user-mode networks from the host's network
	// (restrict=on): tests set it.
	RestrictUserNet bool
	// Bridges maps the names of active virtual networks to their bridges.
	Bridges map[string]string
	// TapFDs maps interface aliases to descriptor numbers of tap or macvtap
	// devices opened for QEMU.
	TapFDs map[string]int
	// Caps, when set, lets BuildArgv check that the binary has the devices,
	// machine types, accelerators and CPU models the definition uses.
	Caps *Caps
}

// BuildArgv returns the QEMU command line (argv[0] first) that runs def
// paused (-S), with its QMP monitor on cfg.MonitorFD. It does no I/O: the
// same definition and configuration always give the same command line.
// What the driver cannot express for QEMU is refused with an
// ErrConfigUnsupported error rather than dropped.
func BuildArgv(def *virtxml.Domain, cfg ArgvConfig) ([]string, error) {
	if err := validateDomain(def); err != nil {
		return nil, err
	}
	k, err := machineKindOf(machineOf(def))
	if err != nil {
		return nil, err
	}
	d := def.Clone()
	if err := assignAddresses(d, k); err != nil {
		return nil, err
	}
	assignAliases(d, k)
	b := &argvBuilder{def: d, cfg: cfg, kind: k}
	b.build()
	if b.err != nil {
		return nil, b.err
	}
	return b.args, nil
}

// machineOf is the definition's machine type.
func machineOf(def *virtxml.Domain) string {
	if def.OS == nil {
		return ""
	}
	return def.OS.Type.Machine
}

type argvBuilder struct {
	def  *virtxml.Domain
	cfg  ArgvConfig
	kind machineKind
	args []string
	err  error
	// bootIndex maps device aliases to their boot index.
	bootIndex map[string]int
}

func (b *argvBuilder) add(args ...string) { b.args = append(b.args, args...) }

func (b *argvBuilder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *argvBuilder) failf(format string, args ...any) { b.fail(unsupported(format, args...)) }

// opts joins key=value options; values have their commas doubled as
// QEMU's option parser wants.
type opts []string

func (o *opts) add(k, v string) { *o = append(*o, k+"="+strings.ReplaceAll(v, ",", ",,")) }
func (o *opts) raw(s string)    { *o = append(*o, s) }
func (o opts) String() string   { return strings.Join(o, ",") }

// esc doubles the commas of an option value.
func esc(s string) string { return strings.ReplaceAll(s, ",", ",,") }

// jsonArg marshals a JSON-style option (-blockdev, -object) with keys in
// the given order.
func jsonArg(kv ...any) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			sb.WriteByte(',')
		}
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		sb.Write(k)
		sb.WriteByte(':')
		sb.Write(v)
	}
	sb.WriteByte('}')
	return sb.String()
}

func hexAddr(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

func (b *argvBuilder) build() {
	d := b.def
	emu := b.cfg.Emulator
	if emu == "" && d.Devices != nil {
		emu = d.Devices.Emulator
	}
	if emu == "" {
		b.failf("no emulator binary for domain '%s'", d.Name)
		return
	}
	b.add(emu)
	b.add("-name", "guest="+esc(d.Name)+",debug-threads=on")
	b.add("-S")
	if b.cfg.PidFile != "" {
		b.add("-pidfile", b.cfg.PidFile)
	}
	b.machine()
	b.accel()
	b.cpu()
	b.memory()
	b.smp()
	b.add("-uuid", d.UUID.String())
	if d.GenID != nil {
		b.add("-device", "vmgenid,guid="+virtxml.UUID(*d.GenID).String()+",id=vmgenid0")
	}
	b.firmware()
	b.add("-no-user-config", "-nodefaults")
	b.add("-chardev", fmt.Sprintf("socket,id=charmonitor,fd=%d,server=on,wait=off", b.cfg.MonitorFD))
	b.add("-mon", "chardev=charmonitor,id=monitor,mode=control")
	b.clock()
	// The driver acts on guest power-off itself (SHUTDOWN event).
	b.add("-no-shutdown")
	if d.OnReboot == "destroy" || d.OnReboot == "preserve" {
		b.add("-no-reboot")
	}
	b.actions()
	b.boot()
	b.computeBootIndex()
	b.controllers()
	b.disks()
	b.interfaces()
	b.chardevs()
	b.inputs()
	b.graphics()
	b.videos()
	b.watchdogs()
	b.balloon()
	b.rngs()
	b.panics()
	if b.cfg.Incoming != "" {
		b.add("-incoming", b.cfg.Incoming)
	}
	b.add("-msg", "timestamp=on")
	b.passthrough()
}

// qemuNamespace is libvirt's namespace of QEMU pass-through settings.
const qemuNamespace = "http://libvirt.org/schemas/domain/qemu/1.0"

// passthrough appends the arguments of <qemu:commandline>, as libvirt
// does, and refuses other namespace elements.
func (b *argvBuilder) passthrough() {
	prefix := ""
	for _, a := range b.def.NSAttrs {
		if a.Value == qemuNamespace {
			prefix = strings.TrimPrefix(a.Name, "xmlns:")
		}
	}
	for _, n := range b.def.NSElements {
		if prefix == "" || n.Name != prefix+":commandline" {
			b.failf("element <%s> is not supported (only <qemu:commandline> of namespace %s)", n.Name, qemuNamespace)
			continue
		}
		for _, c := range n.Children {
			if c.Name != prefix+":arg" {
				b.failf("element <%s> in <%s> is not supported (only <%s:arg value=...>)", c.Name, n.Name, prefix)
				continue
			}
			v, ok := c.Attr("value")
			if !ok {
				b.failf("<%s> needs a value attribute", c.Name)
				continue
			}
			b.add(v)
		}
	}
}

func (b *argvBuilder) machine() {
	d := b.def
	m := machineOf(d)
	if c := b.cfg.Caps; c != nil && c.Machine(m) == nil {
		b.failf("machine type '%s' is not supported by %s", m, c.Binary)
	}
	var o opts
	o.raw(m)
	if b.kind != kindMicrovm {
		o.raw("usb=off")
	}
	o.raw("dump-guest-core=off")
	f := d.Features
	acpi := f != nil && f.ACPI
	if !acpi {
		o.raw("acpi=off")
	}
	if b.kind == kindMicrovm {
		// The driver adds the serial ports it is asked for itself.
		o.raw("isa-serial=off")
		o.raw("x-option-roms=off")
	}
	if f != nil {
		if f.VMPort != nil && f.VMPort.State != "" {
			o.add("vmport", onOff(f.VMPort.State))
		}
		if f.SMM != nil && f.SMM.State != "" {
			o.add("smm", onOff(f.SMM.State))
		}
	}
	for _, t := range clockTimers(d) {
		if t.Name == "hpet" && t.Present == "no" {
			o.raw("hpet=off")
		}
	}
	if mb := d.MemoryBacking; mb != nil && mb.NoSharePages {
		o.raw("mem-merge=off")
	}
	if pf := b.pflash(); pf != "" {
		o.raw(pf)
	}
	b.add("-machine", o.String())
	b.pm()
}

// pm sets whether the guest may suspend to memory (S3) or disk (S4).
func (b *argvBuilder) pm() {
	pm := b.def.PM
	if pm == nil {
		return
	}
	dev := "PIIX4_PM"
	if b.kind == kindQ35 {
		dev = "ICH9-LPC"
	}
	for _, s := range []struct {
		st   *virtxml.PMState
		prop string
	}{{pm.SuspendToMem, "disable_s3"}, {pm.SuspendToDisk, "disable_s4"}} {
		if s.st == nil || s.st.Enabled == "" {
			continue
		}
		if b.kind == kindMicrovm {
			b.failf("<pm> is not supported on microvm")
			return
		}
		v := "1"
		if s.st.Enabled == "yes" {
			v = "0"
		}
		b.add("-global", dev+"."+s.prop+"="+v)
	}
}

func onOff(s string) string {
	if s == "on" || s == "yes" {
		return "on"
	}
	return "off"
}

func (b *argvBuilder) accel() {
	d := b.def
	switch d.Type {
	case "qemu":
		size := b.cfg.TBSizeMiB
		if size == 0 {
			size = DefaultTBSizeMiB
		}
		if f := d.Features; f != nil && f.TCG != nil && f.TCG.TBCache != nil {
			size = f.TCG.TBCache.Value / 1024 // KiB after parsing
			if size == 0 {
				size = 1
			}
		}
		b.add("-accel", "tcg,tb-size="+strconv.FormatUint(size, 10))
	case "kvm":
		if c := b.cfg.Caps; c != nil && !c.HasAccel("kvm") {
			b.failf("the QEMU binary %s does not support KVM", c.Binary)
		}
		if f := d.Features; f != nil && f.TCG != nil {
			b.failf("<features><tcg> applies to domain type 'qemu' only")
		}
		b.add("-accel", "kvm")
	default:
		b.failf("Emulator does not support virt type '%s'", d.Type)
	}
}

func (b *argvBuilder) cpu() {
	d := b.def
	c := d.CPU
	var o opts
	model := ""
	if c != nil {
		switch c.Mode {
		case "host-passthrough":
			if d.Type != "kvm" {
				b.failf("CPU mode 'host-passthrough' needs domain type 'kvm'")
			}
			model = "host"
		case "host-model":
			model = "max"
			if d.Type == "kvm" {
				model = "host"
			}
		case "maximum":
			model = "max"
		case "", "custom":
			if c.Model != nil && c.Model.Name != "" {
				model = c.Model.Name
				if caps := b.cfg.Caps; caps != nil && !caps.HasCPUModel(model) {
					b.failf("CPU model '%s' is not supported by %s", model, caps.Binary)
				}
			}
		default:
			b.failf("CPU mode '%s' is not supported", c.Mode)
		}
		if c.NUMA != nil && len(c.NUMA.Cells) > 0 {
			b.failf("guest NUMA topology (<cpu><numa>) is not supported")
		}
		if c.Cache != nil || c.MaxPhysAddr != nil {
			b.failf("<cpu><cache> and <cpu><maxphysaddr> are not supported")
		}
		if len(c.Features) > 0 && model == "" {
			model = "qemu64"
		}
		if c.Model != nil && c.Model.VendorID != "" {
			o.add("vendor", c.Model.VendorID)
		}
		for _, f := range c.Features {
			switch f.Policy {
			case "", "require", "force", "optional":
				o.add(f.Name, "on")
			case "disable", "forbid":
				o.add(f.Name, "off")
			default:
				b.failf("CPU feature policy '%s' is not supported", f.Policy)
			}
		}
	}
	if f := d.Features; f != nil && f.PMU != nil && f.PMU.State != "" {
		if model == "" {
			model = "qemu64"
		}
		o.add("pmu", onOff(f.PMU.State))
	}
	for _, t := range clockTimers(d) {
		if t.Name == "kvmclock" && t.Present == "no" {
			if model == "" {
				model = "qemu64"
			}
			o.raw("kvmclock=off")
		}
	}
	if model == "" {
		return
	}
	b.add("-cpu", strings.Join(append([]string{model}, o...), ","))
}

func (b *argvBuilder) memory() {
	d := b.def
	if d.Memory == nil || d.Memory.Value == 0 {
		b.failf("the domain has no memory size")
		return
	}
	v := "size=" + strconv.FormatUint(d.Memory.Value, 10) + "k"
	if mm := d.MaxMemory; mm != nil && mm.Value > 0 {
		v += ",slots=" + strconv.FormatUint(uint64(mm.Slots), 10) + ",maxmem=" + strconv.FormatUint(mm.Value, 10) + "k"
	}
	b.add("-m", v)
	if mb := d.MemoryBacking; mb != nil {
		if mb.Locked {
			b.add("-overcommit", "mem-lock=on")
		}
	}
}

func (b *argvBuilder) smp() {
	d := b.def
	maxv := uint(1)
	cur := uint(0)
	if d.VCPU != nil {
		maxv, cur = d.VCPU.Value, d.VCPU.Current
	}
	if cur == 0 {
		cur = maxv
	}
	sockets, dies, cores, threads := maxv, uint(1), uint(1), uint(1)
	if d.CPU != nil && d.CPU.Topology != nil {
		t := d.CPU.Topology
		sockets, dies, cores, threads = t.Sockets, t.Dies, t.Cores, t.Threads
		if dies == 0 {
			dies = 1
		}
		if sockets*dies*cores*threads != maxv {
			b.failf("the CPU topology (%d sockets, %d dies, %d cores, %d threads) does not match the maximum vCPU count %d",
				sockets, dies, cores, threads, maxv)
		}
	}
	if c := b.cfg.Caps; c != nil {
		if m := c.Machine(machineOf(d)); m != nil && m.MaxCPUs > 0 && int(maxv) > m.MaxCPUs {
			b.failf("maximum vCPU count %d exceeds the machine type's limit of %d", maxv, m.MaxCPUs)
		}
	}
	b.add("-smp", fmt.Sprintf("%d,maxcpus=%d,sockets=%d,dies=%d,cores=%d,threads=%d", cur, maxv, sockets, dies, cores, threads))
}

// pflash returns the -machine options for a pflash firmware and adds its
// block nodes, or "".
func (b *argvBuilder) pflash() string {
	os := b.def.OS
	if os == nil || os.Loader == nil || os.Loader.Type != "pflash" {
		return ""
	}
	if b.kind == kindMicrovm {
		b.failf("pflash firmware is not supported on microvm")
		return ""
	}
	ro := os.Loader.Readonly != "no"
	b.add("-blockdev", jsonArg("driver", "file", "filename", os.Loader.Path, "node-name", "pflash0-storage", "auto-read-only", true, "discard", "unmap"))
	b.add("-blockdev", jsonArg("node-name", "pflash0-format", "read-only", ro, "driver", "raw", "file", "pflash0-storage"))
	opt := "pflash0=pflash0-format"
	if os.NVRAM != nil && os.NVRAM.Path != "" {
		b.add("-blockdev", jsonArg("driver", "file", "filename", os.NVRAM.Path, "node-name", "pflash1-storage", "auto-read-only", true, "discard", "unmap"))
		b.add("-blockdev", jsonArg("node-name", "pflash1-format", "read-only", false, "driver", "raw", "file", "pflash1-storage"))
		opt += ",pflash1=pflash1-format"
	}
	return opt
}

// firmware adds -bios for a ROM loader.
func (b *argvBuilder) firmware() {
	os := b.def.OS
	if needsFirmware(b.def) {
		b.failf("firmware 'efi' was not resolved into a loader")
		return
	}
	if os == nil || os.Loader == nil {
		return
	}
	switch os.Loader.Type {
	case "pflash":
	case "", "rom":
		if os.Loader.Path != "" {
			b.add("-bios", os.Loader.Path)
		}
	default:
		b.failf("firmware loader type '%s' is not supported", os.Loader.Type)
	}
	if os.Loader.Secure == "yes" {
		b.failf("secure boot firmware is not supported")
	}
}

func clockTimers(d *virtxml.Domain) []virtxml.Timer {
	if d.Clock == nil {
		return nil
	}
	return d.Clock.Timers
}

func (b *argvBuilder) clock() {
	c := b.def.Clock
	var o opts
	switch {
	case c == nil || c.Offset == "" || c.Offset == "utc":
		o.raw("base=utc")
	case c.Offset == "localtime":
		o.raw("base=localtime")
	default:
		b.failf("clock offset '%s' is not supported", c.Offset)
	}
	for _, t := range clockTimers(b.def) {
		switch t.Name {
		case "rtc":
			switch t.TickPolicy {
			case "":
			case "catchup":
				o.raw("driftfix=slew")
			case "delay":
				o.raw("driftfix=none")
			default:
				b.failf("rtc tickpolicy '%s' is not supported", t.TickPolicy)
			}
			if t.Track == "guest" {
				o.raw("clock=vm")
			} else if t.Track == "wall" {
				o.raw("clock=rt")
			}
		case "hpet", "kvmclock":
			if t.Present == "yes" || t.Present == "" {
				continue
			}
		case "pit":
			if t.TickPolicy != "" && t.TickPolicy != "delay" {
				b.failf("pit tickpolicy '%s' is not supported", t.TickPolicy)
			}
		case "tsc":
			if t.Frequency != nil || t.Mode != "" {
				b.failf("tsc timer settings are not supported")
			}
		default:
			b.failf("timer '%s' is not supported", t.Name)
		}
	}
	b.add("-rtc", o.String())
}

// actions adds the -action settings that let the driver act on panics and
// that carry the watchdog action.
func (b *argvBuilder) actions() {
	d := b.def
	if len(d.Devices.Panics) > 0 {
		// The driver applies on_crash when GUEST_PANICKED arrives.
		b.add("-action", "panic=pause")
	}
	act := ""
	for _, w := range d.Devices.Watchdogs {
		a := w.Action
		if a == "" {
			a = "reset"
		}
		if act != "" && act != a {
			b.failf("watchdogs with different actions are not supported")
		}
		act = a
	}
	switch act {
	case "":
	case "reset", "shutdown", "poweroff", "pause", "none", "inject-nmi":
		b.add("-action", "watchdog="+act)
	default:
		b.failf("watchdog action '%s' is not supported", act)
	}
}

func (b *argvBuilder) boot() {
	os := b.def.OS
	if os == nil {
		b.failf("the domain has no <os>")
		return
	}
	if os.Type.Type != "hvm" {
		b.failf("OS type '%s' is not supported (QEMU runs hvm guests)", os.Type.Type)
	}
	var o opts
	if bm := os.BootMenu; bm != nil && bm.Enable == "yes" {
		o.raw("menu=on")
		if bm.Timeout != nil {
			o.raw("splash-time=" + strconv.FormatUint(uint64(*bm.Timeout), 10))
		}
	}
	if bios := os.BIOS; bios != nil {
		if bios.UseSerial == "yes" {
			b.failf("<bios useserial='yes'> is not supported")
		}
		if bios.RebootTimeout != nil {
			o.raw("reboot-timeout=" + strconv.Itoa(*bios.RebootTimeout))
		}
	}
	o.raw("strict=on")
	b.add("-boot", o.String())
	if os.Kernel != "" {
		b.add("-kernel", os.Kernel)
		if os.Initrd != "" {
			b.add("-initrd", os.Initrd)
		}
		if os.Cmdline != "" {
			b.add("-append", os.Cmdline)
		}
		if os.DTB != "" {
			b.add("-dtb", os.DTB)
		}
	} else if b.kind == kindMicrovm {
		b.failf("microvm guests need direct kernel boot (<os><kernel>)")
	}
}

// computeBootIndex gives bootindex values: per-device <boot order=...>
// when any device has one, else the <os><boot dev=...> order applied to
// the first device of each kind.
func (b *argvBuilder) computeBootIndex() {
	b.bootIndex = map[string]int{}
	dv := b.def.Devices
	perDevice := false
	for _, d := range dv.Disks {
		if d.Boot != nil {
			perDevice = true
			b.bootIndex[d.Alias.Name] = int(d.Boot.Order)
		}
	}
	for _, n := range dv.Interfaces {
		if n.Boot != nil {
			perDevice = true
			b.bootIndex[n.Alias.Name] = int(n.Boot.Order)
		}
	}
	if perDevice || b.def.OS == nil {
		return
	}
	next := 1
	for _, bd := range b.def.OS.Boots {
		switch bd.Dev {
		case "hd", "cdrom", "fd":
			want := map[string]string{"hd": "disk", "cdrom": "cdrom", "fd": "floppy"}[bd.Dev]
			for _, d := range dv.Disks {
				dev := d.Device
				if dev == "" {
					dev = "disk"
				}
				if dev == want {
					b.bootIndex[d.Alias.Name] = next
					next++
					break
				}
			}
		case "network":
			if len(dv.Interfaces) > 0 {
				b.bootIndex[dv.Interfaces[0].Alias.Name] = next
				next++
			}
		}
	}
}

// pciAddr returns the bus and addr options of a PCI device.
func (b *argvBuilder) pciAddr(o *opts, a *virtxml.Address) {
	if b.kind == kindMicrovm || a == nil || a.Type != "pci" {
		return
	}
	bus := rootBus(b.kind)
	if a.Bus != 0 {
		bus = "pci." + strconv.FormatUint(a.Bus, 10)
	}
	o.raw("bus=" + bus)
	addr := hexAddr(a.Slot)
	if a.Function != 0 {
		addr += "." + hexAddr(a.Function)
	}
	o.raw("addr=" + addr)
	if a.Multifunction == "on" {
		o.raw("multifunction=on")
	}
}

// virtioDev names a virtio device for the machine's transport.
func (b *argvBuilder) virtioDev(base string) string {
	if b.kind == kindMicrovm {
		return base + "-device"
	}
	return base + "-pci"
}

func (b *argvBuilder) checkDevice(name string) {
	if c := b.cfg.Caps; c != nil && !c.HasDevice(name) {
		b.failf("device '%s' is not supported by %s", name, c.Binary)
	}
}

func (b *argvBuilder) device(driver string, o opts) {
	b.checkDevice(driver)
	b.add("-device", strings.Join(append([]string{driver}, o...), ","))
}
