package native

import (
	"github.com/govirt/govirt/virtxml"
)

// isPV reports whether an os type names a Xen PV guest.
func isPV(t string) bool { return t == osPV || t == "xen" }

// xenPostParse fills in the defaults libvirt's libxl driver (and the
// generic code it runs) adds to a domain: the PV console, the implicit
// mouse and keyboard, PAE for x86_64 HVM guests, the Xen balloon and
// xenbus, disk addresses and formats, disk controllers, the video device
// graphics need, and the console mirroring the first serial port.
func xenPostParse(d *virtxml.Domain) {
	if d.Devices == nil {
		d.Devices = &virtxml.Devices{}
	}
	dev := d.Devices
	hvm := d.OS != nil && d.OS.Type.Type == osHVM
	if !hvm && len(dev.Consoles) == 0 {
		dev.Consoles = append(dev.Consoles, virtxml.Chardev{Type: "pty",
			Target: &virtxml.CharTarget{Type: "xen", Port: strp("0")}})
	}
	bus := "xen"
	if hvm {
		bus = "ps2"
	}
	addInput(dev, "mouse", bus)
	addInput(dev, "keyboard", bus)
	if hvm && d.OS.Type.Arch == XenArch {
		if d.Features == nil {
			d.Features = &virtxml.Features{}
		}
		d.Features.PAE = true
		if d.CPU != nil && d.CPU.NUMA != nil && len(d.CPU.NUMA.Cells) > 0 {
			d.Features.ACPI = true
		}
	}
	if dev.MemBalloon == nil {
		dev.MemBalloon = &virtxml.MemBalloon{Model: "xen"}
	}
	if !hasControllerType(dev, "xenbus") {
		addController(dev, virtxml.Controller{Type: "xenbus", Index: uintp(0)})
	}
	for i := range dev.Disks {
		disk := &dev.Disks[i]
		assignDriveAddress(disk, scsiNarrow)
		if disk.Driver == nil {
			disk.Driver = &virtxml.DiskDriver{}
		}
		if disk.Type == "network" && disk.Driver.Name == "" {
			disk.Driver.Name = "qemu"
		}
		if disk.Driver.Type == "" {
			disk.Driver.Type = "raw"
		}
	}
	addDiskControllers(dev)
	assignControllerIndexes(dev)
	if len(dev.Graphics) > 0 && len(dev.Videos) == 0 {
		dev.Videos = append(dev.Videos, virtxml.Video{Model: &virtxml.VideoModel{Heads: uintp(1)}})
	}
	for i := range dev.Videos {
		m := dev.Videos[i].Model
		if m == nil {
			m = &virtxml.VideoModel{}
			dev.Videos[i].Model = m
		}
		if m.Type == "" {
			m.Type = "cirrus"
			if d.OS != nil && isPV(d.OS.Type.Type) {
				m.Type = "xen"
			}
		}
		if hvm && m.VRam == nil {
			switch m.Type {
			case "vga", "xen":
				m.VRam = uintp(16 * 1024)
			case "cirrus":
				m.VRam = uintp(8 * 1024)
			case "qxl":
				m.VRam = uintp(128 * 1024)
			}
		}
	}
	finishVideos(dev, defaultVideoRAM)
	for i := range dev.Consoles {
		t := dev.Consoles[i].Target
		if t == nil {
			t = &virtxml.CharTarget{}
			dev.Consoles[i].Target = t
		}
		if t.Type == "" {
			if hvm {
				t.Type = "serial"
			} else {
				t.Type = "xen"
			}
		}
	}
	if hvm {
		addConsoleCompat(dev)
	}
	fixMemory(d)
}

// addInput adds an input device of type t on bus unless one exists.
func addInput(dev *virtxml.Devices, t, bus string) {
	for _, in := range dev.Inputs {
		if in.Type == t && in.Bus == bus {
			return
		}
	}
	dev.Inputs = append(dev.Inputs, virtxml.Input{Type: t, Bus: bus})
}

// hasControllerType reports whether dev holds a controller of type t.
func hasControllerType(dev *virtxml.Devices, t string) bool {
	for _, c := range dev.Controllers {
		if c.Type == t {
			return true
		}
	}
	return false
}

// assignControllerIndexes gives controllers without an index the lowest
// unused index of their type.
func assignControllerIndexes(dev *virtxml.Devices) {
	for i := range dev.Controllers {
		c := &dev.Controllers[i]
		if c.Index != nil {
			continue
		}
		for idx := uint(0); ; idx++ {
			if !hasController(dev, c.Type, idx) {
				c.Index = uintp(idx)
				break
			}
		}
	}
}
