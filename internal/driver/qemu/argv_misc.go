package qemu

import (
	"strconv"

	"github.com/govirt/govirt/virtxml"
)

func (b *argvBuilder) inputs() {
	for i := range b.def.Devices.Inputs {
		in := &b.def.Devices.Inputs[i]
		var o opts
		o.raw("id=" + in.Alias.Name)
		switch in.Bus {
		case "ps2", "":
			if b.kind == kindMicrovm {
				b.failf("PS/2 input devices are not supported on microvm")
			}
			if in.Type != "mouse" && in.Type != "keyboard" {
				b.failf("input type '%s' is not supported on bus ps2", in.Type)
			}
			// The PC machines have them built in.
		case "usb":
			drv := map[string]string{"tablet": "usb-tablet", "mouse": "usb-mouse", "keyboard": "usb-kbd"}[in.Type]
			if drv == "" {
				b.failf("input type '%s' is not supported on bus usb", in.Type)
				continue
			}
			alias := b.controllerAliasOf("usb", 0)
			o.raw("bus=" + alias + ".0")
			if in.Address != nil && in.Address.Type == "usb" && in.Address.USBPort != "" {
				o.raw("port=" + in.Address.USBPort)
			}
			b.device(drv, o)
		case "virtio":
			drv := map[string]string{"tablet": "virtio-tablet", "mouse": "virtio-mouse", "keyboard": "virtio-keyboard"}[in.Type]
			if drv == "" {
				b.failf("input type '%s' is not supported on bus virtio", in.Type)
				continue
			}
			b.pciAddr(&o, in.Address)
			b.device(b.virtioDev(drv), o)
		default:
			b.failf("input bus '%s' is not supported", in.Bus)
		}
	}
}

func (b *argvBuilder) graphics() {
	gs := b.def.Devices.Graphics
	if len(gs) == 0 {
		b.add("-display", "none")
		return
	}
	if len(gs) > 1 {
		b.failf("only one graphics device is supported")
		return
	}
	g := &gs[0]
	if g.Type != "vnc" {
		b.failf("graphics type '%s' is not supported (use vnc)", g.Type)
		return
	}
	var o opts
	listen := g.Listen
	if len(g.Listens) > 0 {
		switch g.Listens[0].Type {
		case "socket":
			o.raw("unix:" + esc(g.Listens[0].Socket))
		case "address":
			if g.Listens[0].Address != "" {
				listen = g.Listens[0].Address
			}
		case "none":
			o.raw("none")
		default:
			b.failf("VNC listen type '%s' is not supported", g.Listens[0].Type)
		}
	}
	if len(o) == 0 {
		if g.Port == nil || *g.Port < 5900 {
			b.failf("VNC port not allocated")
			return
		}
		if listen == "" {
			listen = "127.0.0.1"
		}
		host := listen
		if len(host) > 0 && host[0] != '[' && containsColon(host) {
			host = "[" + host + "]"
		}
		o.raw(esc(host) + ":" + strconv.Itoa(*g.Port-5900))
	}
	if g.WebSocket != nil && *g.WebSocket > 0 {
		o.raw("websocket=" + strconv.Itoa(*g.WebSocket))
	}
	if g.Passwd != "" {
		o.raw("password=on")
	}
	if g.SharePolicy != "" {
		o.add("share", g.SharePolicy)
	}
	b.add("-vnc", o.String())
}

func containsColon(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return true
		}
	}
	return false
}

func (b *argvBuilder) videos() {
	for i := range b.def.Devices.Videos {
		v := &b.def.Devices.Videos[i]
		typ := "none"
		if v.Model != nil {
			typ = v.Model.Type
		}
		if typ == "none" {
			continue
		}
		if b.kind == kindMicrovm {
			b.failf("video devices are not supported on microvm")
			return
		}
		if i > 0 {
			b.failf("only one video device is supported")
			return
		}
		var o opts
		o.raw("id=" + v.Alias.Name)
		m := v.Model
		drv := ""
		switch typ {
		case "vga":
			drv = "VGA"
			if m.VGAMem != nil && *m.VGAMem > 0 {
				o.raw("vgamem_mb=" + strconv.FormatUint(uint64(*m.VGAMem/1024), 10))
			} else if m.VRam != nil && *m.VRam > 0 {
				o.raw("vgamem_mb=" + strconv.FormatUint(uint64(*m.VRam/1024), 10))
			}
		case "cirrus":
			drv = "cirrus-vga"
		case "virtio":
			drv = "virtio-vga"
			if m.Heads != nil && *m.Heads > 1 {
				o.raw("max_outputs=" + strconv.FormatUint(uint64(*m.Heads), 10))
			}
		case "qxl":
			drv = "qxl-vga"
			if m.Ram != nil {
				o.raw("ram_size=" + strconv.FormatUint(uint64(*m.Ram)*1024, 10))
			}
			if m.VRam != nil {
				o.raw("vram_size=" + strconv.FormatUint(uint64(*m.VRam)*1024, 10))
			}
			if m.VGAMem != nil {
				o.raw("vgamem_mb=" + strconv.FormatUint(uint64(*m.VGAMem/1024), 10))
			}
		case "bochs":
			drv = "bochs-display"
		case "ramfb":
			drv = "ramfb"
		default:
			b.failf("video model '%s' is not supported", typ)
			return
		}
		if m.Acceleration != nil && (m.Acceleration.Accel3D == "yes" || m.Acceleration.Accel2D == "yes") {
			b.failf("video acceleration is not supported")
		}
		if typ != "ramfb" {
			b.pciAddr(&o, v.Address)
		}
		b.device(drv, o)
	}
}

func (b *argvBuilder) watchdogs() {
	for i := range b.def.Devices.Watchdogs {
		w := &b.def.Devices.Watchdogs[i]
		var o opts
		o.raw("id=" + w.Alias.Name)
		switch w.Model {
		case "i6300esb":
			if b.kind == kindMicrovm {
				b.failf("watchdog model 'i6300esb' is not supported on microvm")
			}
			b.pciAddr(&o, w.Address)
			b.device("i6300esb", o)
		case "ib700":
			if b.kind == kindMicrovm {
				b.failf("watchdog model 'ib700' is not supported on microvm")
			}
			b.device("ib700", o)
		case "itco":
			if b.kind != kindQ35 {
				b.failf("watchdog model 'itco' needs a q35 machine type")
			}
			// Built into the ICH9 chipset: nothing to add.
		default:
			b.failf("watchdog model '%s' is not supported", w.Model)
		}
	}
}

func (b *argvBuilder) balloon() {
	mb := b.def.Devices.MemBalloon
	if mb == nil || mb.Model == "none" {
		return
	}
	if mb.Model != "virtio" {
		b.failf("memballoon model '%s' is not supported", mb.Model)
		return
	}
	var o opts
	o.raw("id=" + mb.Alias.Name)
	b.pciAddr(&o, mb.Address)
	if mb.AutoDeflate == "on" {
		o.raw("deflate-on-oom=on")
	}
	if mb.FreePageReporting == "on" {
		o.raw("free-page-reporting=on")
	}
	b.device(b.virtioDev("virtio-balloon"), o)
}

func (b *argvBuilder) rngs() {
	for i := range b.def.Devices.RNGs {
		r := &b.def.Devices.RNGs[i]
		if r.Model != "virtio" {
			b.failf("rng model '%s' is not supported", r.Model)
			continue
		}
		alias := r.Alias.Name
		obj := "obj" + alias
		be := r.Backend
		if be == nil {
			b.failf("rng device has no backend")
			continue
		}
		switch be.Model {
		case "random":
			file := be.Device
			if file == "" {
				file = "/dev/urandom"
			}
			b.add("-object", jsonArg("qom-type", "rng-random", "id", obj, "filename", file))
		case "builtin":
			b.add("-object", jsonArg("qom-type", "rng-builtin", "id", obj))
		case "egd":
			b.add("-chardev", b.chardevOpts("char"+alias, be.Type, &be.CharSourceFields, nil))
			b.add("-object", jsonArg("qom-type", "rng-egd", "id", obj, "chardev", "char"+alias))
		default:
			b.failf("rng backend model '%s' is not supported", be.Model)
			continue
		}
		var o opts
		o.raw("rng=" + obj)
		o.raw("id=" + alias)
		if r.Rate != nil {
			o.raw("max-bytes=" + strconv.FormatUint(uint64(r.Rate.Bytes), 10))
			period := uint(1000)
			if r.Rate.Period != nil {
				period = *r.Rate.Period
			}
			o.raw("period=" + strconv.FormatUint(uint64(period), 10))
		}
		b.pciAddr(&o, r.Address)
		b.device(b.virtioDev("virtio-rng"), o)
	}
}

func (b *argvBuilder) panics() {
	for i := range b.def.Devices.Panics {
		p := &b.def.Devices.Panics[i]
		var o opts
		switch p.Model {
		case "", "isa":
			if b.kind == kindMicrovm {
				b.failf("panic model 'isa' is not supported on microvm")
				continue
			}
			port := uint64(0x505)
			if p.Address != nil && p.Address.Type == "isa" && p.Address.IOBase != 0 {
				port = p.Address.IOBase
			}
			o.raw("ioport=" + strconv.FormatUint(port, 10))
			b.device("pvpanic", o)
		case "pvpanic":
			if b.kind == kindMicrovm {
				b.failf("panic model 'pvpanic' is not supported on microvm")
				continue
			}
			o.raw("id=" + p.Alias.Name)
			b.pciAddr(&o, p.Address)
			b.device("pvpanic-pci", o)
		default:
			b.failf("panic model '%s' is not supported", p.Model)
		}
	}
}

// validateDomain refuses definitions with parts the driver cannot run.
// BuildArgv refuses the finer points of the parts it supports.
func validateDomain(d *virtxml.Domain) error {
	if d.Type != "qemu" && d.Type != "kvm" {
		return unsupported("Emulator does not support virt type '%s'", d.Type)
	}
	if d.OS == nil {
		return unsupported("the domain has no <os>")
	}
	if d.Devices == nil {
		return unsupported("the domain has no <devices>")
	}
	dv := d.Devices
	refuse := []struct {
		n    int
		what string
	}{
		{len(dv.Filesystems), "<filesystem>"}, {len(dv.Hostdevs), "<hostdev>"}, {len(dv.Sounds), "<sound>"},
		{len(dv.Smartcards), "<smartcard>"}, {len(dv.TPMs), "<tpm>"}, {len(dv.RedirDevs), "<redirdev>"},
		{len(dv.Hubs), "<hub>"}, {len(dv.Shmems), "<shmem>"}, {len(dv.Memories), "<memory>"},
		{len(dv.Leases), "<lease>"}, {len(dv.Parallels), "<parallel>"}, {len(dv.Audios), "<audio>"},
		{len(dv.RedirFilters), "<redirfilter>"}, {len(dv.Extra), "unknown"},
	}
	for _, r := range refuse {
		if r.n > 0 {
			return unsupported("%s devices are not supported by govirt's QEMU driver", r.what)
		}
	}
	if dv.IOMMU != nil || dv.VSock != nil || dv.NVRAM != nil {
		return unsupported("<iommu>, <vsock> and <nvram> devices are not supported by govirt's QEMU driver")
	}
	if mb := d.MemoryBacking; mb != nil && (mb.HugePages != nil || mb.Source != nil || mb.Access != nil || mb.Allocation != nil) {
		return unsupported("memory backing (hugepages, source, access, allocation) is not supported")
	}
	// The driver runs guests without cgroups, I/O threads or lock managers.
	if d.CPUTune != nil || d.MemTune != nil || d.BlkioTune != nil {
		return unsupported("<cputune>, <memtune> and <blkiotune> are not supported: the driver manages no cgroups")
	}
	if d.IOThreads != nil || d.IOThreadIDs != nil || d.DefaultIOThread != nil {
		return unsupported("I/O threads are not supported")
	}
	if d.Perf != nil && len(d.Perf.Events) > 0 {
		return unsupported("<perf> events are not supported")
	}
	if d.OnLockFailure != "" {
		return unsupported("<on_lockfailure> is not supported: the driver uses no lock manager")
	}
	if d.Resource != nil && (d.Resource.FibreChannel != nil || d.Resource.Partition != "" && d.Resource.Partition != "/machine") {
		return unsupported("resource partitions other than /machine are not supported")
	}
	for _, sl := range d.SecLabels {
		if sl.Type != "none" && !(sl.Type == "" && sl.Model == "none") {
			return unsupported("security labels are not supported: the driver has no security driver (use <seclabel type='none'/>)")
		}
	}
	if len(d.SysInfo) > 0 || d.OS.SMBIOS != nil {
		return unsupported("<sysinfo> and <smbios> are not supported")
	}
	if d.OS.Init != "" || (d.OS.ACPI != nil && len(d.OS.ACPI.Tables) > 0) {
		return unsupported("<os><init> and ACPI tables are not supported")
	}
	if d.IDMap != nil || d.KeyWrap != nil || d.LaunchSecurity != nil || d.Bootloader != nil {
		return unsupported("<idmap>, <keywrap>, <launchSecurity> and <bootloader> are not supported")
	}
	if d.NUMATune != nil && d.NUMATune.Memory != nil && d.NUMATune.Memory.Placement != "auto" && d.NUMATune.Memory.NodeSet != "" {
		return unsupported("<numatune> is not supported")
	}
	if f := d.Features; f != nil {
		if f.HyperV != nil || f.KVM != nil || f.GIC != nil || f.HPT != nil || f.HTM != nil || f.NestedHV != nil ||
			f.Xen != nil || f.CFPC != nil || f.SBBC != nil || f.IBS != nil || f.MSRS != nil || f.CCFAssist != nil ||
			f.Capabilities != nil || f.PVSpinlock != nil || f.IOAPIC != nil || f.VMCoreInfo != nil || len(f.Extra) > 0 {
			return unsupported("only the acpi, apic, pae, hap, pmu, vmport, smm and tcg features are supported")
		}
	}
	for _, g := range dv.Graphics {
		if g.Type != "vnc" {
			return unsupported("graphics type '%s' is not supported (use vnc)", g.Type)
		}
	}
	switch d.OnPoweroff {
	case "", "destroy", "restart", "preserve", "rename-restart":
	default:
		return unsupported("on_poweroff action '%s' is not supported", d.OnPoweroff)
	}
	switch d.OnReboot {
	case "", "destroy", "restart", "preserve", "rename-restart":
	default:
		return unsupported("on_reboot action '%s' is not supported", d.OnReboot)
	}
	switch d.OnCrash {
	case "", "destroy", "restart", "preserve", "rename-restart", "coredump-destroy", "coredump-restart":
	default:
		return unsupported("on_crash action '%s' is not supported", d.OnCrash)
	}
	return nil
}
