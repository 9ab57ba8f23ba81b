package native

import (
	"github.com/govirt/govirt/virtxml"
)

// diskNameIndex returns the index a disk target name encodes after its
// prefix ("hda" 0, "sdz" 25, "xvdaa" 26), or -1.
func diskNameIndex(name string) int {
	i := 0
	for _, p := range []string{"xvd", "hd", "sd", "vd", "fd", "ubd"} {
		if len(name) > len(p) && name[:len(p)] == p {
			i = len(p)
			break
		}
	}
	if i == 0 {
		return -1
	}
	idx, n := 0, 0
	for ; i < len(name) && name[i] >= 'a' && name[i] <= 'z'; i++ {
		if n > 0 {
			idx = (idx + 1) * 26
		}
		idx += int(name[i] - 'a')
		n++
		if idx > 1<<24 {
			return -1
		}
	}
	if n == 0 {
		return -1
	}
	for ; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' {
			return -1
		}
	}
	return idx
}

// indexToDiskName returns the target name for index idx with prefix
// ("sd", 27 gives "sdab").
func indexToDiskName(idx int, prefix string) string {
	var b []byte
	for n := idx; n >= 0; n = n/26 - 1 {
		b = append([]byte{byte('a' + n%26)}, b...)
	}
	return prefix + string(b)
}

// scsiUnits describes how a driver maps SCSI disk indexes to addresses:
// narrow (7 units per controller) or wide (units skip the controller's 7).
type scsiUnits int

const (
	scsiNarrow scsiUnits = 0
	scsiWide   scsiUnits = 16 // units per bus, unit 7 excluded
)

// assignDriveAddress gives a disk on an IDE, SCSI, SATA or floppy bus the
// drive address its target name implies, as libvirt does.
func assignDriveAddress(disk *virtxml.Disk, scsi scsiUnits) {
	if disk.Address != nil || disk.Target == nil {
		return
	}
	idx := diskNameIndex(disk.Target.Dev)
	if idx < 0 {
		return
	}
	a := &virtxml.Address{Type: "drive"}
	i := uint64(idx)
	switch disk.Target.Bus {
	case "ide":
		a.Controller, a.Bus, a.Unit = i/4, (i%4)/2, i%2
	case "scsi":
		if scsi == scsiNarrow {
			a.Controller, a.Unit = i/7, i%7
		} else {
			per := uint64(scsi) - 1
			a.Controller, a.Unit = i/per, i%per
			if a.Unit >= 7 {
				a.Unit++
			}
		}
	case "sata":
		a.Controller, a.Unit = i/6, i%6
	case "fdc":
		a.Unit = i
	default:
		return
	}
	disk.Address = a
}

// hasController reports whether devices holds a controller of type t with
// index idx.
func hasController(dev *virtxml.Devices, t string, idx uint) bool {
	for _, c := range dev.Controllers {
		if c.Type == t && c.Index != nil && *c.Index == idx {
			return true
		}
	}
	return false
}

// addController adds a controller of type t and index idx after the last
// controller of the same type (or at the end).
func addController(dev *virtxml.Devices, c virtxml.Controller) {
	at := len(dev.Controllers)
	for i := len(dev.Controllers) - 1; i >= 0; i-- {
		cur := dev.Controllers[i]
		if cur.Type != c.Type {
			continue
		}
		if cur.Index != nil && c.Index != nil && *cur.Index > *c.Index {
			at = i
			continue
		}
		at = i + 1
		break
	}
	dev.Controllers = append(dev.Controllers, virtxml.Controller{})
	copy(dev.Controllers[at+1:], dev.Controllers[at:])
	dev.Controllers[at] = c
}

// addDiskControllers adds the controllers the disks' drive addresses
// refer to, as libvirt's implicit controller pass does (SCSI, floppy, IDE,
// SATA, each from index 0 to the highest used).
func addDiskControllers(dev *virtxml.Devices) {
	for _, bt := range [][2]string{{"scsi", "scsi"}, {"fdc", "fdc"}, {"ide", "ide"}, {"sata", "sata"}} {
		max := -1
		for i := range dev.Disks {
			d := &dev.Disks[i]
			if d.Target == nil || d.Target.Bus != bt[0] || d.Address == nil || d.Address.Type != "drive" {
				continue
			}
			if int(d.Address.Controller) > max {
				max = int(d.Address.Controller)
			}
		}
		for idx := 0; idx <= max && idx < 64; idx++ {
			if !hasController(dev, bt[1], uint(idx)) {
				addController(dev, virtxml.Controller{Type: bt[1], Index: uintp(uint(idx))})
			}
		}
	}
}

// addConsoleCompat mirrors the first serial port as the console when a
// domain has serial ports and no console.
func addConsoleCompat(dev *virtxml.Devices) {
	if len(dev.Consoles) > 0 || len(dev.Serials) == 0 {
		return
	}
	s := dev.Serials[0]
	c := virtxml.Chardev{Type: s.Type, TTY: s.TTY}
	c.Sources = append([]virtxml.CharSource(nil), s.Sources...)
	c.Protocol = s.Protocol
	port := strp("0")
	if s.Target != nil && s.Target.Port != nil {
		port = strp(*s.Target.Port)
	}
	c.Target = &virtxml.CharTarget{Type: "serial", Port: port}
	dev.Consoles = append(dev.Consoles, c)
}

// finishVideos fills in the video defaults: the first one primary, and
// vram for the model when the driver left it unset.
func finishVideos(dev *virtxml.Devices, vram func(model string) uint) {
	for i := range dev.Videos {
		m := dev.Videos[i].Model
		if m == nil {
			continue
		}
		if m.VRam == nil {
			if v := vram(m.Type); v > 0 {
				m.VRam = uintp(v)
			}
		}
		if i == 0 {
			m.Primary = "yes"
		}
	}
}

// defaultVideoRAM is libvirt's generic video memory default in KiB.
func defaultVideoRAM(model string) uint {
	switch model {
	case "vga", "cirrus", "qxl":
		return 16 * 1024
	case "vmvga":
		return 4 * 1024
	case "xen":
		return 4 * 1024
	}
	return 0
}

// fixMemory makes the current memory at most the total.
func fixMemory(d *virtxml.Domain) {
	if d.Memory == nil {
		return
	}
	if d.CurrentMemory == nil || d.CurrentMemory.Value == 0 || d.CurrentMemory.Value > d.Memory.Value {
		d.CurrentMemory = &virtxml.Memory{Unit: "KiB", Value: d.Memory.Value}
	}
}
