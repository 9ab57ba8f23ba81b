package qemu

import (
	"runtime"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virtxml"
)

// postParse applies the QEMU driver's defaults to a parsed definition, as
// libvirt's QEMU driver does at define time: architecture, emulator and
// canonical machine type from the binary's capabilities, the implicit
// devices and PCI addresses. It refuses what the driver cannot run, by
// building a command line with placeholders for what is only chosen at
// start (ports, bridges). It does no I/O.
func postParse(def *virtxml.Domain, caps *Caps) error {
	if err := validateDomain(def); err != nil {
		return err
	}
	if err := checkFirmware(def); err != nil {
		return err
	}
	t := &def.OS.Type
	if t.Arch == "" {
		t.Arch = caps.Arch
	}
	if t.Arch != caps.Arch {
		return unsupported("architecture '%s' is not supported by %s (%s)", t.Arch, caps.Binary, caps.Arch)
	}
	if t.Machine == "" {
		m := caps.DefaultMachine()
		if m == nil {
			return unsupported("%s has no default machine type", caps.Binary)
		}
		t.Machine = m.Name
	} else {
		m := caps.Machine(t.Machine)
		if m == nil {
			return unsupported("Emulator '%s' does not support machine type '%s'", caps.Binary, t.Machine)
		}
		t.Machine = m.Name
	}
	if def.Devices.Emulator == "" {
		def.Devices.Emulator = caps.Binary
	}
	k, err := machineKindOf(t.Machine)
	if err != nil {
		return err
	}
	addImplicitDevices(def, k)
	if err := assignAddresses(def, k); err != nil {
		return err
	}
	return dryRun(def, caps)
}

// dryRun builds the command line of def with placeholders for what only a
// start decides, to refuse unsupported configurations early.
func dryRun(def *virtxml.Domain, caps *Caps) error {
	d := def.Clone()
	placeholders(d)
	cfg := ArgvConfig{Caps: caps, MonitorFD: 3, Bridges: map[string]string{}, TapFDs: map[string]int{}}
	k, err := machineKindOf(machineOf(d))
	if err != nil {
		return err
	}
	assignAliases(d, k)
	for _, n := range d.Devices.Interfaces {
		if n.Type == "network" && n.Source != nil {
			cfg.Bridges[n.Source.Network] = "placeholder0"
		}
		if n.Type == "direct" {
			cfg.TapFDs[n.Alias.Name] = 99
		}
	}
	_, err = BuildArgv(d, cfg)
	return err
}

// placeholders fills in what a start decides: VNC ports and firmware.
func placeholders(d *virtxml.Domain) {
	if needsFirmware(d) {
		d.OS.Loader = &virtxml.OSLoader{Readonly: "yes", Type: "pflash", Path: "/firmware/CODE.fd"}
		if d.OS.NVRAM == nil {
			d.OS.NVRAM = &virtxml.OSNVRAM{Path: "/firmware/VARS.fd"}
		}
	}
	for i := range d.Devices.Graphics {
		g := &d.Devices.Graphics[i]
		if g.Port == nil || *g.Port < 5900 {
			p := 5900
			g.Port = &p
		}
	}
}

// hostArch is the host's architecture in libvirt's names.
func hostArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "386":
		return "i686"
	case "arm64":
		return "aarch64"
	}
	return runtime.GOARCH
}

// defaultArch gives def the host's architecture when the XML names none:
// the generic parser assumes i686, libvirt's QEMU driver the host's.
func defaultArch(xml []byte, def *virtxml.Domain) {
	root, err := xmldoc.Parse(xml)
	if err != nil {
		return
	}
	if os := root.Child("os"); os != nil {
		if t := os.Child("type"); t != nil {
			if _, ok := t.Attr("arch"); ok {
				return
			}
		}
	}
	if def.OS != nil {
		def.OS.Type.Arch = hostArch()
	}
}
